package io.tributary.protocol.message;

/**
 * UNBIND, client to server (spec protocol.md §5.7): {@code unbind <session_ident>\n}.
 *
 * @param sessionIdent the session to end, 0..2^63-1
 */
public record UnbindMessage(long sessionIdent) implements ClientMessage {
  /**
   * @throws IllegalArgumentException if {@code sessionIdent} is negative
   */
  public UnbindMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
  }

  @Override
  public MessageType type() {
    return MessageType.UNBIND;
  }
}
