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
   * @param size the frame's declared payload length, or for a fragmented message the bytes of the
   *     fragments received when the limit was crossed
   * @param limit the configured maximum message size in bytes
   * @param partial whether {@code size} is a lower bound (fragments) rather than the exact size
   */
  public MessageTooLargeException(long size, long limit, boolean partial) {
    super(
        "incoming message: "
            + (partial ? "at least " : "")
            + size
            + " bytes (expected: <= "
            + limit
            + " bytes)");
    this.size = size;
    this.limit = limit;
  }

  /** The declared frame length, or the fragment bytes seen when the limit was crossed. */
  public long size() {
    return size;
  }

  /** The configured limit in bytes. */
  public long limit() {
    return limit;
  }
}
