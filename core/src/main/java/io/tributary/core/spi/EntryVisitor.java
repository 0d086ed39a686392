package io.tributary.core.spi;

/**
 * Receives entries read from an {@link UploadLog}, in increasing version order.
 *
 * <p>The visitor may run on a thread owned by the log (for LMDB: the log's storage thread, inside
 * a read transaction). It must be quick, must not block, and must not call back into the log.
 */
@FunctionalInterface
public interface EntryVisitor {

  /**
   * Called once per entry.
   *
   * @param entry the entry; borrowed until this method returns
   * @return {@code true} to continue with the next entry, {@code false} to stop
   */
  boolean visit(LogEntry entry);
}
