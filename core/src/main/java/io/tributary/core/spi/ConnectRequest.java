package io.tributary.core.spi;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * What a {@link SyncTransport} connects to and offers. Immutable; build with {@link #newBuilder}.
 *
 * <p>Defaults: a connect timeout of 120 s (realm-core's), a maximum incoming message size of 16 MiB,
 * the JDK's default {@link SSLContext} for {@code wss://}, no extra headers.
 */
public final class ConnectRequest {
  public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(120);
  public static final int MAX_MESSAGE_BYTES_DEFAULT = 16 * 1024 * 1024;

  private final URI uri;
  private final List<String> subprotocols;
  private final Map<String, String> headers;
  private final Duration connectTimeout;
  private final int maxMessageBytes;
  private final SSLContext sslContext;

  private ConnectRequest(Builder b) {
    this.uri = b.uri;
    this.subprotocols = List.copyOf(b.subprotocols);
    this.headers = Map.copyOf(b.headers);
    this.connectTimeout = b.connectTimeout;
    this.maxMessageBytes = b.maxMessageBytes;
    this.sslContext = b.sslContext;
  }

  /**
   * @param uri {@code ws://} or {@code wss://} URL including path and query (the access token
   *     travels as the {@code baas_at} query parameter, spec protocol.md §3.1)
   * @param subprotocols offered subprotocols, most preferred first
   */
  public static Builder newBuilder(URI uri, List<String> subprotocols) {
    return new Builder(uri, subprotocols);
  }

  public URI uri() {
    return uri;
  }

  public List<String> subprotocols() {
    return subprotocols;
  }

  /** Extra HTTP headers for the upgrade request (e.g. {@code User-Agent}). */
  public Map<String, String> headers() {
    return headers;
  }

  /** TCP + TLS + WebSocket handshake must complete within this time. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Largest incoming message accepted; a larger one closes the connection with an error. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** The TLS context for {@code wss://}, or {@code null} for the JDK default trust store. */
  public SSLContext sslContext() {
    return sslContext;
  }

  @Override
  public String toString() {
    // never print the query: it carries the access token
    return "ConnectRequest{uri="
        + uri.getScheme()
        + "://"
        + uri.getRawAuthority()
        + uri.getRawPath()
        + ", subprotocols="
        + subprotocols
        + ", connectTimeout="
        + connectTimeout
        + ", maxMessageBytes="
        + maxMessageBytes
        + '}';
  }

  /** Builder; not thread safe. */
  public static final class Builder {
    private final URI uri;
    private final List<String> subprotocols;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration connectTimeout = CONNECT_TIMEOUT_DEFAULT;
    private int maxMessageBytes = MAX_MESSAGE_BYTES_DEFAULT;
    private SSLContext sslContext;

    private Builder(URI uri, List<String> subprotocols) {
      this.uri = Objects.requireNonNull(uri, "uri");
      String scheme = uri.getScheme();
      if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException("uri: " + scheme + " scheme (expected: ws or wss)");
      }
      this.subprotocols = List.copyOf(subprotocols);
      if (this.subprotocols.isEmpty()) {
        throw new IllegalArgumentException("subprotocols: empty (expected: at least one)");
      }
    }

    public Builder header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException(
            "connectTimeout: " + connectTimeout + " (expected: > 0)");
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    public Builder maxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes < 1024) {
        throw new IllegalArgumentException(
            "maxMessageBytes: " + maxMessageBytes + " (expected: >= 1024)");
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /** @param sslContext the TLS context, or {@code null} for the JDK default */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    public ConnectRequest build() {
      return new ConnectRequest(this);
    }
  }
}
