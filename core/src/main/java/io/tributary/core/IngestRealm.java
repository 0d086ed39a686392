package io.tributary.core;

import io.tributary.core.internal.Committer;
import io.tributary.core.internal.SchemaChanges;
import io.tributary.core.internal.SchemaCodec;
import io.tributary.core.internal.SchemaModel;
import io.tributary.core.internal.WriteEngine;
import io.tributary.core.internal.auth.AppServicesCredentials;
import io.tributary.core.internal.sync.SyncSession;
import io.tributary.core.spi.CredentialsProvider;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.SyncTransport;
import io.tributary.core.spi.UploadLog;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An ingest realm: a schema of asymmetric classes and a durable upload log; apps create objects
 * in write transactions and the objects are streamed to the server.
 *
 * <pre>{@code
 * try (IngestRealm realm = IngestRealm.open(config)) {
 *   long version = realm.write(tx ->
 *       tx.create("Reading", ObjectId.get())
 *           .set("sensor", "t1")
 *           .set("value", 21.5)
 *           .set("ts", Instant.now())
 *           .embedded("location").set("lat", 52.1).set("lon", 4.3));
 * }
 * }</pre>
 *
 * <h2>Opening</h2>
 *
 * {@link #open} refuses schemas with top-level classes, opens the log and compares the schema
 * with the one stored in the log (its metadata): none stored → the schema changeset (AddTable /
 * AddColumn, spec changeset.md §9.1) is appended as the first entry (with 0 objects) and the
 * schema is stored; equal → nothing; only new classes or properties → a changeset with just the
 * additions is appended, as realm-core's additive mode does, and the new schema is stored;
 * anything removed or changed → {@link SchemaException} listing every difference, and the log is
 * left as it was. The schema changeset is appended before the schema is stored: a crash in between
 * appends it once more at the next open, which the server accepts (identical AddTable/AddColumn
 * are allowed, spec changeset.md §11.1).
 *
 * <h2>Writing</h2>
 *
 * {@link #write} runs a {@link Transaction} on the calling thread and commits it as one changeset
 * under the next client version; see {@link Transaction} for what the changeset contains. Any
 * number of threads may write at once: each encodes into its own buffer and the log serializes the
 * appends (concurrent commits may share one sync). When {@code write} returns, the changeset is as
 * durable as the log's {@link io.tributary.core.spi.Durability} says.
 *
 * <h2>Reading</h2>
 *
 * Asymmetric objects cannot be read, queried or deleted once written, as in every Realm SDK:
 * {@link #objects}, {@link #find} and {@link Transaction#delete} exist so that the mistake gets
 * Realm's message ({@link AsymmetricObjectException}).
 *
 * <h2>Sync</h2>
 *
 * With {@link IngestConfig.Builder#server} the realm runs a sync session on its own thread ({@code
 * tributary-sync-N}) from {@link #open} to {@link #close}: it logs in (see {@link Credentials}),
 * connects, binds its client file (obtaining an ident from the server the first time), and uploads
 * the log's entries oldest first, several UPLOAD messages in flight, each commit at once; the
 * server's acknowledgements delete the entries from the log. Lost connections, server restarts and
 * refused tokens are handled by reconnecting with backoff (spec protocol.md §3.6) and resuming
 * after the acknowledged version; a realm reopened after a crash resumes with what its log holds.
 * Errors the session cannot recover from (the server refuses the schema, the credentials are
 * refused, the server breaks the protocol) stop it: {@link #waitForUploadCompletion} then throws
 * that {@link SyncException}, and the entries stay in the log. {@link #close} ends the session
 * (UNBIND, then up to {@link SyncOptions#closeTimeout()} for the server's answer) before it closes
 * the log. Without a server the realm is offline-only: it only fills its log.
 *
 * <p>Thread safe. Null arguments throw {@link NullPointerException}.
 */
public final class IngestRealm implements AutoCloseable {
  private final IngestConfig config;
  private final UploadLog log;
  private final Committer committer;
  private final WriteEngine engine;
  private final SchemaModel model;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Sync sync;

  /** The sync parts a realm owns (null members are borrowed or absent). */
  private record Sync(
      SyncSession session, CredentialsProvider ownedCredentials, SyncTransport ownedTransport) {}

  private IngestRealm(
      IngestConfig config, UploadLog log, Committer committer, SchemaModel model, Sync sync) {
    this.config = config;
    this.log = log;
    this.committer = committer;
    this.model = model;
    this.engine = new WriteEngine(model, committer, config.maxChangesetBytes());
    this.sync = sync;
  }

  /**
   * Opens the realm: checks the schema, opens the upload log and brings the log's schema up to
   * date (see the class comment).
   *
   * @param config what to open
   * @return the open realm; close it
   * @throws SchemaException if the schema has a top-level class, or is not an additive change of
   *     the schema stored in the log
   * @throws io.tributary.core.spi.UploadLogException if the log cannot be opened or written (for
   *     example {@code LogCorruptException} for a damaged stored schema)
   * @throws io.tributary.core.spi.SyncTransportException if the transport provider cannot create
   *     a transport
   */
  public static IngestRealm open(IngestConfig config) {
    Objects.requireNonNull(config, "config");
    Schema schema = config.schema();
    for (ObjectSchema c : schema.classes()) {
      if (c.kind() == ObjectSchema.Kind.TOP_LEVEL) {
        throw new SchemaException(
            c.name() + ": top-level class in an ingest realm, which holds asymmetric classes and"
                + " the embedded classes they use only (expected: open the top-level classes in a"
                + " separate realm)");
      }
    }
    SchemaModel model = new SchemaModel(schema);
    UploadLog log = config.storage().open(config.logOptions());
    Sync sync = null;
    try {
      Committer committer = new Committer(log, config.clock());
      updateStoredSchema(log, committer, schema);
      if (config.isSyncEnabled()) {
        sync = startSync(config, log, committer);
      }
      return new IngestRealm(config, log, committer, model, sync);
    } catch (RuntimeException | Error e) {
      try {
        log.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Creates the transport and credentials (unless borrowed) and starts the session. */
  private static Sync startSync(IngestConfig config, UploadLog log, Committer committer) {
    SyncOptions options = config.syncOptions();
    SyncTransport ownedTransport = null;
    CredentialsProvider ownedCredentials = null;
    try {
      SyncTransport transport = config.transport();
      if (transport == null) {
        transport = ownedTransport = config.transportProvider().create();
      }
      Credentials c = config.credentials();
      CredentialsProvider credentials =
          switch (c.kind()) {
            case PROVIDER -> c.provider();
            case ACCESS_TOKEN -> ownedCredentials =
                AppServicesCredentials.suppliedToken(config.serverUrl(), config.appId(),
                    c.tokenSupplier(), config.clock(), options.connectTimeout(),
                    options.sslContext());
            case ANONYMOUS, CUSTOM_JWT, API_KEY -> ownedCredentials =
                AppServicesCredentials.login(config.serverUrl(), config.appId(),
                    c.kind().providerName(), loginField(c.kind()), c.secret(), config.clock(),
                    options.connectTimeout(), options.sslContext(), identityStore(log));
          };
      SyncSession session = SyncSession.create(log, transport, credentials, options, 0);
      committer.addListener(session.commitListener());
      session.start();
      return new Sync(session, ownedCredentials, ownedTransport);
    } catch (RuntimeException | Error e) {
      if (ownedCredentials != null) {
        ownedCredentials.close();
      }
      if (ownedTransport != null) {
        ownedTransport.close();
      }
      throw e;
    }
  }

  /** The anonymous identity lives in the log's metadata, beside the client file it owns. */
  private static AppServicesCredentials.IdentityStore identityStore(UploadLog log) {
    return new AppServicesCredentials.IdentityStore() {
      @Override
      public byte[] load() {
        return log.metadata().identity();
      }

      @Override
      public void save(byte[] identity) {
        log.storeIdentity(ByteBuffer.wrap(identity));
      }
    };
  }

  private static String loginField(Credentials.Kind kind) {
    return switch (kind) {
      case CUSTOM_JWT -> "token";
      case API_KEY -> "key";
      default -> null;
    };
  }

  private static void updateStoredSchema(UploadLog log, Committer committer, Schema schema) {
    byte[] stored = log.metadata().schema();
    Schema old = stored == null || stored.length == 0 ? null : SchemaCodec.decode(stored);
    if (old != null) {
      List<String> problems = SchemaChanges.incompatibilities(old, schema);
      if (!problems.isEmpty()) {
        throw new SchemaException(
            "schema: does not match the schema this log was created with: "
                + String.join("; ", problems) + " (expected: the stored schema plus new classes"
                + " and properties only; write changed classes to a new log)");
      }
    }
    if (old == null || SchemaChanges.hasAdditions(old, schema)) {
      ArrayByteSink sink = new ArrayByteSink();
      ChangesetWriter w = new ChangesetWriter(sink);
      SchemaChanges.write(w, schema, old);
      w.finish();
      committer.commit(sink.asByteBuffer(), 0);
    }
    byte[] encoded = SchemaCodec.encode(schema);
    if (!Arrays.equals(stored, encoded)) {
      log.storeSchema(ByteBuffer.wrap(encoded));
    }
  }

  /**
   * Runs {@code body} as one write transaction on the calling thread and commits what it created
   * as one changeset. If {@code body} throws, nothing is written and the exception propagates.
   *
   * @param body creates objects through the {@link Transaction}; the transaction and its writers
   *     are valid only until it returns
   * @return the client version the log assigned to the changeset, or 0 if {@code body} created no
   *     object (then nothing is appended)
   * @throws IllegalStateException if the realm is closed, or this thread is already inside a
   *     {@code write} of this realm
   * @throws ChangesetTooLargeException if the changeset exceeds {@link
   *     IngestConfig#maxChangesetBytes()}
   * @throws io.tributary.core.spi.UploadLogException if the log refused the append (full, closed,
   *     timed out, failed)
   */
  public long write(Consumer<? super Transaction> body) {
    checkOpen("write");
    return engine.write(body);
  }

  /** The realm's schema. */
  public Schema schema() {
    return config.schema();
  }

  /** The configuration the realm was opened with. */
  public IngestConfig config() {
    return config;
  }

  /**
   * Always fails: asymmetric objects cannot be queried.
   *
   * @param className a class of the schema
   * @return never returns normally
   * @throws AsymmetricObjectException always ({@code "Queries on asymmetric objects are not
   *     allowed: Reading"})
   * @throws IllegalArgumentException if the class is not in the schema
   * @throws IllegalStateException if the realm is closed
   */
  public Iterable<Object> objects(String className) {
    throw queryError(className);
  }

  /**
   * Always fails: asymmetric objects cannot be looked up by primary key.
   *
   * @param className a class of the schema
   * @param primaryKey the key (may be null)
   * @return never returns normally
   * @throws AsymmetricObjectException always
   * @throws IllegalArgumentException if the class is not in the schema
   * @throws IllegalStateException if the realm is closed
   */
  public Object find(String className, Object primaryKey) {
    throw queryError(className);
  }

  private RuntimeException queryError(String className) {
    Objects.requireNonNull(className, "className");
    checkOpen("query");
    ObjectSchema c = schema().get(className);
    if (c == null) {
      return new IllegalArgumentException(
          "Unknown class '" + className + "' (expected a class of the schema)");
    }
    return new AsymmetricObjectException(
        c.kind() == ObjectSchema.Kind.EMBEDDED
            ? "Embedded objects cannot be queried directly: " + className
            : "Queries on asymmetric objects are not allowed: " + className);
  }

  /**
   * Waits until the server has acknowledged everything committed before this call (spec
   * protocol.md §8.4): returns when a DOWNLOAD's {@code upload_client_version} reaches the newest
   * log entry's version as of the call, at once if the log is empty. Always ends: normally, with
   * {@link SyncTimeoutException}, or with the fatal {@link SyncException} that stopped the session
   * (also when it stopped before the call).
   *
   * <p>The server holds the acknowledged objects durably when this returns; deleting them from the
   * local log follows, as soon as the session has nothing else queued ({@link #uploadProgress()}
   * already counts them as gone, and {@link #close()} completes a delete still pending). If the
   * process dies in between, the next open sends them again and the server discards them as
   * already integrated.
   *
   * @param timeout how long to wait, >= 0
   * @throws SyncTimeoutException if the time ran out (the session keeps uploading)
   * @throws SyncException if a fatal error stopped the session (a copy, with the session's error as
   *     its cause), or the realm was closed meanwhile ({@link SyncException.Category#CLOSED})
   * @throws InterruptedException if the thread was interrupted while waiting
   * @throws IllegalStateException if the realm is closed or has no server (offline-only)
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public void waitForUploadCompletion(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
    }
    SyncSession session = requireSync("waitForUploadCompletion");
    long target = uploadTarget();
    CompletableFuture<Void> f = session.uploadCompletion(target);
    try {
      f.get(Math.max(0, saturatedNanos(timeout)), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      LogStats s = log.stats();
      throw new SyncTimeoutException("waitForUploadCompletion: client version " + target
          + " not acknowledged after " + timeout + " (acknowledged: " + session.acknowledgedVersion()
          + ", entries in the log: " + s.entryCount() + ", connection: "
          + session.connectionState() + ")");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SyncException s) {
        throw s.rethrowable();
      }
      throw new IllegalStateException("waitForUploadCompletion: " + cause, cause);
    }
  }

  /**
   * The asynchronous {@link #waitForUploadCompletion}: the future completes when the server has
   * acknowledged everything committed before this call, or fails with the fatal {@link
   * SyncException} that stopped the session (or closed it). It has no timeout of its own (use
   * {@link CompletableFuture#orTimeout}); dependent actions may run on the sync session thread and
   * must not block.
   *
   * @return the future
   * @throws IllegalStateException if the realm is closed or has no server (offline-only)
   */
  public CompletableFuture<Void> waitForUploadCompletionAsync() {
    SyncSession session = requireSync("waitForUploadCompletionAsync");
    return session.uploadCompletion(uploadTarget());
  }

  /** The newest entry's version, or 0 for an empty log (complete at once). */
  private long uploadTarget() {
    LogStats s = log.stats();
    return s.entryCount() == 0 ? 0 : s.lastVersion();
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * The state of the connection to the server ({@link ConnectionState#DISCONNECTED} for an
   * offline-only realm).
   *
   * @return the state last reported to the listeners
   */
  public ConnectionState connectionState() {
    return sync == null ? ConnectionState.DISCONNECTED : sync.session().connectionState();
  }

  /**
   * The fatal error that stopped the sync session, or {@code null} while it runs (and for an
   * offline-only realm).
   *
   * @return the error, or {@code null}
   */
  public SyncException syncError() {
    return sync == null ? null : sync.session().fatalError();
  }

  /**
   * How much of the log waits for upload and how much the server acknowledged since the realm was
   * opened: the snapshot last given to the {@link UploadProgressListener}s, updated on the sync
   * session thread after every acknowledgement and commit it sees (so it may trail a commit that
   * just returned by a few milliseconds). Before the first update, and for an offline-only realm,
   * the log's current pending counts with nothing acknowledged. Any thread.
   *
   * @return the progress, never {@code null}
   * @throws IllegalStateException if the realm is closed
   */
  public UploadProgress uploadProgress() {
    checkOpen("uploadProgress");
    UploadProgress p = sync == null ? null : sync.session().uploadProgress();
    if (p == null) {
      LogStats s = log.stats();
      p = new UploadProgress(s.entryCount(), s.sizeBytes(), s.pendingObjects(), 0, 0,
          log.metadata().progress().uploadClientVersion());
    }
    return p;
  }

  /**
   * How many WebSocket connections to the server the sync session established since the realm was
   * opened (each one after the first is a reconnect: after a network loss, a server restart, a
   * token refresh, a PONG timeout...). 0 for an offline-only realm. Any thread; also after {@link
   * #close()}.
   *
   * @return the number of connections, >= 0
   */
  public long connectionCount() {
    return sync == null ? 0 : sync.session().connectionCount();
  }

  /**
   * Adds a listener for connection state changes and sync errors; it runs on the realm's sync
   * session thread (see {@link ConnectionStateListener}). Never called for an offline-only realm.
   *
   * @param listener the listener
   */
  public void addConnectionStateListener(ConnectionStateListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (sync != null) {
      sync.session().addConnectionStateListener(listener);
    }
  }

  /**
   * Removes a listener added with {@link #addConnectionStateListener}; no-op if absent.
   *
   * @param listener the listener
   */
  public void removeConnectionStateListener(ConnectionStateListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (sync != null) {
      sync.session().removeConnectionStateListener(listener);
    }
  }

  /**
   * Adds an upload progress listener; it runs on the realm's sync session thread (see {@link
   * UploadProgressListener}), first soon after this call, then after acknowledgements and new
   * commits. Never called for an offline-only realm.
   *
   * @param listener the listener
   */
  public void addUploadProgressListener(UploadProgressListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (sync != null) {
      sync.session().addUploadProgressListener(listener);
    }
  }

  /**
   * Removes a listener added with {@link #addUploadProgressListener}; no-op if absent.
   *
   * @param listener the listener
   */
  public void removeUploadProgressListener(UploadProgressListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (sync != null) {
      sync.session().removeUploadProgressListener(listener);
    }
  }

  private SyncSession requireSync(String method) {
    checkOpen(method);
    if (sync == null) {
      throw new IllegalStateException(method + ": the realm has no server (expected: a realm"
          + " opened with IngestConfig.Builder.server(baseUrl, appId))");
    }
    return sync.session();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes the realm: refuses further writes, ends the sync session (UNBIND, then up to {@link
   * SyncOptions#closeTimeout()} for the server's answer; waiters fail with a {@link
   * SyncException} of category {@link SyncException.Category#CLOSED}), closes the credentials and
   * the transport the realm created, and closes the upload log. What was not acknowledged stays in
   * the log for the next open. Idempotent. A transaction committing concurrently either completes
   * or fails with an exception (nothing half-written). Must not be called from a listener.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      engine.close();
      if (sync != null) {
        try {
          sync.session().close();
        } finally {
          if (sync.ownedCredentials() != null) {
            sync.ownedCredentials().close();
          }
          if (sync.ownedTransport() != null) {
            sync.ownedTransport().close();
          }
        }
      }
      log.close();
    }
  }

  private void checkOpen(String method) {
    if (closed.get()) {
      throw new IllegalStateException(
          method + ": the IngestRealm is closed (expected: an open realm)");
    }
  }

  /** The upload log: the seam through which the sync session reads and acknowledges. */
  UploadLog log() {
    return log;
  }

  /** The committer: the sync session registers its {@code CommitListener} here. */
  Committer committer() {
    return committer;
  }

  /** The sync session, or {@code null} for an offline-only realm. */
  SyncSession session() {
    return sync == null ? null : sync.session();
  }

  SchemaModel model() {
    return model;
  }

  WriteEngine engine() {
    return engine;
  }

  @Override
  public String toString() {
    return "IngestRealm{" + (closed.get() ? "closed" : "open") + ", " + config + "}";
  }
}
