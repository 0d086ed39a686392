package io.tributary.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.Durability;
import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.OverflowPolicy;
import io.tributary.core.spi.StorageProvider;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogException.LogCorruptException;
import io.tributary.core.spi.UploadLogException.StorageTimeoutException;
import io.tributary.core.spi.UploadLogContractTest;
import io.tributary.core.spi.UploadLogOptions;
import java.io.File;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** What the LMDB log promises beyond the contract: threads, map growth, corrupt files. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LmdbUploadLogTest {
  @TempDir Path directory;

  private final List<UploadLog> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(UploadLog::close);
  }

  private LmdbUploadLog open(LmdbStorage storage, UploadLogOptions options) {
    LmdbUploadLog log = (LmdbUploadLog) storage.open(options);
    opened.add(log);
    return log;
  }

  private LmdbUploadLog open(UploadLogOptions options) {
    return open(LmdbStorage.at(directory), options);
  }

  private static ByteBuffer bytes(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  // ---------------------------------------------------------------------------------------------
  // threads

  @Test
  void visitorsRunOnTheStorageThreadInsideTheLog() {
    LmdbUploadLog log = open(UploadLogOptions.DEFAULT);
    log.append(bytes(10, 1), 1, 0);
    List<String> threads = new ArrayList<>();

    log.read(0, 100, e -> threads.add(Thread.currentThread().getName()));

    assertThat(threads)
        .containsExactly(log.environment().storageThreadName())
        .doesNotContain(Thread.currentThread().getName());
  }

  @Test
  void callsWaitForTheStorageThreadAndNeverTouchLmdbThemselves() throws Exception {
    LmdbUploadLog log =
        open(UploadLogOptions.newBuilder().storageTimeout(Duration.ofMillis(300)).build());
    log.append(bytes(10, 1), 1, 0);
    LmdbEnvironment env = log.environment();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread blocker =
        new Thread(
            () -> {
              try {
                env.write(
                    txn -> {
                      started.countDown();
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    });
              } catch (RuntimeException expected) {
                // the blocker's own wait times out; it only occupies the storage thread
              }
            });
    blocker.setDaemon(true);
    blocker.start();
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    try {
      // with the storage thread busy, nothing can complete on the calling thread
      assertThatThrownBy(() -> log.append(bytes(10, 2), 1, 0))
          .isInstanceOf(StorageTimeoutException.class);
      assertThatThrownBy(() -> log.read(0, 100, e -> true))
          .isInstanceOf(StorageTimeoutException.class);
      assertThatThrownBy(() -> log.acknowledge(SyncProgress.NONE))
          .isInstanceOf(StorageTimeoutException.class);
      assertThatThrownBy(log::metadata).isInstanceOf(StorageTimeoutException.class);
    } finally {
      release.countDown();
    }

    // the append that timed out while queued was abandoned and never ran (the storage thread may
    // need longer than the 300 ms timeout to finish the released transaction on a loaded machine)
    assertThat(metadataOnceIdle(log).lastAssignedVersion()).isEqualTo(1);
    assertThat(log.append(bytes(10, 3), 1, 0)).isEqualTo(2);
  }

  /** {@code log.metadata()}, asked again while it times out, for up to 30 s. */
  private static LogMetadata metadataOnceIdle(LmdbUploadLog log) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return log.metadata();
      } catch (StorageTimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // acknowledgeAsync: deferred, but never while an append waits for the space it frees

  /** A BLOCK log of 4 KiB whose deferred acknowledgements would wait an hour for company. */
  private LmdbUploadLog openDeferringAnHour() {
    LmdbUploadLog log =
        LmdbUploadLog.open(
            LmdbStorage.at(directory),
            UploadLogOptions.newBuilder()
                .maxBytes(4096)
                .overflowPolicy(OverflowPolicy.BLOCK)
                .blockTimeout(Duration.ofSeconds(30))
                .build(),
            Duration.ofHours(1));
    opened.add(log);
    return log;
  }

  /** Fills the log with 500-byte entries (as the contract suite does); returns how many. */
  private static int fillWith500ByteEntries(UploadLog log) {
    int count = UploadLogContractTest.fill(log, 500);
    assertThat(count).isGreaterThan(2);
    return count;
  }

  private static java.util.concurrent.CompletableFuture<Long> acknowledgeAsync(UploadLog log, long through) {
    java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
    log.acknowledgeAsync(
        UploadLogContractTest.acked(through),
        (appendedBefore, failure) -> {
          if (failure != null) {
            done.completeExceptionally(failure);
          } else {
            done.complete(appendedBefore);
          }
        });
    return done;
  }

  @Test
  void anAsyncAcknowledgementWaitsForTheNextWriteWhenNoAppendWaits() throws Exception {
    LmdbUploadLog log = openDeferringAnHour();
    log.append(bytes(100, 1), 1, 0);
    log.append(bytes(100, 2), 1, 0);

    java.util.concurrent.CompletableFuture<Long> done = acknowledgeAsync(log, 1);
    Thread.sleep(300);
    assertThat(done).as("held back for company (up to an hour here)").isNotDone();

    log.append(bytes(100, 3), 1, 0); // its commit takes the delete along, first

    assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    assertThat(log.stats().firstVersion()).isEqualTo(2);
    assertThat(log.stats().entryCount()).isEqualTo(2);
  }

  @Test
  void anAsyncAcknowledgementIsNotHeldBackWhileAnAppendWaitsForTheSpace() throws Exception {
    LmdbUploadLog log = openDeferringAnHour();
    int filled = fillWith500ByteEntries(log);
    UploadLogContractTest.ThreadResult<Long> appender =
        UploadLogContractTest.startThread("blocked-appender", () -> log.append(bytes(500, 99), 1, 0));
    java.util.concurrent.CompletableFuture<Long> appended = appender.future();
    UploadLogContractTest.awaitParked(appender.thread());
    assertThat(appended).as("the log is full").isNotDone();

    java.util.concurrent.CompletableFuture<Long> done = acknowledgeAsync(log, 2);

    // with the delete deferred for company this would wait an hour: the append it waits for is
    // the company, and it cannot come before the delete
    assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(filled);
    assertThat(appended.get(10, TimeUnit.SECONDS)).isEqualTo(filled + 1);
    assertThat(log.stats().firstVersion()).isEqualTo(3);
    assertThat(log.stats().sizeBytes()).isLessThanOrEqualTo(4096);
  }

  @Test
  void anAppendThatOnlyFitsAfterADeferredAcknowledgementTakesItAlongFirst() throws Exception {
    LmdbUploadLog log = openDeferringAnHour();
    int filled = fillWith500ByteEntries(log);
    java.util.concurrent.CompletableFuture<Long> done = acknowledgeAsync(log, 2); // deferred: nobody waits

    assertThat(log.append(bytes(500, 99), 1, 0)).isEqualTo(filled + 1);

    assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(filled);
    assertThat(log.stats().firstVersion()).isEqualTo(3);
    assertThat(log.stats().entryCount()).isEqualTo(filled - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // map growth and size

  @Test
  void theMapGrowsFromTinyToWellPastIt() {
    LmdbStorage storage = LmdbStorage.at(directory).withInitialMapSizeBytes(64 * 1024);
    UploadLogOptions options =
        UploadLogOptions.newBuilder().maxBytes(64L << 20).durability(Durability.OS_FLUSH).build();
    LmdbUploadLog log = open(storage, options);
    long initial = log.environment().mapSizeBytes();
    int[] sizes = {100, 3000, 17, 70_000, 4096, 0, 250_000};
    long total = 0;
    int count = 0;
    while (total < 12L << 20) {
      int size = sizes[count % sizes.length];
      log.append(bytes(size, count), 1, count);
      total += size;
      count++;
    }

    assertThat(initial).isEqualTo(64 * 1024);
    assertThat(log.environment().mapSizeBytes()).isGreaterThan(12L << 20);
    assertThat(log.stats().entryCount()).isEqualTo(count);
    int[] seen = {0};
    log.read(
        0,
        Long.MAX_VALUE,
        e -> {
          int i = seen[0]++;
          assertThat(e.changeset()).isEqualTo(bytes(sizes[i % sizes.length], i));
          return true;
        });
    assertThat(seen[0]).isEqualTo(count);

    log.close();
    LmdbUploadLog reopened = open(storage, options);
    assertThat(reopened.stats().entryCount()).isEqualTo(count);
    assertThat(reopened.environment().mapSizeBytes()).isGreaterThan(12L << 20);
  }

  @Test
  void theBoundIsReachedBeforeTheMapEvenWithTheWorstPageOverhead() {
    long maxBytes = 2L << 20;
    LmdbStorage storage =
        LmdbStorage.at(directory)
            .withInitialMapSizeBytes(64 * 1024)
            .withMaxMapSizeBytes(LmdbStorage.minimumMapSizeBytesFor(maxBytes));
    LmdbUploadLog log =
        open(
            storage,
            UploadLogOptions.newBuilder()
                .maxBytes(maxBytes)
                .overflowPolicy(OverflowPolicy.DROP_OLDEST)
                .durability(Durability.OS_FLUSH)
                .build());
    // values of 2023 and 4081 bytes just miss a leaf node / one overflow page: ~2x on disk
    int[] changesets = {2023 - 32, 4081 - 32};
    long appended = 0;
    for (int i = 0; appended < 3 * maxBytes; i++) {
      int length = changesets[i % 2];
      log.append(bytes(length, i), 1, 0);
      appended += length;
      if (i % 50 == 0) {
        // acknowledgements must keep working next to a nearly full map
        LogStats stats = log.stats();
        log.acknowledge(new SyncProgress(0, 0, 0, 0, stats.firstVersion(), 0));
      }
    }

    LogStats stats = log.stats();
    assertThat(stats.droppedEntries()).isPositive();
    assertThat(stats.sizeBytes()).isLessThanOrEqualTo(maxBytes);
    assertThat(log.environment().mapSizeBytes())
        .isLessThanOrEqualTo(LmdbStorage.minimumMapSizeBytesFor(maxBytes));
    log.acknowledge(new SyncProgress(0, 0, 0, 0, stats.lastAssignedVersion(), 0));
    assertThat(log.stats().entryCount()).isZero();
  }

  @Test
  void aMapTooSmallForTheBoundIsRejectedAtOpen() {
    LmdbStorage storage = LmdbStorage.at(directory).withMaxMapSizeBytes(1L << 20);

    assertThatThrownBy(() -> storage.open(UploadLogOptions.newBuilder().maxBytes(1L << 20).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "maxMapSizeBytes: 1048576 (expected: >= 4194304 = 3 * maxBytes + 1 MiB, so that the"
                + " bound is reached before the map is full)");
  }

  @Test
  void sizeAccountingCountsHeaderAndChangesetAndSurvivesRestart() {
    LmdbUploadLog log = open(UploadLogOptions.DEFAULT);
    log.append(bytes(100, 1), 2, 0);
    log.append(bytes(0, 2), 0, 0);
    log.append(bytes(5000, 3), 7, 0);

    LogStats stats = log.stats();
    assertThat(stats.sizeBytes()).isEqualTo(100 + 0 + 5000 + 3 * LogFormat.HEADER_LENGTH);
    assertThat(stats.pendingObjects()).isEqualTo(9);
    log.close();

    assertThat(open(UploadLogOptions.DEFAULT).stats()).isEqualTo(stats);
  }

  @Test
  void appendsThatArriveDuringACommitShareTheNextOne() throws Exception {
    LmdbUploadLog log = open(UploadLogOptions.DEFAULT);
    LmdbEnvironment env = log.environment();
    // occupy the storage thread, as a long sync would, while sixteen writers queue up
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread blocker =
        new Thread(
            () ->
                env.write(
                    txn -> {
                      started.countDown();
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    }));
    blocker.start();
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    long commitsBefore = env.commits();
    List<Thread> writers = new ArrayList<>();
    List<Long> versions = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 16; t++) {
      Thread writer =
          new Thread(() -> versions.add(log.append(ByteBuffer.wrap(new byte[134]), 1, 0)));
      writer.start();
      writers.add(writer);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Thread writer : writers) {
      while (writer.getState() != Thread.State.TIMED_WAITING) {
        assertThat(System.nanoTime()).as("writer parked").isLessThan(deadline);
        Thread.onSpinWait();
      }
    }

    release.countDown();
    for (Thread writer : writers) {
      writer.join(20_000);
    }
    blocker.join(20_000);

    // the blocker's transaction, then one transaction (one sync) for all sixteen appends
    assertThat(env.commits() - commitsBefore).isEqualTo(2);
    assertThat(versions)
        .containsExactlyInAnyOrder(
            java.util.stream.LongStream.rangeClosed(1, 16).boxed().toArray(Long[]::new));
    assertThat(log.stats().entryCount()).isEqualTo(16);
  }

  // ---------------------------------------------------------------------------------------------
  // provider and opening

  @Test
  void providerIsFoundByServiceLoaderForTheLmdbScheme() {
    StorageProvider provider =
        ServiceLoader.load(StorageProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.scheme().equals("lmdb"))
            .findFirst()
            .orElseThrow();

    URI hierarchical = URI.create("lmdb://" + directory.toAbsolutePath());
    try (UploadLog log = provider.open(hierarchical, UploadLogOptions.DEFAULT)) {
      assertThat(log.append(bytes(3, 1), 1, 0)).isEqualTo(1);
    }
    URI opaque = URI.create("lmdb:" + directory.toAbsolutePath());
    try (UploadLog log = provider.open(opaque, UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().lastAssignedVersion()).isEqualTo(1);
    }
  }

  @Test
  void providerRejectsOtherSchemesAndReadsBothPathForms() {
    LmdbStorageProvider provider = new LmdbStorageProvider();

    assertThatThrownBy(() -> provider.open(URI.create("memory:x"), UploadLogOptions.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("location: memory:x (expected: a URI with scheme lmdb)");
    assertThat(LmdbStorageProvider.directoryOf(URI.create("lmdb:data/ingest")))
        .isEqualTo(Path.of("data/ingest"));
    assertThat(LmdbStorageProvider.directoryOf(URI.create("lmdb:///var/x")))
        .isEqualTo(Path.of("/var/x"));
  }

  @Test
  void aDirectoryHoldsOneOpenLogPerProcess() {
    open(UploadLogOptions.DEFAULT);

    assertThatThrownBy(() -> LmdbStorage.at(directory).open(UploadLogOptions.DEFAULT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open in this process");
  }

  // ---------------------------------------------------------------------------------------------
  // corrupt and foreign files: reported at open, naming the path, never reset

  @Test
  void aFileThatIsNotLmdbIsReportedAndLeftAlone() throws Exception {
    byte[] junk = new byte[16384];
    new Random(7).nextBytes(junk);
    Files.write(directory.resolve("data.mdb"), junk);

    assertThatThrownBy(() -> open(UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining(directory.toRealPath().toString())
        .hasMessageContaining("not a valid LMDB file");
    assertThat(Files.readAllBytes(directory.resolve("data.mdb"))).isEqualTo(junk);
  }

  @Test
  void aPathThatIsAFileIsReported() throws Exception {
    Path file = directory.resolve("plain-file");
    Files.writeString(file, "hello");

    assertThatThrownBy(() -> open(LmdbStorage.at(file), UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining("is not a directory");
  }

  @Test
  void aForeignLmdbEnvironmentIsReportedAndLeftAlone() {
    raw(
        (env, txn) -> {
          Dbi<ByteBuffer> other =
              env.openDbi(txn, "other".getBytes(), null, false, DbiFlags.MDB_CREATE);
          other.put(txn, direct("key"), direct("precious"));
        });

    assertThatThrownBy(() -> open(UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining("not a Tributary upload log")
        .hasMessageContaining("[other]");
    raw(
        (env, txn) -> {
          Dbi<ByteBuffer> other = env.openDbi(txn, "other".getBytes(), null, false);
          assertThat(other.get(txn, direct("key"))).isEqualTo(direct("precious"));
        });
  }

  @Test
  void anEnvironmentWithOurDatabaseButNoFormatRecordIsReported() {
    raw(
        (env, txn) ->
            env.openDbi(txn, LogFormat.META_DB.getBytes(), null, false, DbiFlags.MDB_CREATE));

    assertThatThrownBy(() -> open(UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining("no format record");
  }

  @Test
  void aNewerFormatVersionIsReported() {
    open(UploadLogOptions.DEFAULT).close();
    raw(
        (env, txn) -> {
          Dbi<ByteBuffer> meta = env.openDbi(txn, LogFormat.META_DB.getBytes(), null, false);
          ByteBuffer record = ByteBuffer.allocateDirect(LogFormat.FORMAT_RECORD_LENGTH);
          record.put(LogFormat.MAGIC).putInt(2).flip();
          meta.put(txn, direct(LogFormat.FORMAT_KEY), record);
        });

    assertThatThrownBy(() -> open(UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining(
            "format version 2 is newer than this build supports (expected: <= 1)");
  }

  @Test
  void aTornEntryHeaderIsReported() {
    LmdbUploadLog log = open(UploadLogOptions.DEFAULT);
    for (int i = 0; i < 3; i++) {
      log.append(bytes(50, i), 1, 0);
    }
    log.close();
    rewriteEntry(2, value -> value.limit(20)); // shorter than the 32-byte header

    assertThatThrownBy(() -> open(UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining("entry 2: value of 20 bytes (expected: >= 32)");
  }

  @Test
  void aChangedLengthFieldIsReported() {
    LmdbUploadLog log = open(UploadLogOptions.DEFAULT);
    log.append(bytes(50, 1), 1, 0);
    log.close();
    rewriteEntry(1, value -> value.putInt(LogFormat.LENGTH_OFFSET, 49));

    assertThatThrownBy(() -> open(UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining("entry 1: changeset length 49 (expected: 50");
  }

  @Test
  void aFlippedBitInAChangesetIsReportedByItsChecksum() {
    LmdbUploadLog log = open(UploadLogOptions.DEFAULT);
    log.append(bytes(50, 1), 1, 0);
    log.append(bytes(50, 2), 1, 0);
    log.close();
    rewriteEntry(2, value -> value.put(40, (byte) (value.get(40) ^ 0x10)));

    assertThatThrownBy(() -> open(UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining("entry 2: CRC-32C");
  }

  @Test
  void countersThatDisagreeWithTheEntriesAreReported() {
    LmdbUploadLog log = open(UploadLogOptions.DEFAULT);
    for (int i = 0; i < 3; i++) {
      log.append(bytes(50, i), 1, 0);
    }
    log.close();
    raw(
        (env, txn) -> {
          Dbi<ByteBuffer> entries = env.openDbi(txn, LogFormat.ENTRIES_DB.getBytes(), null, false);
          ByteBuffer key = ByteBuffer.allocateDirect(8);
          key.putLong(0, 2);
          assertThat(entries.delete(txn, key)).isTrue();
        });

    assertThatThrownBy(() -> open(UploadLogOptions.DEFAULT))
        .isInstanceOf(LogCorruptException.class)
        .hasMessageContaining("state record counts 3 entries, 246 bytes, 3 objects")
        .hasMessageContaining("(expected: the recount 2, 164, 2)");
  }

  // ---------------------------------------------------------------------------------------------
  // raw LMDB access for the corruption tests (the log is closed while they run)

  private interface RawStep {
    void accept(Env<ByteBuffer> env, Txn<ByteBuffer> txn);
  }

  private void raw(RawStep step) {
    try (Env<ByteBuffer> env =
        Env.create().setMaxDbs(4).setMapSize(16L << 20).open(new File(directory.toString()))) {
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        step.accept(env, txn);
        txn.commit();
      }
    }
  }

  private void rewriteEntry(long version, Consumer<ByteBuffer> change) {
    raw(
        (env, txn) -> {
          Dbi<ByteBuffer> entries = env.openDbi(txn, LogFormat.ENTRIES_DB.getBytes(), null, false);
          ByteBuffer key = ByteBuffer.allocateDirect(8);
          key.putLong(0, version);
          ByteBuffer stored = entries.get(txn, key);
          byte[] copy = new byte[stored.remaining()];
          stored.get(copy);
          ByteBuffer value = ByteBuffer.allocateDirect(copy.length);
          value.put(copy).flip();
          change.accept(value);
          entries.put(txn, key, value);
        });
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b;
  }

  private static ByteBuffer direct(String s) {
    return direct(s.getBytes(StandardCharsets.UTF_8));
  }
}
