package io.tributary.core;

import io.tributary.core.internal.StorageProviders;
import io.tributary.core.spi.Storage;
import io.tributary.core.spi.SyncTransport;
import io.tributary.core.spi.SyncTransportProvider;
import io.tributary.core.spi.UploadLogOptions;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Everything an {@link IngestRealm} is opened with: the schema, where its upload log lives, the
 * log's settings, the realm's limits, and the server it uploads to. Immutable and thread safe;
 * build with {@link #builder(Schema)}.
 *
 * <pre>{@code
 * IngestConfig config = IngestConfig.builder(schema)
 *     .storage(LmdbStorage.at(Path.of("data/ingest")))   // or .storage(URI.create("lmdb:data/ingest"))
 *     .logOptions(UploadLogOptions.newBuilder().maxBytes(256L << 20).build())
 *     .server(URI.create("http://127.0.0.1:7800"), "my-app")
 *     .credentials(Credentials.apiKey(key))
 *     .build();
 * }</pre>
 *
 * <p>Without {@link Builder#server} the realm is offline-only: it writes its log and never
 * connects. With it, the realm runs a sync session (see {@link IngestRealm}) over the configured
 * {@link Builder#transport transport}, or the {@link SyncTransportProvider} with the highest
 * priority found with {@link ServiceLoader} (for example {@code tributary-transport-netty} on the
 * class path).
 */
public final class IngestConfig {
  /** Default limit on one transaction's changeset: 16 MiB (realm-core's UPLOAD message limit). */
  public static final int MAX_CHANGESET_BYTES_DEFAULT = 16 << 20;
  /** The smallest {@link Builder#maxChangesetBytes} accepted. */
  public static final int MAX_CHANGESET_BYTES_MIN = 1024;
  /** The largest {@link Builder#maxChangesetBytes} accepted (the largest Java array). */
  public static final int MAX_CHANGESET_BYTES_MAX = Integer.MAX_VALUE - 8;

  private final Schema schema;
  private final Storage storage;
  private final String storageDescription;
  private final UploadLogOptions logOptions;
  private final int maxChangesetBytes;
  private final Clock clock;
  private final URI serverUrl;
  private final String appId;
  private final Credentials credentials;
  private final SyncOptions syncOptions;
  private final SyncTransport transport;
  private final SyncTransportProvider transportProvider;

  private IngestConfig(
      Builder b, Storage storage, int maxChangesetBytes, SyncTransportProvider transportProvider) {
    this.schema = b.schema;
    this.storage = storage;
    this.storageDescription = b.storageUri != null ? b.storageUri.toString() : storage.toString();
    this.logOptions = b.logOptions;
    this.maxChangesetBytes = maxChangesetBytes;
    this.clock = b.clock;
    this.serverUrl = b.serverUrl;
    this.appId = b.appId;
    this.credentials = b.credentials != null ? b.credentials : Credentials.anonymous();
    this.syncOptions = b.syncOptions != null ? b.syncOptions : SyncOptions.DEFAULT;
    this.transport = b.transport;
    this.transportProvider = transportProvider;
  }

  /**
   * A builder for a realm with this schema.
   *
   * @param schema the classes the realm writes: asymmetric classes and the embedded classes they
   *     use (checked when the realm opens)
   * @return a new builder
   */
  public static Builder builder(Schema schema) {
    return new Builder(Objects.requireNonNull(schema, "schema"));
  }

  /** The schema. */
  public Schema schema() {
    return schema;
  }

  /** Where the upload log lives (resolved from a URI if one was given). */
  public Storage storage() {
    return storage;
  }

  /** The upload log's settings. */
  public UploadLogOptions logOptions() {
    return logOptions;
  }

  /** The largest changeset one transaction may produce, in bytes. */
  public int maxChangesetBytes() {
    return maxChangesetBytes;
  }

  /** The clock of the changesets' origin timestamps (and of access-token expiry checks). */
  public Clock clock() {
    return clock;
  }

  /** Whether the realm uploads to a server ({@link Builder#server} was set). */
  public boolean isSyncEnabled() {
    return serverUrl != null;
  }

  /** The App Services base URL, e.g. {@code http://127.0.0.1:7800}, or {@code null} if offline. */
  public URI serverUrl() {
    return serverUrl;
  }

  /** The app id, or {@code null} if offline. */
  public String appId() {
    return appId;
  }

  /** The credentials (default {@link Credentials#anonymous()}). */
  public Credentials credentials() {
    return credentials;
  }

  /** The sync session's settings. */
  public SyncOptions syncOptions() {
    return syncOptions;
  }

  /** The transport passed to {@link Builder#transport}, or {@code null} (then: {@link #transportProvider()}). */
  public SyncTransport transport() {
    return transport;
  }

  /**
   * The provider the realm creates its own transport with, or {@code null} if a transport was
   * passed explicitly or the realm is offline.
   */
  public SyncTransportProvider transportProvider() {
    return transportProvider;
  }

  @Override
  public String toString() {
    return "IngestConfig{classes=" + schema.classes().size() + ", storage=" + storageDescription
        + ", logOptions=" + logOptions + ", maxChangesetBytes=" + maxChangesetBytes + ", clock="
        + clock + (serverUrl == null ? ", offline" : ", server=" + serverUrl + ", appId=" + appId
        + ", credentials=" + credentials + ", transport=" + (transport != null ? transport
        : transportProvider.name()) + ", syncOptions=" + syncOptions) + "}";
  }

  /**
   * Builds an {@link IngestConfig}. Not thread safe. Unset options take the documented defaults;
   * the storage has no default.
   */
  public static final class Builder {
    private final Schema schema;
    private Storage storage;
    private URI storageUri;
    private UploadLogOptions logOptions = UploadLogOptions.DEFAULT;
    private int maxChangesetBytes = -1;
    private Clock clock = Clock.systemUTC();
    private ClassLoader classLoader;
    private URI serverUrl;
    private String appId;
    private Credentials credentials;
    private SyncOptions syncOptions;
    private SyncTransport transport;

    private Builder(Schema schema) {
      this.schema = schema;
    }

    /**
     * The storage to open the upload log in, e.g. {@code MemoryStorage.create()} or {@code
     * LmdbStorage.at(path)}.
     *
     * @param storage the storage; the realm opens (and closes) its log
     * @return this builder
     * @throws IllegalStateException if a storage was already set
     */
    public Builder storage(Storage storage) {
      Objects.requireNonNull(storage, "storage");
      checkStorageUnset();
      this.storage = storage;
      return this;
    }

    /**
     * The storage as a URI, e.g. {@code lmdb:data/ingest} or {@code memory:test}, opened by the
     * {@link io.tributary.core.spi.StorageProvider} of its scheme found with {@link
     * java.util.ServiceLoader} (in the thread's context class loader, else core's) when {@link
     * #build()} runs.
     *
     * @param location an absolute URI with the storage's scheme
     * @return this builder
     * @throws IllegalStateException if a storage was already set
     */
    public Builder storage(URI location) {
      Objects.requireNonNull(location, "location");
      checkStorageUnset();
      this.storageUri = location;
      return this;
    }

    /**
     * The class loader in which {@link #storage(URI)} and a realm without {@link #transport} look
     * for providers.
     *
     * @param classLoader where to look
     * @return this builder
     */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
      return this;
    }

    private void checkStorageUnset() {
      if (storage != null || storageUri != null) {
        throw new IllegalStateException(
            "storage was already set to " + (storageUri != null ? storageUri : storage));
      }
    }

    /**
     * The upload log's settings. Default {@link UploadLogOptions#DEFAULT}.
     *
     * @param logOptions the settings
     * @return this builder
     */
    public Builder logOptions(UploadLogOptions logOptions) {
      this.logOptions = Objects.requireNonNull(logOptions, "logOptions");
      return this;
    }

    /**
     * The largest changeset one transaction may produce; a transaction that grows beyond it fails
     * with {@link ChangesetTooLargeException} and writes nothing. Default {@link
     * #MAX_CHANGESET_BYTES_DEFAULT}, or the log's {@link UploadLogOptions#maxBytes()} if that is
     * smaller.
     *
     * @param bytes {@link #MAX_CHANGESET_BYTES_MIN} to {@link #MAX_CHANGESET_BYTES_MAX}, and at
     *     most the log's bound (checked by {@link #build()})
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxChangesetBytes(int bytes) {
      if (bytes < MAX_CHANGESET_BYTES_MIN || bytes > MAX_CHANGESET_BYTES_MAX) {
        throw new IllegalArgumentException(
            "maxChangesetBytes: " + bytes + " (expected: " + MAX_CHANGESET_BYTES_MIN + ".."
                + MAX_CHANGESET_BYTES_MAX + ")");
      }
      this.maxChangesetBytes = bytes;
      return this;
    }

    /**
     * The clock of the origin timestamps (milliseconds since 2015-01-01). Default {@link
     * Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The server to upload to: the App Services HTTP base URL (location, login and token refresh
     * go there; the sync WebSocket URL comes from its location answer, spec protocol.md §2) and the
     * app id. Without this call the realm is offline-only.
     *
     * @param baseUrl {@code http://} or {@code https://} URL without query or fragment, e.g.
     *     {@code http://127.0.0.1:7800}
     * @param appId the app id; not empty
     * @return this builder
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL or the app id is
     *     empty
     */
    public Builder server(URI baseUrl, String appId) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(appId, "appId");
      String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null) {
        throw new IllegalArgumentException("baseUrl: " + baseUrl + " (expected: the App Services"
            + " HTTP base URL, http or https with a host, e.g. http://127.0.0.1:7800)");
      }
      if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "baseUrl: " + baseUrl + " has a query or fragment (expected: none)");
      }
      if (appId.isEmpty()) {
        throw new IllegalArgumentException("appId: empty (expected: the app id)");
      }
      this.serverUrl = baseUrl;
      this.appId = appId;
      return this;
    }

    /**
     * How the session obtains its access token. Default {@link Credentials#anonymous()}.
     *
     * @param credentials the credentials
     * @return this builder
     */
    public Builder credentials(Credentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * The sync session's settings. Default {@link SyncOptions#DEFAULT}.
     *
     * @param options the settings
     * @return this builder
     */
    public Builder syncOptions(SyncOptions options) {
      this.syncOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * The transport the session connects with. The realm borrows it: it does not close it, so one
     * transport (and its I/O threads) can serve many realms. Default: the realm creates its own
     * from the {@link SyncTransportProvider} with the highest priority found with {@link
     * ServiceLoader} (in {@link #classLoader}, else the thread's context class loader, else
     * core's), and closes it with the realm.
     *
     * @param transport the transport
     * @return this builder
     */
    public Builder transport(SyncTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * The configuration.
     *
     * @return a new immutable configuration
     * @throws IllegalStateException if no storage was set; if credentials, sync options or a
     *     transport were set without {@link #server}; or if the realm syncs, no transport was set
     *     and no {@link SyncTransportProvider} is on the class path
     * @throws IllegalArgumentException if no provider handles the storage URI's scheme, or {@code
     *     maxChangesetBytes} exceeds the log's bound
     */
    public IngestConfig build() {
      if (storage == null && storageUri == null) {
        throw new IllegalStateException(
            "storage: not set (expected: storage(Storage) or storage(URI))");
      }
      int max = maxChangesetBytes;
      if (max < 0) {
        max = (int) Math.min(MAX_CHANGESET_BYTES_DEFAULT, logOptions.maxBytes());
      } else if (max > logOptions.maxBytes()) {
        throw new IllegalArgumentException(
            "maxChangesetBytes: " + max + " (expected: at most logOptions.maxBytes "
                + logOptions.maxBytes() + ")");
      }
      Storage s = storage;
      if (s == null) {
        s = StorageProviders.resolve(storageUri, loader());
      }
      SyncTransportProvider provider = null;
      if (serverUrl == null) {
        if (credentials != null || transport != null || syncOptions != null) {
          throw new IllegalStateException("server: not set, but "
              + (credentials != null ? "credentials" : transport != null ? "a transport"
              : "sync options") + " were (expected: server(baseUrl, appId) for a realm that"
              + " syncs, nothing for an offline-only realm)");
        }
      } else if (transport == null) {
        provider = transportProvider(loader());
      }
      return new IngestConfig(this, s, max, provider);
    }

    private ClassLoader loader() {
      ClassLoader loader = classLoader;
      if (loader == null) {
        loader = Thread.currentThread().getContextClassLoader();
      }
      return loader != null ? loader : IngestConfig.class.getClassLoader();
    }

    private static SyncTransportProvider transportProvider(ClassLoader loader) {
      SyncTransportProvider best = null;
      for (SyncTransportProvider p : ServiceLoader.load(SyncTransportProvider.class, loader)) {
        if (best == null || p.priority() > best.priority()) {
          best = p;
        }
      }
      if (best == null) {
        throw new IllegalStateException("transport: no SyncTransportProvider on the class path"
            + " (expected: tributary-transport-netty as a dependency, or transport(...) set"
            + " explicitly)");
      }
      return best;
    }
  }
}
