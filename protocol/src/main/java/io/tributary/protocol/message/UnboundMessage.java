package io.tributary.protocol.message;

/**
 * UNBOUND, server to client (spec protocol.md §5.7): {@code unbound <session_ident>\n}. Never sent
 * after a session-level error for the same session.
 *
 * @param sessionIdent the session that ended, 0..2^63-1
 */
public record UnboundMessage(long sessionIdent) implements ServerMessage {
  /**
   * @throws IllegalArgumentException if {@code sessionIdent} is negative
   */
  public UnboundMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
  }

  @Override
  public MessageType type() {
    return MessageType.UNBOUND;
  }
}
