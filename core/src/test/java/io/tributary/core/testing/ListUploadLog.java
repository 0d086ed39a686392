package io.tributary.core.testing;

import io.tributary.core.spi.EntryVisitor;
import io.tributary.core.spi.LogEntry;
import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.Storage;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogException.LogClosedException;
import io.tributary.core.spi.UploadLogOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny unbounded {@link UploadLog} over a list, for core's unit tests (core cannot depend on
 * storage-memory): entries, client file ident and salt, sync progress, stats. Its contents
 * outlive {@link #close()}: {@link #storage()} opens the same list again, like a durable storage
 * after a restart. Thread safe (synchronized).
 */
public final class ListUploadLog implements UploadLog {
  /** Per-entry overhead counted in {@link LogStats#sizeBytes()}. */
  public static final int ENTRY_OVERHEAD = 32;

  /** One appended entry, copied. */
  public record Entry(
      long version,
      byte[] changeset,
      int objectCount,
      long originTimestamp,
      long lastIntegratedServerVersion) {}

  private final List<Entry> entries = new ArrayList<>();
  private long lastVersion;
  private byte[] schema;
  private byte[] identity;
  private boolean closed = true;
  private int appends;
  private int reads;
  private long clientFileIdent;
  private long clientFileSalt;
  private SyncProgress progress = SyncProgress.NONE;
  private final List<SyncProgress> acknowledgements = new ArrayList<>();

  /** A storage opening this log (refuses a second open while open). */
  public Storage storage() {
    return options -> {
      synchronized (ListUploadLog.this) {
        if (!closed) {
          throw new IllegalStateException("already open");
        }
        closed = false;
        return this;
      }
    };
  }

  /** A copy of the entries, oldest first. */
  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries);
  }

  /** Every progress passed to {@link #acknowledge}, in order. */
  public synchronized List<SyncProgress> acknowledgements() {
    return new ArrayList<>(acknowledgements);
  }

  /** Sets the persisted client file and progress, as a log from an earlier run would hold. */
  public synchronized void preset(long ident, long salt, SyncProgress p) {
    clientFileIdent = ident;
    clientFileSalt = salt;
    progress = p;
  }

  /** How many times {@link #read} ran. */
  public synchronized int reads() {
    return reads;
  }

  /** How many appends succeeded so far. */
  public synchronized int appends() {
    return appends;
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  private RuntimeException readFailure;

  /** Makes every later {@link #read} throw {@code failure} (null: read normally again). */
  public synchronized void failReads(RuntimeException failure) {
    readFailure = failure;
  }

  private void checkOpen() {
    if (closed) {
      throw new LogClosedException("ListUploadLog is closed");
    }
  }

  @Override
  public synchronized long append(ByteBuffer changeset, int objectCount, long originTimestamp) {
    checkOpen();
    if (objectCount < 0 || originTimestamp < 0) {
      throw new IllegalArgumentException("objectCount/originTimestamp negative");
    }
    byte[] copy = new byte[changeset.remaining()];
    changeset.duplicate().get(copy);
    entries.add(new Entry(++lastVersion, copy, objectCount, originTimestamp,
        progress.downloadServerVersion()));
    appends++;
    return lastVersion;
  }

  @Override
  public synchronized int read(long afterVersion, long maxBytes, EntryVisitor visitor) {
    checkOpen();
    reads++;
    if (readFailure != null) {
      throw readFailure;
    }
    if (afterVersion < 0 || maxBytes <= 0) {
      throw new IllegalArgumentException("afterVersion/maxBytes");
    }
    int n = 0;
    long sum = 0;
    for (Entry e : entries) {
      if (e.version() <= afterVersion) {
        continue;
      }
      if (n > 0 && sum + e.changeset().length > maxBytes) {
        break;
      }
      sum += e.changeset().length;
      n++;
      boolean more =
          visitor.visit(
              new LogEntry() {
                @Override
                public long version() {
                  return e.version();
                }

                @Override
                public long originTimestamp() {
                  return e.originTimestamp();
                }

                @Override
                public long lastIntegratedServerVersion() {
                  return e.lastIntegratedServerVersion();
                }

                @Override
                public int objectCount() {
                  return e.objectCount();
                }

                @Override
                public ByteBuffer changeset() {
                  return ByteBuffer.wrap(e.changeset()).asReadOnlyBuffer();
                }
              });
      if (!more) {
        break;
      }
    }
    return n;
  }

  private boolean holdAsync;
  private final java.util.ArrayDeque<Runnable> heldAsync = new java.util.ArrayDeque<>();

  /**
   * From now on {@link #acknowledgeAsync} applies the step at once but holds back telling the
   * caller until {@link #releaseAsyncAcknowledgement()} (a storage whose commit is still syncing).
   */
  public synchronized void holdAsyncAcknowledgements() {
    holdAsync = true;
  }

  /** Asynchronous acknowledgements applied and not yet told. */
  public synchronized int heldAsyncAcknowledgements() {
    return heldAsync.size();
  }

  /** Tells the oldest held acknowledgement its outcome (on the calling thread). */
  public void releaseAsyncAcknowledgement() {
    Runnable r;
    synchronized (this) {
      r = heldAsync.poll();
    }
    if (r == null) {
      throw new IllegalStateException("no asynchronous acknowledgement held");
    }
    r.run();
  }

  @Override
  public void acknowledgeAsync(SyncProgress progress, AcknowledgeCallback whenDone) {
    synchronized (this) {
      if (holdAsync) {
        long appendedBefore = lastVersion;
        try {
          acknowledge(progress);
        } catch (RuntimeException e) {
          heldAsync.add(() -> whenDone.acknowledged(-1, e));
          return;
        }
        heldAsync.add(() -> whenDone.acknowledged(appendedBefore, null));
        return;
      }
    }
    UploadLog.super.acknowledgeAsync(progress, whenDone);
  }

  @Override
  public synchronized void acknowledge(SyncProgress progress) {
    checkOpen();
    if (progress.uploadClientVersion() > lastVersion) {
      throw new IllegalArgumentException("uploadClientVersion: " + progress.uploadClientVersion()
          + " (expected: <= last assigned version " + lastVersion + ")");
    }
    entries.removeIf(e -> e.version() <= progress.uploadClientVersion());
    this.progress = progress;
    acknowledgements.add(progress);
  }

  @Override
  public synchronized void storeClientFile(long ident, long salt) {
    checkOpen();
    if (ident < 1 || salt < 1) {
      throw new IllegalArgumentException("ident/salt");
    }
    clientFileIdent = ident;
    clientFileSalt = salt;
  }

  @Override
  public synchronized void storeSchema(ByteBuffer schema) {
    checkOpen();
    byte[] copy = new byte[schema.remaining()];
    schema.duplicate().get(copy);
    this.schema = copy;
  }

  @Override
  public synchronized void storeIdentity(ByteBuffer identity) {
    checkOpen();
    byte[] copy = new byte[identity.remaining()];
    identity.duplicate().get(copy);
    this.identity = copy;
  }

  @Override
  public synchronized LogMetadata metadata() {
    checkOpen();
    return new LogMetadata(clientFileIdent, clientFileSalt, progress, lastVersion, schema, identity);
  }

  @Override
  public synchronized LogStats stats() {
    checkOpen();
    long bytes = 0;
    long objects = 0;
    for (Entry e : entries) {
      bytes += e.changeset().length + ENTRY_OVERHEAD;
      objects += e.objectCount();
    }
    return new LogStats(entries.size(), bytes, objects,
        entries.isEmpty() ? 0 : entries.get(0).version(),
        entries.isEmpty() ? 0 : entries.get(entries.size() - 1).version(), lastVersion,
        Long.MAX_VALUE, 0, 0);
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  /** Options are ignored. */
  public static UploadLogOptions options() {
    return UploadLogOptions.DEFAULT;
  }
}
