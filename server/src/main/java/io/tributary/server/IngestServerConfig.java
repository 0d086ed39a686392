package io.tributary.server;

import io.tributary.protocol.message.CodecConfig;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.spi.IngestSink;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Configuration of an {@link IngestServer}. Immutable; build with {@link #newBuilder()} (a
 * builder is not thread safe; unset options take the defaults below).
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>{@link #appId()}</td><td>required: the app id clients use in their URLs</td></tr>
 *   <tr><td>{@link #sink()}</td><td>required: where objects go (the server closes it)</td></tr>
 *   <tr><td>{@link #schema()}, {@link #developmentMode()}</td><td>required schema unless
 *       development mode, which adopts (and persists) what clients declare</td></tr>
 *   <tr><td>{@link #auth()}</td><td>{@link AuthConfig} defaults (a random token secret)</td></tr>
 *   <tr><td>{@link #host()}, {@link #port()}</td><td>{@code 0.0.0.0}, 7800 (0: any free port)</td></tr>
 *   <tr><td>{@link #maxMessageBytes()}</td><td>32 MiB per WebSocket message</td></tr>
 *   <tr><td>{@link #maxBodyBytes()}</td><td>32 MiB per UPLOAD body after inflating</td></tr>
 *   <tr><td>{@link #maxChangesetBytes()}</td><td>32 MiB per changeset</td></tr>
 *   <tr><td>{@link #maxSessionsPerConnection()}</td><td>256</td></tr>
 *   <tr><td>{@link #maxQueuedBytesPerConnection()}</td><td>16 MiB received and not yet ingested
 *       before the connection's reading pauses (TCP back-pressure)</td></tr>
 *   <tr><td>{@link #idleTimeout()}</td><td>5 min without any message closes a connection</td></tr>
 *   <tr><td>{@link #workerThreads()}</td><td>the number of processors (event loops)</td></tr>
 *   <tr><td>{@link #clientFileCacheSize()}</td><td>100 000 client-file states cached</td></tr>
 *   <tr><td>{@link #stateRecovery()}</td><td>true: after the server's state was restored from an
 *       older backup, adopt the cursors a client proves with valid salts (spec protocol.md §7.4)
 *       instead of forcing a client reset</td></tr>
 *   <tr><td>{@link #checkFileOwner()}</td><td>true: a client file is bound only by the user that
 *       allocated it (error 223 otherwise)</td></tr>
 *   <tr><td>{@link #errorLogUrl()}</td><td>{@code ""}: the {@code logURL} of every JSON_ERROR, which
 *       realm-core appends to the error text an app sees ("... Logs: " and the link)</td></tr>
 *   <tr><td>{@link #publicBaseUrl()}, {@link #tlsContext()}</td><td>none: location answers are
 *       built from the request's Host header; plain TCP</td></tr>
 *   <tr><td>{@link #clock()}</td><td>system UTC</td></tr>
 * </table>
 */
public final class IngestServerConfig {
  /** Default port. */
  public static final int PORT_DEFAULT = 7800;
  /** Default largest message, body and changeset: 32 MiB. */
  public static final int MAX_BYTES_DEFAULT = 32 << 20;
  /** Default sessions per connection. */
  public static final int MAX_SESSIONS_PER_CONNECTION_DEFAULT = 256;
  /** Default queued bytes per connection before reading pauses: 16 MiB. */
  public static final long MAX_QUEUED_BYTES_DEFAULT = 16L << 20;
  /** Default queued messages per connection before reading pauses. */
  public static final int MAX_QUEUED_MESSAGES_DEFAULT = 1024;
  /** Longest {@link #errorLogUrl()} accepted, in chars. */
  public static final int MAX_ERROR_LOG_URL_CHARS = 2048;
  /** Default client-file cache entries. */
  public static final int CLIENT_FILE_CACHE_SIZE_DEFAULT = 100_000;

  private final String appId;
  private final IngestSink sink;
  private final AppSchema schema;
  private final boolean developmentMode;
  private final AuthConfig auth;
  private final String host;
  private final int port;
  private final int maxMessageBytes;
  private final int maxBodyBytes;
  private final int maxChangesetBytes;
  private final int maxSessionsPerConnection;
  private final long maxQueuedBytesPerConnection;
  private final int maxQueuedMessagesPerConnection;
  private final Duration idleTimeout;
  private final int workerThreads;
  private final int clientFileCacheSize;
  private final boolean stateRecovery;
  private final boolean checkFileOwner;
  private final String errorLogUrl;
  private final URI publicBaseUrl;
  private final SSLContext tlsContext;
  private final Clock clock;

  private IngestServerConfig(Builder b) {
    appId = b.appId;
    sink = b.sink;
    schema = b.schema;
    developmentMode = b.developmentMode;
    auth = b.auth != null ? b.auth : AuthConfig.newBuilder().clock(b.clock).build();
    host = b.host;
    port = b.port;
    maxMessageBytes = b.maxMessageBytes;
    maxBodyBytes = b.maxBodyBytes;
    maxChangesetBytes = b.maxChangesetBytes;
    maxSessionsPerConnection = b.maxSessionsPerConnection;
    maxQueuedBytesPerConnection = b.maxQueuedBytesPerConnection;
    maxQueuedMessagesPerConnection = b.maxQueuedMessagesPerConnection;
    idleTimeout = b.idleTimeout;
    workerThreads = b.workerThreads;
    clientFileCacheSize = b.clientFileCacheSize;
    stateRecovery = b.stateRecovery;
    checkFileOwner = b.checkFileOwner;
    errorLogUrl = b.errorLogUrl;
    publicBaseUrl = b.publicBaseUrl;
    tlsContext = b.tlsContext;
    clock = b.clock;
  }

  /** A builder with the defaults. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The app id. */
  public String appId() {
    return appId;
  }

  /** The sink (owned by the server once started). */
  public IngestSink sink() {
    return sink;
  }

  /** The configured app schema (possibly empty in development mode). */
  public AppSchema schema() {
    return schema;
  }

  /** Whether unknown classes and properties are adopted from clients (and persisted). */
  public boolean developmentMode() {
    return developmentMode;
  }

  /** Authentication. */
  public AuthConfig auth() {
    return auth;
  }

  /** Bind address. */
  public String host() {
    return host;
  }

  /** Port (0: any free port). */
  public int port() {
    return port;
  }

  /** Largest WebSocket message in bytes. */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Largest inflated UPLOAD body in bytes. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /** Largest changeset in bytes. */
  public int maxChangesetBytes() {
    return maxChangesetBytes;
  }

  /** Sessions per connection. */
  public int maxSessionsPerConnection() {
    return maxSessionsPerConnection;
  }

  /** Received, not yet ingested bytes per connection before its reading pauses. */
  public long maxQueuedBytesPerConnection() {
    return maxQueuedBytesPerConnection;
  }

  /** Received, not yet handled messages per connection before its reading pauses. */
  public int maxQueuedMessagesPerConnection() {
    return maxQueuedMessagesPerConnection;
  }

  /** Idle timeout of a sync connection. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Event loop threads. */
  public int workerThreads() {
    return workerThreads;
  }

  /** Client-file states cached. */
  public int clientFileCacheSize() {
    return clientFileCacheSize;
  }

  /** Whether IDENT cursors ahead of the server are adopted when their salts validate. */
  public boolean stateRecovery() {
    return stateRecovery;
  }

  /** Whether a client file may only be bound by the user that allocated it. */
  public boolean checkFileOwner() {
    return checkFileOwner;
  }

  /**
   * The {@code logURL} sent in every JSON_ERROR: where the server's operator keeps its logs (a log
   * search, a dashboard), or {@code ""} (the default). realm-core appends it to the error text it
   * hands the app, after "Logs: ".
   */
  public String errorLogUrl() {
    return errorLogUrl;
  }

  /** The public base URL for location answers, or {@code null}. */
  public URI publicBaseUrl() {
    return publicBaseUrl;
  }

  /** Server TLS, or {@code null} for plain TCP. */
  public SSLContext tlsContext() {
    return tlsContext;
  }

  /** Wall clock. */
  public Clock clock() {
    return clock;
  }

  /** The message codec limits. */
  CodecConfig codec() {
    return CodecConfig.newBuilder()
        .maxMessageSize(maxMessageBytes)
        .maxBodySize(maxBodyBytes)
        .maxChangesetSize(maxChangesetBytes)
        .build();
  }

  @Override
  public String toString() {
    return "IngestServerConfig{app=" + appId + ", sink=" + sink + ", schema=" + schema + ", developmentMode="
        + developmentMode + ", " + auth + ", listen=" + host + ":" + port + ", maxMessageBytes=" + maxMessageBytes
        + ", maxBodyBytes=" + maxBodyBytes + ", maxChangesetBytes=" + maxChangesetBytes
        + ", maxSessionsPerConnection=" + maxSessionsPerConnection + ", idleTimeout=" + idleTimeout + '}';
  }

  /** Builder of {@link IngestServerConfig}. Not thread safe. */
  public static final class Builder {
    private String appId;
    private IngestSink sink;
    private AppSchema schema = AppSchema.empty();
    private boolean developmentMode;
    private AuthConfig auth;
    private String host = "0.0.0.0";
    private int port = PORT_DEFAULT;
    private int maxMessageBytes = MAX_BYTES_DEFAULT;
    private int maxBodyBytes = MAX_BYTES_DEFAULT;
    private int maxChangesetBytes = MAX_BYTES_DEFAULT;
    private int maxSessionsPerConnection = MAX_SESSIONS_PER_CONNECTION_DEFAULT;
    private long maxQueuedBytesPerConnection = MAX_QUEUED_BYTES_DEFAULT;
    private int maxQueuedMessagesPerConnection = MAX_QUEUED_MESSAGES_DEFAULT;
    private Duration idleTimeout = Duration.ofMinutes(5);
    private int workerThreads = Runtime.getRuntime().availableProcessors();
    private int clientFileCacheSize = CLIENT_FILE_CACHE_SIZE_DEFAULT;
    private boolean stateRecovery = true;
    private boolean checkFileOwner = true;
    private String errorLogUrl = "";
    private URI publicBaseUrl;
    private SSLContext tlsContext;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * @param appId the app id, 1..256 characters of {@code [A-Za-z0-9._-]}
     * @throws IllegalArgumentException otherwise
     */
    public Builder appId(String appId) {
      Objects.requireNonNull(appId, "appId");
      if (!appId.matches("[A-Za-z0-9._-]{1,256}")) {
        throw new IllegalArgumentException("appId: '" + appId + "' (expected: 1..256 of A-Z a-z 0-9 . _ -)");
      }
      this.appId = appId;
      return this;
    }

    /** @param sink where objects go; the server closes it when it stops */
    public Builder sink(IngestSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** @param schema the app schema */
    public Builder schema(AppSchema schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    /** @param enabled whether to adopt unknown classes and properties from clients; default false */
    public Builder developmentMode(boolean enabled) {
      this.developmentMode = enabled;
      return this;
    }

    /** @param auth authentication settings */
    public Builder auth(AuthConfig auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /** @param host bind address; default 0.0.0.0 */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host: blank (expected: a host name or IP literal)");
      }
      this.host = host;
      return this;
    }

    /**
     * @param port 0..65535; default 7800
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
     * @param bytes largest WebSocket message, at least 1024; default 32 MiB
     * @throws IllegalArgumentException if smaller
     */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = atLeast("maxMessageBytes", bytes, 1024);
      return this;
    }

    /**
     * @param bytes largest inflated UPLOAD body, at least 1024; default 32 MiB
     * @throws IllegalArgumentException if smaller
     */
    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = atLeast("maxBodyBytes", bytes, 1024);
      return this;
    }

    /**
     * @param bytes largest changeset, at least 1024; default 32 MiB
     * @throws IllegalArgumentException if smaller
     */
    public Builder maxChangesetBytes(int bytes) {
      this.maxChangesetBytes = atLeast("maxChangesetBytes", bytes, 1024);
      return this;
    }

    /**
     * @param sessions sessions per connection, at least 1; default 256
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxSessionsPerConnection(int sessions) {
      this.maxSessionsPerConnection = atLeast("maxSessionsPerConnection", sessions, 1);
      return this;
    }

    /**
     * @param bytes queued bytes per connection before reading pauses, at least 64 KiB; default 16 MiB
     * @param messages queued messages per connection before reading pauses, at least 2; default 1024
     * @throws IllegalArgumentException if below the minimum
     */
    public Builder maxQueuedPerConnection(long bytes, int messages) {
      if (bytes < 64 * 1024) {
        throw new IllegalArgumentException("maxQueuedBytesPerConnection: " + bytes + " (expected: >= 65536)");
      }
      this.maxQueuedBytesPerConnection = bytes;
      this.maxQueuedMessagesPerConnection = atLeast("maxQueuedMessagesPerConnection", messages, 2);
      return this;
    }

    /**
     * @param timeout idle timeout of a sync connection, &gt; 0; default 5 min
     * @throws IllegalArgumentException if not positive
     */
    public Builder idleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout: " + timeout + " (expected: > 0)");
      }
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * @param threads event loop threads, 1..1024; default the number of processors
     * @throws IllegalArgumentException if out of range
     */
    public Builder workerThreads(int threads) {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("workerThreads: " + threads + " (expected: 1..1024)");
      }
      this.workerThreads = threads;
      return this;
    }

    /**
     * @param entries client-file states cached, at least 16; default 100 000
     * @throws IllegalArgumentException if smaller
     */
    public Builder clientFileCacheSize(int entries) {
      this.clientFileCacheSize = atLeast("clientFileCacheSize", entries, 16);
      return this;
    }

    /** @param enabled adopt IDENT cursors ahead of the server when salts validate; default true */
    public Builder stateRecovery(boolean enabled) {
      this.stateRecovery = enabled;
      return this;
    }

    /** @param enabled bind a client file only for the user that allocated it; default true */
    public Builder checkFileOwner(boolean enabled) {
      this.checkFileOwner = enabled;
      return this;
    }

    /**
     * @param url where the server's logs are (an absolute {@code http://} or {@code https://} URL of
     *     at most {@value #MAX_ERROR_LOG_URL_CHARS} chars), or {@code ""} for none; sent as the
     *     {@code logURL} of every JSON_ERROR
     * @throws IllegalArgumentException if {@code url} is neither
     */
    public Builder errorLogUrl(String url) {
      Objects.requireNonNull(url, "errorLogUrl");
      if (!url.isEmpty()) {
        if (url.length() > MAX_ERROR_LOG_URL_CHARS) {
          throw new IllegalArgumentException("errorLogUrl: " + url.length() + " chars (expected: at most "
              + MAX_ERROR_LOG_URL_CHARS + ")");
        }
        URI u;
        try {
          u = new URI(url);
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("errorLogUrl: not a URL: " + e.getMessage(), e);
        }
        String scheme = u.getScheme();
        if (!u.isAbsolute() || u.getHost() == null
            || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
          throw new IllegalArgumentException(
              "errorLogUrl: '" + url + "' (expected: an absolute http:// or https:// URL with a host, or \"\")");
        }
      }
      this.errorLogUrl = url;
      return this;
    }

    /** @param url public base URL for location answers ({@code http(s)://host[:port]}), or null */
    public Builder publicBaseUrl(URI url) {
      this.publicBaseUrl = url;
      return this;
    }

    /** @param context server TLS, or null for plain TCP */
    public Builder tlsContext(SSLContext context) {
      this.tlsContext = context;
      return this;
    }

    /** @param clock wall clock (tests); default system UTC */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @throws IllegalStateException if the app id or sink is missing, or there is no schema outside
     *     development mode
     */
    public IngestServerConfig build() {
      if (appId == null) {
        throw new IllegalStateException("appId: not set (expected: the app id)");
      }
      if (sink == null) {
        throw new IllegalStateException("sink: not set (expected: an IngestSink, e.g. LmdbIngestSink)");
      }
      if (schema.isEmpty() && !developmentMode) {
        throw new IllegalStateException(
            "schema: empty (expected: the app schema, or development mode to adopt the clients' schema)");
      }
      return new IngestServerConfig(this);
    }

    private static int atLeast(String what, int v, int min) {
      if (v < min) {
        throw new IllegalArgumentException(what + ": " + v + " (expected: >= " + min + ")");
      }
      return v;
    }
  }
}
