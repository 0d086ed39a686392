package io.tributary.protocol.message;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolError;

/**
 * JSON_ERROR, server to client (spec protocol.md §5.10): {@code json_error <error_code>
 * <message_size> <session_ident>\n<JSON>}; the body is a {@link JsonErrorBody}.
 *
 * @param errorCode the wire code, kept even when unknown (see {@link #error()}); ≥ 0
 * @param sessionIdent 0 for a connection-level error, else the session; 0..2^63-1
 * @param body the JSON document; not null
 */
public record JsonErrorMessage(int errorCode, long sessionIdent, JsonErrorBody body)
    implements ServerMessage {
  /**
   * @throws IllegalArgumentException if a number is negative
   * @throws NullPointerException if {@code body} is null
   */
  public JsonErrorMessage {
    Checks.nonNegative(errorCode, "error_code");
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.notNull(body, "body");
  }

  /**
   * A JSON_ERROR for {@code error} with the given action and message; {@code tryAgain} is {@link
   * ProtocolError#isRetryable()}.
   *
   * @throws IllegalArgumentException if {@code error} is {@link ProtocolError#UNKNOWN} or {@code
   *     sessionIdent} is negative
   */
  public static JsonErrorMessage of(
      ProtocolError error, long sessionIdent, ErrorAction action, String message) {
    if (error == ProtocolError.UNKNOWN) {
      throw new IllegalArgumentException("error: UNKNOWN (expected: a code from the table)");
    }
    return new JsonErrorMessage(
        error.code(), sessionIdent, JsonErrorBody.of(action, message, error.isRetryable()));
  }

  /** The error; {@link ProtocolError#UNKNOWN} if the code is not in the table. */
  public ProtocolError error() {
    return ProtocolError.forCode(errorCode);
  }

  @Override
  public MessageType type() {
    return MessageType.JSON_ERROR;
  }
}
