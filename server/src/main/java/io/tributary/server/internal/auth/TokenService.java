package io.tributary.server.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.tributary.server.auth.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Issues and verifies the server's own tokens (spec protocol.md §2.5): HS256 JWTs with {@code sub}
 * (user id), {@code aud} (app id), {@code iat}, {@code exp}, {@code typ} ({@code access} or {@code
 * refresh}), {@code prov} and {@code idn} (login provider and identity), {@code user_data}, and for
 * refresh tokens a random {@code jti}.
 *
 * <p>Caffeine caches: verified access tokens (up to {@link AuthConfig#tokenCacheSize()}, each until
 * its {@code exp}; a hit still checks {@code exp} against the clock), and refresh tokens revoked by
 * logout (by {@code jti}, each until its {@code exp}). The revocation set lives in memory only: a
 * restart forgets it. Thread safe.
 */
public final class TokenService {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_REVOKED = 1_000_000;

  private final AuthConfig config;
  private final String appId;
  private final byte[] secret;
  private final Cache<String, Principal> verified;
  private final Cache<String, Long> revoked;

  /**
   * @param config secrets, lifetimes and the clock
   * @param appId the app id tokens are issued for ({@code aud})
   */
  public TokenService(AuthConfig config, String appId) {
    this.config = config;
    this.appId = appId;
    this.secret = config.tokenSecret();
    this.verified =
        Caffeine.newBuilder()
            .maximumSize(config.tokenCacheSize())
            .expireAfter(Expiry.creating((String k, Principal p) -> untilSeconds(p.expiresAtSeconds())))
            .build();
    this.revoked =
        Caffeine.newBuilder()
            .maximumSize(MAX_REVOKED)
            .expireAfter(Expiry.creating((String k, Long exp) -> untilSeconds(exp)))
            .build();
  }

  private java.time.Duration untilSeconds(long epochSeconds) {
    long ms = Math.max(1, epochSeconds * 1000 - config.clock().millis());
    return java.time.Duration.ofMillis(ms);
  }

  /** The app id. */
  public String appId() {
    return appId;
  }

  /** A user id for an identity of a provider: 24 hex digits, stable per (provider, identity). */
  public static String userId(String provider, String identity) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest((provider + "\u0000" + identity).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** 24 random hex digits (anonymous identities, device ids, token ids). */
  public static String randomId() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** An access token for the user. */
  public String issueAccess(String provider, String identity, Map<String, String> userData) {
    return issue("access", provider, identity, userData, config.accessTokenTtl().toSeconds(), null);
  }

  /** An access token for the user of a verified refresh token. */
  public String issueAccess(Principal p) {
    return issueAccess(p.provider(), p.identity(), p.userData());
  }

  /** A refresh token for the user. */
  public String issueRefresh(String provider, String identity, Map<String, String> userData) {
    return issue("refresh", provider, identity, userData, config.refreshTokenTtl().toSeconds(), randomId());
  }

  private String issue(
      String type, String provider, String identity, Map<String, String> data, long ttlSeconds, String jti) {
    long now = config.clock().millis() / 1000;
    ObjectNode c = Jwt.JSON.createObjectNode();
    c.put("sub", userId(provider, identity));
    c.put("aud", appId);
    c.put("iat", now);
    c.put("exp", now + ttlSeconds);
    c.put("typ", type);
    c.put("prov", provider);
    c.put("idn", identity);
    if (jti != null) {
      c.put("jti", jti);
    }
    ObjectNode ud = c.putObject("user_data");
    data.forEach(ud::put);
    return Jwt.signHs256(c, secret);
  }

  /**
   * Verifies an access token (cached).
   *
   * @throws TokenException if it is malformed, not signed by this server, expired, of another app
   *     or a refresh token
   */
  public Principal verifyAccess(String token) throws TokenException {
    Principal p = verified.getIfPresent(token);
    if (p == null) {
      p = verify(token, "access");
      verified.put(token, p);
    }
    if (p.expiresAtSeconds() * 1000 <= config.clock().millis()) {
      verified.invalidate(token);
      throw new TokenException(TokenException.Kind.EXPIRED, "access token: expired at " + p.expiresAtSeconds());
    }
    return p;
  }

  /**
   * Verifies a refresh token (not cached: logout revokes).
   *
   * @throws TokenException as {@link #verifyAccess}, or REVOKED after a logout
   */
  public Principal verifyRefresh(String token) throws TokenException {
    Principal p = verify(token, "refresh");
    if (revoked.getIfPresent(jti(token)) != null) {
      throw new TokenException(TokenException.Kind.REVOKED, "refresh token: revoked by a logout");
    }
    return p;
  }

  /**
   * Ends a refresh token's session: it is refused from now on (until it would have expired).
   *
   * @throws TokenException if the token is not a valid refresh token
   */
  public void revoke(String refreshToken) throws TokenException {
    Principal p = verifyRefresh(refreshToken);
    revoked.put(jti(refreshToken), p.expiresAtSeconds());
  }

  private String jti(String token) throws TokenException {
    JsonNode j = Jwt.parse(token).claims().get("jti");
    if (j == null || !j.isTextual()) {
      throw new TokenException(TokenException.Kind.MALFORMED, "refresh token: no jti");
    }
    return j.asText();
  }

  private Principal verify(String token, String type) throws TokenException {
    Jwt.Parsed parsed = Jwt.parse(token);
    if (!Jwt.verifyHs256(parsed, secret)) {
      throw new TokenException(TokenException.Kind.BAD_SIGNATURE,
          type + " token: signature does not verify (expected: HS256 by this server)");
    }
    ObjectNode c = parsed.claims();
    long exp = longClaim(c, "exp", type);
    longClaim(c, "iat", type);
    String aud = textClaim(c, "aud", type);
    if (!aud.equals(appId)) {
      throw new TokenException(TokenException.Kind.WRONG_AUDIENCE,
          type + " token: issued for app '" + aud + "' (expected: '" + appId + "')");
    }
    String typ = textClaim(c, "typ", type);
    if (!typ.equals(type)) {
      throw new TokenException(TokenException.Kind.WRONG_TYPE,
          type + " token: a " + typ + " token (expected: a " + type + " token)");
    }
    if (exp * 1000 <= config.clock().millis()) {
      throw new TokenException(TokenException.Kind.EXPIRED, type + " token: expired at " + exp);
    }
    Map<String, String> data = new LinkedHashMap<>();
    JsonNode ud = c.get("user_data");
    if (ud != null && ud.isObject()) {
      for (Map.Entry<String, JsonNode> e : ud.properties()) {
        if (e.getValue().isTextual()) {
          data.put(e.getKey(), e.getValue().asText());
        }
      }
    }
    return new Principal(textClaim(c, "sub", type), textClaim(c, "prov", type), textClaim(c, "idn", type), exp, data);
  }

  static long longClaim(ObjectNode c, String name, String what) throws TokenException {
    JsonNode n = c.get(name);
    if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
      throw new TokenException(TokenException.Kind.MALFORMED, what + " token: claim " + name + " missing or not an integer");
    }
    return n.asLong();
  }

  static String textClaim(ObjectNode c, String name, String what) throws TokenException {
    JsonNode n = c.get(name);
    if (n == null || !n.isTextual()) {
      throw new TokenException(TokenException.Kind.MALFORMED, what + " token: claim " + name + " missing or not a string");
    }
    return n.asText();
  }

  /** Cached verified tokens (for tests and metrics). */
  long cachedTokens() {
    verified.cleanUp();
    return verified.estimatedSize();
  }
}
