package io.tributary.server.internal.auth;

/** A token was refused: what was wrong with it. */
public final class TokenException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a token was refused. */
  public enum Kind {
    /** Not three base64url parts, or not JSON, or a claim of the wrong type. */
    MALFORMED,
    /** The signature does not verify, or the algorithm is not the expected one. */
    BAD_SIGNATURE,
    /** {@code exp} is in the past. */
    EXPIRED,
    /** Issued for another app ({@code aud}). */
    WRONG_AUDIENCE,
    /** An access token where a refresh token is needed, or the reverse. */
    WRONG_TYPE,
    /** A refresh token ended by a logout. */
    REVOKED
  }

  private final Kind kind;

  TokenException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** Why. */
  public Kind kind() {
    return kind;
  }
}
