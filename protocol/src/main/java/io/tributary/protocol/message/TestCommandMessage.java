package io.tributary.protocol.message;

/**
 * TEST_COMMAND, both directions (spec protocol.md §5.13): {@code test_command <session_ident>
 * <request_ident> <body_size>\n<body>}. A testing hook of realm-core; decoded only so that a
 * server can refuse it (error 102) and a client can treat it as unexpected.
 *
 * @param sessionIdent the session, 0..2^63-1
 * @param requestIdent the request, 0..2^63-1
 * @param body the body text (JSON), not null
 */
public record TestCommandMessage(long sessionIdent, long requestIdent, String body)
    implements ClientMessage, ServerMessage {
  /**
   * @throws IllegalArgumentException if a number is negative
   * @throws NullPointerException if {@code body} is null
   */
  public TestCommandMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(requestIdent, "request_ident");
    Checks.notNull(body, "body");
  }

  @Override
  public MessageType type() {
    return MessageType.TEST_COMMAND;
  }
}
