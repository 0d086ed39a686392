package io.tributary.transport.netty.server;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Configuration of a {@link SyncServerEdge}. Immutable; build with {@link #newBuilder()}.
 *
 * <p>Every option has a default except the two the server must supply: {@link
 * Builder#upgradeAuthorizer} and {@link Builder#handlerFactory}.
 */
public final class EdgeConfig {
  /** Default bind address: every interface. */
  public static final String HOST_DEFAULT = "0.0.0.0";
  /** Default port. */
  public static final int PORT_DEFAULT = 7800;
  /**
   * Default largest incoming message: 32 MiB (an UPLOAD may exceed realm-core's 16 MiB batching
   * limit when one changeset is bigger, spec protocol.md §5.5, §11).
   */
  public static final int MAX_MESSAGE_BYTES_DEFAULT = 32 * 1024 * 1024;
  /** Default time allowed for one HTTP exchange or WebSocket upgrade: 30 s. */
  public static final Duration HANDSHAKE_TIMEOUT_DEFAULT = Duration.ofSeconds(30);
  /** Default idle timeout of an upgraded connection: 5 min (spec protocol.md §3.6). */
  public static final Duration IDLE_TIMEOUT_DEFAULT = Duration.ofMinutes(5);
  /** Default largest App Services request body: 64 KiB. */
  public static final int MAX_HTTP_BODY_BYTES_DEFAULT = 64 * 1024;
  /** Default outbound low-water mark: 64 KiB. */
  public static final int WRITE_BUFFER_LOW_WATER_MARK_DEFAULT = 64 * 1024;
  /** Default outbound high-water mark: 256 KiB. */
  public static final int WRITE_BUFFER_HIGH_WATER_MARK_DEFAULT = 256 * 1024;
  /** Default time {@link SyncServerEdge#close()} waits for the event loops: 10 s. */
  public static final Duration SHUTDOWN_TIMEOUT_DEFAULT = Duration.ofSeconds(10);

  private final String host;
  private final int port;
  private final String pathPrefix;
  private final URI publicBaseUrl;
  private final int maxMessageBytes;
  private final Duration handshakeTimeout;
  private final Duration idleTimeout;
  private final int maxHttpBodyBytes;
  private final SubprotocolSelector subprotocolSelector;
  private final SSLContext tlsContext;
  private final int workerThreads;
  private final int writeBufferLowWaterMark;
  private final int writeBufferHighWaterMark;
  private final Duration shutdownTimeout;
  private final UpgradeAuthorizer upgradeAuthorizer;
  private final EdgeHandler.Factory handlerFactory;
  private final AppServicesBackend appServicesBackend;

  private EdgeConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.pathPrefix = b.pathPrefix;
    this.publicBaseUrl = b.publicBaseUrl;
    this.maxMessageBytes = b.maxMessageBytes;
    this.handshakeTimeout = b.handshakeTimeout;
    this.idleTimeout = b.idleTimeout;
    this.maxHttpBodyBytes = b.maxHttpBodyBytes;
    this.subprotocolSelector = b.subprotocolSelector;
    this.tlsContext = b.tlsContext;
    this.workerThreads = b.workerThreads;
    this.writeBufferLowWaterMark = b.writeBufferLowWaterMark;
    this.writeBufferHighWaterMark = b.writeBufferHighWaterMark;
    this.shutdownTimeout = b.shutdownTimeout;
    this.upgradeAuthorizer = b.upgradeAuthorizer;
    this.handlerFactory = b.handlerFactory;
    this.appServicesBackend = b.appServicesBackend;
  }

  /** A builder with every default set. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A builder seeded with this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The address to bind, a host name or IP literal. */
  public String host() {
    return host;
  }

  /** The port to bind; 0 picks an ephemeral port ({@link SyncServerEdge#port()} tells which). */
  public int port() {
    return port;
  }

  /** A path prefix in front of every route ({@code ""} for none), e.g. {@code /tributary}. */
  public String pathPrefix() {
    return pathPrefix;
  }

  /**
   * The base URL clients reach this server at, used for the location answer (spec §2.2), or
   * {@code null} to build it from the request's {@code Host} header, the TLS setting and the
   * path prefix.
   */
  public URI publicBaseUrl() {
    return publicBaseUrl;
  }

  /** Largest incoming WebSocket message (after reassembly) and frame, in bytes. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /**
   * Time allowed for each HTTP exchange on a connection: from accepting the connection (TLS
   * included), or from the previous response, until the response (for an upgrade: the 101) is
   * written. Bounds slow clients, slow authorizers and idle keep-alive connections alike.
   */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** An upgraded connection that sends nothing (no frame of any kind) for this long is closed. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Largest App Services request body; a larger one is answered with 413. */
  public int maxHttpBodyBytes() {
    return maxHttpBodyBytes;
  }

  /** Chooses the subprotocol of each upgrade. */
  public SubprotocolSelector subprotocolSelector() {
    return subprotocolSelector;
  }

  /** The server TLS context, or {@code null} for plain TCP. */
  public SSLContext tlsContext() {
    return tlsContext;
  }

  /** Worker event loop threads (the acceptor has its own single thread). */
  public int workerThreads() {
    return workerThreads;
  }

  /** Outbound bytes below which a connection becomes writable again. */
  public int writeBufferLowWaterMark() {
    return writeBufferLowWaterMark;
  }

  /** Outbound bytes above which a connection is not writable. */
  public int writeBufferHighWaterMark() {
    return writeBufferHighWaterMark;
  }

  /** How long {@link SyncServerEdge#close()} waits for the event loops to stop. */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /** Decides upgrades. */
  public UpgradeAuthorizer upgradeAuthorizer() {
    return upgradeAuthorizer;
  }

  /** Creates the handler of each upgraded connection. */
  public EdgeHandler.Factory handlerFactory() {
    return handlerFactory;
  }

  /** Backs the App Services routes, or {@code null}: those routes then answer 404. */
  public AppServicesBackend appServicesBackend() {
    return appServicesBackend;
  }

  @Override
  public String toString() {
    return "EdgeConfig{host="
        + host
        + ", port="
        + port
        + ", pathPrefix='"
        + pathPrefix
        + "', publicBaseUrl="
        + publicBaseUrl
        + ", maxMessageBytes="
        + maxMessageBytes
        + ", handshakeTimeout="
        + handshakeTimeout
        + ", idleTimeout="
        + idleTimeout
        + ", maxHttpBodyBytes="
        + maxHttpBodyBytes
        + ", tls="
        + (tlsContext != null)
        + ", workerThreads="
        + workerThreads
        + ", writeBufferWaterMark="
        + writeBufferLowWaterMark
        + ".."
        + writeBufferHighWaterMark
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", appServices="
        + (appServicesBackend != null)
        + '}';
  }

  /**
   * Builder of {@link EdgeConfig}. Options not set keep the documented defaults. Not thread safe.
   */
  public static final class Builder {
    private String host = HOST_DEFAULT;
    private int port = PORT_DEFAULT;
    private String pathPrefix = "";
    private URI publicBaseUrl;
    private int maxMessageBytes = MAX_MESSAGE_BYTES_DEFAULT;
    private Duration handshakeTimeout = HANDSHAKE_TIMEOUT_DEFAULT;
    private Duration idleTimeout = IDLE_TIMEOUT_DEFAULT;
    private int maxHttpBodyBytes = MAX_HTTP_BODY_BYTES_DEFAULT;
    private SubprotocolSelector subprotocolSelector = SubprotocolSelector.flx(8, 14);
    private SSLContext tlsContext;
    private int workerThreads = Runtime.getRuntime().availableProcessors();
    private int writeBufferLowWaterMark = WRITE_BUFFER_LOW_WATER_MARK_DEFAULT;
    private int writeBufferHighWaterMark = WRITE_BUFFER_HIGH_WATER_MARK_DEFAULT;
    private Duration shutdownTimeout = SHUTDOWN_TIMEOUT_DEFAULT;
    private UpgradeAuthorizer upgradeAuthorizer;
    private EdgeHandler.Factory handlerFactory;
    private AppServicesBackend appServicesBackend;

    private Builder() {}

    private Builder(EdgeConfig c) {
      host = c.host;
      port = c.port;
      pathPrefix = c.pathPrefix;
      publicBaseUrl = c.publicBaseUrl;
      maxMessageBytes = c.maxMessageBytes;
      handshakeTimeout = c.handshakeTimeout;
      idleTimeout = c.idleTimeout;
      maxHttpBodyBytes = c.maxHttpBodyBytes;
      subprotocolSelector = c.subprotocolSelector;
      tlsContext = c.tlsContext;
      workerThreads = c.workerThreads;
      writeBufferLowWaterMark = c.writeBufferLowWaterMark;
      writeBufferHighWaterMark = c.writeBufferHighWaterMark;
      shutdownTimeout = c.shutdownTimeout;
      upgradeAuthorizer = c.upgradeAuthorizer;
      handlerFactory = c.handlerFactory;
      appServicesBackend = c.appServicesBackend;
    }

    /**
     * @param host bind address (host name or IP literal); default {@value #HOST_DEFAULT}
     * @throws IllegalArgumentException if blank
     */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host: blank (expected: a host name or IP literal)");
      }
      this.host = host;
      return this;
    }

    /**
     * @param port 0..65535 (0: ephemeral); default {@value #PORT_DEFAULT}
     * @throws IllegalArgumentException if out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
      }
      this.port = port;
      return this;
    }

    /**
     * @param pathPrefix {@code ""} or a path starting with {@code /} and not ending with one, e.g.
     *     {@code /tributary}; default {@code ""}
     * @throws IllegalArgumentException otherwise
     */
    public Builder pathPrefix(String pathPrefix) {
      Objects.requireNonNull(pathPrefix, "pathPrefix");
      if (!pathPrefix.isEmpty()
          && (!pathPrefix.startsWith("/") || pathPrefix.endsWith("/") || pathPrefix.contains("?"))) {
        throw new IllegalArgumentException(
            "pathPrefix: '" + pathPrefix + "' (expected: empty, or /segments without a trailing /)");
      }
      this.pathPrefix = pathPrefix;
      return this;
    }

    /**
     * @param publicBaseUrl {@code http(s)://host[:port][/prefix]} clients reach this server at, or
     *     {@code null} (default) to derive it from each request
     * @throws IllegalArgumentException if not an absolute http or https URL without query
     */
    public Builder publicBaseUrl(URI publicBaseUrl) {
      if (publicBaseUrl != null) {
        String scheme = publicBaseUrl.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)
            || publicBaseUrl.getHost() == null
            || publicBaseUrl.getRawQuery() != null
            || publicBaseUrl.getRawFragment() != null) {
          throw new IllegalArgumentException(
              "publicBaseUrl: " + publicBaseUrl + " (expected: http(s)://host[:port][/path])");
        }
      }
      this.publicBaseUrl = publicBaseUrl;
      return this;
    }

    /**
     * @param maxMessageBytes largest incoming message, at least 1024; default 32 MiB
     * @throws IllegalArgumentException if smaller than 1024
     */
    public Builder maxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes < 1024) {
        throw new IllegalArgumentException(
            "maxMessageBytes: " + maxMessageBytes + " (expected: >= 1024)");
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * @param handshakeTimeout &gt; 0; default 30 s
     * @throws IllegalArgumentException if not positive
     */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = positive("handshakeTimeout", handshakeTimeout);
      return this;
    }

    /**
     * @param idleTimeout &gt; 0; default 5 min
     * @throws IllegalArgumentException if not positive
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive("idleTimeout", idleTimeout);
      return this;
    }

    /**
     * @param maxHttpBodyBytes largest App Services request body, &gt;= 0; default 64 KiB
     * @throws IllegalArgumentException if negative
     */
    public Builder maxHttpBodyBytes(int maxHttpBodyBytes) {
      if (maxHttpBodyBytes < 0) {
        throw new IllegalArgumentException(
            "maxHttpBodyBytes: " + maxHttpBodyBytes + " (expected: >= 0)");
      }
      this.maxHttpBodyBytes = maxHttpBodyBytes;
      return this;
    }

    /** @param selector chooses subprotocols; default {@code SubprotocolSelector.flx(8, 14)} */
    public Builder subprotocolSelector(SubprotocolSelector selector) {
      this.subprotocolSelector = Objects.requireNonNull(selector, "selector");
      return this;
    }

    /**
     * @param tlsContext server TLS (its key managers hold the certificate), or {@code null}
     *     (default) for plain TCP
     */
    public Builder tlsContext(SSLContext tlsContext) {
      this.tlsContext = tlsContext;
      return this;
    }

    /**
     * @param workerThreads 1..1024; default the number of available processors
     * @throws IllegalArgumentException if out of range
     */
    public Builder workerThreads(int workerThreads) {
      if (workerThreads < 1 || workerThreads > 1024) {
        throw new IllegalArgumentException(
            "workerThreads: " + workerThreads + " (expected: 1..1024)");
      }
      this.workerThreads = workerThreads;
      return this;
    }

    /**
     * @param low bytes below which a connection becomes writable again, &gt;= 0; default 64 KiB
     * @param high bytes above which it is not writable, &gt;= low; default 256 KiB
     * @throws IllegalArgumentException if {@code low < 0} or {@code high < low}
     */
    public Builder writeBufferWaterMark(int low, int high) {
      if (low < 0 || high < low) {
        throw new IllegalArgumentException(
            "writeBufferWaterMark: " + low + ".." + high + " (expected: 0 <= low <= high)");
      }
      this.writeBufferLowWaterMark = low;
      this.writeBufferHighWaterMark = high;
      return this;
    }

    /**
     * @param shutdownTimeout &gt; 0; default 10 s
     * @throws IllegalArgumentException if not positive
     */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = positive("shutdownTimeout", shutdownTimeout);
      return this;
    }

    /** @param authorizer decides upgrades (required) */
    public Builder upgradeAuthorizer(UpgradeAuthorizer authorizer) {
      this.upgradeAuthorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /** @param factory creates a handler per upgraded connection (required) */
    public Builder handlerFactory(EdgeHandler.Factory factory) {
      this.handlerFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * @param backend backs the App Services routes, or {@code null} (default): they answer 404
     */
    public Builder appServicesBackend(AppServicesBackend backend) {
      this.appServicesBackend = backend;
      return this;
    }

    /**
     * @throws IllegalStateException if the authorizer or the handler factory is missing
     */
    public EdgeConfig build() {
      if (upgradeAuthorizer == null) {
        throw new IllegalStateException("upgradeAuthorizer: not set (expected: an authorizer)");
      }
      if (handlerFactory == null) {
        throw new IllegalStateException("handlerFactory: not set (expected: a factory)");
      }
      return new EdgeConfig(this);
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      return d;
    }
  }
}
