package io.tributary.transport.netty.server;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to {@code GET /api/client/v2.0/auth/profile} (spec protocol.md §2.4), sent as
 * {@code {"user_id":…, "identities":[{"id":…, "provider_type":…}], "data":{…}, "type":"normal"}}.
 *
 * @param userId the user id
 * @param identities at least the identity the user logged in with
 * @param data user metadata (e.g. {@code email}, {@code name}); values are written with Jackson
 *     (strings, numbers, booleans, lists, maps); may be empty
 */
public record UserProfile(String userId, List<Identity> identities, Map<String, Object> data) {

  /** Copies the collections. */
  public UserProfile {
    Objects.requireNonNull(userId, "userId");
    identities = List.copyOf(identities);
    data = Map.copyOf(data);
  }

  /**
   * One identity of a user.
   *
   * @param id the identity id
   * @param providerType the provider, e.g. {@code anon-user}, {@code custom-token}
   */
  public record Identity(String id, String providerType) {
    /** Checks for nulls. */
    public Identity {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(providerType, "providerType");
    }
  }
}
