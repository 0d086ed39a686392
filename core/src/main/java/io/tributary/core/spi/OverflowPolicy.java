package io.tributary.core.spi;

/**
 * What an {@link UploadLog} does when an append would take its size past the configured bound.
 */
public enum OverflowPolicy {
  /**
   * The appending thread waits until acknowledgements free enough space, up to the configured
   * block timeout, then fails with {@link UploadLogException.LogFullException}. The default:
   * back-pressure, never data loss.
   */
  BLOCK,
  /** The append fails at once with {@link UploadLogException.LogFullException}. */
  FAIL,
  /**
   * The oldest unacknowledged entries are deleted until the new entry fits; every dropped entry
   * and object is counted in {@link LogStats}. Opt-in: this is the only way Tributary ever deletes
   * data the server has not acknowledged.
   */
  DROP_OLDEST
}
