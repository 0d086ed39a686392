package io.tributary.core.spi;

/**
 * How durable an {@link UploadLog#append append} is when it returns.
 *
 * <p>The default is {@link #SYNC}: an append that returned survives a process crash and a power
 * loss. Appends from concurrent threads that arrive while a sync is in progress share the next
 * one (group commit), so many writers do not pay one flush each.
 */
public enum Durability {
  /** Data and metadata are flushed to stable storage before append returns (LMDB: two flushes). */
  SYNC,
  /**
   * Data is flushed before append returns, the metadata page is not (LMDB {@code MDB_NOMETASYNC}):
   * one flush per commit. A power loss (not a process crash) may undo the last commits.
   */
  NO_META_SYNC,
  /**
   * Nothing is flushed by the log; the operating system writes dirty pages back later. A process
   * crash loses nothing that append returned; a power loss may lose recent appends.
   */
  OS_FLUSH
}
