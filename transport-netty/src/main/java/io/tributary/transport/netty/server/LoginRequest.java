package io.tributary.transport.netty.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A login request: {@code POST …/app/{appId}/auth/providers/{provider}/login} (spec protocol.md
 * §2.3). Immutable.
 *
 * <p>Credential fields by provider: {@code anon-user} none; {@code local-userpass} {@code username}
 * and {@code password}; {@code custom-token} {@code token}; {@code api-key} {@code key}. The body
 * also holds {@code options.device} (string fields such as {@code platform}, {@code sdk}, {@code
 * coreVersion}); unknown fields must be ignored.
 *
 * @param appId the app id from the path
 * @param provider the provider name from the path, e.g. {@code anon-user}
 * @param body the parsed JSON object (never null; do not modify it)
 * @param link whether the query had {@code link=true} (linking an identity to a logged-in user)
 * @param bearerToken the {@code Authorization: Bearer} token (present when linking)
 * @param remoteAddress the client's address
 */
public record LoginRequest(
    String appId,
    String provider,
    JsonNode body,
    boolean link,
    Optional<String> bearerToken,
    InetSocketAddress remoteAddress) {

  /** Checks for nulls. */
  public LoginRequest {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(bearerToken, "bearerToken");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
  }

  /** A string field of the body (e.g. {@code "token"}, {@code "key"}), or empty. */
  public Optional<String> field(String name) {
    JsonNode n = body.get(name);
    return n != null && n.isTextual() ? Optional.of(n.asText()) : Optional.empty();
  }

  /** Never prints credentials. */
  @Override
  public String toString() {
    return "LoginRequest{appId=" + appId + ", provider=" + provider + ", link=" + link + '}';
  }
}
