package io.tributary.server.internal.session;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.message.JsonErrorBody;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.QueryErrorMessage;
import io.tributary.protocol.message.ServerMessage;

/**
 * The only way the server builds error messages (spec protocol.md §10.4): always JSON_ERROR with
 * all six required keys, at the right level, and never with a code that makes realm-core abort
 * (104, 202, 203, 205, 207, 214, 215, 218–221, 224; §10.1) or that it does not know. {@link
 * #requireSendable} is checked here and again on the send path, so no code path can send one.
 * An instance carries the server's {@code logURL} (the operator's link to its logs, or {@code
 * ""}) into every error it builds. Thread safe (immutable).
 */
public final class ServerErrors {
  /** Longest error text sent; longer texts are cut (with "..."). */
  static final int MAX_MESSAGE_CHARS = 4000;

  /** Backoff for transient errors (overload, storage unavailable): 2 s, at most 60 s, ×2. */
  static final JsonErrorBody.Backoff TRANSIENT_BACKOFF = new JsonErrorBody.Backoff(2, 60, 2);

  private final String logUrl;

  /**
   * @param logUrl the {@code logURL} of every error built: the operator's link to the server's
   *     logs, or {@code ""}
   */
  public ServerErrors(String logUrl) {
    this.logUrl = java.util.Objects.requireNonNull(logUrl, "logUrl");
  }

  /**
   * Throws unless a server may send {@code code}.
   *
   * @throws IllegalStateException if {@code code} aborts a realm-core client or is unknown to it
   */
  public static void requireSendable(int code) {
    ProtocolError e = ProtocolError.forCode(code);
    if (!e.isSafeToSend()) {
      throw new IllegalStateException(
          "protocol error " + code + " (" + e + "): never sent, it makes realm-core abort or is unknown to it"
              + " (spec protocol.md §10.1)");
    }
  }

  /** Throws (see {@link #requireSendable}) if {@code m} is an error message with a forbidden code. */
  public static void checkOutgoing(ServerMessage m) {
    if (m instanceof JsonErrorMessage j) {
      requireSendable(j.errorCode());
    } else if (m instanceof QueryErrorMessage q) {
      requireSendable(q.errorCode());
    } else if (m instanceof io.tributary.protocol.message.ErrorMessage e) {
      requireSendable(e.errorCode());
    }
  }

  /**
   * A connection-level JSON_ERROR (session ident 0); the server closes the connection after it.
   *
   * @throws IllegalStateException if {@code error} is not a sendable connection-level code
   */
  public JsonErrorMessage connection(ProtocolError error, ErrorAction action, boolean tryAgain, String message) {
    requireSendable(error.code());
    if (error.level() != ProtocolError.Level.CONNECTION) {
      throw new IllegalStateException("connection error with session-level code " + error);
    }
    return new JsonErrorMessage(error.code(), 0, JsonErrorBody.of(action, cut(message), tryAgain).withLogUrl(logUrl));
  }

  /**
   * A session-level JSON_ERROR.
   *
   * @param backoff retry delays, or {@code null}
   * @throws IllegalStateException if {@code error} is not a sendable session-level code or {@code
   *     session} is 0
   */
  public JsonErrorMessage session(
      ProtocolError error, long session, ErrorAction action, boolean tryAgain, String message,
      JsonErrorBody.Backoff backoff) {
    requireSendable(error.code());
    if (error.level() != ProtocolError.Level.SESSION || session < 1) {
      throw new IllegalStateException("session error " + error + " for session " + session);
    }
    JsonErrorBody body = JsonErrorBody.of(action, cut(message), tryAgain).withLogUrl(logUrl);
    return new JsonErrorMessage(error.code(), session, backoff == null ? body : body.withBackoff(backoff));
  }

  /** The action and retry flag the server uses for a code (spec §10.4). */
  static ErrorAction actionFor(ProtocolError e) {
    switch (e) {
      case CONNECTION_CLOSED:
        return ErrorAction.TRANSIENT;
      case OTHER_ERROR:
      case BAD_CHANGESET:
      case INVALID_SCHEMA_CHANGE:
      case USER_MISMATCH:
      case PERMISSION_DENIED:
      case OTHER_SESSION_ERROR:
        return ErrorAction.APPLICATION_BUG;
      case BAD_CLIENT_FILE_IDENT:
      case BAD_SERVER_VERSION:
      case BAD_CLIENT_VERSION:
      case DIVERGING_HISTORIES:
        return ErrorAction.CLIENT_RESET;
      default:
        return ErrorAction.PROTOCOL_VIOLATION;
    }
  }

  static String cut(String s) {
    return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS - 3) + "...";
  }
}
