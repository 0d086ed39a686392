package io.tributary.protocol.message;

/**
 * MARK, both directions (spec protocol.md §5.4): {@code mark <session_ident> <request_ident>\n}.
 *
 * <p>From the client, a request for a download-completion notification; from the server, the
 * answer carrying the same {@code requestIdent}.
 *
 * @param sessionIdent the session, 0..2^63-1
 * @param requestIdent the request, 0..2^63-1 (realm-core sends values ≥ 1)
 */
public record MarkMessage(long sessionIdent, long requestIdent)
    implements ClientMessage, ServerMessage {
  /**
   * @throws IllegalArgumentException if a field is negative
   */
  public MarkMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(requestIdent, "request_ident");
  }

  @Override
  public MessageType type() {
    return MessageType.MARK;
  }
}
