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
 * A tiny unbounded {@link UploadLog} over a list, for core's encoding unit tests (core cannot
 * depend on storage-memory). Its contents outlive {@link #close()}: {@link #storage()} opens the
 * same list again, like a durable storage after a restart. Thread safe (synchronized).
 */
public final class ListUploadLog implements UploadLog {
  /** One appended entry, copied. */
  public record Entry(long version, byte[] changeset, int objectCount, long originTimestamp) {}

  private final List<Entry> entries = new ArrayList<>();
  private long lastVersion;
  private byte[] schema;
  private boolean closed = true;
  private int appends;

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

  /** How many appends succeeded so far. */
  public synchronized int appends() {
    return appends;
  }

  public synchronized boolean isClosed() {
    return closed;
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
    entries.add(new Entry(++lastVersion, copy, objectCount, originTimestamp));
    appends++;
    return lastVersion;
  }

  @Override
  public synchronized int read(long afterVersion, long maxBytes, EntryVisitor visitor) {
    checkOpen();
    int n = 0;
    for (Entry e : entries) {
      if (e.version() <= afterVersion) {
        continue;
      }
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
                  return 0;
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

  @Override
  public synchronized void acknowledge(SyncProgress progress) {
    checkOpen();
    entries.removeIf(e -> e.version() <= progress.uploadClientVersion());
  }

  @Override
  public synchronized void storeClientFile(long ident, long salt) {
    checkOpen();
  }

  @Override
  public synchronized void storeSchema(ByteBuffer schema) {
    checkOpen();
    byte[] copy = new byte[schema.remaining()];
    schema.duplicate().get(copy);
    this.schema = copy;
  }

  @Override
  public synchronized LogMetadata metadata() {
    checkOpen();
    return new LogMetadata(0, 0, SyncProgress.NONE, lastVersion, schema);
  }

  @Override
  public synchronized LogStats stats() {
    throw new UnsupportedOperationException("not needed by these tests");
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
