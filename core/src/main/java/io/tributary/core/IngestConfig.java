package io.tributary.core;

import io.tributary.core.internal.StorageProviders;
import io.tributary.core.spi.Storage;
import io.tributary.core.spi.UploadLogOptions;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;

/**
 * Everything an {@link IngestRealm} is opened with: the schema, where its upload log lives, the
 * log's settings and the realm's limits. Immutable and thread safe; build with {@link
 * #builder(Schema)}.
 *
 * <pre>{@code
 * IngestConfig config = IngestConfig.builder(schema)
 *     .storage(LmdbStorage.at(Path.of("data/ingest")))   // or .storage(URI.create("lmdb:data/ingest"))
 *     .logOptions(UploadLogOptions.newBuilder().maxBytes(256L << 20).build())
 *     .build();
 * }</pre>
 *
 * <p>The sync settings (server, app id, credentials) are added with the sync session.
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

  private IngestConfig(Builder b, Storage storage, int maxChangesetBytes) {
    this.schema = b.schema;
    this.storage = storage;
    this.storageDescription = b.storageUri != null ? b.storageUri.toString() : storage.toString();
    this.logOptions = b.logOptions;
    this.maxChangesetBytes = maxChangesetBytes;
    this.clock = b.clock;
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

  /** The clock of the changesets' origin timestamps. */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "IngestConfig{classes=" + schema.classes().size() + ", storage=" + storageDescription
        + ", logOptions=" + logOptions + ", maxChangesetBytes=" + maxChangesetBytes + ", clock="
        + clock + "}";
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
     * The class loader in which {@link #storage(URI)} looks for providers.
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
     * The configuration.
     *
     * @return a new immutable configuration
     * @throws IllegalStateException if no storage was set
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
        ClassLoader loader = classLoader;
        if (loader == null) {
          loader = Thread.currentThread().getContextClassLoader();
        }
        if (loader == null) {
          loader = IngestConfig.class.getClassLoader();
        }
        s = StorageProviders.resolve(storageUri, loader);
      }
      return new IngestConfig(this, s, max);
    }
  }
}
