package io.tributary.server.internal.auth;

import io.tributary.transport.netty.server.UpgradeAuthorizer;
import io.tributary.transport.netty.server.UpgradeDecision;
import io.tributary.transport.netty.server.UpgradeRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides sync WebSocket upgrades (spec protocol.md §2.7, §3.3) from the {@code baas_at} access
 * token (or {@code Authorization: Bearer}):
 *
 * <ul>
 *   <li>an app id in the path other than the server's: <b>404</b> {@code AppNotFound} (as the
 *       location route answers; realm-core re-queries the location on a first failure, else stops);
 *   <li>no token, or one that is malformed, not signed by this server, expired or a refresh token:
 *       <b>401</b> {@code InvalidSession} (realm-core refreshes its access token and reconnects);
 *   <li>a valid token issued for another app: <b>403</b> {@code AccessDenied} (realm-core logs the
 *       user out: that user can never sync with this app).
 * </ul>
 *
 * Verified tokens come from the {@link TokenService}'s Caffeine cache. Thread safe.
 */
public final class SyncAuthorizer implements UpgradeAuthorizer {
  private final TokenService tokens;

  /** @param tokens verifies access tokens */
  public SyncAuthorizer(TokenService tokens) {
    this.tokens = tokens;
  }

  @Override
  public CompletionStage<UpgradeDecision> authorize(UpgradeRequest request) {
    return CompletableFuture.completedFuture(decide(request));
  }

  private UpgradeDecision decide(UpgradeRequest request) {
    if (!request.appId().equals(tokens.appId())) {
      return UpgradeDecision.reject(404, "app '" + request.appId() + "' not found (expected: '" + tokens.appId() + "')",
          "AppNotFound");
    }
    if (request.accessToken().isEmpty()) {
      return UpgradeDecision.reject(401, "access token: missing (expected: the baas_at query parameter)", "InvalidSession");
    }
    try {
      return UpgradeDecision.accept(tokens.verifyAccess(request.accessToken().get()));
    } catch (TokenException e) {
      if (e.kind() == TokenException.Kind.WRONG_AUDIENCE) {
        return UpgradeDecision.reject(403, e.getMessage(), "AccessDenied");
      }
      return UpgradeDecision.reject(401, e.getMessage(), "InvalidSession");
    }
  }
}
