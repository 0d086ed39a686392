package io.tributary.transport.netty.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The decisions behind the App Services HTTP routes (spec protocol.md §2): the edge parses the
 * request, bounds its size and writes the JSON answer; the backend decides.
 *
 * <p>Every method is called on an event loop and must not block: return a stage that completes
 * later. To refuse, complete the stage exceptionally (or throw) with an {@link
 * AppServicesException} carrying the HTTP status and error code; any other failure is answered
 * with HTTP 500 and a generic message (the cause is logged, not sent). Implementations are thread
 * safe.
 *
 * <table>
 *   <caption>Routes (under the configured path prefix)</caption>
 *   <tr><th>route</th><th>method</th><th>success</th></tr>
 *   <tr><td>{@code GET /api/client/v2.0/app/{app}/location}</td><td>{@link #checkApp}</td><td>200, built by the edge</td></tr>
 *   <tr><td>{@code POST …/app/{app}/auth/providers/{provider}/login}</td><td>{@link #login}</td><td>200</td></tr>
 *   <tr><td>{@code GET /api/client/v2.0/auth/profile}</td><td>{@link #profile}</td><td>200</td></tr>
 *   <tr><td>{@code POST /api/client/v2.0/auth/session}</td><td>{@link #refreshAccessToken}</td><td>201 {@code {"access_token":…}}</td></tr>
 *   <tr><td>{@code DELETE /api/client/v2.0/auth/session}</td><td>{@link #logout}</td><td>204</td></tr>
 *   <tr><td>{@code DELETE /api/client/v2.0/auth/delete}</td><td>{@link #deleteUser}</td><td>204</td></tr>
 *   <tr><td>{@code POST …/app/{app}/auth/providers/local-userpass/register}</td><td>{@link #register}</td><td>201</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>{@link #metrics}</td><td>200 text</td></tr>
 *   <tr><td>{@code GET /health}</td><td>{@link #healthy}</td><td>200 or 503</td></tr>
 * </table>
 *
 * <p>Routes that take a token (profile, session, delete) answer 401 {@code InvalidSession}
 * themselves when the request has no {@code Authorization: Bearer} header.
 */
public interface AppServicesBackend {

  /**
   * Whether the app exists; completes normally if it does, or with {@link AppServicesException}
   * (404 {@code AppNotFound}) if not. Default: every app exists.
   */
  default CompletionStage<Void> checkApp(String appId) {
    return CompletableFuture.completedFuture(null);
  }

  /** Logs a user in (spec §2.3). */
  CompletionStage<LoginResult> login(LoginRequest request);

  /**
   * The profile of the user an access token belongs to (spec §2.4).
   *
   * @param accessToken from {@code Authorization: Bearer}
   */
  CompletionStage<UserProfile> profile(String accessToken);

  /**
   * A new access token for a refresh token (spec §2.5).
   *
   * @param refreshToken from {@code Authorization: Bearer}
   * @return the new access token (a JWT with {@code exp} and {@code iat})
   */
  CompletionStage<String> refreshAccessToken(String refreshToken);

  /**
   * Ends the session a refresh token belongs to.
   *
   * @param refreshToken from {@code Authorization: Bearer}
   */
  CompletionStage<Void> logout(String refreshToken);

  /** Deletes the user an access token belongs to. Default: 404 (not supported). */
  default CompletionStage<Void> deleteUser(String accessToken) {
    return CompletableFuture.failedFuture(
        new AppServicesException(404, "NotFound", "deleting users is not supported by this server"));
  }

  /**
   * Registers an e-mail/password user. Default: 404 (not supported).
   *
   * @param appId the app id from the path
   * @param email the {@code email} field of the body
   * @param password the {@code password} field of the body
   */
  default CompletionStage<Void> register(String appId, String email, String password) {
    return CompletableFuture.failedFuture(
        new AppServicesException(
            404, "NotFound", "registering e-mail users is not supported by this server"));
  }

  /**
   * Metrics in the Prometheus text format, for {@code GET /metrics} ({@code Content-Type:
   * text/plain; version=0.0.4; charset=utf-8}). Default: 404.
   */
  default CompletionStage<String> metrics() {
    return CompletableFuture.failedFuture(
        new AppServicesException(404, "NotFound", "metrics are not enabled"));
  }

  /** Whether the server is healthy: {@code GET /health} answers 200 or 503. Default: true. */
  default CompletionStage<Boolean> healthy() {
    return CompletableFuture.completedFuture(true);
  }
}
