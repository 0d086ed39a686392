package io.tributary.transport.netty.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A WebSocket upgrade request to the sync endpoint, as the {@link UpgradeAuthorizer} sees it.
 * Immutable.
 *
 * @param appId the {@code {appId}} path segment of {@code /api/client/v2.0/app/{appId}/realm-sync}
 * @param accessToken the token from the {@code baas_at} query parameter (spec protocol.md §2.7,
 *     percent-decoded, {@code +} kept as is), or else from {@code Authorization: Bearer <token>};
 *     empty if the request carries neither
 * @param path the request path (no query: it carries the token)
 * @param remoteAddress the client's address
 * @param headers every request header, names in lower case, values in order
 */
public record UpgradeRequest(
    String appId,
    Optional<String> accessToken,
    String path,
    InetSocketAddress remoteAddress,
    Map<String, List<String>> headers) {

  /** Copies {@code headers}, lower-casing the names. */
  public UpgradeRequest {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      copy.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .addAll(e.getValue());
    }
    copy.replaceAll((k, v) -> List.copyOf(v));
    headers = Collections.unmodifiableMap(copy);
  }

  /** The first value of a header (name case-insensitive), or empty. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "UpgradeRequest{appId="
        + appId
        + ", path="
        + path
        + ", token="
        + (accessToken.isPresent() ? "present" : "absent")
        + ", remote="
        + remoteAddress
        + '}';
  }
}
