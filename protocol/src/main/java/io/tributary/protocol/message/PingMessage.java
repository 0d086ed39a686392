package io.tributary.protocol.message;

/**
 * PING, client to server (spec protocol.md §5.8): {@code ping <timestamp> <rtt>\n}.
 *
 * @param timestampMs the client's monotonic clock in milliseconds, 0..2^63-1
 * @param rttMs round-trip time of the previous PING/PONG in milliseconds (0 for the first),
 *     0..2^63-1
 */
public record PingMessage(long timestampMs, long rttMs) implements ClientMessage {
  /**
   * @throws IllegalArgumentException if a field is negative
   */
  public PingMessage {
    Checks.nonNegative(timestampMs, "timestamp");
    Checks.nonNegative(rttMs, "rtt");
  }

  @Override
  public MessageType type() {
    return MessageType.PING;
  }
}
