package io.tributary.server.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.server.auth.AuthConfig;
import io.tributary.transport.netty.server.AppServicesBackend;
import io.tributary.transport.netty.server.AppServicesException;
import io.tributary.transport.netty.server.LoginRequest;
import io.tributary.transport.netty.server.LoginResult;
import io.tributary.transport.netty.server.UserProfile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The App Services routes (spec protocol.md §2): location check, login with {@code anon-user},
 * {@code api-key} and {@code custom-token}, profile, token refresh, logout; plus {@code /metrics}
 * and {@code /health}. Everything is CPU-only (HMAC/RSA verification), so stages complete at once.
 *
 * <p>Errors: unknown app 404 {@code AppNotFound}; a bad credential 401 {@code AuthError}; a bad,
 * expired, revoked or foreign token on profile/refresh/logout 401 {@code InvalidSession} (realm-core
 * then refreshes the token, or logs out when the refresh token is refused); a malformed request or
 * an unsupported provider 400 {@code InvalidParameter}. Thread safe.
 */
public final class AuthBackend implements AppServicesBackend {
  private final AuthConfig config;
  private final TokenService tokens;
  private final Supplier<String> metrics;
  private final BooleanSupplier healthy;

  /**
   * @param config providers and secrets
   * @param tokens the token service of the app
   * @param metrics renders {@code /metrics}
   * @param healthy answers {@code /health}
   */
  public AuthBackend(AuthConfig config, TokenService tokens, Supplier<String> metrics, BooleanSupplier healthy) {
    this.config = config;
    this.tokens = tokens;
    this.metrics = metrics;
    this.healthy = healthy;
  }

  @Override
  public CompletionStage<Void> checkApp(String appId) {
    if (!appId.equals(tokens.appId())) {
      return CompletableFuture.failedFuture(appNotFound(appId));
    }
    return CompletableFuture.completedFuture(null);
  }

  private AppServicesException appNotFound(String appId) {
    return new AppServicesException(404, "AppNotFound", "app '" + appId + "' not found (expected: '" + tokens.appId() + "')");
  }

