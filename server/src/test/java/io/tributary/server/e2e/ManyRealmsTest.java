package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.IngestRealm;
import io.tributary.protocol.ObjectId;
import io.tributary.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 objects from 4 realms in one client process, each realm with its own LMDB log and its
 * own connection, to a real server with an LMDB sink over real sockets: every object is stored
 * exactly once and every client log is empty after {@code waitForUploadCompletion}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManyRealmsTest {
  private static final int REALMS = 4;
  private static final int PER_REALM = 25_000;
  private static final int PER_TRANSACTION = 250;

  @TempDir Path dir;

  @Test
  void hundredThousandObjectsFromFourRealmsAreStoredOnceAndEveryLogEmpties() throws Exception {
    try (TestServer server = TestServer.lmdb(dir.resolve("server"))) {
      List<IngestRealm> realms = new ArrayList<>();
      ExecutorService writers = Executors.newFixedThreadPool(REALMS);
      try {
        for (int r = 0; r < REALMS; r++) {
          realms.add(IngestRealm.open(
              E2e.realm(dir.resolve("client-" + r), server.server.baseUrl()).build()));
        }
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < REALMS; r++) {
          IngestRealm realm = realms.get(r);
          int writer = r;
          done.add(writers.submit(() -> {
            for (int i = 0; i < PER_REALM; i += PER_TRANSACTION) {
              E2e.write(realm, E2e.keys(writer, i, i + PER_TRANSACTION));
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
        for (IngestRealm realm : realms) {
          realm.waitForUploadCompletion(Duration.ofSeconds(60));
        }
        for (IngestRealm realm : realms) {
          assertThat(realm.syncError()).isNull();
        }
      } finally {
        writers.shutdownNow();
        for (IngestRealm realm : realms) {
          realm.close();
        }
      }
      // every client log is empty (reopened offline: what is on disk)
      for (int r = 0; r < REALMS; r++) {
        try (var log = io.tributary.storage.lmdb.LmdbStorage.at(dir.resolve("client-" + r))
            .open(io.tributary.core.spi.UploadLogOptions.DEFAULT)) {
          assertThat(log.stats().entryCount()).as("entries left in client log %d", r).isZero();
          assertThat(log.metadata().progress().uploadClientVersion())
              .isEqualTo(log.metadata().lastAssignedVersion());
        }
      }
      List<ObjectId> all = new ArrayList<>();
      for (int r = 0; r < REALMS; r++) {
        all.addAll(E2e.keys(r, 0, PER_REALM));
      }
      E2e.assertExactlyOnce(server.store(), all);
      assertThat(server.store().clientFiles()).hasSize(REALMS);
      assertThat(server.server.metrics().duplicatesDiscarded()).isZero();
    }
  }
}
