package io.tributary.core;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolError;
import java.util.Objects;

/**
 * An error of the sync session: reported to {@link ConnectionStateListener}s, and thrown by {@link
 * IngestRealm#waitForUploadCompletion} when it stopped the session ({@link #isFatal()}).
 *
 * <p>{@link #category()} says where the error came from; for errors the server sent, {@link
 * #errorCode()} is the protocol error code (spec protocol.md §10.1, e.g. 225 for a schema the
 * server refuses) and {@link #action()} the action the server asked for (§5.10). A fatal error
 * stops the session until the realm is opened again; a non-fatal one was followed by a reconnect or
 * rebind.
 */
public class SyncException extends TributaryException {
  private static final long serialVersionUID = 1L;

  /** Where an error came from. */
  public enum Category {
    /** The server sent an ERROR or JSON_ERROR ({@link #errorCode()} is its code). */
    SERVER,
    /**
     * The server broke the protocol (a message this client cannot parse or that violates spec
     * protocol.md §5/§7); always fatal, as in realm-core.
     */
    PROTOCOL_VIOLATION,
    /** Login, token refresh or the server's refusal of the access token. */
    AUTHENTICATION,
    /** The network: connect failure, handshake refusal, lost connection, missing PONG. */
    TRANSPORT,
    /** The local upload log failed. */
    STORAGE,
    /** The realm was closed before the operation completed. */
    CLOSED,
    /** An unexpected failure inside the session (a bug); always fatal. */
    INTERNAL
  }

  private final Category category;
  private final int errorCode;
  private final ErrorAction action;
  private final boolean fatal;

  /**
   * @param category where the error came from
   * @param errorCode the protocol error code, or 0 if none
   * @param action the action the server asked for, or {@code null} if none
   * @param fatal whether the error stopped the session
   * @param message what went wrong
   * @param cause the underlying failure, or {@code null}
   */
  public SyncException(
      Category category,
      int errorCode,
      ErrorAction action,
      boolean fatal,
      String message,
      Throwable cause) {
    super(message, cause);
    this.category = Objects.requireNonNull(category, "category");
    this.errorCode = errorCode;
    this.action = action;
    this.fatal = fatal;
  }

  /** Where the error came from. */
  public Category category() {
    return category;
  }

  /** The protocol error code (spec protocol.md §10.1), or 0 if the error has none. */
  public int errorCode() {
    return errorCode;
  }

  /** The protocol error for {@link #errorCode()} ({@link ProtocolError#UNKNOWN} if none). */
  public ProtocolError protocolError() {
    return ProtocolError.forCode(errorCode);
  }

  /** The action the server asked for in a JSON_ERROR, or {@code null}. */
  public ErrorAction action() {
    return action;
  }

  /** Whether the error stopped the session (no further reconnects until the realm reopens). */
  public boolean isFatal() {
    return fatal;
  }

  /**
   * A new exception with the same category, code, action and message, with this one as its cause:
   * what a waiting thread throws, so that its own stack trace is kept.
   *
   * @return the copy
   */
  public SyncException rethrowable() {
    return new SyncException(category, errorCode, action, fatal, getMessage(), this);
  }
}
