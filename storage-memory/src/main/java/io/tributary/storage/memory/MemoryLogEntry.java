package io.tributary.storage.memory;

import io.tributary.core.spi.LogEntry;
import java.nio.ByteBuffer;

/** Flyweight handed to visitors; re-pointed at the next entry after each visit. */
final class MemoryLogEntry implements LogEntry {
  private long version;
  private long originTimestamp;
  private long lastIntegratedServerVersion;
  private int objectCount;
  private byte[] data;
  private int offset;
  private int length;

  void set(
      long version,
      long originTimestamp,
      long lastIntegratedServerVersion,
      int objectCount,
      byte[] data,
      int offset,
      int length) {
    this.version = version;
    this.originTimestamp = originTimestamp;
    this.lastIntegratedServerVersion = lastIntegratedServerVersion;
    this.objectCount = objectCount;
    this.data = data;
    this.offset = offset;
    this.length = length;
  }

  /** Drops the reference to the chunk once the visit is over. */
  void clear() {
    data = null;
  }

  @Override
  public long version() {
    return version;
  }

  @Override
  public long originTimestamp() {
    return originTimestamp;
  }

  @Override
  public long lastIntegratedServerVersion() {
    return lastIntegratedServerVersion;
  }

  @Override
  public int objectCount() {
    return objectCount;
  }

  @Override
  public ByteBuffer changeset() {
    return ByteBuffer.wrap(data, offset, length).slice().asReadOnlyBuffer();
  }

  @Override
  public String toString() {
    return "LogEntry{version=" + version + ", objects=" + objectCount + ", bytes=" + length + '}';
  }
}
