package io.tributary.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.OverflowPolicy;
import io.tributary.core.spi.StorageProvider;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryStorageTest {

  @Test
  void providerIsFoundByServiceLoaderForTheMemoryScheme() {
    StorageProvider provider =
        ServiceLoader.load(StorageProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.scheme().equals("memory"))
            .findFirst()
            .orElseThrow();

    try (UploadLog log = provider.open(URI.create("memory:test"), UploadLogOptions.DEFAULT)) {
      assertThat(log.append(ByteBuffer.wrap(new byte[] {1}), 1, 0)).isEqualTo(1);
    }
    try (UploadLog other = provider.open(URI.create("memory:test"), UploadLogOptions.DEFAULT)) {
      assertThat(other.stats().lastAssignedVersion()).as("each open is a new log").isZero();
    }
  }

  @Test
  void providerRejectsAnotherScheme() {
    assertThatThrownBy(
            () ->
                new MemoryStorageProvider()
                    .open(URI.create("lmdb:/tmp/x"), UploadLogOptions.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("location: lmdb:/tmp/x (expected: a URI with scheme memory)");
  }

  @Test
  void aStorageHoldsOneOpenLogAtATime() {
    MemoryStorage storage = MemoryStorage.create();
    UploadLog log = storage.open(UploadLogOptions.DEFAULT);

    assertThatThrownBy(() -> storage.open(UploadLogOptions.DEFAULT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open");

    log.close();
    storage.open(UploadLogOptions.DEFAULT).close();
  }

  @Test
  void blockedAppendersAreServedInArrivalOrder() throws Exception {
    MemoryStorage storage = MemoryStorage.create();
    try (UploadLog log =
        storage.open(
            UploadLogOptions.newBuilder()
                .maxBytes(4096)
                .overflowPolicy(OverflowPolicy.BLOCK)
                .blockTimeout(Duration.ofSeconds(30))
                .build())) {
      for (int i = 0; i < 4; i++) {
        log.append(ByteBuffer.wrap(new byte[968]), 1, 0); // 4 x (968 + 32) = 4000 bytes
      }
      List<CompletableFuture<Long>> results = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        int size = 968 - i; // distinguishable in the log
        Thread appender =
            new Thread(
                () -> {
                  try {
                    result.complete(log.append(ByteBuffer.wrap(new byte[size]), 1, 0));
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
        appender.start();
        awaitParked(appender); // parked = queued: the queue is entered under the lock
        results.add(result);
      }

      for (long v = 1; v <= 3; v++) {
        log.acknowledge(new SyncProgress(0, 0, 0, 0, v, 0));
        assertThat(results.get((int) v - 1).get(10, TimeUnit.SECONDS)).isEqualTo(4 + v);
      }
      List<Integer> sizes = new ArrayList<>();
      log.read(4, Long.MAX_VALUE, e -> sizes.add(e.changeset().remaining()));
      assertThat(sizes).containsExactly(968, 967, 966);
    }
  }

  @Test
  void chunksAreRecycledWithoutMixingUpEntries() {
    MemoryStorage storage = MemoryStorage.create();
    try (UploadLog log =
        storage.open(
            UploadLogOptions.newBuilder()
                .maxBytes(200_000)
                .overflowPolicy(OverflowPolicy.DROP_OLDEST)
                .build())) {
      // sizes around the large-entry threshold (a quarter of a 64 KiB chunk) and tiny ones
      int[] sizes = {10, 16_000, 16_385, 3, 40_000, 0, 16_384, 999};
      for (int round = 0; round < 300; round++) {
        int size = sizes[round % sizes.length];
        byte[] bytes = new byte[size];
        java.util.Arrays.fill(bytes, (byte) round);
        long version = log.append(ByteBuffer.wrap(bytes), 1, 0);
        if (round % 3 == 0) {
          log.acknowledge(new SyncProgress(0, 0, 0, 0, version - 2 > 0 ? version - 2 : 0, 0));
        }
        log.read(
            0,
            Long.MAX_VALUE,
            e -> {
              ByteBuffer view = e.changeset();
              byte expected = (byte) (e.version() - 1);
              for (int i = 0; i < view.remaining(); i++) {
                assertThat(view.get(i)).isEqualTo(expected);
              }
              return true;
            });
      }
    }
  }

  private static void awaitParked(Thread thread) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (thread.getState() != Thread.State.WAITING
        && thread.getState() != Thread.State.TIMED_WAITING) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("thread never parked");
      }
      Thread.onSpinWait();
    }
  }
}
