package io.tributary.server.internal.auth;

import java.util.Map;
import java.util.Objects;

/**
 * A verified user: who the token says it is.
 *
 * @param userId the user id ({@code sub})
 * @param provider the login provider, e.g. {@code anon-user}
 * @param identity the identity within the provider (anonymous id, api key name, custom JWT
 *     {@code sub})
 * @param expiresAtSeconds the token's {@code exp} (seconds since the Unix epoch)
 * @param userData profile data (e.g. {@code name}, {@code email}); strings only
 */
public record Principal(
    String userId, String provider, String identity, long expiresAtSeconds, Map<String, String> userData) {
  /** Copies the data. */
  public Principal {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(identity, "identity");
    userData = Map.copyOf(userData);
  }
}
