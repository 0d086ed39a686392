package io.tributary.protocol.message;

/**
 * QUERY, client to server (spec protocol.md §5.11): {@code query <session_ident> <query_version>
 * <query_size>\n<query JSON>}. An asymmetric-only client never sends it.
 *
 * @param sessionIdent the session, 0..2^63-1
 * @param queryVersion the subscription-set version, 0..2^63-1
 * @param query the subscription set as JSON text, not null
 */
public record QueryMessage(long sessionIdent, long queryVersion, String query)
    implements ClientMessage {
  /**
   * @throws IllegalArgumentException if a number is negative
   * @throws NullPointerException if {@code query} is null
   */
  public QueryMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(queryVersion, "query_version");
    Checks.notNull(query, "query");
  }

  @Override
  public MessageType type() {
    return MessageType.QUERY;
  }
}
