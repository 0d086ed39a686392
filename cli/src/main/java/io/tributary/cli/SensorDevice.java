package io.tributary.cli;

import io.tributary.core.ConnectionState;
import io.tributary.core.Credentials;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.SyncException;
import io.tributary.core.SyncOptions;
import io.tributary.core.UploadProgress;
import io.tributary.core.spi.Durability;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.storage.lmdb.LmdbStorage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * One simulated sensor device: an {@link IngestRealm} with its own LMDB upload log and sync
 * session, writing {@code Reading} objects with the keys of {@link SensorSchema}, and the client
 * figures the realm reports (upload progress, connection changes) plus the acknowledgement latency
 * of every commit.
 *
 * <p>Threads: {@link #writeBatch} from one writer thread at a time; the listeners run on the
 * realm's sync thread; every reader method from any thread.
 */
final class SensorDevice implements AutoCloseable {
  private static final UploadProgress NO_PROGRESS = new UploadProgress(0, 0, 0, 0, 0, 0);

  private final int index;
  private final String sensor;
  private final Path logDir;
  private final SensorSchema keys;
  private final IngestRealm realm;
  private final LatencyHistogram latency = new LatencyHistogram();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final CountDownLatch connected = new CountDownLatch(1);
  private volatile UploadProgress progress = NO_PROGRESS;
  private volatile SyncException lastError;
  private long nextSequence; // writer thread only

  // commits waiting for their acknowledgement: versions and commit times, a ring guarded by `this`
  private long[] pendingVersions = new long[1024];
  private long[] pendingNanos = new long[1024];
  private int head;
  private int size;
  private long ackedVersion;
  private long ackedNanos;

  private SensorDevice(int index, Path logDir, SensorSchema keys, IngestConfig config) {
    this.index = index;
    this.sensor = SensorSchema.sensorName(index);
    this.logDir = logDir;
    this.keys = keys;
    this.realm = IngestRealm.open(config);
    realm.addUploadProgressListener(this::onProgress);
    realm.addConnectionStateListener(this::onConnectionState);
  }

  /**
   * Opens device {@code index}: its realm on the LMDB log in {@code logDir}, syncing to {@code
   * baseUrl}, trusting {@code tls} for {@code https://} (null: the JDK's trust store).
   *
   * @throws RuntimeException whatever {@link IngestRealm#open} throws
   */
  static SensorDevice open(int index, Path logDir, SensorSchema keys, URI baseUrl, String appId,
      Credentials credentials, Durability durability, SSLContext tls) {
    IngestConfig config = IngestConfig.builder(SensorSchema.CLIENT)
        .storage(LmdbStorage.at(logDir))
        .logOptions(UploadLogOptions.newBuilder().durability(durability).build())
        .server(baseUrl, appId)
        .credentials(credentials)
        .syncOptions(SyncOptions.newBuilder().sslContext(tls).build())
        .build();
    return new SensorDevice(index, logDir, keys, config);
  }

  /**
   * Writes one transaction of {@code count} readings and records its commit time.
   *
   * @return the client version of the transaction
   */
  long writeBatch(int count) {
    long first = nextSequence;
    Instant now = Instant.now();
    long version = realm.write(tx -> {
      for (int i = 0; i < count; i++) {
        long seq = first + i;
        tx.create(SensorSchema.READING, keys.key(index, seq))
            .set("sensor", sensor)
            .set("value", 20.0 + 5.0 * Math.sin(seq / 50.0) + index)
            .set("ts", now)
            .embedded("location")
            .set("lat", 52.0 + index * 0.01 + (seq % 100) * 1e-5)
            .set("lon", 4.3 + index * 0.01 - (seq % 100) * 1e-5);
      }
    });
    long committedAt = System.nanoTime();
    nextSequence = first + count;
    written.addAndGet(count);
    transactions.incrementAndGet();
    committed(version, committedAt);
    return version;
  }

  private synchronized void committed(long version, long nanos) {
    if (version <= ackedVersion) {
      // the acknowledgement overtook write()'s return
      latency.record(Math.max(0, ackedNanos - nanos));
      return;
    }
    if (size == pendingVersions.length) {
      long[] v = new long[size * 2];
      long[] t = new long[size * 2];
      for (int i = 0; i < size; i++) {
        v[i] = pendingVersions[(head + i) % size];
        t[i] = pendingNanos[(head + i) % size];
      }
      pendingVersions = v;
      pendingNanos = t;
      head = 0;
    }
    int tail = (head + size) % pendingVersions.length;
    pendingVersions[tail] = version;
    pendingNanos[tail] = nanos;
    size++;
  }

  private void onProgress(UploadProgress p) {
    long now = System.nanoTime();
    progress = p;
    synchronized (this) {
      if (p.acknowledgedVersion() <= ackedVersion) {
        return;
      }
      ackedVersion = p.acknowledgedVersion();
      ackedNanos = now;
      while (size > 0 && pendingVersions[head] <= ackedVersion) {
        latency.record(now - pendingNanos[head]);
        head = (head + 1) % pendingVersions.length;
        size--;
      }
    }
  }

  private void onConnectionState(ConnectionState from, ConnectionState to, SyncException error) {
    if (to == ConnectionState.CONNECTED && from != ConnectionState.CONNECTED) {
      connects.incrementAndGet();
      connected.countDown();
    }
    if (error != null) {
      errors.incrementAndGet();
      lastError = error;
      if (error.isFatal()) {
        connected.countDown();
      }
    }
  }

  /**
   * Waits until the session connected for the first time, or stopped with a fatal error.
   *
   * @return the fatal error, or null once connected
   * @throws java.util.concurrent.TimeoutException if neither happened within {@code nanos}
   */
  SyncException awaitConnected(long nanos) throws InterruptedException, TimeoutException {
    if (!connected.await(nanos, TimeUnit.NANOSECONDS)) {
      throw new TimeoutException(name() + ": not connected after " + Durations.human(nanos)
          + " (connection state: " + realm.connectionState() + ")");
    }
    return connects.get() > 0 ? null : realm.syncError() != null ? realm.syncError() : lastError;
  }

  /**
   * Waits until every device connected.
   *
   * @return the time it took, in nanoseconds
   * @throws IllegalStateException naming the first device that stopped with a fatal error or did
   *     not connect in time
   */
  static long awaitAllConnected(List<SensorDevice> devices, Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    for (SensorDevice d : devices) {
      SyncException fatal;
      try {
        fatal = d.awaitConnected(Math.max(0, deadline - System.nanoTime()));
      } catch (TimeoutException e) {
        SyncException last = d.lastError;
        throw new IllegalStateException(e.getMessage() + (last == null ? "" : "; last sync error: "
            + Tributary.describe(last)), e);
      }
      if (fatal != null) {
        throw new IllegalStateException(d.name() + ": sync stopped before connecting: " + Tributary.describe(fatal),
            fatal);
      }
    }
    return System.nanoTime() - start;
  }

  /**
   * Waits until the server acknowledged everything each device wrote, all within one shared
   * {@code timeout}.
   *
   * @return one line per device that did not finish ("device-N: why"); empty if all did
   */
  static List<String> awaitAllUploaded(List<SensorDevice> devices, Duration timeout) throws InterruptedException {
    List<String> failures = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (SensorDevice d : devices) {
      try {
        d.waitForUploadCompletion(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      } catch (SyncException | io.tributary.core.SyncTimeoutException e) {
        failures.add(d.name() + ": " + Tributary.describe(e));
      }
    }
    return failures;
  }

  /**
   * Waits until the server acknowledged everything written so far.
   *
   * @throws io.tributary.core.SyncTimeoutException if {@code timeout} passed first
   * @throws SyncException if the session stopped
   */
  void waitForUploadCompletion(Duration timeout) throws InterruptedException {
    realm.waitForUploadCompletion(timeout);
  }

  /** 0-based device index. */
  int index() {
    return index;
  }

  /** {@code device-1}, ... */
  String name() {
    return "device-" + (index + 1);
  }

  /** The directory of the device's LMDB upload log. */
  Path logDir() {
    return logDir;
  }

  /** Objects committed to the log. */
  long written() {
    return written.get();
  }

  /** Transactions committed. */
  long transactions() {
    return transactions.get();
  }

  /** The last upload progress the realm reported. */
  UploadProgress progress() {
    return progress;
  }

  /** Objects the server acknowledged since the device was opened. */
  long acknowledged() {
    return progress.acknowledgedObjects();
  }

  /** Times the connection reached CONNECTED. */
  long connects() {
    return connects.get();
  }

  /** Connections after the first: reconnects after a lost connection or an error. */
  long reconnects() {
    return Math.max(0, connects.get() - 1);
  }

  /** Sync errors reported (fatal or not). */
  long errors() {
    return errors.get();
  }

  /** The last sync error reported, or null. */
  SyncException lastError() {
    return lastError;
  }

  /** The realm's fatal sync error, or null while the session runs. */
  SyncException fatalError() {
    return realm.syncError();
  }

  /** The acknowledgement latencies recorded so far (commit to the DOWNLOAD covering it). */
  LatencyHistogram latency() {
    return latency;
  }

  /** Closes the realm (UNBIND, then the log). Idempotent. */
  @Override
  public void close() {
    realm.close();
  }
}
