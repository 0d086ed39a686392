package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolError;

/**
 * QUERY_ERROR, server to client (spec protocol.md §5.11): {@code query_error <error_code>
 * <message_size> <session_ident> <query_version>\n<message>}.
 *
 * @param errorCode the wire code (226 bad_query in practice), kept even when unknown; ≥ 0
 * @param message the text; not null
 * @param sessionIdent the session; 0..2^63-1
 * @param queryVersion the subscription-set version that failed; 0..2^63-1
 */
public record QueryErrorMessage(int errorCode, String message, long sessionIdent, long queryVersion)
    implements ServerMessage {
  /**
   * @throws IllegalArgumentException if a number is negative
   * @throws NullPointerException if {@code message} is null
   */
  public QueryErrorMessage {
    Checks.nonNegative(errorCode, "error_code");
    Checks.notNull(message, "message");
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(queryVersion, "query_version");
  }

  /** The error; {@link ProtocolError#UNKNOWN} if the code is not in the table. */
  public ProtocolError error() {
    return ProtocolError.forCode(errorCode);
  }

  @Override
  public MessageType type() {
    return MessageType.QUERY_ERROR;
  }
}
