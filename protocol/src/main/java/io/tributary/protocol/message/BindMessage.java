package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolException;

/**
 * BIND, client to server (spec protocol.md §5.1):
 *
 * <pre>
 * bind &lt;session_ident&gt; &lt;json_size&gt; &lt;token_size&gt; &lt;need_client_file_ident&gt; &lt;is_subserver&gt;\n
 * &lt;json_size bytes: JSON document&gt;&lt;token_size bytes: signed user token&gt;
 * </pre>
 *
 * <p>The JSON is kept as text so that it re-encodes byte for byte; {@link #parameters()} reads it.
 * Use {@link #flx(long, BindParameters, boolean)} to build one.
 *
 * @param sessionIdent the session, 0..2^63-1 (clients use ≥ 1)
 * @param json the JSON document (UTF-8 on the wire); a server accepts 1..{@value #MAX_JSON_SIZE}
 *     bytes
 * @param token the signed user token, empty for realm-core (the token travels in the URL); a
 *     server accepts at most {@value #MAX_TOKEN_SIZE} bytes
 * @param needClientFileIdent whether the server must allocate a client file ident (IDENT)
 * @param isSubserver always false
 */
public record BindMessage(
    long sessionIdent,
    String json,
    String token,
    boolean needClientFileIdent,
    boolean isSubserver)
    implements ClientMessage {

  /** Largest JSON document a server accepts (realm-core {@code s_max_path_size}). */
  public static final int MAX_JSON_SIZE = 1024;

  /** Largest token a server accepts (realm-core {@code s_max_signed_user_token_size}). */
  public static final int MAX_TOKEN_SIZE = 2048;

  /**
   * @throws IllegalArgumentException if {@code sessionIdent} is negative
   * @throws NullPointerException if {@code json} or {@code token} is null
   */
  public BindMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.notNull(json, "json");
    Checks.notNull(token, "token");
  }

  /**
   * An FLX BIND as realm-core and the Tributary client send it: JSON from {@code parameters},
   * empty token, not a subserver.
   */
  public static BindMessage flx(
      long sessionIdent, BindParameters parameters, boolean needClientFileIdent) {
    return new BindMessage(sessionIdent, parameters.toJson(), "", needClientFileIdent, false);
  }

  /**
   * Parses {@link #json()}.
   *
   * @throws ProtocolException (103 bad_syntax) if it is not a JSON object or a known key is
   *     mistyped
   */
  public BindParameters parameters() {
    return BindParameters.parse(json);
  }

  @Override
  public MessageType type() {
    return MessageType.BIND;
  }
}
