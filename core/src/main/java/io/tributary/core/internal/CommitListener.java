package io.tributary.core.internal;

import java.nio.ByteBuffer;

/**
 * Told about every changeset the realm appended to its log: the seam through which the sync
 * session (issue 8) learns that there is something new to upload.
 *
 * <p>Called on the committing thread, right after the append returned, in version order per
 * thread (commits of different threads may be reported out of version order). Implementations
 * must be fast and must not block or throw: a throwing listener is logged and ignored, because the
 * commit is already durable.
 */
@FunctionalInterface
public interface CommitListener {

  /**
   * @param clientVersion the version the log assigned
   * @param objectCount the number of objects the changeset creates (0 for a schema changeset)
   * @param changesetBytes the changeset's size in bytes
   */
  void committed(long clientVersion, int objectCount, int changesetBytes);

  /**
   * The same notification with the committed entry itself, for a listener that uses the bytes
   * (the sync session sends them without reading them back from the log). The default calls
   * {@link #committed(long, int, int)}.
   *
   * @param clientVersion the version the log assigned
   * @param objectCount the object count given to the log
   * @param originTimestamp the origin timestamp given to the log (ms since 2015-01-01)
   * @param changeset holds the bytes given to the log at {@code offset} for {@code length};
   *     borrowed until this method returns (the writer reuses it), and read with absolute
   *     accesses only: its position and limit must not be changed
   * @param offset absolute index of the changeset's first byte
   * @param length the changeset's size in bytes
   */
  default void committed(long clientVersion, int objectCount, long originTimestamp,
      ByteBuffer changeset, int offset, int length) {
    committed(clientVersion, objectCount, length);
  }
}
