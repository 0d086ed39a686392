package io.tributary.core.spi;

import java.nio.ByteBuffer;

/**
 * One entry of an {@link UploadLog}, as handed to an {@link EntryVisitor}: a flyweight that the log
 * may re-point at the next entry after the visitor returns.
 *
 * <p>Lifetime: the entry and the buffer returned by {@link #changeset()} are <em>borrowed</em>; they
 * are valid only until {@link EntryVisitor#visit} returns. A visitor that needs the bytes later
 * copies them.
 */
public interface LogEntry {

  /** The client version under which the entry was appended: >= 1, strictly increasing. */
  long version();

  /** Commit time in milliseconds since 2015-01-01T00:00:00Z (the protocol's origin timestamp). */
  long originTimestamp();

  /**
   * The download server version the log had persisted when the entry was appended (the UPLOAD
   * entry's {@code last_integrated_server_version}, spec protocol.md §5.5, §8.7).
   */
  long lastIntegratedServerVersion();

  /** Number of objects the changeset creates, as given to {@link UploadLog#append}. */
  int objectCount();

  /**
   * The changeset bytes: a read-only view from position 0 to limit, possibly into storage memory
   * (for LMDB, into the memory map). Borrowed, see the class comment. Each call returns a buffer
   * whose position is 0 and limit is the changeset length.
   */
  ByteBuffer changeset();
}
