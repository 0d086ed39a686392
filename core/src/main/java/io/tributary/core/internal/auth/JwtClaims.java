package io.tributary.core.internal.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Reads the {@code exp} and {@code iat} claims of an App Services token (spec protocol.md §2.5):
 * three non-empty dot-separated parts whose middle one, base64url-decoded (padding optional; the
 * standard alphabet is accepted too, as realm-core does), is a JSON object with integer {@code exp}
 * and {@code iat}. The signature is not checked (the client has no key), as in realm-core.
 *
 * @param expiresAtSeconds {@code exp}, seconds since the Unix epoch
 * @param issuedAtSeconds {@code iat}, seconds since the Unix epoch
 */
record JwtClaims(long expiresAtSeconds, long issuedAtSeconds) {
  /** Longest token parsed; App Services tokens are a few hundred bytes. */
  static final int MAX_TOKEN_CHARS = 64 * 1024;

  /** The token is not a JWT with {@code exp} and {@code iat}. */
  static final class MalformedJwt extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedJwt(String message) {
      super(message);
    }
  }

  /**
   * Parses the claims.
   *
   * @throws MalformedJwt naming what is wrong (never echoing the token)
   */
  static JwtClaims parse(String token) throws MalformedJwt {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new MalformedJwt(
          token.length() + " chars (expected: at most " + MAX_TOKEN_CHARS + ")");
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || dot2 == token.length() - 1
        || token.indexOf('.', dot2 + 1) >= 0) {
      throw new MalformedJwt("not three non-empty dot-separated parts (expected: a JWT)");
    }
    String payload = token.substring(dot1 + 1, dot2).replace('+', '-').replace('/', '_');
    while (payload.endsWith("=")) {
      payload = payload.substring(0, payload.length() - 1);
    }
    byte[] json;
    try {
      json = Base64.getUrlDecoder().decode(payload);
    } catch (IllegalArgumentException e) {
      throw new MalformedJwt("payload is not base64url (expected: a JWT)");
    }
    Map<String, Object> claims;
    try {
      claims = JsonValues.parseObject(new String(json, StandardCharsets.UTF_8));
    } catch (JsonValues.Malformed e) {
      throw new MalformedJwt("payload: " + e.getMessage());
    }
    return new JwtClaims(claim(claims, "exp"), claim(claims, "iat"));
  }

  private static long claim(Map<String, Object> claims, String name) throws MalformedJwt {
    Object v = claims.get(name);
    if (!(v instanceof Long l)) {
      throw new MalformedJwt(
          "claim '" + name + "': " + (v == null ? "missing" : v.getClass().getSimpleName())
              + " (expected: an integer)");
    }
    return l;
  }
}