  @Override
  public CompletionStage<LoginResult> login(LoginRequest request) {
    try {
      if (!request.appId().equals(tokens.appId())) {
        throw appNotFound(request.appId());
      }
      if (request.link()) {
        throw new AppServicesException(400, "InvalidParameter", "linking identities is not supported by this server");
      }
      Map<String, String> data = new LinkedHashMap<>();
      String identity;
      switch (request.provider()) {
        case "anon-user":
          if (!config.anonymousEnabled()) {
            throw new AppServicesException(401, "AuthError", "login provider anon-user is disabled");
          }
          identity = TokenService.randomId(); // a new user per anonymous login
          break;
        case "api-key":
          identity = apiKey(request.field("key").orElseThrow(() -> missing("key")));
          break;
        case "custom-token":
          identity = customToken(request.field("token").orElseThrow(() -> missing("token")), data);
          break;
        default:
          throw new AppServicesException(400, "InvalidParameter",
              "login provider '" + request.provider() + "' is not supported (expected: anon-user, api-key or custom-token)");
      }
      String provider = request.provider();
      return CompletableFuture.completedFuture(
          new LoginResult(
              tokens.issueAccess(provider, identity, data),
              tokens.issueRefresh(provider, identity, data),
              TokenService.userId(provider, identity),
              TokenService.randomId()));
    } catch (AppServicesException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static AppServicesException missing(String field) {
    return new AppServicesException(400, "InvalidParameter", "login body: '" + field + "' missing (expected: a string)");
  }

  private String apiKey(String key) {
    byte[] given = key.getBytes(StandardCharsets.UTF_8);
    String found = null;
    for (Map.Entry<String, String> e : config.apiKeys().entrySet()) {
      // constant time per key: the comparison does not reveal how much of a key matched
      if (MessageDigest.isEqual(given, e.getValue().getBytes(StandardCharsets.UTF_8))) {
        found = e.getKey();
      }
    }
    if (found == null) {
      throw new AppServicesException(401, "AuthError", "api-key: unknown key");
    }
    return found;
  }

  private String customToken(String token, Map<String, String> data) {
    if (!config.customJwtEnabled()) {
      throw new AppServicesException(401, "AuthError", "login provider custom-token is disabled");
    }
    try {
      Jwt.Parsed p = Jwt.parse(token);
      boolean ok =
          config.customJwtHmacSecret() != null && Jwt.verifyHs256(p, config.customJwtHmacSecret())
              || config.customJwtPublicKey() != null && Jwt.verifyRs256(p, config.customJwtPublicKey());
      if (!ok) {
        throw new AppServicesException(401, "AuthError",
            "custom-token: signature does not verify (expected: " + (config.customJwtHmacSecret() != null ? "HS256" : "")
                + (config.customJwtHmacSecret() != null && config.customJwtPublicKey() != null ? " or " : "")
                + (config.customJwtPublicKey() != null ? "RS256" : "") + " with the configured key)");
      }
      ObjectNode c = p.claims();
      long exp = TokenService.longClaim(c, "exp", "custom");
      if (exp * 1000 <= config.clock().millis()) {
        throw new AppServicesException(401, "AuthError", "custom-token: expired at " + exp);
      }
      JsonNode nbf = c.get("nbf");
      if (nbf != null && nbf.isIntegralNumber() && nbf.asLong() * 1000 > config.clock().millis()) {
        throw new AppServicesException(401, "AuthError", "custom-token: not valid before " + nbf.asLong());
      }
      if (config.customJwtAudience() != null && !audienceMatches(c.get("aud"), config.customJwtAudience())) {
        throw new AppServicesException(401, "AuthError",
            "custom-token: aud " + c.get("aud") + " (expected: '" + config.customJwtAudience() + "')");
      }
      String sub = TokenService.textClaim(c, "sub", "custom");
      for (String key : List.of("name", "email")) {
        JsonNode v = c.get(key);
        if (v != null && v.isTextual()) {
          data.put(key, v.asText());
        }
      }
      return sub;
    } catch (TokenException e) {
      throw new AppServicesException(401, "AuthError", "custom-token: " + e.getMessage());
    }
  }

  private static boolean audienceMatches(JsonNode aud, String expected) {
    if (aud == null) {
      return false;
    }
    if (aud.isTextual()) {
      return aud.asText().equals(expected);
    }
    if (aud.isArray()) {
      for (JsonNode a : aud) {
        if (a.isTextual() && a.asText().equals(expected)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public CompletionStage<UserProfile> profile(String accessToken) {
    try {
      Principal p = tokens.verifyAccess(accessToken);
      Map<String, Object> data = new LinkedHashMap<>(p.userData());
      return CompletableFuture.completedFuture(
          new UserProfile(p.userId(), List.of(new UserProfile.Identity(p.identity(), p.provider())), data));
    } catch (TokenException e) {
      return CompletableFuture.failedFuture(invalidSession(e));
    }
  }

  @Override
  public CompletionStage<String> refreshAccessToken(String refreshToken) {
    try {
      return CompletableFuture.completedFuture(tokens.issueAccess(tokens.verifyRefresh(refreshToken)));
    } catch (TokenException e) {
      return CompletableFuture.failedFuture(invalidSession(e));
    }
  }

  @Override
  public CompletionStage<Void> logout(String refreshToken) {
    try {
      tokens.revoke(refreshToken);
      return CompletableFuture.completedFuture(null);
    } catch (TokenException e) {
      return CompletableFuture.failedFuture(invalidSession(e));
    }
  }

  private static AppServicesException invalidSession(TokenException e) {
    return new AppServicesException(401, "InvalidSession", e.getMessage());
  }

  @Override
  public CompletionStage<String> metrics() {
    return CompletableFuture.completedFuture(metrics.get());
  }

  @Override
  public CompletionStage<Boolean> healthy() {
    return CompletableFuture.completedFuture(healthy.getAsBoolean());
  }
}
