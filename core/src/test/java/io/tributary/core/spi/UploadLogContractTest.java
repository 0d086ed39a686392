package io.tributary.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.core.spi.UploadLogException.LogClosedException;
import io.tributary.core.spi.UploadLogException.LogFullException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link UploadLog} contract, clause by clause (see the interface's Javadoc). Every storage
 * module has a tiny concrete subclass that says how to open its log; this class ships in core's
 * test-jar.
 *
 * <p>Each test works on one location: {@link #open} opens the log at the current test's location (a
 * fresh one per test), {@link #reopen} closes it and opens the same location again. Logs opened
 * through these hooks are closed after each test.
 *
 * <p>Nothing here sleeps to "wait for" something: concurrent steps wait on conditions with
 * timeouts, and the only time-based assertion is a lower bound on how long a blocking append
 * waited.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class UploadLogContractTest {

  /** The smallest bound {@link UploadLogOptions.Builder#maxBytes} accepts; used by bound tests. */
  protected static final int SMALL_BOUND = 4096;

  private final List<UploadLog> opened = new CopyOnWriteArrayList<>();

  /**
   * Opens the log at this test's location (fresh and empty for the first call of a test; the same
   * location for later calls of the same test).
   */
  protected abstract UploadLog openLog(UploadLogOptions options);

  /**
   * Whether a log closed and opened again at the same location keeps its entries and metadata.
   * Durable implementations return {@code true}; the reopen tests are skipped otherwise.
   */
  protected boolean supportsReopen() {
    return false;
  }

  /** Opens the log at this test's location; closed after the test. */
  protected final UploadLog open(UploadLogOptions options) {
    UploadLog log = openLog(options);
    opened.add(log);
    return log;
  }

  /** Opens with the defaults. */
  protected final UploadLog open() {
    return open(UploadLogOptions.DEFAULT);
  }

  /** Closes {@code log} and opens the same location again with {@code options}. */
  protected final UploadLog reopen(UploadLog log, UploadLogOptions options) {
    log.close();
    return open(options);
  }

  @AfterEach
  final void closeOpenedLogs() {
    for (UploadLog log : opened) {
      log.close();
    }
    opened.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  /** Bytes whose content identifies {@code tag}, {@code length} long. */
  protected static byte[] payload(int tag, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (tag * 31 + i * 7);
    }
    return bytes;
  }

  protected static ByteBuffer wrap(byte[] bytes) {
    return ByteBuffer.wrap(bytes);
  }

  /** One visited entry, copied out of the borrowed view. */
  protected record Seen(
      long version,
      long originTimestamp,
      long lastIntegratedServerVersion,
      int objectCount,
      byte[] changeset) {

    @Override
    public boolean equals(Object o) {
      return o instanceof Seen s
          && version == s.version
          && originTimestamp == s.originTimestamp
          && lastIntegratedServerVersion == s.lastIntegratedServerVersion
          && objectCount == s.objectCount
          && Arrays.equals(changeset, s.changeset);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(version) * 31 + Arrays.hashCode(changeset);
    }

    @Override
    public String toString() {
      return "Seen{v=" + version + ", objects=" + objectCount + ", bytes=" + changeset.length + '}';
    }
  }

  protected static Seen copy(LogEntry entry) {
    ByteBuffer view = entry.changeset();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return new Seen(
        entry.version(),
        entry.originTimestamp(),
        entry.lastIntegratedServerVersion(),
        entry.objectCount(),
        bytes);
  }

  /** Reads everything after {@code afterVersion}, copying each entry. */
  protected static List<Seen> readAll(UploadLog log, long afterVersion) {
    List<Seen> seen = new ArrayList<>();
    int visited =
        log.read(
            afterVersion,
            Long.MAX_VALUE,
            entry -> {
              seen.add(copy(entry));
              return true;
            });
    assertThat(visited).isEqualTo(seen.size());
    return seen;
  }

  protected static List<Long> versions(List<Seen> seen) {
    List<Long> versions = new ArrayList<>();
    for (Seen s : seen) {
      versions.add(s.version());
    }
    return versions;
  }

  public static SyncProgress acked(long uploadClientVersion) {
    return new SyncProgress(0, 0, 0, 0, uploadClientVersion, 0);
  }

  /** The per-entry overhead this log counts in {@link LogStats#sizeBytes()}, learned by probing. */
  protected static long overheadOf(UploadLog log, int probeLength) {
    LogStats before = log.stats();
    long version = log.append(wrap(new byte[probeLength]), 0, 0);
    LogStats after = log.stats();
    long overhead = after.sizeBytes() - before.sizeBytes() - probeLength;
    assertThat(overhead).as("per-entry overhead").isNotNegative();
    log.acknowledge(acked(version));
    return overhead;
  }

  /** Appends entries of {@code length} bytes until the next one would not fit; returns how many. */
  public static int fill(UploadLog log, int length) {
    int count = 0;
    long overhead = -1;
    while (true) {
      LogStats stats = log.stats();
      if (overhead >= 0 && stats.sizeBytes() + length + overhead > stats.maxBytes()) {
        return count;
      }
      long before = stats.sizeBytes();
      log.append(wrap(payload(count, length)), 1, count);
      overhead = log.stats().sizeBytes() - before - length;
      count++;
    }
  }

  public static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  /** Waits until {@code thread} is parked (waiting for something), not running. */
  public static void awaitParked(Thread thread) {
    await(
        thread.getName() + " parked",
        () -> {
          Thread.State state = thread.getState();
          return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
        });
  }

  /** Runs {@code body} on a new named thread; the future completes with its result. */
  public static <T> ThreadResult<T> startThread(
      String name, java.util.concurrent.Callable<T> body) {
    CompletableFuture<T> future = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                future.complete(body.call());
              } catch (Throwable t) {
                future.completeExceptionally(t);
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
    return new ThreadResult<>(thread, future);
  }

  public record ThreadResult<T>(Thread thread, CompletableFuture<T> future) {
    T get() throws Exception {
      try {
        return future.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Exception cause) {
          throw cause;
        }
        throw e;
      }
    }

    Throwable failure() {
      return catchThrowable(this::get);
    }
  }

  // ---------------------------------------------------------------------------------------------

  // ---- Versions
  // ----------------------------------------------------------------------------------

  @Test
  void firstAppendGetsVersionOneAndEachNextOneMore() {
    UploadLog log = open();

    assertThat(log.append(wrap(payload(1, 10)), 1, 100)).isEqualTo(1);
    assertThat(log.append(wrap(payload(2, 10)), 1, 100)).isEqualTo(2);
    assertThat(log.append(wrap(payload(3, 10)), 1, 100)).isEqualTo(3);
    assertThat(log.stats().lastAssignedVersion()).isEqualTo(3);
    assertThat(log.metadata().lastAssignedVersion()).isEqualTo(3);
  }

  @Test
  void versionsAreNotReusedAfterEverythingWasAcknowledged() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    log.append(wrap(payload(2, 10)), 1, 0);

    log.acknowledge(acked(2));

    assertThat(log.stats().entryCount()).isZero();
    assertThat(log.stats().lastAssignedVersion()).isEqualTo(2);
    assertThat(log.append(wrap(payload(3, 10)), 1, 0)).isEqualTo(3);
  }

  @Test
  void lastAssignedVersionSurvivesReopenOfAnEmptyLog() {
    Assumptions.assumeTrue(supportsReopen(), "not durable");
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    log.append(wrap(payload(2, 10)), 1, 0);
    log.acknowledge(acked(2));

    log = reopen(log, UploadLogOptions.DEFAULT);

    assertThat(log.stats().entryCount()).isZero();
    assertThat(log.stats().lastAssignedVersion()).isEqualTo(2);
    assertThat(log.metadata().lastAssignedVersion()).isEqualTo(2);
    assertThat(log.append(wrap(payload(3, 10)), 1, 0)).isEqualTo(3);
  }

  @Test
  void failedAppendDoesNotConsumeAVersion() {
    UploadLog log =
        open(
            UploadLogOptions.newBuilder()
                .maxBytes(SMALL_BOUND)
                .overflowPolicy(OverflowPolicy.FAIL)
                .build());
    int filled = fill(log, 1000);

    assertThatThrownBy(() -> log.append(wrap(payload(9, 1000)), 1, 0))
        .isInstanceOf(LogFullException.class);
    log.acknowledge(acked(1));

    assertThat(log.append(wrap(payload(9, 10)), 1, 0)).isEqualTo(filled + 1);
  }

  @Test
  void rejectsNegativeObjectCountAndTimestamp() {
    UploadLog log = open();

    assertThatThrownBy(() -> log.append(wrap(new byte[1]), -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("objectCount: -1");
    assertThatThrownBy(() -> log.append(wrap(new byte[1]), 0, -5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("originTimestamp: -5");
    assertThat(log.stats().lastAssignedVersion()).isZero();
  }

  @Test
  void entriesAndMetadataSurviveReopen() {
    Assumptions.assumeTrue(supportsReopen(), "not durable");
    UploadLog log = open();
    log.storeClientFile(42, 7);
    log.storeSchema(wrap("schema-v1".getBytes(StandardCharsets.US_ASCII)));
    log.storeIdentity(wrap("identity-v1".getBytes(StandardCharsets.US_ASCII)));
    log.append(wrap(payload(1, 50)), 3, 1000);
    log.acknowledge(new SyncProgress(11, 0, 12, 13, 1, 14));
    log.append(wrap(payload(2, 60)), 4, 2000);
    log.append(wrap(payload(3, 70)), 5, 3000);
    List<Seen> before = readAll(log, 0);
    LogStats statsBefore = log.stats();
    LogMetadata metadataBefore = log.metadata();

    log = reopen(log, UploadLogOptions.DEFAULT);

    assertThat(readAll(log, 0)).containsExactlyElementsOf(before);
    assertThat(versions(before)).containsExactly(2L, 3L);
    assertThat(log.stats()).isEqualTo(statsBefore);
    assertThat(log.metadata()).isEqualTo(metadataBefore);
    assertThat(log.metadata().progress()).isEqualTo(new SyncProgress(11, 0, 12, 13, 1, 14));
    assertThat(log.metadata().identity())
        .isEqualTo("identity-v1".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void acknowledgedEntriesDoNotReappearAfterReopen() {
    Assumptions.assumeTrue(supportsReopen(), "not durable");
    UploadLog log = open();
    for (int i = 1; i <= 5; i++) {
      log.append(wrap(payload(i, 20)), 1, i);
    }
    log.acknowledge(acked(3));

    log = reopen(log, UploadLogOptions.DEFAULT);

    assertThat(versions(readAll(log, 0))).containsExactly(4L, 5L);
    assertThat(log.stats().firstVersion()).isEqualTo(4);
    assertThat(log.stats().entryCount()).isEqualTo(2);
  }

  // ---- Reading
  // -----------------------------------------------------------------------------------

  @Test
  void visitsEntriesOldestFirstWithWhatWasAppended() {
    UploadLog log = open();
    byte[] a = payload(1, 33);
    byte[] b = payload(2, 0);
    byte[] c = payload(3, 5000);
    log.append(wrap(a), 1, 111);
    log.append(wrap(b), 0, 222);
    log.append(wrap(c), 1000, 333);

    assertThat(readAll(log, 0))
        .containsExactly(
            new Seen(1, 111, 0, 1, a), new Seen(2, 222, 0, 0, b), new Seen(3, 333, 0, 1000, c));
  }

  @Test
  void startsAfterTheGivenVersion() {
    UploadLog log = open();
    for (int i = 1; i <= 5; i++) {
      log.append(wrap(payload(i, 10)), 1, i);
    }

    assertThat(versions(readAll(log, 2))).containsExactly(3L, 4L, 5L);
    assertThat(versions(readAll(log, 4))).containsExactly(5L);
    assertThat(versions(readAll(log, 5))).isEmpty();
    assertThat(versions(readAll(log, 1000))).isEmpty();
  }

  @Test
  void afterVersionBelowTheFirstEntryStartsAtTheFirstEntry() {
    UploadLog log = open();
    for (int i = 1; i <= 4; i++) {
      log.append(wrap(payload(i, 10)), 1, i);
    }
    log.acknowledge(acked(2));

    assertThat(versions(readAll(log, 0))).containsExactly(3L, 4L);
    assertThat(versions(readAll(log, 1))).containsExactly(3L, 4L);
  }

  @Test
  void emptyLogVisitsNothing() {
    UploadLog log = open();
    AtomicBoolean called = new AtomicBoolean();

    int visited =
        log.read(
            0,
            1000,
            e -> {
              called.set(true);
              return true;
            });

    assertThat(visited).isZero();
    assertThat(called).isFalse();
  }

  @Test
  void stopsBeforeAnEntryThatWouldExceedMaxBytes() {
    UploadLog log = open();
    log.append(wrap(payload(1, 100)), 1, 0);
    log.append(wrap(payload(2, 100)), 1, 0);
    log.append(wrap(payload(3, 100)), 1, 0);
    List<Long> seen = new ArrayList<>();

    int visited = log.read(0, 250, e -> seen.add(e.version()));

    assertThat(visited).isEqualTo(2);
    assertThat(seen).containsExactly(1L, 2L);
    seen.clear();
    assertThat(log.read(0, 300, e -> seen.add(e.version()))).isEqualTo(3);
    seen.clear();
    assertThat(log.read(1, 199, e -> seen.add(e.version()))).isEqualTo(1);
    assertThat(seen).containsExactly(2L);
  }

  @Test
  void alwaysVisitsTheFirstEntryHoweverLarge() {
    UploadLog log = open();
    log.append(wrap(payload(1, 3000)), 1, 0);
    log.append(wrap(payload(2, 10)), 1, 0);
    List<Long> seen = new ArrayList<>();

    int visited = log.read(0, 1, e -> seen.add(e.version()));

    assertThat(visited).isEqualTo(1);
    assertThat(seen).containsExactly(1L);
  }

  @Test
  void stopsWhenTheVisitorReturnsFalse() {
    UploadLog log = open();
    for (int i = 1; i <= 5; i++) {
      log.append(wrap(payload(i, 10)), 1, i);
    }
    List<Long> seen = new ArrayList<>();

    int visited =
        log.read(
            0,
            Long.MAX_VALUE,
            e -> {
              seen.add(e.version());
              return e.version() < 3;
            });

    assertThat(visited).isEqualTo(3);
    assertThat(seen).containsExactly(1L, 2L, 3L);
  }

  @Test
  void rejectsNegativeAfterVersionAndNonPositiveMaxBytes() {
    UploadLog log = open();

    assertThatThrownBy(() -> log.read(-1, 10, e -> true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("afterVersion: -1");
    assertThatThrownBy(() -> log.read(0, 0, e -> true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBytes: 0");
  }

  @Test
  void visitorExceptionIsRethrownAndTheLogStaysUsable() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    IllegalStateException boom = new IllegalStateException("boom");

    assertThatThrownBy(
            () ->
                log.read(
                    0,
                    100,
                    e -> {
                      throw boom;
                    }))
        .isSameAs(boom);

    assertThat(log.append(wrap(payload(2, 10)), 1, 0)).isEqualTo(2);
    assertThat(versions(readAll(log, 0))).containsExactly(1L, 2L);
  }

  @Test
  void visitorCallingBackIntoTheLogIsRejected() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    AtomicReference<Throwable> inside = new AtomicReference<>();

    Throwable thrown =
        catchThrowable(
            () ->
                log.read(
                    0,
                    100,
                    e -> {
                      try {
                        log.stats();
                      } catch (Throwable t) {
                        inside.set(t);
                        throw t;
                      }
                      return true;
                    }));

    assertThat(inside.get()).isInstanceOf(IllegalStateException.class);
    assertThat(thrown).isSameAs(inside.get());
    assertThat(log.stats().entryCount()).isEqualTo(1);
  }

  @Test
  void changesetViewIsReadOnlyFromZeroToItsLengthOnEveryCall() {
    UploadLog log = open();
    byte[] bytes = payload(1, 40);
    log.append(wrap(bytes), 1, 0);

    log.read(
        0,
        100,
        e -> {
          ByteBuffer first = e.changeset();
          assertThat(first.position()).isZero();
          assertThat(first.limit()).isEqualTo(40);
          assertThat(first.isReadOnly()).isTrue();
          first.position(10);
          ByteBuffer second = e.changeset();
          assertThat(second.position()).isZero();
          assertThat(second.remaining()).isEqualTo(40);
          byte[] copy = new byte[40];
          second.get(copy);
          assertThat(copy).isEqualTo(bytes);
          return true;
        });
  }

  @Test
  void lastIntegratedServerVersionIsTheDownloadServerVersionStoredAtAppend() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    log.acknowledge(new SyncProgress(7, 0, 9, 1, 0, 0));
    log.append(wrap(payload(2, 10)), 1, 0);
    log.acknowledge(new SyncProgress(8, 0, 9, 1, 0, 0));
    log.append(wrap(payload(3, 10)), 1, 0);

    List<Seen> seen = readAll(log, 0);

    assertThat(seen).extracting(Seen::lastIntegratedServerVersion).containsExactly(0L, 7L, 8L);
  }

  /** What a client reset does: the server's cursors go back to zero and nothing is deleted. */
  @Test
  void aLowerProgressIsStoredAsGivenAndKeepsEveryEntry() {
    UploadLog log = open();
    log.append(wrap(payload(1, 20)), 1, 1);
    log.append(wrap(payload(2, 20)), 1, 2);
    log.acknowledge(new SyncProgress(7, 2, 9, 4, 2, 1));
    for (int i = 3; i <= 5; i++) {
      log.append(wrap(payload(i, 20)), 1, i);
    }

    log.acknowledge(SyncProgress.NONE);
    log.append(wrap(payload(6, 20)), 1, 6);

    assertThat(log.metadata().progress()).isEqualTo(SyncProgress.NONE);
    List<Seen> seen = readAll(log, 0);
    assertThat(versions(seen)).containsExactly(3L, 4L, 5L, 6L);
    assertThat(seen).extracting(Seen::lastIntegratedServerVersion).containsExactly(7L, 7L, 7L, 0L);
    if (supportsReopen()) {
      log = reopen(log, UploadLogOptions.DEFAULT);
      assertThat(log.metadata().progress()).isEqualTo(SyncProgress.NONE);
      assertThat(versions(readAll(log, 0))).containsExactly(3L, 4L, 5L, 6L);
    }
  }

  // ---- Buffers
  // -----------------------------------------------------------------------------------

  @Test
  void appendCopiesPositionToLimitAndLeavesTheBufferAsItWas() {
    UploadLog log = open();
    byte[] array = payload(5, 64);
    ByteBuffer buffer = ByteBuffer.wrap(array);
    buffer.position(3).limit(20);

    log.append(buffer, 1, 0);
    Arrays.fill(array, (byte) 0);

    assertThat(buffer.position()).isEqualTo(3);
    assertThat(buffer.limit()).isEqualTo(20);
    assertThat(readAll(log, 0).get(0).changeset())
        .isEqualTo(Arrays.copyOfRange(payload(5, 64), 3, 20));
  }

  @Test
  void appendAcceptsADirectBufferWithNonZeroPosition() {
    UploadLog log = open();
    byte[] bytes = payload(6, 300);
    ByteBuffer direct = ByteBuffer.allocateDirect(400);
    direct.position(50);
    direct.put(bytes);
    direct.position(50).limit(350);

    log.append(direct, 2, 0);

    assertThat(direct.position()).isEqualTo(50);
    assertThat(direct.limit()).isEqualTo(350);
    assertThat(readAll(log, 0).get(0).changeset()).isEqualTo(bytes);
  }

  @Test
  void appendAcceptsReadOnlyAndSlicedBuffers() {
    UploadLog log = open();
    byte[] bytes = payload(7, 100);
    ByteBuffer sliced = ByteBuffer.wrap(new byte[200]).position(40).slice();
    sliced.put(bytes).flip();

    log.append(wrap(bytes).asReadOnlyBuffer(), 1, 0);
    log.append(sliced, 1, 0);

    assertThat(readAll(log, 0)).extracting(Seen::changeset).containsExactly(bytes, bytes);
  }

  @Test
  void appendAcceptsAnEmptyChangeset() {
    UploadLog log = open();

    long version = log.append(ByteBuffer.allocate(0), 0, 0);

    assertThat(version).isEqualTo(1);
    assertThat(readAll(log, 0).get(0).changeset()).isEmpty();
  }

  @Test
  void storeSchemaCopiesAndLeavesTheBufferAsItWas() {
    UploadLog log = open();
    byte[] array = "xxschemayy".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buffer = ByteBuffer.wrap(array).position(2).limit(8);

    log.storeSchema(buffer);
    Arrays.fill(array, (byte) 0);

    assertThat(buffer.position()).isEqualTo(2);
    assertThat(log.metadata().schema()).isEqualTo("schema".getBytes(StandardCharsets.US_ASCII));
  }

  // ---- Acknowledgement
  // ---------------------------------------------------------------------------

  @Test
  void deletesExactlyTheEntriesUpToTheVersion() {
    UploadLog log = open();
    for (int i = 1; i <= 6; i++) {
      log.append(wrap(payload(i, 10 * i)), i, i);
    }

    log.acknowledge(acked(4));

    assertThat(versions(readAll(log, 0))).containsExactly(5L, 6L);
    LogStats stats = log.stats();
    assertThat(stats.entryCount()).isEqualTo(2);
    assertThat(stats.pendingObjects()).isEqualTo(11);
    assertThat(stats.firstVersion()).isEqualTo(5);
    assertThat(stats.lastVersion()).isEqualTo(6);
  }

  @Test
  void storesTheProgress() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    SyncProgress progress = new SyncProgress(5, 1, 6, 77, 1, 5);

    log.acknowledge(progress);

    assertThat(log.metadata().progress()).isEqualTo(progress);
  }

  @Test
  void acknowledgingAnOlderVersionDeletesNothingAndStoresTheProgress() {
    UploadLog log = open();
    for (int i = 1; i <= 3; i++) {
      log.append(wrap(payload(i, 10)), 1, i);
    }
    log.acknowledge(acked(2));

    log.acknowledge(new SyncProgress(3, 0, 3, 1, 1, 0));

    assertThat(versions(readAll(log, 0))).containsExactly(3L);
    assertThat(log.metadata().progress().downloadServerVersion()).isEqualTo(3);
  }

  @Test
  void acknowledgingBeyondTheLastAssignedVersionIsRejected() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    log.append(wrap(payload(2, 10)), 1, 0);

    assertThatThrownBy(() -> log.acknowledge(new SyncProgress(9, 0, 9, 0, 3, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uploadClientVersion: 3");

    assertThat(versions(readAll(log, 0))).containsExactly(1L, 2L);
    assertThat(log.metadata().progress()).isEqualTo(SyncProgress.NONE);
  }

  /** Calls {@link UploadLog#acknowledgeAsync}; the future completes with what whenDone was told. */
  private static CompletableFuture<RuntimeException> acknowledgeAsync(UploadLog log,
      SyncProgress progress) {
    CompletableFuture<RuntimeException> done = new CompletableFuture<>();
    AtomicInteger calls = new AtomicInteger();
    log.acknowledgeAsync(progress, (appendedBefore, failure) -> {
      if (failure == null && appendedBefore < 0 || failure != null && appendedBefore != -1) {
        done.obtrudeException(new AssertionError("appendedBefore " + appendedBefore
            + " with failure " + failure));
      } else if (calls.incrementAndGet() == 1) {
        done.complete(failure);
      } else {
        done.obtrudeException(new AssertionError("whenDone called " + calls.get() + " times"));
      }
    });
    return done;
  }

  private static RuntimeException outcome(CompletableFuture<RuntimeException> done)
      throws Exception {
    return done.get(30, TimeUnit.SECONDS);
  }

  @Test
  void acknowledgeAsyncDeletesStoresAndReportsSuccess() throws Exception {
    UploadLog log = open();
    for (int i = 1; i <= 5; i++) {
      log.append(wrap(payload(i, 20)), i, i);
    }
    SyncProgress progress = new SyncProgress(7, 0, 7, 3, 3, 6);

    assertThat(outcome(acknowledgeAsync(log, progress))).isNull();

    assertThat(versions(readAll(log, 0))).containsExactly(4L, 5L);
    assertThat(log.stats().entryCount()).isEqualTo(2);
    assertThat(log.stats().pendingObjects()).isEqualTo(9);
    assertThat(log.stats().firstVersion()).isEqualTo(4);
    assertThat(log.metadata().progress()).isEqualTo(progress);
  }

  @Test
  void acknowledgeAsyncTakesEffectBeforeLaterCalls() throws Exception {
    UploadLog log = open();
    for (int i = 1; i <= 5; i++) {
      log.append(wrap(payload(i, 20)), 1, i);
    }
    SyncProgress newer = new SyncProgress(9, 0, 9, 1, 4, 0);

    CompletableFuture<RuntimeException> first =
        acknowledgeAsync(log, new SyncProgress(8, 0, 8, 1, 2, 0));
    List<Long> seen = versions(readAll(log, 0)); // no waiting: ordered after the delete
    log.acknowledge(newer); // must not be overwritten by the older, asynchronous one

    assertThat(seen).containsExactly(3L, 4L, 5L);
    assertThat(outcome(first)).isNull();
    assertThat(log.metadata().progress()).isEqualTo(newer);
    assertThat(versions(readAll(log, 0))).containsExactly(5L);
    assertThat(log.append(wrap(payload(6, 20)), 1, 6)).isEqualTo(6);
  }

  @Test
  void acknowledgeAsyncTellsWhichEntriesCarryItsDownloadServerVersion() throws Exception {
    UploadLog log = open();
    for (int i = 1; i <= 3; i++) {
      log.append(wrap(payload(i, 20)), 1, i);
    }
    CompletableFuture<Long> told = new CompletableFuture<>();

    log.acknowledgeAsync(new SyncProgress(7, 0, 7, 1, 2, 0),
        (appendedBefore, failure) -> told.complete(failure == null ? appendedBefore : -2));
    long appended = log.append(wrap(payload(4, 20)), 1, 4); // after: carries 7

    assertThat(told.get(30, TimeUnit.SECONDS)).isEqualTo(3);
    List<Seen> seen = readAll(log, 0);
    assertThat(versions(seen)).containsExactly(3L, appended);
    assertThat(seen.get(0).lastIntegratedServerVersion()).isZero();
    assertThat(seen.get(1).lastIntegratedServerVersion()).isEqualTo(7);
  }

  @Test
  void acknowledgeAsyncBeyondTheLastAssignedVersionReportsTheRejection() throws Exception {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);

    RuntimeException failure = outcome(acknowledgeAsync(log, acked(2)));

    assertThat(failure).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uploadClientVersion: 2");
    assertThat(versions(readAll(log, 0))).containsExactly(1L);
    assertThat(log.metadata().progress()).isEqualTo(SyncProgress.NONE);
  }

  @Test
  void acknowledgeAsyncOnAClosedLogReportsItClosedInsteadOfThrowing() throws Exception {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    log.close();

    assertThat(outcome(acknowledgeAsync(log, acked(1)))).isInstanceOf(LogClosedException.class);
  }

  @Test
  void closeCompletesAnAcknowledgeAsyncAndItSurvivesReopen() throws Exception {
    Assumptions.assumeTrue(supportsReopen(), "not durable");
    UploadLog log = open();
    for (int i = 1; i <= 5; i++) {
      log.append(wrap(payload(i, 20)), 1, i);
    }

    CompletableFuture<RuntimeException> done = acknowledgeAsync(log, acked(3));
    log = reopen(log, UploadLogOptions.DEFAULT);

    assertThat(done).isDone();
    assertThat(outcome(done)).isNull();
    assertThat(versions(readAll(log, 0))).containsExactly(4L, 5L);
    assertThat(log.metadata().progress().uploadClientVersion()).isEqualTo(3);
  }

  @Test
  void acknowledgingOnAnEmptyNewLogOnlyAcceptsZero() {
    UploadLog log = open();

    log.acknowledge(SyncProgress.NONE);

    assertThatThrownBy(() -> log.acknowledge(acked(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- Metadata
  // ----------------------------------------------------------------------------------

  @Test
  void newLogHasEmptyMetadata() {
    UploadLog log = open();

    assertThat(log.metadata()).isEqualTo(LogMetadata.empty());
    assertThat(log.metadata().hasClientFileIdent()).isFalse();
    assertThat(log.metadata().schema()).isNull();
  }

  @Test
  void storesTheClientFile() {
    UploadLog log = open();

    log.storeClientFile(123, 456);

    assertThat(log.metadata().clientFileIdent()).isEqualTo(123);
    assertThat(log.metadata().clientFileSalt()).isEqualTo(456);
    assertThat(log.metadata().hasClientFileIdent()).isTrue();
  }

  @Test
  void rejectsAClientFileIdentOrSaltBelowOne() {
    UploadLog log = open();

    assertThatThrownBy(() -> log.storeClientFile(0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ident: 0");
    assertThatThrownBy(() -> log.storeClientFile(1, -3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("salt: -3");
    assertThat(log.metadata().hasClientFileIdent()).isFalse();
  }

  @Test
  void storesTheIdentityCopiedAndReplacesIt() {
    UploadLog log = open();
    assertThat(log.metadata().identity()).isNull();
    byte[] array = "xxuser-1yy".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buffer = ByteBuffer.wrap(array).position(2).limit(8);

    log.storeIdentity(buffer);
    Arrays.fill(array, (byte) 0);

    assertThat(buffer.position()).isEqualTo(2);
    assertThat(log.metadata().identity()).isEqualTo("user-1".getBytes(StandardCharsets.US_ASCII));
    log.storeIdentity(wrap(new byte[] {9}));
    assertThat(log.metadata().identity()).containsExactly(9);
    assertThat(log.metadata().schema()).as("the schema is a separate record").isNull();
  }

  @Test
  void refusesAnIdentityLongerThanTheLimitAndKeepsTheOldOne() {
    UploadLog log = open();
    log.storeIdentity(wrap(new byte[] {1}));

    assertThatThrownBy(() -> log.storeIdentity(wrap(new byte[UploadLog.MAX_IDENTITY_BYTES + 1])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identity: " + (UploadLog.MAX_IDENTITY_BYTES + 1) + " bytes");
    log.storeIdentity(wrap(new byte[UploadLog.MAX_IDENTITY_BYTES]));
    assertThat(log.metadata().identity()).hasSize(UploadLog.MAX_IDENTITY_BYTES);
  }

  @Test
  void storesTheSchemaAndReplacesIt() {
    UploadLog log = open();

    log.storeSchema(wrap(new byte[] {1, 2, 3}));
    assertThat(log.metadata().schema()).containsExactly(1, 2, 3);
    log.storeSchema(wrap(new byte[0]));

    assertThat(log.metadata().schema()).isEmpty();
  }

  @Test
  void tracksTheLastAssignedVersion() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    log.append(wrap(payload(1, 10)), 1, 0);

    assertThat(log.metadata().lastAssignedVersion()).isEqualTo(2);
  }

  // ---- Stats
  // -------------------------------------------------------------------------------------

  @Test
  void emptyLogCountsNothing() {
    UploadLog log = open(UploadLogOptions.newBuilder().maxBytes(1 << 20).build());

    assertThat(log.stats()).isEqualTo(new LogStats(0, 0, 0, 0, 0, 0, 1 << 20, 0, 0));
  }

  @Test
  void countsEntriesBytesAndObjects() {
    UploadLog log = open();
    int[] lengths = {0, 1, 100, 2047, 2048, 5000};
    long overhead = -1;
    long sum = 0;
    long objects = 0;
    for (int i = 0; i < lengths.length; i++) {
      log.append(wrap(payload(i, lengths[i])), i * 3, 0);
      sum += lengths[i];
      objects += i * 3;
      LogStats stats = log.stats();
      if (overhead < 0) {
        overhead = stats.sizeBytes() - lengths[0];
        assertThat(overhead).isNotNegative();
      }
      assertThat(stats.sizeBytes()).isEqualTo(sum + (i + 1) * overhead);
      assertThat(stats.entryCount()).isEqualTo(i + 1);
      assertThat(stats.pendingObjects()).isEqualTo(objects);
      assertThat(stats.firstVersion()).isEqualTo(1);
      assertThat(stats.lastVersion()).isEqualTo(i + 1);
      assertThat(stats.lastAssignedVersion()).isEqualTo(i + 1);
    }

    log.acknowledge(acked(4));

    LogStats stats = log.stats();
    assertThat(stats.entryCount()).isEqualTo(2);
    assertThat(stats.sizeBytes()).isEqualTo(2048 + 5000 + 2 * overhead);
    assertThat(stats.pendingObjects()).isEqualTo(12 + 15);
    assertThat(stats.firstVersion()).isEqualTo(5);
    assertThat(stats.lastVersion()).isEqualTo(6);

    log.acknowledge(acked(6));

    assertThat(log.stats())
        .isEqualTo(new LogStats(0, 0, 0, 0, 0, 6, UploadLogOptions.MAX_BYTES_DEFAULT, 0, 0));
  }

  // ---- Bound
  // -------------------------------------------------------------------------------------

  private UploadLogOptions bounded(OverflowPolicy policy, Duration blockTimeout) {
    return UploadLogOptions.newBuilder()
        .maxBytes(SMALL_BOUND)
        .overflowPolicy(policy)
        .blockTimeout(blockTimeout)
        .build();
  }

  @Test
  void blockingAppendWaitsUntilAnAcknowledgementFreesSpace() throws Exception {
    UploadLog log = open(bounded(OverflowPolicy.BLOCK, Duration.ofSeconds(30)));
    int filled = fill(log, 1000);
    LogStats full = log.stats();

    ThreadResult<Long> appender =
        startThread("blocked-appender", () -> log.append(wrap(payload(99, 1000)), 1, 0));
    awaitParked(appender.thread());

    assertThat(appender.future()).isNotDone();
    assertThat(log.stats().lastAssignedVersion()).isEqualTo(full.lastAssignedVersion());
    log.acknowledge(acked(1));

    assertThat(appender.get()).isEqualTo(filled + 1);
    assertThat(log.stats().sizeBytes()).isLessThanOrEqualTo(SMALL_BOUND);
    assertThat(versions(readAll(log, 0)).get(filled - 1)).isEqualTo(filled + 1);
  }

  @Test
  void blockingAppendTimesOutWithLogFullException() {
    Duration blockTimeout = Duration.ofMillis(200);
    UploadLog log = open(bounded(OverflowPolicy.BLOCK, blockTimeout));
    int filled = fill(log, 1000);

    long start = System.nanoTime();
    assertThatThrownBy(() -> log.append(wrap(payload(99, 1000)), 1, 0))
        .isInstanceOf(LogFullException.class);
    long waitedNs = System.nanoTime() - start;

    assertThat(waitedNs).isGreaterThanOrEqualTo(blockTimeout.toNanos());
    assertThat(log.stats().lastAssignedVersion()).isEqualTo(filled);
    assertThat(log.stats().entryCount()).isEqualTo(filled);
  }

  @Test
  void blockingAppendWithZeroTimeoutFailsAtOnce() {
    UploadLog log = open(bounded(OverflowPolicy.BLOCK, Duration.ZERO));
    fill(log, 1000);

    assertThatThrownBy(() -> log.append(wrap(payload(99, 1000)), 1, 0))
        .isInstanceOf(LogFullException.class);
  }

  @Test
  void failPolicyRejectsAtOnceAndKeepsTheLog() {
    UploadLog log = open(bounded(OverflowPolicy.FAIL, Duration.ofSeconds(30)));
    int filled = fill(log, 1000);
    List<Seen> before = readAll(log, 0);

    assertThatThrownBy(() -> log.append(wrap(payload(99, 1000)), 1, 0))
        .isInstanceOf(LogFullException.class)
        .hasMessageContaining("maxBytes");

    assertThat(readAll(log, 0)).containsExactlyElementsOf(before);
    assertThat(log.stats().droppedEntries()).isZero();
    assertThat(log.append(wrap(payload(1, 1)), 0, 0)).isEqualTo(filled + 1);
  }

  @Test
  void dropOldestDropsTheOldestEntriesAndCountsThem() {
    UploadLog log = open(bounded(OverflowPolicy.DROP_OLDEST, Duration.ofSeconds(30)));
    int filled = fill(log, 1000);
    assertThat(filled).isGreaterThanOrEqualTo(2);

    long version = log.append(wrap(payload(99, 2500)), 7, 0);

    LogStats stats = log.stats();
    List<Seen> remaining = readAll(log, 0);
    long dropped = stats.droppedEntries();
    assertThat(dropped).isGreaterThanOrEqualTo(2);
    assertThat(stats.droppedObjects()).isEqualTo(dropped);
    assertThat(version).isEqualTo(filled + 1);
    assertThat(versions(remaining).get(0)).isEqualTo(dropped + 1);
    assertThat(versions(remaining)).endsWith(version);
    assertThat(stats.entryCount()).isEqualTo(filled + 1 - dropped);
    assertThat(stats.sizeBytes()).isLessThanOrEqualTo(SMALL_BOUND);
    // dropped only as many as needed: one more would have made room without dropping
    assertThat(stats.sizeBytes() + 1000).isGreaterThan(SMALL_BOUND - 2500);
  }

  @Test
  void dropOldestKeepsTheBoundUnderManyAppends() {
    UploadLog log = open(bounded(OverflowPolicy.DROP_OLDEST, Duration.ofSeconds(30)));
    long appended = 0;
    long objects = 0;
    for (int i = 0; i < 200; i++) {
      int length = (i * 37) % 1500;
      log.append(wrap(payload(i, length)), i % 4, 0);
      appended++;
      objects += i % 4;
      LogStats stats = log.stats();
      assertThat(stats.sizeBytes()).isLessThanOrEqualTo(SMALL_BOUND);
      assertThat(stats.entryCount() + stats.droppedEntries()).isEqualTo(appended);
      assertThat(stats.pendingObjects() + stats.droppedObjects()).isEqualTo(objects);
    }
  }

  @ParameterizedTest
  @EnumSource(OverflowPolicy.class)
  void entryLargerThanTheBoundFailsUnderEveryPolicy(OverflowPolicy policy) {
    UploadLog log = open(bounded(policy, Duration.ofSeconds(30)));
    log.append(wrap(payload(1, 100)), 1, 0);

    assertThatThrownBy(() -> log.append(wrap(new byte[SMALL_BOUND + 1]), 1, 0))
        .isInstanceOf(LogFullException.class)
        .hasMessageContaining("maxBytes");

    assertThat(log.stats().entryCount()).isEqualTo(1);
    assertThat(log.stats().droppedEntries()).isZero();
    assertThat(log.stats().lastAssignedVersion()).isEqualTo(1);
  }

  @Test
  void blockedAppendersAreServedAndNoneIsLost() throws Exception {
    UploadLog log = open(bounded(OverflowPolicy.BLOCK, Duration.ofSeconds(30)));
    int filled = fill(log, 1000);
    List<ThreadResult<Long>> appenders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int tag = 100 + i;
      ThreadResult<Long> appender =
          startThread("blocked-" + i, () -> log.append(wrap(payload(tag, 1000)), 1, 0));
      awaitParked(appender.thread());
      appenders.add(appender);
    }

    for (long v = 1; v <= 3; v++) {
      log.acknowledge(acked(v));
    }

    Set<Long> got = new HashSet<>();
    for (ThreadResult<Long> appender : appenders) {
      got.add(appender.get());
    }
    assertThat(got).containsExactlyInAnyOrder(filled + 1L, filled + 2L, filled + 3L);
    assertThat(log.stats().sizeBytes()).isLessThanOrEqualTo(SMALL_BOUND);
  }

  // ---- Closing
  // -----------------------------------------------------------------------------------

  @Test
  void closeIsIdempotent() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);

    log.close();
    log.close();
  }

  @Test
  void callsAfterCloseFailWithLogClosedException() {
    UploadLog log = open();
    log.append(wrap(payload(1, 10)), 1, 0);
    log.close();

    assertThatThrownBy(() -> log.append(wrap(payload(1, 10)), 1, 0))
        .isInstanceOf(LogClosedException.class);
    assertThatThrownBy(() -> log.read(0, 100, e -> true)).isInstanceOf(LogClosedException.class);
    assertThatThrownBy(() -> log.acknowledge(acked(1))).isInstanceOf(LogClosedException.class);
    assertThatThrownBy(() -> log.storeClientFile(1, 1)).isInstanceOf(LogClosedException.class);
    assertThatThrownBy(() -> log.storeSchema(wrap(new byte[1])))
        .isInstanceOf(LogClosedException.class);
    assertThatThrownBy(() -> log.storeIdentity(wrap(new byte[1])))
        .isInstanceOf(LogClosedException.class);
    assertThatThrownBy(log::metadata).isInstanceOf(LogClosedException.class);
    assertThatThrownBy(log::stats).isInstanceOf(LogClosedException.class);
  }

  @Test
  void closeReleasesABlockedAppend() throws Exception {
    UploadLog log =
        open(
            UploadLogOptions.newBuilder()
                .maxBytes(SMALL_BOUND)
                .overflowPolicy(OverflowPolicy.BLOCK)
                .blockTimeout(Duration.ofSeconds(60))
                .build());
    fill(log, 1000);
    ThreadResult<Long> appender =
        startThread("blocked-appender", () -> log.append(wrap(payload(9, 1000)), 1, 0));
    awaitParked(appender.thread());

    log.close();

    assertThat(appender.failure()).isInstanceOf(LogClosedException.class);
  }

  // ---- Concurrency
  // -------------------------------------------------------------------------------

  @Test
  void sixteenThreadsAppendDistinctGapFreeVersions() throws Exception {
    UploadLog log = open();
    int threads = 16;
    int perThread = 100;
    CountDownLatch start = new CountDownLatch(1);
    List<ThreadResult<long[]>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int writer = t;
      writers.add(
          startThread(
              "writer-" + t,
              () -> {
                start.await();
                long[] got = new long[perThread];
                for (int i = 0; i < perThread; i++) {
                  got[i] = log.append(wrap(tagged(writer, i)), writer, i);
                }
                return got;
              }));
    }
    start.countDown();

    Set<Long> all = new HashSet<>();
    long[][] byWriter = new long[threads][];
    for (int t = 0; t < threads; t++) {
      byWriter[t] = writers.get(t).get();
      for (int i = 1; i < perThread; i++) {
        assertThat(byWriter[t][i]).isGreaterThan(byWriter[t][i - 1]);
      }
      for (long v : byWriter[t]) {
        assertThat(all.add(v)).as("version %d assigned twice", v).isTrue();
      }
    }
    int total = threads * perThread;
    assertThat(Collections.min(all)).isEqualTo(1);
    assertThat(Collections.max(all)).isEqualTo(total);

    List<Seen> seen = readAll(log, 0);
    assertThat(seen).hasSize(total);
    for (int i = 0; i < total; i++) {
      Seen entry = seen.get(i);
      assertThat(entry.version()).isEqualTo(i + 1);
      int writer = entry.objectCount();
      int seq = (int) entry.originTimestamp();
      assertThat(byWriter[writer][seq]).isEqualTo(entry.version());
      assertThat(entry.changeset()).isEqualTo(tagged(writer, seq));
    }
    assertThat(log.stats().entryCount()).isEqualTo(total);
  }

  @Test
  void readsAndAcknowledgementsRunConcurrentlyWithAppends() throws Exception {
    UploadLog log = open();
    int threads = 4;
    int perThread = 150;
    AtomicBoolean done = new AtomicBoolean();
    List<ThreadResult<Integer>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int writer = t;
      writers.add(
          startThread(
              "writer-" + t,
              () -> {
                for (int i = 0; i < perThread; i++) {
                  log.append(wrap(tagged(writer, i)), writer, i);
                }
                return perThread;
              }));
    }
    ThreadResult<Long> uploader =
        startThread(
            "uploader",
            () -> {
              long acknowledged = 0;
              while (!done.get() || log.stats().entryCount() > 0) {
                long[] last = {acknowledged};
                log.read(
                    acknowledged,
                    4096,
                    e -> {
                      assertThat(e.version()).isEqualTo(last[0] + 1);
                      assertThat(copy(e).changeset())
                          .isEqualTo(tagged(e.objectCount(), (int) e.originTimestamp()));
                      last[0] = e.version();
                      return true;
                    });
                if (last[0] > acknowledged) {
                  acknowledged = last[0];
                  log.acknowledge(acked(acknowledged));
                }
              }
              return acknowledged;
            });

    for (ThreadResult<Integer> writer : writers) {
      writer.get();
    }
    done.set(true);

    assertThat(uploader.get()).isEqualTo(threads * perThread);
    assertThat(log.stats().entryCount()).isZero();
    assertThat(log.stats().lastAssignedVersion()).isEqualTo(threads * perThread);
  }

  private byte[] tagged(int writer, int seq) {
    return payload(writer * 1000 + seq, 20 + (seq % 50));
  }
}
