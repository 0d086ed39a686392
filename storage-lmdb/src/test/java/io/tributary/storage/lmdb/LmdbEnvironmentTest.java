package io.tributary.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.Durability;
import io.tributary.core.spi.UploadLogException.LogClosedException;
import io.tributary.core.spi.UploadLogException.StorageFailureException;
import io.tributary.core.spi.UploadLogException.StorageTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Txn;

/** The storage-thread machinery: batching, isolation of failures, map growth, timeouts, close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LmdbEnvironmentTest {
  @TempDir Path directory;

  private final List<LmdbEnvironment> opened = new ArrayList<>();
  private final List<Runnable> releases = new ArrayList<>();

  @AfterEach
  void closeAll() {
    releases.forEach(Runnable::run);
    opened.forEach(LmdbEnvironment::close);
  }

  private LmdbEnvironment open(LmdbEnvironment.Builder builder) {
    LmdbEnvironment env = builder.open();
    opened.add(env);
    return env;
  }

  private static ByteBuffer direct(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
    b.put(bytes).flip();
    return b;
  }

  private static String string(ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private Dbi<ByteBuffer> database(LmdbEnvironment env) {
    return env.writeExclusive(
        txn ->
            env.env()
                .openDbi(
                    txn,
                    "test".getBytes(StandardCharsets.US_ASCII),
                    null,
                    false,
                    DbiFlags.MDB_CREATE));
  }

  /** Occupies the storage thread until the returned latch is counted down. */
  private CountDownLatch blockStorageThread(LmdbEnvironment env) throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    releases.add(release::countDown);
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
                    }),
            "blocker");
    blocker.setDaemon(true);
    blocker.start();
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    return release;
  }

  private static <T> CompletableFuture<T> async(
      String name, java.util.concurrent.Callable<T> body) {
    CompletableFuture<T> future = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                future.complete(body.call());
              } catch (Throwable e) {
                future.completeExceptionally(e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return future;
  }

  private static void awaitAllParked(List<Thread> threads) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Thread t : threads) {
      while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(t.getName() + " never parked");
        }
        Thread.onSpinWait();
      }
    }
  }

  @Test
  void tasksRunOnTheStorageThreadAndNeverOnTheCaller() {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    String caller = Thread.currentThread().getName();

    String reader = env.read(txn -> Thread.currentThread().getName());
    String writer = env.write(txn -> Thread.currentThread().getName());

    assertThat(reader).isEqualTo(env.storageThreadName()).isNotEqualTo(caller);
    assertThat(writer).isEqualTo(env.storageThreadName());
    assertThat(env.isStorageThread()).isFalse();
    assertThatThrownBy(env::env)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("LMDB used on thread " + caller);
  }

  @Test
  void submittingFromTheStorageThreadIsRejected() {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));

    assertThatThrownBy(() -> env.read(txn -> env.read(inner -> 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("from the storage thread itself");
  }

  @Test
  void writesThatArriveDuringACommitShareTheNextTransaction() throws Exception {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> db = database(env);
    CountDownLatch release = blockStorageThread(env);
    long commitsBefore = env.commits();
    List<CompletableFuture<Long>> writers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    AtomicInteger order = new AtomicInteger();
    for (int i = 0; i < 16; i++) {
      String key = "k" + i;
      writers.add(
          async(
              "writer-" + i,
              () ->
                  env.write(
                      txn -> {
                        db.put(txn, direct(key), direct("v"));
                        return (long) order.incrementAndGet();
                      })));
    }
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("writer-")) {
        threads.add(t);
      }
    }
    awaitAllParked(threads);

    release.countDown();
    for (CompletableFuture<Long> w : writers) {
      w.get(20, TimeUnit.SECONDS);
    }

    // the blocker's transaction plus one for all sixteen writers
    assertThat(env.commits() - commitsBefore).isEqualTo(2);
    long entries = env.read(txn -> db.stat(txn).entries);
    assertThat(entries).isEqualTo(16L);
  }

  @Test
  void aFailingWriteFailsAloneAndTheOthersOfItsBatchCommit() throws Exception {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> db = database(env);
    CountDownLatch release = blockStorageThread(env);
    IllegalStateException boom = new IllegalStateException("boom");
    List<CompletableFuture<String>> writers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String key = "k" + i;
      boolean fails = i == 2;
      writers.add(
          async(
              "writer-" + i,
              () ->
                  env.write(
                      txn -> {
                        db.put(txn, direct(key), direct("v"));
                        if (fails) {
                          throw boom;
                        }
                        return key;
                      })));
    }
    List<Thread> threads = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("writer-")) {
        threads.add(t);
      }
    }
    awaitAllParked(threads);

    release.countDown();

    for (int i = 0; i < 5; i++) {
      CompletableFuture<String> w = writers.get(i);
      if (i == 2) {
        assertThatThrownBy(() -> w.get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseReference(boom);
      } else {
        assertThat(w.get(20, TimeUnit.SECONDS)).isEqualTo("k" + i);
      }
    }
    List<String> keys =
        env.read(
            txn -> {
              List<String> found = new ArrayList<>();
              for (var kv : db.iterate(txn)) {
                found.add(string(kv.key()));
              }
              return found;
            });
    assertThat(keys).containsExactly("k0", "k1", "k3", "k4");
  }

  @Test
  void aFullMapGrowsAndTheBatchIsRetried() {
    LmdbEnvironment env =
        open(
            LmdbEnvironment.newBuilder(directory)
                .initialMapSizeBytes(64 * 1024)
                .maxMapSizeBytes(64L << 20)
                .durability(Durability.OS_FLUSH));
    Dbi<ByteBuffer> db = database(env);
    long before = env.mapSizeBytes();
    AtomicInteger runs = new AtomicInteger();

    env.write(
        txn -> {
          runs.incrementAndGet();
          ByteBuffer key = ByteBuffer.allocateDirect(8);
          for (int i = 0; i < 2000; i++) {
            key.putLong(0, i);
            db.reserve(txn, key, 1000);
          }
          return null;
        });

    assertThat(env.mapSizeBytes()).isGreaterThan(2_000_000).isGreaterThan(before);
    assertThat(runs.get()).as("ran again after each growth").isGreaterThan(1);
    long entries = env.read(txn -> db.stat(txn).entries);
    assertThat(entries).isEqualTo(2000L);
  }

  @Test
  void aWriteThatCannotFitInTheLargestMapFailsAloneWithStorageFailure() throws Exception {
    LmdbEnvironment env =
        open(
            LmdbEnvironment.newBuilder(directory)
                .initialMapSizeBytes(64 * 1024)
                .maxMapSizeBytes(256 * 1024)
                .durability(Durability.OS_FLUSH));
    Dbi<ByteBuffer> db = database(env);
    CountDownLatch release = blockStorageThread(env);
    CompletableFuture<Object> huge =
        async(
            "writer-huge",
            () ->
                env.write(
                    txn -> {
                      ByteBuffer key = ByteBuffer.allocateDirect(8);
                      key.putLong(0, 1);
                      return db.reserve(txn, key, 1 << 20);
                    }));
    CompletableFuture<Boolean> small =
        async("writer-small", () -> env.write(txn -> db.put(txn, direct("small"), direct("v"))));
    List<Thread> threads = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("writer-")) {
        threads.add(t);
      }
    }
    awaitAllParked(threads);

    release.countDown();

    assertThatThrownBy(() -> huge.get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(StorageFailureException.class)
        .hasMessageContaining("map full at its maximum size 262144");
    assertThat(small.get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(env.mapSizeBytes()).isEqualTo(256 * 1024);
  }

  @Test
  void anOperationAbandonedByItsTimeoutNeverRuns() throws Exception {
    LmdbEnvironment env =
        open(LmdbEnvironment.newBuilder(directory).timeout(Duration.ofMillis(200)));
    Dbi<ByteBuffer> db = database(env);
    CountDownLatch release = blockStorageThread(env);

    assertThatThrownBy(() -> env.write(txn -> db.put(txn, direct("late"), direct("v"))))
        .isInstanceOf(StorageTimeoutException.class)
        .hasMessageContaining("did not complete the operation within PT0.2S");
    release.countDown();

    ByteBuffer late = env.read(txn -> db.get(txn, direct("late")));
    assertThat(late).isNull();
  }

  @Test
  void closeLetsSubmittedWorkFinishThenRefusesMore() throws Exception {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> db = database(env);
    CountDownLatch release = blockStorageThread(env);
    CompletableFuture<Boolean> queued =
        async("queued", () -> env.write(txn -> db.put(txn, direct("queued"), direct("v"))));
    List<Thread> threads = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("queued")) {
        threads.add(t);
      }
    }
    awaitAllParked(threads);
    AtomicReference<Throwable> closeFailure = new AtomicReference<>();
    Thread closer =
        new Thread(
            () -> {
              try {
                env.close();
              } catch (Throwable t) {
                closeFailure.set(t);
              }
            });
    closer.start();
    while (!env.isClosed()) {
      Thread.onSpinWait();
    }

    release.countDown();
    closer.join(20_000);

    assertThat(closeFailure.get()).isNull();
    assertThat(queued.get(20, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> env.read(txn -> 1)).isInstanceOf(LogClosedException.class);
    env.close(); // idempotent

    LmdbEnvironment again = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> reopened = database(again);
    ByteBuffer found =
        again.read(txn -> reopened.get(txn, direct("queued")) == null ? null : direct("x"));
    assertThat(found).isNotNull();
  }

  /** A write submitted without waiting; records where and how it completed. */
  private static final class Detached extends LmdbEnvironment.Operation {
    private final java.util.function.Consumer<Txn<ByteBuffer>> work;
    final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    volatile String completedOn;

    Detached(java.util.function.Consumer<Txn<ByteBuffer>> work) {
      super(Kind.WRITE);
      this.work = work;
    }

    @Override
    protected void run(Txn<ByteBuffer> txn) {
      work.accept(txn);
    }

    @Override
    protected void completed(Throwable failure) {
      completedOn = Thread.currentThread().getName();
      outcome.complete(failure);
    }
  }

  @Test
  void aSubmittedWriteReturnsAtOnceCommitsInOrderAndIsToldOnTheStorageThread() throws Exception {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> db = database(env);
    CountDownLatch release = blockStorageThread(env);
    Detached first = new Detached(txn -> db.put(txn, direct("k"), direct("first")));

    env.submit(first); // returns although the storage thread is busy
    assertThat(first.outcome).isNotDone();
    release.countDown();
    env.write(txn -> db.put(txn, direct("k"), direct("second"))); // submitted later: runs later

    assertThat(first.outcome.get(20, TimeUnit.SECONDS)).isNull();
    assertThat(first.completedOn).isEqualTo(env.storageThreadName());
    String value = env.read(txn -> string(db.get(txn, direct("k"))));
    assertThat(value).isEqualTo("second");
    env.submit(first); // reusable once told
    assertThat(first.outcome.get(20, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void aSubmittedWriteThatFailsIsToldItsFailureAndChangesNothing() throws Exception {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> db = database(env);
    Detached failing = new Detached(txn -> {
      db.put(txn, direct("k"), direct("v"));
      throw new IllegalStateException("boom");
    });

    env.submit(failing);

    assertThat(failing.outcome.get(20, TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class).hasMessage("boom");
    Boolean absent = env.read(txn -> db.get(txn, direct("k")) == null);
    assertThat(absent).isTrue();
  }

  @Test
  void closeRunsSubmittedWritesThenSubmitIsRefused() throws Exception {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> db = database(env);
    CountDownLatch release = blockStorageThread(env);
    Detached queued = new Detached(txn -> db.put(txn, direct("queued"), direct("v")));
    env.submit(queued);
    Thread closer = new Thread(env::close);
    closer.start();
    while (!env.isClosed()) {
      Thread.onSpinWait();
    }

    release.countDown();
    closer.join(20_000);

    assertThat(queued.outcome).isDone();
    assertThat(queued.outcome.get()).isNull();
    assertThatThrownBy(() -> env.submit(new Detached(txn -> { })))
        .isInstanceOf(LogClosedException.class);
    LmdbEnvironment again = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> reopened = database(again);
    Boolean present = again.read(txn -> reopened.get(txn, direct("queued")) != null);
    assertThat(present).isTrue();
  }

  @Test
  void submittingAnOperationInFlightIsRejected() throws Exception {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    CountDownLatch release = blockStorageThread(env);
    Detached op = new Detached(txn -> { });
    env.submit(op);

    assertThatThrownBy(() -> env.submit(op)).isInstanceOf(IllegalStateException.class);
    release.countDown();
    assertThat(op.outcome.get(20, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void aDeferredWriteWaitsForTheNextOperationAndSharesItsCommit() throws Exception {
    LmdbEnvironment env =
        open(LmdbEnvironment.newBuilder(directory).maxDeferral(Duration.ofHours(1)));
    Dbi<ByteBuffer> db = database(env);
    long commits = env.commits();
    Detached deferred = new Detached(txn -> db.put(txn, direct("k"), direct("deferred")));

    env.submitDeferred(deferred);
    Thread.sleep(200);
    assertThat(deferred.outcome).isNotDone(); // alone: held back
    assertThat(env.commits()).isEqualTo(commits);
    env.write(txn -> db.put(txn, direct("k"), direct("later"))); // runs after it, same commit

    assertThat(deferred.outcome.get(20, TimeUnit.SECONDS)).isNull();
    assertThat(env.commits()).isEqualTo(commits + 1);
    String value = env.read(txn -> string(db.get(txn, direct("k"))));
    assertThat(value).isEqualTo("later");
  }

  @Test
  void aDeferredWriteIsVisibleToALaterRead() throws Exception {
    LmdbEnvironment env =
        open(LmdbEnvironment.newBuilder(directory).maxDeferral(Duration.ofHours(1)));
    Dbi<ByteBuffer> db = database(env);
    Detached deferred = new Detached(txn -> db.put(txn, direct("k"), direct("deferred")));

    env.submitDeferred(deferred);
    String value = env.read(txn -> string(db.get(txn, direct("k"))));

    assertThat(value).isEqualTo("deferred");
    assertThat(deferred.outcome.get(20, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void aDeferredWriteAloneCommitsAfterTheLongestDeferral() throws Exception {
    LmdbEnvironment env =
        open(LmdbEnvironment.newBuilder(directory).maxDeferral(Duration.ofMillis(50)));
    Dbi<ByteBuffer> db = database(env);
    Detached deferred = new Detached(txn -> db.put(txn, direct("k"), direct("deferred")));

    env.submitDeferred(deferred);

    assertThat(deferred.outcome.get(20, TimeUnit.SECONDS)).isNull();
    assertThatThrownBy(() -> env.submitDeferred(new LmdbEnvironment.Operation(
        LmdbEnvironment.Operation.Kind.READ) {
          @Override
          protected void run(Txn<ByteBuffer> txn) {}
        })).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closeCommitsADeferredWrite() throws Exception {
    LmdbEnvironment env =
        open(LmdbEnvironment.newBuilder(directory).maxDeferral(Duration.ofHours(1)));
    Dbi<ByteBuffer> db = database(env);
    Detached deferred = new Detached(txn -> db.put(txn, direct("k"), direct("deferred")));
    env.submitDeferred(deferred);

    env.close();

    assertThat(deferred.outcome).isDone();
    assertThat(deferred.outcome.get()).isNull();
    LmdbEnvironment again = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> reopened = database(again);
    String value = again.read(txn -> string(reopened.get(txn, direct("k"))));
    assertThat(value).isEqualTo("deferred");
  }

  @Test
  void aDirectoryIsOpenAtMostOncePerProcess() {
    open(LmdbEnvironment.newBuilder(directory));

    assertThatThrownBy(() -> LmdbEnvironment.newBuilder(directory).open())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open in this process");
  }

  @Test
  void builderRejectsBadSettings() {
    LmdbEnvironment.Builder builder = LmdbEnvironment.newBuilder(directory);

    assertThatThrownBy(() -> builder.initialMapSizeBytes(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialMapSizeBytes: 1000 (expected: >= 65536)");
    assertThatThrownBy(() -> builder.timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> builder.maxBatchOperations(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.initialMapSizeBytes(1 << 20).maxMapSizeBytes(1 << 17).open())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: <= maxMapSizeBytes");
  }

  @Test
  void writeListenersSeeEveryTransaction() {
    LmdbEnvironment env = open(LmdbEnvironment.newBuilder(directory));
    Dbi<ByteBuffer> db = database(env);
    List<String> events = new ArrayList<>();
    env.addWriteListener(
        new LmdbEnvironment.WriteListener() {
          @Override
          public void beforeBatch(Txn<ByteBuffer> txn) {
            events.add("begin");
          }

          @Override
          public void beforeCommit(Txn<ByteBuffer> txn) {
            events.add("beforeCommit");
          }

          @Override
          public void afterCommit() {
            events.add("commit");
          }

          @Override
          public void afterRollback() {
            events.add("rollback");
          }
        });

    env.write(txn -> db.put(txn, direct("a"), direct("b")));
    assertThatThrownBy(
            () ->
                env.write(
                    txn -> {
                      throw new IllegalArgumentException("no");
                    }))
        .isInstanceOf(IllegalArgumentException.class);

    List<String> seen = env.read(txn -> List.copyOf(events));
    assertThat(seen).containsExactly("begin", "beforeCommit", "commit", "begin", "rollback");
  }
}
