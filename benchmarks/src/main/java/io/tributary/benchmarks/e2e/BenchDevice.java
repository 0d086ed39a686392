package io.tributary.benchmarks.e2e;

import io.tributary.core.ConnectionState;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.SyncException;
import io.tributary.core.UploadProgress;
import io.tributary.protocol.ObjectId;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated device of {@link EndToEnd}: an {@link IngestRealm} (its own LMDB log and sync
 * session) writing sensor readings, with what the benchmark reads from it: objects written, the
 * server's acknowledgements (from the upload progress listener) and the commit-to-acknowledgement
 * latency of the transactions committed while recording is on.
 *
 * <p>Threads: {@link #writeBatch} from one writer thread; the listeners run on the realm's sync
 * thread; the readers from any thread.
 */
final class BenchDevice implements AutoCloseable {
  private final int index;
  private final int keyHigh;
  private final long keyLow;
  private final String sensor;
  private final IngestRealm realm;
  private final CountDownLatch connected = new CountDownLatch(1);
  private volatile long acknowledgedObjects;
  private volatile long acknowledgedBytes;
  private volatile long written;
  private volatile long lastVersion;
  private long nextSequence; // writer thread only

  // commits waiting for their acknowledgement, a ring guarded by `this`, with their commit nanos
  private long[] versions = new long[1024];
  private long[] nanos = new long[1024];
  private int head;
  private int size;
  private int mostWaiting;
  private long ackedVersion;
  private long ackedAt;
  // The latency of a commit made in [recordFrom, recordTo) goes to samples[0], of any other to
  // samples[1] (dropped), chosen by index rather than by a branch: the warm-up runs the same code as
  // the window, so no branch first taken when recording starts makes the JIT deoptimize the sync
  // thread's compiled loop (which inlines onProgress) inside the measured window (issue 10).
  // Guarded by `this`; until recording starts every commit is "in" and samples[0] is cleared then.
  private final LatencySamples[] samples = {new LatencySamples(), new LatencySamples()};
  private long recordFrom = System.nanoTime() - DAY_NANOS;
  private long recordTo = recordFrom + 2 * DAY_NANOS;

  private static final long DAY_NANOS = TimeUnit.DAYS.toNanos(1);

  BenchDevice(int index, int runSalt, IngestConfig config) {
    this.index = index;
    this.keyHigh = (int) (System.currentTimeMillis() / 1000);
    this.keyLow = ((long) (runSalt & 0xFFFF) << 48) | ((long) index << 32);
    this.sensor = "sensor-" + (index + 1);
    this.realm = IngestRealm.open(config);
    realm.addUploadProgressListener(this::onProgress);
    realm.addConnectionStateListener(this::onConnectionState);
  }

  /** Writes one transaction of {@code count} readings; returns its client version. */
  long writeBatch(int count) {
    long first = nextSequence;
    Instant now = Instant.now();
    long version = realm.write(tx -> {
      for (int i = 0; i < count; i++) {
        long seq = first + i;
        tx.create(BenchSchema.READING, ObjectId.of(keyHigh, keyLow | (seq & 0xFFFF_FFFFL)))
            .set("sensor", sensor)
            .set("value", 20.0 + (seq % 1000) * 0.01)
            .set("ts", now)
            .embedded("location")
            .set("lat", 52.0 + index * 0.01)
            .set("lon", 4.3 + (seq % 100) * 1e-5);
      }
    });
    long committedAt = System.nanoTime();
    nextSequence = first + count;
    written = nextSequence;
    lastVersion = version;
    committed(version, committedAt);
    return version;
  }

  private synchronized void committed(long version, long at) {
    if (version <= ackedVersion) {
      samples[outside(at, recordFrom, recordTo)].record(ackedAt - at); // the acknowledgement overtook write()'s return
      return;
    }
    if (size == versions.length) {
      long[] v = new long[size * 2];
      long[] t = new long[size * 2];
      for (int i = 0; i < size; i++) {
        v[i] = versions[(head + i) % size];
        t[i] = nanos[(head + i) % size];
      }
      versions = v;
      nanos = t;
      head = 0;
    }
    int tail = (head + size) % versions.length;
    versions[tail] = version;
    nanos[tail] = at;
    size++;
    mostWaiting = Math.max(mostWaiting, size);
  }

  private void onProgress(UploadProgress p) {
    long now = System.nanoTime();
    acknowledgedObjects = p.acknowledgedObjects();
    acknowledgedBytes = p.acknowledgedBytes();
    synchronized (this) {
      if (p.acknowledgedVersion() <= ackedVersion) {
        return;
      }
      ackedVersion = p.acknowledgedVersion();
      ackedAt = now;
      notifyAll();
      while (size > 0 && versions[head] <= ackedVersion) {
        long at = nanos[head];
        samples[outside(at, recordFrom, recordTo)].record(now - at);
        head = (head + 1) % versions.length;
        size--;
      }
    }
  }

  private void onConnectionState(ConnectionState from, ConnectionState to, SyncException error) {
    if (to == ConnectionState.CONNECTED || error != null && error.isFatal()) {
      connected.countDown();
    }
  }

  /**
   * Waits for the first connection.
   *
   * @throws IllegalStateException if the session stopped or did not connect within the timeout
   */
  void awaitConnected(Duration timeout) throws InterruptedException {
    if (!connected.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException("device " + index + ": not connected after " + timeout
          + " (state: " + realm.connectionState() + ")");
    }
    if (realm.syncError() != null) {
      throw new IllegalStateException("device " + index + ": sync stopped: " + realm.syncError(), realm.syncError());
    }
  }

  /**
   * Waits until fewer than {@code window} of this device's transactions wait for their
   * acknowledgement, or {@code stop} is set.
   */
  void awaitUnacknowledgedBelow(int window, AtomicBoolean stop) throws InterruptedException {
    synchronized (this) {
      while (size >= window && !stop.get()) {
        wait(10); // onProgress notifies; the timeout only re-checks stop
      }
    }
  }

  /**
   * Records the latency of the transactions committed from now on, until {@code false}; {@code
   * true} drops what was recorded before (the warm-up's samples).
   */
  synchronized void recording(boolean on) {
    long now = System.nanoTime();
    if (on) {
      samples[0].clear();
      samples[1].clear();
      recordFrom = now;
      recordTo = now + DAY_NANOS;
    } else {
      recordTo = now;
    }
  }

  /**
   * 1 if {@code at} is outside {@code [from, to)}, else 0, without a branch ({@link
   * System#nanoTime} values: their differences do not overflow).
   */
  static int outside(long at, long from, long to) {
    return (int) (((at - from) | (to - 1 - at)) >>> 63);
  }

  /**
   * Waits until the server acknowledged everything written and the progress listener has seen that
   * acknowledgement (the realm's waiters may wake before the listener runs).
   *
   * @throws io.tributary.core.SyncTimeoutException if the realm's wait timed out
   * @throws IllegalStateException if the listener did not report it within the timeout
   */
  void waitForUploadCompletion(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    realm.waitForUploadCompletion(timeout);
    synchronized (this) {
      long wait;
      while (ackedVersion < lastVersion) {
        if ((wait = deadline - System.nanoTime()) <= 0) {
          throw new IllegalStateException("device " + index + ": acknowledged version reported: " + ackedVersion
              + " (expected: " + lastVersion + ")");
        }
        TimeUnit.NANOSECONDS.timedWait(this, wait);
      }
    }
  }

  /** The most transactions that waited for their acknowledgement at once, so far. */
  synchronized int mostUnacknowledged() {
    return mostWaiting;
  }

  long written() {
    return written;
  }

  long acknowledgedObjects() {
    return acknowledgedObjects;
  }

  long acknowledgedBytes() {
    return acknowledgedBytes;
  }

  /** The fatal sync error, or null. */
  SyncException syncError() {
    return realm.syncError();
  }

  /** The recorded latencies; read only after the writer stopped and everything was acknowledged. */
  synchronized LatencySamples latency() {
    return samples[0];
  }

  @Override
  public void close() {
    realm.close();
  }
}
