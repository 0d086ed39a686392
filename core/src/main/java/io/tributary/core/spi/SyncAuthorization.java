package io.tributary.core.spi;

import java.net.URI;
import java.util.Objects;

/**
 * What a {@link CredentialsProvider} answers: the sync WebSocket URL and the access token that goes
 * into its {@code baas_at} query parameter (spec protocol.md §2.7, §3.1).
 *
 * @param syncUrl the sync route, {@code ws://} or {@code wss://}, without the token, e.g. {@code
 *     ws://127.0.0.1:7800/api/client/v2.0/app/my-app/realm-sync}
 * @param accessToken the access token, URL-safe (a JWT); not empty
 */
public record SyncAuthorization(URI syncUrl, String accessToken) {

  /**
   * @throws IllegalArgumentException if the URL is not {@code ws} or {@code wss}, has a fragment,
   *     or the token is empty
   */
  public SyncAuthorization {
    Objects.requireNonNull(syncUrl, "syncUrl");
    Objects.requireNonNull(accessToken, "accessToken");
    String scheme = syncUrl.getScheme();
    if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("syncUrl: " + scheme + " scheme (expected: ws or wss)");
    }
    if (syncUrl.getRawFragment() != null) {
      throw new IllegalArgumentException("syncUrl: has a fragment (expected: none)");
    }
    if (accessToken.isEmpty()) {
      throw new IllegalArgumentException("accessToken: empty (expected: a token)");
    }
  }

  /**
   * The URL the WebSocket opens: {@code syncUrl} with {@code baas_at=<token>} appended to its
   * query ({@code ?} or {@code &}). A JWT goes in as it is (its characters are URL-safe); any
   * other character outside {@code A-Z a-z 0-9 - . _ ~} is percent-encoded as UTF-8.
   *
   * @return the URL with the token
   */
  public URI urlWithToken() {
    StringBuilder sb = new StringBuilder(syncUrl.toString());
    sb.append(syncUrl.getRawQuery() == null ? '?' : '&').append("baas_at=");
    for (byte b : accessToken.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return URI.create(sb.toString());
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "SyncAuthorization{syncUrl=" + syncUrl + ", accessToken=<" + accessToken.length()
        + " chars>}";
  }
}
