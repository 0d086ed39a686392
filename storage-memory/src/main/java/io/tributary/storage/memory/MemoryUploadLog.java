package io.tributary.storage.memory;

import io.tributary.core.spi.EntryVisitor;
import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.OverflowPolicy;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogException.LogClosedException;
import io.tributary.core.spi.UploadLogException.LogFullException;
import io.tributary.core.spi.UploadLogException.StorageTimeoutException;
import io.tributary.core.spi.UploadLogOptions;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One open handle on a {@link MemoryLogStore}. Every call takes the storage's lock (waiting at most
 * the storage timeout); visitors run on the caller's thread while it holds the lock.
 *
 * <p>Back-pressure ({@link OverflowPolicy#BLOCK}) is a fair FIFO of waiting appenders, as in
 * Kafka's {@code BufferPool}: an append that finds others waiting queues behind them even if its
 * entry would fit, and only the head of the queue may take freed space. Whoever leaves the queue
 * (success, timeout, close) wakes the next head.
 */
final class MemoryUploadLog implements UploadLog {
  private final MemoryStorage storage;
  private final MemoryLogStore store;
  private final ReentrantLock lock;
  private final UploadLogOptions options;
  private final LongSupplier nanoClock;
  private final long storageTimeoutNs;
  private final long blockTimeoutNs;
  private final long maxBytes;

  // guarded by lock
  private final ArrayDeque<Condition> waiters = new ArrayDeque<>();
  private final MemoryLogEntry flyweight = new MemoryLogEntry();
  private Thread visitingThread;
  private volatile boolean closed;

  MemoryUploadLog(
      MemoryStorage storage,
      MemoryLogStore store,
      ReentrantLock lock,
      UploadLogOptions options,
      LongSupplier nanoClock) {
    this.storage = storage;
    this.store = store;
    this.lock = lock;
    this.options = options;
    this.nanoClock = nanoClock;
    this.storageTimeoutNs = options.storageTimeout().toNanos();
    this.blockTimeoutNs = options.blockTimeout().toNanos();
    this.maxBytes = options.maxBytes();
  }

  @Override
  public long append(ByteBuffer changeset, int objectCount, long originTimestamp) {
    Objects.requireNonNull(changeset, "changeset");
    requireNonNegative(objectCount, "objectCount");
    requireNonNegative(originTimestamp, "originTimestamp");
    long startNs = nanoClock.getAsLong();
    long needed = (long) changeset.remaining() + MemoryLogStore.ENTRY_OVERHEAD_BYTES;
    if (needed > maxBytes) {
      throw new LogFullException(
          "entry of "
              + needed
              + " bytes is larger than the whole bound: maxBytes "
              + maxBytes
              + " (policy "
              + options.overflowPolicy()
              + ")");
    }
    lock("append");
    try {
      checkUsable();
      if (waiters.isEmpty() && fits(needed)) {
        return store.append(changeset, objectCount, originTimestamp);
      }
      switch (options.overflowPolicy()) {
        case FAIL:
          throw full(needed, "");
        case DROP_OLDEST:
          while (!fits(needed)) {
            store.droppedObjects += store.removeOldest();
            store.droppedEntries++;
          }
          return store.append(changeset, objectCount, originTimestamp);
        case BLOCK:
        default:
          awaitSpace(needed, startNs);
          return store.append(changeset, objectCount, originTimestamp);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Queues the caller and waits until it is the head of the queue and its entry fits. */
  private void awaitSpace(long needed, long startNs) {
    Condition turn = lock.newCondition();
    waiters.addLast(turn);
    try {
      long remainingNs = blockTimeoutNs - (nanoClock.getAsLong() - startNs);
      while (true) {
        if (closed) {
          throw closedException();
        }
        if (waiters.peekFirst() == turn && fits(needed)) {
          return;
        }
        if (remainingNs <= 0) {
          throw full(needed, ", waited " + options.blockTimeout());
        }
        try {
          remainingNs = turn.awaitNanos(remainingNs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StorageTimeoutException(
              "append interrupted while waiting for space: nothing was appended");
        }
      }
    } finally {
      waiters.remove(turn);
      signalHead();
    }
  }

  private boolean fits(long needed) {
    return store.sizeBytes + needed <= maxBytes;
  }

  private LogFullException full(long needed, String waited) {
    return new LogFullException(
        "upload log full: sizeBytes "
            + store.sizeBytes
            + " + entry "
            + needed
            + " > maxBytes "
            + maxBytes
            + " (policy "
            + options.overflowPolicy()
            + waited
            + ")");
  }

  private void signalHead() {
    Condition head = waiters.peekFirst();
    if (head != null) {
      head.signal();
    }
  }

  @Override
  public int read(long afterVersion, long maxBytes, EntryVisitor visitor) {
    requireNonNegative(afterVersion, "afterVersion");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
    }
    Objects.requireNonNull(visitor, "visitor");
    lock("read");
    try {
      checkUsable();
      int index = store.indexAfter(afterVersion);
      int visited = 0;
      long sum = 0;
      visitingThread = Thread.currentThread();
      while (index < store.entryCount()) {
        int length = store.lengthAt(index);
        if (visited > 0 && sum + length > maxBytes) {
          break;
        }
        store.load(index, flyweight);
        visited++;
        sum += length;
        index++;
        if (!visitor.visit(flyweight)) {
          break;
        }
      }
      return visited;
    } finally {
      visitingThread = null;
      flyweight.clear();
      lock.unlock();
    }
  }

  @Override
  public void acknowledge(SyncProgress progress) {
    Objects.requireNonNull(progress, "progress");
    lock("acknowledge");
    try {
      checkUsable();
      long through = progress.uploadClientVersion();
      if (through > store.lastAssignedVersion) {
        throw new IllegalArgumentException(
            "uploadClientVersion: "
                + through
                + " (expected: <= last assigned version "
                + store.lastAssignedVersion
                + ")");
      }
      store.progress = progress;
      boolean freed = false;
      while (store.entryCount() > 0 && store.firstVersion() <= through) {
        store.removeOldest();
        freed = true;
      }
      if (freed) {
        signalHead();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void storeClientFile(long ident, long salt) {
    requirePositive(ident, "ident");
    requirePositive(salt, "salt");
    lock("storeClientFile");
    try {
      checkUsable();
      store.clientFileIdent = ident;
      store.clientFileSalt = salt;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void storeSchema(ByteBuffer schema) {
    Objects.requireNonNull(schema, "schema");
    byte[] copy = new byte[schema.remaining()];
    schema.get(schema.position(), copy);
    lock("storeSchema");
    try {
      checkUsable();
      store.schema = copy;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void storeIdentity(ByteBuffer identity) {
    Objects.requireNonNull(identity, "identity");
    UploadLog.checkIdentitySize(identity);
    byte[] copy = new byte[identity.remaining()];
    identity.get(identity.position(), copy);
    lock("storeIdentity");
    try {
      checkUsable();
      store.identity = copy;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public LogMetadata metadata() {
    lock("metadata");
    try {
      checkUsable();
      return new LogMetadata(
          store.clientFileIdent,
          store.clientFileSalt,
          store.progress,
          store.lastAssignedVersion,
          store.schema,
          store.identity);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public LogStats stats() {
    lock("stats");
    try {
      checkUsable();
      return new LogStats(
          store.entryCount(),
          store.sizeBytes,
          store.pendingObjects,
          store.firstVersion(),
          store.lastVersion(),
          store.lastAssignedVersion,
          maxBytes,
          store.droppedEntries,
          store.droppedObjects);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    lock("close");
    try {
      if (visitingThread == Thread.currentThread()) {
        throw new IllegalStateException("close called from inside an EntryVisitor of this log");
      }
      if (closed) {
        return;
      }
      closed = true;
      store.attached = false;
      for (Condition waiter : waiters) {
        waiter.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "MemoryUploadLog{" + storage + ", closed=" + closed + '}';
  }

  private void lock(String call) {
    boolean locked;
    try {
      locked = lock.tryLock(storageTimeoutNs, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageTimeoutException(call + " interrupted while waiting for the log's lock");
    }
    if (!locked) {
      throw new StorageTimeoutException(
          call + " timed out after " + options.storageTimeout() + " waiting for the log's lock");
    }
  }

  /** Requires the lock. */
  private void checkUsable() {
    if (closed) {
      throw closedException();
    }
    if (visitingThread == Thread.currentThread()) {
      throw new IllegalStateException(
          "upload log called from inside one of its EntryVisitors (visitors must not call back)");
    }
  }

  private LogClosedException closedException() {
    return new LogClosedException("upload log is closed: " + storage);
  }

  private static void requireNonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
  }

  private static void requirePositive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
    }
  }
}
