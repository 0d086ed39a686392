package io.tributary.core.internal;

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
}
