package io.tributary.transport.netty.server;

import java.util.Objects;

/**
 * A successful login, sent as {@code {"access_token":…, "refresh_token":…, "user_id":…,
 * "device_id":…}} (spec protocol.md §2.3). Both tokens must be JWTs whose payload has integer
 * {@code exp} and {@code iat} claims (§2.5): realm-core refuses the login otherwise.
 *
 * @param accessToken the access token (JWT)
 * @param refreshToken the refresh token (JWT)
 * @param userId the user id
 * @param deviceId the device id
 */
public record LoginResult(String accessToken, String refreshToken, String userId, String deviceId) {

  /** Checks for nulls. */
  public LoginResult {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(refreshToken, "refreshToken");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(deviceId, "deviceId");
  }

  /** Never prints the tokens. */
  @Override
  public String toString() {
    return "LoginResult{userId=" + userId + ", deviceId=" + deviceId + '}';
  }
}
