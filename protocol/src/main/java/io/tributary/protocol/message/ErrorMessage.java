package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolError;

/**
 * ERROR, server to client (spec protocol.md §5.9): {@code error <error_code> <message_size>
 * <try_again> <session_ident>\n<message>}. Servers should prefer {@link JsonErrorMessage}.
 *
 * @param errorCode the wire code, kept even when unknown (see {@link #error()}); ≥ 0
 * @param message UTF-8 text; not null
 * @param tryAgain false = fatal
 * @param sessionIdent 0 for a connection-level error, else the session; 0..2^63-1
 */
public record ErrorMessage(int errorCode, String message, boolean tryAgain, long sessionIdent)
    implements ServerMessage {
  /**
   * @throws IllegalArgumentException if a number is negative
   * @throws NullPointerException if {@code message} is null
   */
  public ErrorMessage {
    Checks.nonNegative(errorCode, "error_code");
    Checks.notNull(message, "message");
    Checks.nonNegative(sessionIdent, "session_ident");
  }

  /** The error; {@link ProtocolError#UNKNOWN} if the code is not in the table. */
  public ProtocolError error() {
    return ProtocolError.forCode(errorCode);
  }

  @Override
  public MessageType type() {
    return MessageType.ERROR;
  }
}
