package io.tributary.storage.memory;

import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.Storage;
import io.tributary.core.spi.UploadLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MemoryStorage} seen from a realm test: opens through {@link #storage()} and keeps the
 * opened log, so the test can look at what the realm appended while the realm is open.
 */
final class RealmLogs {
  /** A copied log entry. */
  record Entry(long version, byte[] changeset, int objectCount, long originTimestamp) {}

  final MemoryStorage memory = MemoryStorage.create();
  private volatile UploadLog log;

  /** Opens the memory storage and remembers the log. */
  Storage storage() {
    return options -> {
      UploadLog l = memory.open(options);
      log = l;
      return l;
    };
  }

  UploadLog log() {
    return log;
  }

  /** Every entry of the current log, copied, oldest first. */
  List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    log.read(
        0,
        Long.MAX_VALUE,
        e -> {
          ByteBuffer b = e.changeset();
          byte[] copy = new byte[b.remaining()];
          b.get(copy);
          out.add(new Entry(e.version(), copy, e.objectCount(), e.originTimestamp()));
          return true;
        });
    return out;
  }

  LogStats stats() {
    return log.stats();
  }
}
