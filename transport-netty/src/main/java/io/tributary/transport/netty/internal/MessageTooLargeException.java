package io.tributary.transport.netty.internal;

/**
 * An incoming WebSocket message is larger than the configured limit. Raised before the excess is
 * buffered: for a single frame from its declared length, for a fragmented message as soon as the
 * fragments received so far exceed the limit.
 */
public final class MessageTooLargeException extends Exception {
  private static final long serialVersionUID = 1L;
  private final long size;
  private final long limit;

  /**
   * @param size the size known when the limit was crossed (bytes received so far for fragments, or
   *     -1 if the frame decoder rejected a single frame by its declared length)
   * @param limit the configured maximum message size in bytes
   */
  public MessageTooLargeException(long size, long limit) {
    super(
        size < 0
            ? "incoming message: frame longer than the limit (expected: <= " + limit + " bytes)"
            : "incoming message: at least "
                + size
                + " bytes (expected: <= "
                + limit
                + " bytes)");
    this.size = size;
    this.limit = limit;
  }

  /** Bytes seen when the limit was crossed, or -1 when only the frame header was read. */
  public long size() {
    return size;
  }

  /** The configured limit in bytes. */
  public long limit() {
    return limit;
  }
}
