package io.tributary.protocol.message;

/**
 * PONG, server to client (spec protocol.md §5.8): {@code pong <timestamp>\n}, echoing the PING's
 * timestamp.
 *
 * @param timestampMs the timestamp of the PING being answered, 0..2^63-1
 */
public record PongMessage(long timestampMs) implements ServerMessage {
  /**
   * @throws IllegalArgumentException if {@code timestampMs} is negative
   */
  public PongMessage {
    Checks.nonNegative(timestampMs, "timestamp");
  }

  @Override
  public MessageType type() {
    return MessageType.PONG;
  }
}
