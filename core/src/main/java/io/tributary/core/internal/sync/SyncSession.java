package io.tributary.core.internal.sync;

import io.tributary.core.ClientResetMode;
import io.tributary.core.ConnectionState;
import io.tributary.core.ConnectionStateListener;
import io.tributary.core.SyncException;
import io.tributary.core.SyncException.Category;
import io.tributary.core.SyncOptions;
import io.tributary.core.Ticker;
import io.tributary.core.UploadProgress;
import io.tributary.core.UploadProgressListener;
import io.tributary.core.internal.CommitListener;
import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.CredentialsProvider;
import io.tributary.core.spi.CredentialsProvider.Refresh;
import io.tributary.core.spi.EntryVisitor;
import io.tributary.core.spi.LogEntry;
import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.SyncAuthorization;
import io.tributary.core.spi.SyncConnection;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.SyncTransport;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogException;
import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import io.tributary.protocol.ProtocolVersion;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.BindParameters;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.ClientJsonErrorMessage;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.DownloadCursor;
import io.tributary.protocol.message.DownloadMessage.BatchState;
import io.tributary.protocol.message.ErrorMessage;
import io.tributary.protocol.message.JsonErrorBody;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.LogMessage;
import io.tributary.protocol.message.MarkMessage;
import io.tributary.protocol.message.MessageBuffer;
import io.tributary.protocol.message.MessageDecoder;
import io.tributary.protocol.message.MessageEncoder;
import io.tributary.protocol.message.MessageType;
import io.tributary.protocol.message.PingMessage;
import io.tributary.protocol.message.PongMessage;
import io.tributary.protocol.message.QueryErrorMessage;
import io.tributary.protocol.message.ServerIdentMessage;
import io.tributary.protocol.message.ServerMessage;
import io.tributary.protocol.message.Subprotocols;
import io.tributary.protocol.message.TestCommandMessage;
import io.tributary.protocol.message.UnbindMessage;
import io.tributary.protocol.message.UnboundMessage;
import io.tributary.protocol.message.UploadBuilder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * The client sync session of one realm: one WebSocket connection carrying one session that uploads
 * the realm's {@link UploadLog} (spec protocol.md §2–§3, §5, §8.2, §8.4, §8.7, §10).
 *
 * <h2>Threads</h2>
 *
 * One owner thread ({@code tributary-sync-<ident>}) runs {@link #runOnce()}, a step function that
 * handles the queued events (transport callbacks, credential answers, close requests, commit
 * signals) and the due timers, then sends what the log holds. Transport and credential callbacks
 * only copy what they receive into an event and wake the thread; application threads only post
 * events, signal commits and wait on futures. No lock is held across I/O; listeners run on the
 * owner thread with no lock held. Tests drive {@link #runOnce()} themselves ({@link #manual}).
 *
 * <h2>States</h2>
 *
 * <pre>
 *   connection:  WAITING --timer--> AUTHORIZING --token--> CONNECTING --101--> CONNECTED
 *                   ^                    |                     |                  |
 *                   +---- backoff / at once (token refresh) ---+------------------+
 *                STOPPED (fatal error; waits for close)     CLOSED (after close)
 *
 *   session (while CONNECTED):
 *     (BIND sent) --no ident--> WAIT_IDENT --server IDENT: persist, IDENT--> ACTIVE
 *                 --ident-----------------------------------IDENT----------> ACTIVE
 *     ACTIVE --session ERROR, not fatal: UNBIND--> SUSPENDED --delay: BIND--> ...
 *     ACTIVE --208-211/217/222, RECOVER: UNBIND, forget file--> SUSPENDED --delay: BIND, no ident
 *     ACTIVE --close / 212 refusal: UNBIND--> UNBINDING --UNBOUND / ERROR / timeout--> end
 * </pre>
 *
 * <h2>Uploads</h2>
 *
 * Log entries after the last sent version are framed into UPLOAD messages of about {@link
 * SyncOptions#uploadBatchBytes()} (the {@link EntryVisitor} copies each entry into the {@link
 * UploadBuilder}: nothing is allocated per entry), several in flight up to {@link
 * SyncOptions#maxBytesInFlight()}. While the session is caught up, the next entries come instead
 * from the copies the committer handed over after each append ({@link #onCommit(long, int, long,
 * ByteBuffer, int, int)}, a bounded {@link Handover}): no read back through the log; whatever is
 * not held there (backlog, reconnect, restart, over budget) is read from the log. Header progress = (last entry's client version, its
 * last_integrated_server_version), locked_server_version = the persisted download server version
 * (§8.7). Uploads start right after IDENT and restart after the acknowledged version on every
 * (re)bind. A DOWNLOAD is checked (§5.6), the waiters woken, and its progress persisted with
 * {@link UploadLog#acknowledgeAsync} (which deletes the acknowledged entries without this thread
 * waiting for the storage's commit; steps that must follow it use {@link UploadLog#acknowledge}).
 */
public final class SyncSession {
  private static final System.Logger LOG = System.getLogger(SyncSession.class.getName());
  /** Session idents come from one counter per engine (this class loader), starting at 1. */
  private static final AtomicLong SESSION_IDENTS = new AtomicLong();

  private static final long NEVER = Long.MAX_VALUE;
  /** {@link #entryOverhead} before the first delete told it, or after two deletes disagreed. */
  private static final long OVERHEAD_UNKNOWN = -1;
  private static final long OVERHEAD_INCONSISTENT = -2;
  /** With an injected ticker the thread re-reads it at least this often (real time). */
  private static final long TEST_TICKER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** A refresh-and-reconnect at once happens at most this many times in a row. */
  private static final int MAX_IMMEDIATE_RETRIES = 2;
  /** Bytes of committed changesets the session holds for sending without a log read. */
  private static final int HANDOVER_MIN_BUDGET = 1 << 20;

  private static final int HANDOVER_MAX_BUDGET = 16 << 20;

  private static final String SUBPROTOCOL_OFFER = Subprotocols.clientOffer();
  private static final List<String> SUBPROTOCOLS =
      List.of(SUBPROTOCOL_OFFER.split(", "));
  private static final String USER_AGENT =
      "Tributary/0.1.0 (Java " + System.getProperty("java.version", "?") + ")";

  private enum Phase {
    /** Not started, or waiting for the reconnect timer. */
    WAITING,
    AUTHORIZING,
    CONNECTING,
    CONNECTED,
    /** A fatal error stopped the session; only close remains. */
    STOPPED,
    CLOSED
  }

  private enum SessionPhase {
    NONE,
    WAIT_IDENT,
    ACTIVE,
    /** UNBIND sent after a non-fatal session error; BIND again at {@code rebindAt}. */
    SUSPENDED,
    /** UNBIND sent; waiting for UNBOUND or ERROR, then {@link #afterUnbind}. */
    UNBINDING
  }

  // ---- configuration (immutable) ----
  private final UploadLog log;
  private final SyncTransport transport;
  private final CredentialsProvider credentials;
  private final SyncOptions options;
  private final Ticker ticker;
  private final boolean systemTicker;
  private final RandomGenerator random;
  private final long sessionIdent;
  private final long schemaVersion;
  private final long originNanos;

  // ---- shared with other threads ----
  private final ConcurrentLinkedQueue<Object> events = new ConcurrentLinkedQueue<>();
  private final AtomicLong committedVersion = new AtomicLong();
  private final UploadWaiters waiters;
  private final CopyOnWriteArrayList<ConnectionStateListener> stateListeners =
      new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<UploadProgressListener> progressListeners =
      new CopyOnWriteArrayList<>();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile Thread owner;
  private volatile boolean signalled;
  private volatile ConnectionState publicState = ConnectionState.DISCONNECTED;
  private volatile UploadProgress lastProgress;
  private final AtomicLong connections = new AtomicLong();

  // ---- owned by the session thread ----
  private Phase phase = Phase.WAITING;
  private SessionPhase sphase = SessionPhase.NONE;
  private int attempt;
  private SyncConnection connection;
  private final List<Object> early = new ArrayList<>();
  private MessageDecoder decoder;
  private DownloadCursor download;
  private final MessageEncoder encoder;
  private final UploadBuilder uploads;
  private final MessageBuffer out = new MessageBuffer(4096);
  private final MessageBuffer uploadOut = new MessageBuffer(64 * 1024);
  private final Collector collector = new Collector();
  private final EntryRing ring = new EntryRing();
  /** Changesets handed over at commit time (shared with committing threads; thread safe). */
  private final Handover handover;
  /**
   * The last integrated server version the log stamps on entries appended now: its persisted
   * download server version, which only this thread changes ({@link #acknowledgeLog}).
   */
  private long logServerVersion;
  private long clientFileIdent;
  private long clientFileSalt;
  private SyncProgress progress;
  private long lastSentVersion;
  private long scannedUpTo;
  private long knownNewest;
  private boolean reachedBefore;
  private boolean gotDownload;
  private boolean inBootstrap;
  private int immediateRetries;
  private Refresh pendingRefresh = Refresh.NONE;
  private final Backoff reconnectBackoff;
  private final Backoff rebindBackoff;
  private Runnable afterUnbind;
  private boolean closeRequested;
  private SyncException fatal;
  private long reconnectAt = NEVER;
  private long pingAt = NEVER;
  private long pongDeadline = NEVER;
  private long rebindAt = NEVER;
  private long unbindDeadline = NEVER;
  private long outstandingPing = -1;
  private long pingSentAt;
  private long lastRttMs;
  private long ackedObjects;
  private long ackedBytes;
  private boolean progressDirty = true;
  private long publishedCommitted = -1;
  /** The log's per-entry overhead in bytes once learned, else a marker. */
  private long entryOverhead = OVERHEAD_UNKNOWN;
  /** The newest acknowledged progress whose delete has not run yet, or null. */
  private SyncProgress pendingDelete;
  /** What the acknowledgements gathered in {@link #pendingDelete} will delete. */
  private Undeleted undeleted = Undeleted.NONE;
  /**
   * A delete handed to the log with {@link UploadLog#acknowledgeAsync} is not yet reported done (at
   * most one at a time; acknowledgements meanwhile gather in {@link #pendingDelete}).
   */
  private boolean deleteInFlight;
  /**
   * The in-flight delete changes the download server version the log stamps on new entries: until
   * it is reported done the session does not know which stamp entries appended meanwhile carry, so
   * it reads them from the log instead of taking them from the hand-over.
   */
  private boolean stampInFlight;
  private long inFlightServerVersion;
  /** The in-flight delete's version, and what it deletes. */
  private long inFlightThrough;
  private Undeleted inFlight = Undeleted.NONE;
  /**
   * Whether the in-flight delete's report must wake this thread: only when acknowledgements wait
   * for it. Otherwise the report waits in the queue for the next wake-up (the commit that takes the
   * delete into its transaction signals right after it), so that it costs no extra wake-up of
   * this thread on the way to the next UPLOAD.
   */
  private volatile boolean wakeOnDeleted;
  /** Set on this thread while it submits a delete: an outcome told at once is handled inline. */
  private boolean submittingDelete;
  private boolean deleteDoneInline;
  private long inlineAppendedBefore;
  private RuntimeException inlineDeleteFailure;
  /**
   * A client reset happened and the server has not yet accepted the new client file with a
   * DOWNLOAD: another reset-requiring error now stops the session instead of looping.
   */
  private boolean resetUnconfirmed;

  private SyncSession(
      UploadLog log,
      SyncTransport transport,
      CredentialsProvider credentials,
      SyncOptions options,
      long schemaVersion,
      RandomGenerator random) {
    this.log = Objects.requireNonNull(log, "log");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.options = Objects.requireNonNull(options, "options");
    this.random = Objects.requireNonNull(random, "random");
    this.ticker = options.ticker();
    this.systemTicker = ticker == Ticker.system();
    this.schemaVersion = schemaVersion;
    this.sessionIdent = SESSION_IDENTS.incrementAndGet();
    this.originNanos = ticker.read();
    CodecConfig codec =
        CodecConfig.newBuilder()
            .compressionEnabled(options.compression())
            .compressionThreshold(options.compressionThreshold())
            .build();
    this.encoder = new MessageEncoder(codec);
    this.uploads = new UploadBuilder(codec);
    this.reconnectBackoff =
        new Backoff(
            options.reconnectDelayInitial().toNanos(),
            options.reconnectDelayMax().toNanos(),
            options.reconnectMultiplier(),
            options.reconnectJitter(),
            random);
    this.rebindBackoff =
        new Backoff(
            options.reconnectDelayInitial().toNanos(),
            options.reconnectDelayMax().toNanos(),
            options.reconnectMultiplier(),
            options.reconnectJitter(),
            random);
    LogMetadata meta = log.metadata();
    this.clientFileIdent = meta.clientFileIdent();
    this.clientFileSalt = meta.clientFileSalt();
    this.progress = meta.progress();
    this.knownNewest = meta.lastAssignedVersion();
    this.committedVersion.set(knownNewest);
    this.logServerVersion = progress.downloadServerVersion();
    this.handover =
        new Handover((int) Math.min(HANDOVER_MAX_BUDGET,
            Math.max(HANDOVER_MIN_BUDGET, 2L * options.uploadBatchBytes())), knownNewest);
    this.waiters = new UploadWaiters(progress.uploadClientVersion());
  }

  /**
   * A session that runs on its own thread once {@link #start()} is called.
   *
   * @param log the realm's log (borrowed: the realm closes it after {@link #close()})
   * @param transport opens connections (borrowed)
   * @param credentials gives the sync URL and token (borrowed)
   * @param options timers, batching, window
   * @param schemaVersion the BIND's {@code schemaVersion}
   * @throws UploadLogException if the log's metadata cannot be read
   */
  public static SyncSession create(
      UploadLog log,
      SyncTransport transport,
      CredentialsProvider credentials,
      SyncOptions options,
      long schemaVersion) {
    return new SyncSession(
        log, transport, credentials, options, schemaVersion, RandomGenerator.getDefault());
  }

  /**
   * A session without a thread: the caller drives it with {@link #runOnce()} (tests).
   *
   * @param random the jitter source
   */
  public static SyncSession manual(
      UploadLog log,
      SyncTransport transport,
      CredentialsProvider credentials,
      SyncOptions options,
      long schemaVersion,
      RandomGenerator random) {
    return new SyncSession(log, transport, credentials, options, schemaVersion, random);
  }

  /** The session ident used in every BIND of this session (never changes). */
  public long sessionIdent() {
    return sessionIdent;
  }

  // =============================================================================================
  // API for other threads
  // =============================================================================================

  /** Starts the owner thread, which connects at once. Call once. */
  public void start() {
    post(Start.INSTANCE);
    Thread t = new Thread(this::loop, "tributary-sync-" + sessionIdent);
    t.setDaemon(true);
    owner = t;
    t.start();
  }

  /** For {@link #manual} sessions: queues the first connect (then call {@link #runOnce()}). */
  public void startManual() {
    post(Start.INSTANCE);
  }

  /**
   * A commit hook: {@code version} was appended to the log. Allocation-free; any thread.
   *
   * @param version the new entry's client version
   */
  public void onCommit(long version) {
    committedVersion.accumulateAndGet(version, Math::max);
    signal();
  }

  /**
   * A commit hook that also hands over the committed changeset: the session keeps a copy (within
   * a bounded budget) and, while it is caught up, frames it from there instead of reading it back
   * from the log. Call only after the log's {@code append} of this entry returned (the entry is as
   * durable as the log makes it), with exactly the bytes, object count and origin timestamp given
   * to it. Any thread; allocation-free after warm-up.
   *
   * @param version the client version the log assigned
   * @param objectCount the object count given to the log
   * @param originTimestamp the origin timestamp given to the log
   * @param changeset holds the changeset at {@code offset} for {@code length} bytes; borrowed
   *     (copied before this method returns; its position and limit are not changed)
   * @param offset absolute index of the first byte in {@code changeset}
   * @param length the changeset's size in bytes
   */
  public void onCommit(long version, int objectCount, long originTimestamp, ByteBuffer changeset,
      int offset, int length) {
    handover.offer(version, objectCount, originTimestamp, changeset, offset, length);
    onCommit(version);
  }

  /**
   * The listener to register with the realm's {@link io.tributary.core.internal.Committer}: each
   * commit reaches {@link #onCommit(long, int, long, ByteBuffer, int, int)} with its bytes.
   */
  public CommitListener commitListener() {
    return new CommitListener() {
      @Override
      public void committed(long version, int objects, int bytes) {
        onCommit(version);
      }

      @Override
      public void committed(long version, int objects, long origin, ByteBuffer changeset,
          int offset, int length) {
        onCommit(version, objects, origin, changeset, offset, length);
      }
    };
  }

  /** Statistics of the hand-over: offers seen, offers held, entries sent from it (tests). */
  long[] handoverCounts() {
    return handover.counts();
  }

  /**
   * Completes once the server acknowledged {@code target}, or fails with the fatal {@link
   * SyncException} that stopped the session (or closed it).
   *
   * @param target a client version; 0 completes at once
   */
  public CompletableFuture<Void> uploadCompletion(long target) {
    return waiters.await(target);
  }

  /** The newest client version the server acknowledged. */
  public long acknowledgedVersion() {
    return waiters.acknowledged();
  }

  /**
   * The upload progress as last published (after the latest acknowledgement or commit the
   * session thread saw), or {@code null} before the first one. Any thread.
   */
  public UploadProgress uploadProgress() {
    return lastProgress;
  }

  /** WebSocket connections established since the session started (reconnects = this − 1). */
  public long connectionCount() {
    return connections.get();
  }

  /** The fatal error that stopped the session, or {@code null}. */
  public SyncException fatalError() {
    return waiters.failure();
  }

  /** The connection state as last reported to the listeners. */
  public ConnectionState connectionState() {
    return publicState;
  }

  /** Adds a listener (called on the session thread). */
  public void addConnectionStateListener(ConnectionStateListener l) {
    stateListeners.add(Objects.requireNonNull(l, "listener"));
  }

  /** Removes a listener; no-op if absent. */
  public void removeConnectionStateListener(ConnectionStateListener l) {
    stateListeners.remove(l);
  }

  /** Adds a listener (called on the session thread). */
  public void addUploadProgressListener(UploadProgressListener l) {
    progressListeners.add(Objects.requireNonNull(l, "listener"));
    post(ReportProgress.INSTANCE); // the next step reports to the new listener
  }

  /** Removes a listener; no-op if absent. */
  public void removeUploadProgressListener(UploadProgressListener l) {
    progressListeners.remove(l);
  }

  /**
   * Ends the session: UNBIND, wait (up to {@link SyncOptions#closeTimeout()}) for UNBOUND, close
   * the connection, fail the waiters, stop the thread. Waits for the thread to end (bounded).
   * Idempotent; must not be called from the session thread (a listener).
   */
  public void close() {
    post(Close.INSTANCE);
    Thread t = owner;
    if (t == null) {
      return; // manual: the caller runs the steps
    }
    if (t == Thread.currentThread()) {
      throw new IllegalStateException("close: called on the sync session thread (from a listener)");
    }
    long waitMs = options.closeTimeout().toMillis() + options.connectTimeout().toMillis() / 10
        + 2_000;
    try {
      if (!terminated.await(waitMs, TimeUnit.MILLISECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "sync session " + sessionIdent + " did not stop within "
            + waitMs + " ms; interrupting it");
        t.interrupt();
        terminated.await(2_000, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the session ended ({@link #close()} completed its steps). */
  public boolean isClosed() {
    return terminated.getCount() == 0;
  }

  private void post(Object event) {
    events.add(event);
    signal();
  }

  private void signal() {
    signalled = true;
    Thread t = owner;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  // =============================================================================================
  // the owner thread
  // =============================================================================================

  private void loop() {
    try {
      while (phase != Phase.CLOSED) {
        signalled = false;
        boolean worked;
        try {
          worked = runOnce();
        } catch (RuntimeException | Error e) {
          LOG.log(System.Logger.Level.ERROR, "sync session " + sessionIdent + " failed", e);
          stopFatally(new SyncException(Category.INTERNAL, 0, null, true,
              "sync session: internal error " + e, e));
          worked = true;
        }
        if (worked || signalled || phase == Phase.CLOSED) {
          continue;
        }
        long wait = nextDeadline() - ticker.read();
        if (!systemTicker) {
          wait = Math.min(wait, TEST_TICKER_POLL_NANOS);
        }
        if (wait > 0) {
          LockSupport.parkNanos(this, wait);
        }
        if (Thread.interrupted() && closeRequested) {
          finishClose();
        }
      }
    } finally {
      releaseResources();
      terminated.countDown();
    }
  }

  /**
   * One step: handles every queued event and due timer, then uploads what the log holds and the
   * window allows, and reports progress. Runs on the owner thread (or the test's thread for {@link
   * #manual} sessions).
   *
   * @return whether anything was done (false: the session can wait for an event or a deadline)
   */
  public boolean runOnce() {
    boolean worked = false;
    Object e;
    while ((e = events.poll()) != null) {
      worked = true;
      dispatch(e);
    }
    worked |= fireTimers(ticker.read());
    long c = committedVersion.get();
    if (c > knownNewest) {
      knownNewest = c;
      progressDirty = true;
      worked = true;
    }
    // pumpUploads, startDelete and onMessage (in dispatch) are called directly, each in its own
    // try, not through a shared guard taking a lambda: that guard's one call site saw several
    // lambdas, so the JIT could not inline them into this loop and compiled the lambdas (and
    // pumpUploads) a second and third time as roots of their own, late, in the steady state
    // (issue 10)
    if (phase == Phase.CONNECTED && sphase == SessionPhase.ACTIVE) {
      try {
        worked |= pumpUploads();
      } catch (Violation | UploadLogException f) {
        stepFailed(f);
        worked = true;
      }
    }
    if (pendingDelete != null && !deleteInFlight && events.isEmpty()) {
      try {
        worked |= startDelete();
      } catch (Violation | UploadLogException f) {
        stepFailed(f);
        worked = true;
      }
    }
    if (progressDirty || publishedCommitted != knownNewest) {
      publishProgress();
    }
    if (phase == Phase.CLOSED && terminated.getCount() > 0 && owner == null) {
      releaseResources();
      terminated.countDown();
    }
    return worked;
  }

  /** The earliest timer deadline, or {@link #NEVER}. */
  long nextDeadline() {
    return Math.min(
        Math.min(reconnectAt, pingAt),
        Math.min(Math.min(pongDeadline, rebindAt), unbindDeadline));
  }

  private boolean fireTimers(long now) {
    boolean worked = false;
    if (reconnectAt <= now) {
      reconnectAt = NEVER;
      worked = true;
      if (phase == Phase.WAITING && !closeRequested) {
        startConnecting();
      }
    }
    if (pongDeadline <= now) {
      pongDeadline = NEVER;
      worked = true;
      if (phase == Phase.CONNECTED) {
        connectionLost("pong-timeout", Refresh.NONE, new SyncException(Category.TRANSPORT, 0, null,
            false, "no PONG within " + options.pongTimeout().toMillis() + " ms of a PING", null));
      }
    }
    if (pingAt <= now) {
      pingAt = NEVER;
      worked = true;
      if (phase == Phase.CONNECTED && outstandingPing < 0) {
        sendPing(now);
      }
    }
    if (rebindAt <= now) {
      rebindAt = NEVER;
      worked = true;
      if (phase == Phase.CONNECTED && sphase == SessionPhase.SUSPENDED && !closeRequested) {
        guarded(this::bind);
      }
    }
    if (unbindDeadline <= now) {
      unbindDeadline = NEVER;
      worked = true;
      if (sphase == SessionPhase.UNBINDING) {
        endUnbinding();
      }
    }
    return worked;
  }

  /** A step's failure (a {@link Violation} or an {@link UploadLogException}): a fatal stop. */
  private void stepFailed(RuntimeException f) {
    if (f instanceof Violation v) {
      protocolViolation(v.getMessage(), v.getCause());
    } else {
      storageFailure((UploadLogException) f);
    }
  }

  /** Runs a step, turning storage and violation failures into a fatal stop. */
  private void guarded(Runnable step) {
    try {
      step.run();
    } catch (Violation | UploadLogException f) {
      stepFailed(f);
    }
  }

  // =============================================================================================
  // events
  // =============================================================================================

  private enum Start {
    INSTANCE
  }

  private enum Close {
    INSTANCE
  }

  private enum ReportProgress {
    INSTANCE
  }

  private record Authorized(int attempt, SyncAuthorization authorization) {}

  private record AuthFailed(int attempt, Throwable cause) {}

  private record Connected(int attempt, SyncConnection connection) {}

  private record ConnectFailed(int attempt, Throwable cause) {}

  private record Received(int attempt, byte[] message) {}

  private record Closed(int attempt, int code, String reason, Throwable cause) {}

  /** The log reported the outcome of the in-flight delete (failure null: committed). */
  private record Deleted(long appendedBefore, RuntimeException failure) {}

  /**
   * Entries acknowledged and not yet deleted: the log's stats before the first of them was
   * acknowledged (null if none), and their entries, changeset bytes and objects. One per
   * acknowledgement that a delete waits for, not per object.
   */
  private record Undeleted(LogStats before, int entries, long bytes, long objects) {
    static final Undeleted NONE = new Undeleted(null, 0, 0, 0);

    /** These and the ring's last popped entries; {@code before} is kept if already known. */
    Undeleted plus(LogStats statsIfFirst, EntryRing ring) {
      return new Undeleted(before != null ? before : statsIfFirst, entries + ring.poppedEntries,
          bytes + ring.poppedBytes, objects + ring.poppedObjects);
    }
  }

  private void dispatch(Object e) {
    if (e instanceof Received r) {
      if (r.attempt == attempt && phase == Phase.CONNECTING) {
        early.add(r); // the listener may run before our connect callback was queued
      } else if (r.attempt == attempt && phase == Phase.CONNECTED) {
        try {
          onMessage(r.message);
        } catch (Violation | UploadLogException f) {
          stepFailed(f);
        }
      }
    } else if (e instanceof Closed c) {
      if (c.attempt == attempt && phase == Phase.CONNECTING) {
        early.add(c);
      } else if (c.attempt == attempt && phase == Phase.CONNECTED) {
        onClosed(c);
      }
    } else if (e instanceof Connected c) {
      onConnected(c);
    } else if (e instanceof ConnectFailed f) {
      if (f.attempt == attempt && phase == Phase.CONNECTING) {
        onConnectFailed(f.cause);
      }
    } else if (e instanceof Authorized a) {
      if (a.attempt == attempt && phase == Phase.AUTHORIZING) {
        onAuthorized(a.authorization);
      }
    } else if (e instanceof AuthFailed f) {
      if (f.attempt == attempt && phase == Phase.AUTHORIZING) {
        onAuthFailed(f.cause);
      }
    } else if (e == Start.INSTANCE) {
      if (phase == Phase.WAITING && !closeRequested && reconnectAt == NEVER) {
        startConnecting();
      }
    } else if (e == Close.INSTANCE) {
      onCloseRequested();
    } else if (e == ReportProgress.INSTANCE) {
      progressDirty = true;
    } else if (e instanceof Deleted d) {
      onDeleted(d.appendedBefore, d.failure);
    }
  }

  // =============================================================================================
  // connecting
  // =============================================================================================

  private void startConnecting() {
    phase = Phase.AUTHORIZING;
    int a = ++attempt;
    setState(ConnectionState.CONNECTING, null);
    Refresh refresh = pendingRefresh;
    pendingRefresh = Refresh.NONE;
    CompletableFuture<SyncAuthorization> f;
    try {
      f = credentials.authorize(refresh);
    } catch (RuntimeException ex) {
      f = CompletableFuture.failedFuture(ex);
    }
    f.whenComplete(
        (auth, err) -> post(err == null ? new Authorized(a, auth) : new AuthFailed(a, unwrap(err))));
  }

  private void onAuthorized(SyncAuthorization auth) {
    phase = Phase.CONNECTING;
    int a = attempt;
    ConnectRequest request;
    try {
      request =
          ConnectRequest.newBuilder(auth.urlWithToken(), SUBPROTOCOLS)
              .connectTimeout(options.connectTimeout())
              .maxMessageBytes(options.maxIncomingMessageBytes())
              .sslContext(options.sslContext())
              .header("User-Agent", USER_AGENT)
              .build();
    } catch (RuntimeException ex) {
      stopFatally(new SyncException(Category.AUTHENTICATION, 0, null, true,
          "sync URL " + auth.syncUrl() + " is not usable: " + ex.getMessage(), ex));
      return;
    }
    CompletableFuture<SyncConnection> f;
    try {
      f = transport.connect(request, new ConnectionListener(a));
    } catch (RuntimeException ex) {
      f = CompletableFuture.failedFuture(ex);
    }
    f.whenComplete(
        (c, err) -> post(err == null ? new Connected(a, c) : new ConnectFailed(a, unwrap(err))));
  }

  private void onAuthFailed(Throwable cause) {
    if (cause instanceof SyncException s && s.isFatal()) {
      stopFatally(s);
      return;
    }
    SyncException error =
        cause instanceof SyncException s
            ? s
            : new SyncException(Category.AUTHENTICATION, 0, null, false,
                "credentials: " + cause, cause);
    scheduleReconnect("auth:" + error.getMessage(), error);
  }

  private void onConnectFailed(Throwable cause) {
    if (cause instanceof SyncTransportException.HandshakeException h) {
      int status = h.httpStatus();
      String what = "WebSocket upgrade refused with HTTP " + status + ": " + h.getMessage();
      if (status == 401) {
        refreshAndReconnect(Refresh.ACCESS_TOKEN, "http-401",
            new SyncException(Category.AUTHENTICATION, 0, null, false, what, h));
      } else if (status == 403) {
        stopFatally(new SyncException(Category.AUTHENTICATION, 0, null, true,
            what + " (the user may not sync: logged out)", h));
      } else if (status == 301 || status == 308) {
        refreshAndReconnect(Refresh.LOCATION, "http-moved",
            new SyncException(Category.TRANSPORT, 0, null, false, what, h));
      } else if (status / 100 == 3 || status / 100 == 5) {
        scheduleReconnect("http-" + status,
            new SyncException(Category.TRANSPORT, 0, null, false, what, h));
      } else if (status == 101) {
        stopFatally(new SyncException(Category.TRANSPORT, 0, null, true,
            "sync protocol negotiation failed: " + h.getMessage(), h));
      } else if (reachedBefore) {
        stopFatally(new SyncException(Category.TRANSPORT, 0, null, true, what
            + " (the endpoint accepted this client before)", h));
      } else {
        pendingRefresh = Refresh.LOCATION;
        scheduleReconnect("http-" + status,
            new SyncException(Category.TRANSPORT, 0, null, false, what, h));
      }
      return;
    }
    scheduleReconnect("connect-failed",
        new SyncException(Category.TRANSPORT, 0, null, false, "connect failed: " + cause, cause));
  }

  private void onConnected(Connected c) {
    if (c.attempt != attempt || phase != Phase.CONNECTING) {
      c.connection.close(); // a stale attempt (closed or superseded meanwhile)
      return;
    }
    connection = c.connection;
    OptionalInt version = Subprotocols.checkServerChoice(connection.subprotocol());
    if (version.isEmpty()) {
      stopFatally(new SyncException(Category.TRANSPORT, 0, null, true,
          "sync protocol negotiation failed: the server chose subprotocol '"
              + connection.subprotocol() + "' (expected: " + Subprotocols.FLX_PREFIX
              + ProtocolVersion.MIN_SUPPORTED + ".." + ProtocolVersion.MAX_SUPPORTED + ")",
          null));
      return;
    }
    CodecConfig codec =
        CodecConfig.newBuilder()
            .protocolVersion(version.getAsInt())
            .maxMessageSize(options.maxIncomingMessageBytes())
            .maxBodySize(options.maxIncomingMessageBytes())
            .maxChangesetSize(options.maxIncomingMessageBytes())
            .build();
    decoder = new MessageDecoder(codec);
    download = new DownloadCursor(codec);
    phase = Phase.CONNECTED;
    reachedBefore = true;
    connections.incrementAndGet();
    gotDownload = false;
    inBootstrap = false;
    outstandingPing = -1;
    lastRttMs = 0;
    long now = ticker.read();
    // the first PING at a random point of the first period (§3.6)
    pingAt = now + (long) (random.nextDouble() * options.pingInterval().toNanos());
    setState(ConnectionState.CONNECTED, null);
    guarded(this::bind);
    List<Object> pending = new ArrayList<>(early);
    early.clear();
    for (Object e : pending) {
      dispatch(e);
    }
  }

  private void onClosed(Closed c) {
    int code = c.code;
    String detail = "connection closed" + (code == SyncConnection.CLOSE_CODE_NONE ? ""
        : " with code " + code + (c.reason.isEmpty() ? "" : " (" + c.reason + ")"))
        + (c.cause != null ? ": " + c.cause : "");
    connection = null;
    if (sphase == SessionPhase.UNBINDING) {
      endUnbinding();
      return;
    }
    switch (code) {
      case 4001, 1006 -> connectionLost("close-" + code, Refresh.ACCESS_TOKEN,
          new SyncException(Category.AUTHENTICATION, 0, null, false, detail, c.cause));
      case 4002 -> stopFatally(new SyncException(Category.AUTHENTICATION, 0, null, true,
          detail + " (forbidden: the user was logged out)", c.cause));
      case 4003 -> connectionLost("close-4003", Refresh.LOCATION,
          new SyncException(Category.TRANSPORT, 0, null, false, detail, c.cause));
      case 1009 -> stopFatally(new SyncException(Category.SERVER, 0, ErrorAction.CLIENT_RESET,
          true, detail + " (message too big: the server asks for a client reset, which an ingest"
              + " client does not do)", c.cause));
      default -> connectionLost("close-" + code, Refresh.NONE,
          new SyncException(Category.TRANSPORT, 0, null, false, detail, c.cause));
    }
  }

  /** The current connection ends (not fatally): drop it and reconnect. */
  private void connectionLost(String reason, Refresh refresh, SyncException error) {
    dropConnection();
    if (refresh != Refresh.NONE) {
      refreshAndReconnect(refresh, reason, error);
    } else {
      scheduleReconnect(reason, error);
    }
  }

  /** Reconnects at once with a renewed token or location (guarded against loops). */
  private void refreshAndReconnect(Refresh refresh, String reason, SyncException error) {
    dropConnection();
    pendingRefresh = refresh;
    if (closeRequested) {
      finishClose();
    } else if (immediateRetries < MAX_IMMEDIATE_RETRIES) {
      immediateRetries++;
      phase = Phase.WAITING;
      setState(ConnectionState.DISCONNECTED, error);
      reconnectAt = ticker.read();
    } else {
      scheduleReconnect(reason, error);
    }
  }

  private void scheduleReconnect(String reason, SyncException error) {
    scheduleReconnect(reason, error, null);
  }

  private void scheduleReconnect(String reason, SyncException error, JsonErrorBody.Backoff b) {
    dropConnection();
    if (closeRequested) {
      finishClose();
      return;
    }
    phase = Phase.WAITING;
    long delay =
        b == null
            ? reconnectBackoff.next(reason)
            : reconnectBackoff.next(reason, seconds(b.intervalSec()), seconds(b.maxDelaySec()),
                b.multiplier());
    reconnectAt = ticker.read() + delay;
    LOG.log(System.Logger.Level.DEBUG, () -> "sync session " + sessionIdent + ": "
        + error.getMessage() + "; reconnecting in " + Duration.ofNanos(delay).toMillis() + " ms");
    setState(ConnectionState.DISCONNECTED, error);
  }

  /** Forgets the connection and its per-connection state (closing it if still open). */
  private void dropConnection() {
    if (phase == Phase.CONNECTED || phase == Phase.CONNECTING || phase == Phase.AUTHORIZING) {
      attempt++; // later events of the old attempt are ignored
    }
    SyncConnection c = connection;
    connection = null;
    if (c != null) {
      c.close();
    }
    if (gotDownload) {
      reconnectBackoff.reset(); // the connection was useful (§3.6)
      gotDownload = false;
    }
    early.clear();
    closeDecoders();
    sphase = SessionPhase.NONE;
    pingAt = NEVER;
    pongDeadline = NEVER;
    rebindAt = NEVER;
    outstandingPing = -1;
    if (phase == Phase.CONNECTED || phase == Phase.CONNECTING || phase == Phase.AUTHORIZING) {
      phase = Phase.WAITING;
    }
  }

  private void closeDecoders() {
    if (decoder != null) {
      decoder.close();
      decoder = null;
    }
    if (download != null) {
      download.close();
      download = null;
    }
  }

  /** Receives one connection's events; copies each message (it is borrowed). */
  private final class ConnectionListener implements SyncConnection.Listener {
    private final int attemptId;

    ConnectionListener(int attemptId) {
      this.attemptId = attemptId;
    }

    @Override
    public void onMessage(ByteBuffer message) {
      byte[] copy = new byte[message.remaining()];
      message.duplicate().get(copy);
      post(new Received(attemptId, copy));
    }

    @Override
    public void onClosed(int closeCode, String reason, Throwable cause) {
      post(new Closed(attemptId, closeCode, reason == null ? "" : reason, cause));
    }
  }

  // =============================================================================================
  // the session: BIND, IDENT, UPLOAD
  // =============================================================================================

  private void bind() {
    boolean needIdent = clientFileIdent == 0;
    send(encoder.encode(BindMessage.flx(sessionIdent, BindParameters.of(schemaVersion), needIdent),
        out));
    if (needIdent) {
      sphase = SessionPhase.WAIT_IDENT;
    } else {
      sendIdent();
    }
  }

  private void sendIdent() {
    SyncProgress p = progress;
    send(encoder.encode(
        new ClientIdentMessage(sessionIdent, clientFileIdent, clientFileSalt,
            p.downloadServerVersion(), p.downloadClientVersion(), p.latestServerVersion(),
            p.latestServerVersionSalt(), 0, ClientIdentMessage.EMPTY_QUERY),
        out));
    sphase = SessionPhase.ACTIVE;
    // restart after what the server acknowledged (§8.7): it may have lost the rest
    lastSentVersion = p.uploadClientVersion();
    scannedUpTo = 0;
    ring.clear(p.uploadClientVersion());
  }

  private void send(ByteBuffer message) {
    SyncConnection c = connection;
    if (c != null) {
      c.send(message); // copies; a failure shows up as onClosed
    }
  }

  /** Sends UPLOADs while the log has unsent entries and the window has room. */
  private boolean pumpUploads() {
    boolean sent = false;
    long newest = Math.max(knownNewest, committedVersion.get());
    while (connection != null
        && sphase == SessionPhase.ACTIVE
        && newest > Math.max(lastSentVersion, scannedUpTo)
        && (ring.size() == 0 || ring.totalBytes() < options.maxBytesInFlight())) {
      uploads.begin(uploadOut);
      collector.reset();
      // caught up: the next entries were handed over at commit time; else read the log
      if (!stampInFlight && handover.take(lastSentVersion, options.uploadBatchBytes(), logServerVersion, uploads,
          ring) > 0) {
        collector.count = handover.takenEntries;
        collector.lastVersion = handover.takenLastVersion;
        collector.lastServerVersion = logServerVersion;
      } else {
        log.read(lastSentVersion, options.uploadBatchBytes(), collector);
        handover.raiseFloor(collector.lastVersion);
      }
      if (collector.count == 0) {
        scannedUpTo = newest; // acknowledged or dropped meanwhile: nothing to send up to here
        break;
      }
      ByteBuffer message =
          // locked = the PERSISTED download server version (§5.5), not the acknowledged one whose
          // store may still be pending: after a crash the server would hold a higher one (209)
          uploads.finish(sessionIdent, collector.lastVersion, collector.lastServerVersion,
              logServerVersion);
      send(message);
      lastSentVersion = collector.lastVersion;
      sent = true;
    }
    return sent;
  }

  /** Copies each visited entry into the UPLOAD being built; reused (no allocation per entry). */
  private final class Collector implements EntryVisitor {
    int count;
    long lastVersion;
    long lastServerVersion;

    void reset() {
      count = 0;
      lastVersion = 0;
      lastServerVersion = 0;
    }

    @Override
    public boolean visit(LogEntry entry) {
      ByteBuffer changeset = entry.changeset();
      int size = changeset.remaining();
      long version = entry.version();
      // an entry stamped before a client reset names a server version the new file never had;
      // otherwise the stamp is at most the download cursor and this changes nothing
      long serverVersion =
          Math.min(entry.lastIntegratedServerVersion(), progress.downloadServerVersion());
      uploads.addEntry(version, serverVersion, entry.originTimestamp(), 0, changeset);
      ring.push(version, entry.objectCount(), size);
      count++;
      lastVersion = version;
      lastServerVersion = serverVersion;
      return true;
    }
  }

  /** Counts the entries up to a version (acknowledged ones the ring did not see). */
  private static final class Counter implements EntryVisitor {
    private final long through;
    long objects;
    long bytes;

    Counter(long through) {
      this.through = through;
    }

    @Override
    public boolean visit(LogEntry entry) {
      if (entry.version() > through) {
        return false;
      }
      objects += entry.objectCount();
      bytes += entry.changeset().remaining();
      return true;
    }
  }

  // =============================================================================================
  // incoming messages
  // =============================================================================================

  /** A server message that breaks the protocol: closes the connection, fatal (§10.3). */
  private static final class Violation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Violation(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  private static Violation violation(String message) {
    return new Violation(message, null);
  }

  private void onMessage(byte[] bytes) {
    ByteBuffer m = ByteBuffer.wrap(bytes);
    MessageType type;
    ServerMessage message;
    try {
      type = decoder.peekType(m);
      if (type == MessageType.DOWNLOAD) {
        download.wrap(m);
        onDownload();
        return;
      }
      message = decoder.decodeServerMessage(m);
    } catch (ProtocolException | IllegalArgumentException e) {
      throw new Violation("malformed message from the server: " + e.getMessage(), e);
    }
    if (message instanceof PongMessage p) {
      onPong(p);
    } else if (message instanceof ServerIdentMessage i) {
      onServerIdent(i);
    } else if (message instanceof ErrorMessage er) {
      onServerError(er.errorCode(), er.message(), er.tryAgain(), er.sessionIdent(), null);
    } else if (message instanceof JsonErrorMessage je) {
      JsonErrorBody b = je.body();
      onServerError(je.errorCode(), b.message(), b.tryAgain(), je.sessionIdent(), b);
    } else if (message instanceof UnboundMessage u) {
      if (forThisSession(u.sessionIdent(), "UNBOUND")) {
        if (sphase != SessionPhase.UNBINDING) {
          throw violation("UNBOUND for session " + sessionIdent + " (expected: only after UNBIND)");
        }
        endUnbinding();
      }
    } else if (message instanceof MarkMessage mk) {
      if (forThisSession(mk.sessionIdent(), "MARK") && sphase != SessionPhase.UNBINDING
          && sphase != SessionPhase.SUSPENDED) {
        throw violation("MARK response " + mk.requestIdent()
            + " (expected: none; this client never sends MARK)");
      }
    } else if (message instanceof LogMessage lm) {
      LOG.log(level(lm.level()), () -> "server log (session " + lm.sessionIdent() + "): "
          + lm.message());
    } else if (message instanceof QueryErrorMessage q) {
      if (q.sessionIdent() == 0) {
        throw violation("QUERY_ERROR with session ident 0 (expected: a session)");
      }
      if (forThisSession(q.sessionIdent(), "QUERY_ERROR")) {
        report(new SyncException(Category.SERVER, q.errorCode(), null, false,
            "server refused query version " + q.queryVersion() + ": " + q.message(), null));
      }
    } else if (message instanceof TestCommandMessage t) {
      throw violation("TEST_COMMAND response for request " + t.requestIdent()
          + " (expected: none; this client never sends TEST_COMMAND)");
    } else {
      throw violation("unexpected " + message.type().wireName() + " from the server");
    }
  }

  /** Whether a message with this ident concerns this session: 0 is ignored, others violate. */
  private boolean forThisSession(long ident, String what) {
    if (ident == 0) {
      return false; // realm-core silently ignores these with session ident 0 (§8.1)
    }
    if (ident != sessionIdent) {
      throw violation(what + " for session " + ident + " (expected: " + sessionIdent
          + ", the only session this client bound)");
    }
    return true;
  }

  private void onServerIdent(ServerIdentMessage m) {
    if (!forThisSession(m.sessionIdent(), "IDENT")) {
      return;
    }
    if (sphase == SessionPhase.UNBINDING || sphase == SessionPhase.SUSPENDED) {
      return;
    }
    if (sphase != SessionPhase.WAIT_IDENT) {
      throw violation("IDENT from the server (expected: only in answer to a BIND asking for a"
          + " client file ident)");
    }
    if (m.clientFileIdent() < 1 || m.clientFileIdentSalt() < 1) {
      throw violation("IDENT client_file_ident " + m.clientFileIdent() + ", salt "
          + m.clientFileIdentSalt() + " (expected: ident >= 1 and salt >= 1)");
    }
    log.storeClientFile(m.clientFileIdent(), m.clientFileIdentSalt()); // before IDENT (§8.7)
    clientFileIdent = m.clientFileIdent();
    clientFileSalt = m.clientFileIdentSalt();
    sendIdent();
  }

  private void onPong(PongMessage p) {
    if (outstandingPing < 0 || p.timestampMs() != outstandingPing) {
      throw violation("PONG " + p.timestampMs() + " (expected: "
          + (outstandingPing < 0 ? "none, no PING outstanding" : "the PING's " + outstandingPing)
          + ")");
    }
    long now = ticker.read();
    lastRttMs = Math.max(0, nowMs(now) - outstandingPing);
    outstandingPing = -1;
    pongDeadline = NEVER;
    // next PING one period after the last one was sent, minus up to 10 % (§3.6)
    long period = options.pingInterval().toNanos();
    long next = pingSentAt + period - (long) (random.nextDouble() * 0.1 * period);
    pingAt = Math.max(now, next);
  }

  private void sendPing(long now) {
    outstandingPing = nowMs(now);
    pingSentAt = now;
    pongDeadline = now + options.pongTimeout().toNanos();
    send(encoder.encode(new PingMessage(outstandingPing, lastRttMs), out));
  }

  private long nowMs(long now) {
    return (now - originNanos) / 1_000_000;
  }

  private void onDownload() {
    DownloadCursor d = download;
    if (!forThisSession(d.sessionIdent(), "DOWNLOAD")) {
      return;
    }
    if (sphase == SessionPhase.UNBINDING || sphase == SessionPhase.SUSPENDED) {
      return; // after UNBIND the client ignores all but UNBOUND/ERROR (§5.7)
    }
    if (sphase != SessionPhase.ACTIVE) {
      throw violation("DOWNLOAD before IDENT (expected: only after this client sent IDENT)");
    }
    SyncProgress s = progress;
    long newestLocal = Math.max(Math.max(knownNewest, committedVersion.get()), lastSentVersion);
    // spec protocol.md §5.6, client checks 1-8
    check(d.latestServerVersion() >= s.latestServerVersion(), "latest_server_version",
        d.latestServerVersion(), ">= the stored " + s.latestServerVersion());
    check(d.latestServerVersionSalt() >= 0, "latest_server_version_salt",
        d.latestServerVersionSalt(), ">= 0");
    check(d.uploadClientVersion() >= s.uploadClientVersion(), "upload_client_version",
        d.uploadClientVersion(), ">= the stored " + s.uploadClientVersion());
    check(d.uploadClientVersion() <= newestLocal, "upload_client_version",
        d.uploadClientVersion(), "<= the newest local version " + newestLocal);
    check(d.downloadServerVersion() >= s.downloadServerVersion(), "download_server_version",
        d.downloadServerVersion(), ">= the stored " + s.downloadServerVersion());
    check(d.downloadServerVersion() <= d.latestServerVersion(), "download_server_version",
        d.downloadServerVersion(), "<= latest_server_version " + d.latestServerVersion());
    check(d.downloadClientVersion() >= s.downloadClientVersion(), "download_client_version",
        d.downloadClientVersion(), ">= the stored " + s.downloadClientVersion());
    check(d.downloadClientVersion() <= d.uploadClientVersion(), "download_client_version",
        d.downloadClientVersion(), "<= upload_client_version " + d.uploadClientVersion());
    check(d.downloadServerVersion() >= d.uploadServerVersion(), "download_server_version",
        d.downloadServerVersion(), ">= upload_server_version " + d.uploadServerVersion());
    check(d.uploadServerVersion() == 0 || d.uploadServerVersion() >= s.uploadServerVersion(),
        "upload_server_version", d.uploadServerVersion(),
        "0 or >= the stored " + s.uploadServerVersion());
    check(d.queryVersion() >= 0, "query_version", d.queryVersion(), ">= 0");
    // check 9: the entries
    long prevServer = s.downloadServerVersion();
    long prevClient = s.downloadClientVersion();
    boolean nonEmpty = false;
    d.rewind();
    while (d.next()) {
      int i = d.entryIndex();
      check(d.serverVersion() >= prevServer && d.serverVersion() <= d.downloadServerVersion(),
          "entry " + i + " server_version", d.serverVersion(),
          prevServer + ".." + d.downloadServerVersion());
      check(d.clientVersion() >= prevClient && d.clientVersion() <= d.downloadClientVersion(),
          "entry " + i + " client_version", d.clientVersion(),
          prevClient + ".." + d.downloadClientVersion());
      check(d.originFileIdent() > 0 && d.originFileIdent() != clientFileIdent,
          "entry " + i + " origin_file_ident", d.originFileIdent(),
          "> 0 and not this client's " + clientFileIdent);
      prevServer = d.serverVersion();
      prevClient = d.clientVersion();
      nonEmpty |= d.changesetSize() > 0;
    }
    d.rewind();
    gotDownload = true;
    resetUnconfirmed = false;
    immediateRetries = 0;
    rebindBackoff.reset();
    if (nonEmpty) {
      refuseDownloadedChangesets();
      return;
    }
    BatchState batch = d.batchState();
    if (batch == BatchState.MORE_TO_COME) {
      inBootstrap = true; // an (empty) bootstrap: applied with its last message
      return;
    }
    if (batch == BatchState.LAST_IN_BATCH) {
      inBootstrap = false;
    }
    acknowledge(new SyncProgress(d.downloadServerVersion(), d.downloadClientVersion(),
        d.latestServerVersion(), d.latestServerVersionSalt(), d.uploadClientVersion(),
        d.uploadServerVersion()));
  }

  private static void check(boolean ok, String field, long actual, String expected) {
    if (!ok) {
      throw violation("DOWNLOAD " + field + ": " + actual + " (expected: " + expected + ")");
    }
  }

  /**
   * Persists the progress, deletes the acknowledged entries, wakes waiters (§8.4).
   *
   * <p>The server has the acknowledged entries durably, so the waiters and the progress listeners
   * need not wait for the local delete (a synced storage commit): when every acknowledged entry
   * was sent on this binding and the log's per-entry overhead is known, they are told first, with
   * the log's figures minus the acknowledged entries (what the log holds once the delete
   * committed), and the delete follows once nothing else is queued ({@link #startDelete}: after
   * the uploads a commit made possible, and one delete for a burst of acknowledgements; before any
   * other acknowledgement and before the session ends). The delete runs off this thread ({@link
   * UploadLog#acknowledgeAsync}: the log's synced commit no longer holds up the next UPLOAD or
   * DOWNLOAD), one at a time, in order with every later call on the log. A crash in between loses
   * nothing: the entries are sent again and the server discards them as already integrated.
   */
  private void acknowledge(SyncProgress p) {
    long previous = progress.uploadClientVersion();
    long acked = p.uploadClientVersion();
    if (!p.equals(progress)) {
      if (acked > previous && acked <= ring.maxPushed() && entryOverhead >= 0) {
        LogStats before = statsOrNull();
        if (before != null) {
          ring.popThrough(acked);
          ackedObjects += ring.poppedObjects;
          ackedBytes += ring.poppedBytes;
          progress = p;
          if (acked > lastSentVersion) {
            lastSentVersion = acked;
            ring.clear(acked);
          }
          waiters.acknowledge(acked);
          pendingDelete = p;
          if (deleteInFlight && !wakeOnDeleted) {
            wakeOnDeleted = true; // this one waits for the in-flight delete's report
          }
          undeleted = undeleted.plus(before, ring);
          publishProgress(before);
          return;
        }
      }
      deletePending(); // in order (after an in-flight one: the log keeps the order)
      LogStats before = acked > previous && entryOverhead == OVERHEAD_UNKNOWN ? statsOrNull() : null;
      if (acked > previous) {
        long o = 0;
        long b = 0;
        if (acked > ring.maxPushed()) {
          // acknowledged versions this binding did not send (sent before a reconnect or restart)
          Counter counter = new Counter(acked);
          log.read(Math.max(previous, ring.maxPushed()), Long.MAX_VALUE, counter);
          o += counter.objects;
          b += counter.bytes;
        }
        ring.popThrough(acked);
        ackedObjects += o + ring.poppedObjects;
        ackedBytes += b + ring.poppedBytes;
      }
      acknowledgeLog(p);
      if (before != null && acked <= ring.maxPushed()) {
        LogStats after = statsOrNull();
        if (after != null) {
          learnOverhead(before, after, ring.poppedEntries, ring.poppedBytes);
        }
      }
      progress = p;
      progressDirty = true;
    }
    if (acked > lastSentVersion) {
      lastSentVersion = acked; // acknowledged before this binding re-sent it
      ring.clear(acked);
    }
    waiters.acknowledge(acked);
  }

  private void refuseDownloadedChangesets() {
    String text = "downloaded changesets are not supported by an ingest client (asymmetric"
        + " tables only; expected: DOWNLOAD messages without changesets)";
    send(encoder.encode(new ClientJsonErrorMessage(ProtocolError.BAD_CHANGESET.code(),
        sessionIdent, text), out));
    SyncException error = new SyncException(Category.PROTOCOL_VIOLATION,
        ProtocolError.BAD_CHANGESET.code(), null, true,
        "the server sent a DOWNLOAD with changesets: " + text, null);
    failWaiters(error);
    unbindThen(() -> stopFatally(error));
  }

  // =============================================================================================
  // errors
  // =============================================================================================

  private void onServerError(int code, String text, boolean tryAgain, long session,
      JsonErrorBody json) {
    boolean sessionLevel = ProtocolError.isSessionLevel(code);
    ProtocolError known = ProtocolError.forCode(code);
    ErrorAction action = json == null ? null : json.action();
    ErrorAction effective = action == null ? null : action.effective();
    String what = (json == null ? "ERROR " : "JSON_ERROR ") + code + " ("
        + (known == ProtocolError.UNKNOWN ? "unknown code" : known.realmName()) + ")"
        + (action != null ? " action " + json.actionName() : "") + ", tryAgain " + tryAgain
        + ": " + text;
    if (session == 0) {
      if (sessionLevel) {
        throw violation(what + " with session ident 0 (expected: a connection-level code"
            + " 100-199)");
      }
      onConnectionError(code, known, tryAgain, effective, json, what);
      return;
    }
    if (!sessionLevel) {
      throw violation(what + " for session " + session
          + " (expected: a session-level code 200-299)");
    }
    if (!forThisSession(session, "ERROR")) {
      return;
    }
    if (sphase == SessionPhase.UNBINDING) {
      endUnbinding(); // an ERROR ends an UNBIND as UNBOUND would (§5.7)
      return;
    }
    if (sphase == SessionPhase.SUSPENDED || sphase == SessionPhase.NONE) {
      return;
    }
    onSessionError(code, known, tryAgain, effective, json, what);
  }

  private void onConnectionError(int code, ProtocolError known, boolean tryAgain,
      ErrorAction action, JsonErrorBody json, String what) {
    if (action == ErrorAction.REFRESH_USER || action == ErrorAction.REFRESH_LOCATION) {
      refreshAndReconnect(action == ErrorAction.REFRESH_USER ? Refresh.ACCESS_TOKEN
          : Refresh.LOCATION, "error-" + code, serverError(code, action, false, what));
      return;
    }
    // unknown connection-level codes: close and back off (§10.1), whatever tryAgain says
    boolean fatalNow = known != ProtocolError.UNKNOWN && (!tryAgain || isFatalAction(action));
    if (fatalNow) {
      stopFatally(serverError(code, action, true, what));
      return;
    }
    SyncException error = serverError(code, action, false, what);
    if (action == ErrorAction.WARNING) {
      report(error);
    }
    scheduleReconnect("error-" + code, error, json == null ? null : json.backoff());
  }

  private void onSessionError(int code, ProtocolError known, boolean tryAgain,
      ErrorAction action, JsonErrorBody json, String what) {
    if (action == ErrorAction.REFRESH_USER || action == ErrorAction.REFRESH_LOCATION) {
      send(encoder.encode(new UnbindMessage(sessionIdent), out));
      refreshAndReconnect(action == ErrorAction.REFRESH_USER ? Refresh.ACCESS_TOKEN
          : Refresh.LOCATION, "error-" + code, serverError(code, action, false, what));
      return;
    }
    if (requiresClientReset(code, action) && options.clientReset() == ClientResetMode.RECOVER) {
      if (resetUnconfirmed) {
        stopFatally(serverError(code, action, true, what + " (again after a client reset, before"
            + " the server accepted the new client file; the entries stay in the log)"));
      } else {
        clientReset(code, what);
      }
      return;
    }
    boolean retry = code == ProtocolError.SESSION_CLOSED.code() // always retried after 1 s
        || (tryAgain && !isFatalAction(action));
    if (!retry) {
      stopFatally(serverError(code, action, true, what)); // sends UNBIND
      return;
    }
    send(encoder.encode(new UnbindMessage(sessionIdent), out));
    sphase = SessionPhase.SUSPENDED;
    SyncException error = serverError(code, action, false, what);
    if (action != ErrorAction.TRANSIENT) {
      report(error); // Transient errors are not reported (§5.10)
    }
    long delay;
    if (code == ProtocolError.SESSION_CLOSED.code()) {
      delay = TimeUnit.SECONDS.toNanos(1);
    } else if (json != null && json.backoff() != null) {
      JsonErrorBody.Backoff b = json.backoff();
      delay = rebindBackoff.next("error-" + code, seconds(b.intervalSec()),
          seconds(b.maxDelaySec()), b.multiplier());
    } else {
      delay = rebindBackoff.next("error-" + code);
    }
    rebindAt = ticker.read() + delay;
  }

  /**
   * The server no longer knows this client file (spec protocol.md §5.3, §10: 208-211, 217, 222)
   * and did not forbid recovery.
   */
  private static boolean requiresClientReset(int code, ErrorAction action) {
    boolean lostFile = switch (ProtocolError.forCode(code)) {
      case BAD_CLIENT_FILE_IDENT, BAD_SERVER_VERSION, BAD_CLIENT_VERSION, DIVERGING_HISTORIES,
          BAD_CLIENT_FILE, CLIENT_FILE_EXPIRED -> true;
      default -> false;
    };
    return lostFile && (action == null || action == ErrorAction.CLIENT_RESET);
  }

  /**
   * {@link ClientResetMode#RECOVER}: forgets the client file and the server's cursors (durably, so
   * a crash before the new IDENT only repeats the reset), then binds as a new client file, which
   * uploads every entry the log still holds (they are all unacknowledged).
   */
  private void clientReset(int code, String what) {
    send(encoder.encode(new UnbindMessage(sessionIdent), out));
    sphase = SessionPhase.SUSPENDED;
    long lost = clientFileIdent;
    deletePending(); // what the old file had acknowledged goes first, in order
    acknowledgeLog(SyncProgress.NONE); // also stamps 0 on later entries, refuses older hand-overs
    progress = SyncProgress.NONE;
    progressDirty = true;
    clientFileIdent = 0;
    clientFileSalt = 0;
    resetUnconfirmed = true;
    SyncException error = new SyncException(Category.SERVER, code, ErrorAction.CLIENT_RESET, false,
        "client reset: server sent " + what + "; the log's unacknowledged entries are uploaded"
            + " again as a new client file (was " + lost + ")", null);
    report(error);
    rebindAt = ticker.read() + rebindBackoff.next("client-reset");
  }

  private static boolean isFatalAction(ErrorAction action) {
    if (action == null) {
      return false;
    }
    return switch (action) {
      case TRANSIENT, WARNING, REFRESH_USER, REFRESH_LOCATION -> false;
      default -> true; // ApplicationBug, ProtocolViolation, client reset, DeleteRealm, ...
    };
  }

  private static SyncException serverError(int code, ErrorAction action, boolean fatal,
      String what) {
    return new SyncException(Category.SERVER, code, action, fatal,
        (fatal ? "sync stopped: " : "") + "server sent " + what, null);
  }

  private static long seconds(int s) {
    return TimeUnit.SECONDS.toNanos(Math.max(0, s));
  }

  private void protocolViolation(String message, Throwable cause) {
    stopFatally(new SyncException(Category.PROTOCOL_VIOLATION, 0,
        ErrorAction.PROTOCOL_VIOLATION, true, "protocol violation by the server: " + message,
        cause));
  }

  private void storageFailure(UploadLogException e) {
    if (closeRequested && e instanceof UploadLogException.LogClosedException) {
      finishClose();
      return;
    }
    stopFatally(new SyncException(Category.STORAGE, 0, null, true,
        "sync stopped: the upload log failed: " + e.getMessage(), e));
  }

  /** Reports a non-fatal error without a state change. */
  private void report(SyncException error) {
    LOG.log(System.Logger.Level.WARNING, "sync session " + sessionIdent + ": " + error.getMessage());
    ConnectionState s = publicState;
    notifyState(s, s, error);
  }

  private void failWaiters(SyncException error) {
    if (fatal == null) {
      fatal = error;
    }
    waiters.fail(fatal);
  }

  /** A fatal error: UNBIND (if bound), close the connection, stop; waiters fail at once. */
  private void stopFatally(SyncException error) {
    if (phase == Phase.STOPPED || phase == Phase.CLOSED) {
      return;
    }
    LOG.log(System.Logger.Level.WARNING, "sync session " + sessionIdent + ": " + error.getMessage());
    if (sphase == SessionPhase.ACTIVE || sphase == SessionPhase.WAIT_IDENT) {
      send(encoder.encode(new UnbindMessage(sessionIdent), out));
    }
    dropConnection();
    reconnectAt = NEVER;
    phase = Phase.STOPPED;
    // the state first, so that a woken waiter sees it; the listeners after the waiters
    ConnectionState old = publicState;
    publicState = ConnectionState.DISCONNECTED;
    failWaiters(error);
    notifyState(old, ConnectionState.DISCONNECTED, fatal);
    if (closeRequested) {
      finishClose();
    }
  }

  // =============================================================================================
  // closing
  // =============================================================================================

  private void onCloseRequested() {
    if (closeRequested) {
      return;
    }
    closeRequested = true;
    if (phase == Phase.CONNECTED
        && (sphase == SessionPhase.ACTIVE || sphase == SessionPhase.WAIT_IDENT)) {
      unbindThen(this::finishClose);
    } else if (sphase != SessionPhase.UNBINDING) {
      finishClose();
    }
  }

  /** Sends UNBIND and runs {@code then} on UNBOUND, ERROR, connection end or the close timeout. */
  private void unbindThen(Runnable then) {
    send(encoder.encode(new UnbindMessage(sessionIdent), out));
    sphase = SessionPhase.UNBINDING;
    afterUnbind = then;
    unbindDeadline = ticker.read() + options.closeTimeout().toNanos();
    if (options.closeTimeout().isZero()) {
      endUnbinding();
    }
  }

  private void endUnbinding() {
    Runnable then = afterUnbind;
    afterUnbind = null;
    unbindDeadline = NEVER;
    sphase = SessionPhase.NONE;
    if (closeRequested) {
      finishClose();
    } else if (then != null) {
      then.run();
    }
  }

  private void finishClose() {
    if (phase == Phase.CLOSED) {
      return;
    }
    closeRequested = true;
    try {
      if (pendingDelete != null) {
        deletePending(); // after an in-flight one: the log keeps the order
      } else if (deleteInFlight) {
        log.acknowledge(progress); // the newest progress again: returns once the delete committed
      }
    } catch (UploadLogException e) {
      // the acknowledged entries stay; a later run re-sends them and the server discards them
    }
    dropConnection();
    phase = Phase.CLOSED;
    reconnectAt = NEVER;
    unbindDeadline = NEVER;
    failWaiters(new SyncException(Category.CLOSED, 0, null, true,
        "the realm was closed before the server acknowledged the upload", null));
    setState(ConnectionState.DISCONNECTED, null);
  }

  private void releaseResources() {
    handover.close();
    closeDecoders();
    uploads.close();
    encoder.close();
  }

  // =============================================================================================
  // listeners
  // =============================================================================================

  private void setState(ConnectionState state, SyncException error) {
    ConnectionState old = publicState;
    if (old == state && error == null) {
      return;
    }
    publicState = state;
    notifyState(old, state, error);
  }

  private void notifyState(ConnectionState old, ConnectionState state, SyncException error) {
    for (ConnectionStateListener l : stateListeners) {
      try {
        l.connectionStateChanged(old, state, error);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "connection state listener " + l + " threw; ignored", e);
      }
    }
  }

  private void publishProgress() {
    LogStats s = statsOrNull();
    if (s == null) {
      progressDirty = false;
      publishedCommitted = knownNewest;
      return; // closing; the next acknowledgement reports again
    }
    publishProgress(s);
  }

  /**
   * Hands the entries acknowledged since the last delete to the log as one delete that runs off
   * this thread ({@link UploadLog#acknowledgeAsync}; {@link #onDeleted} follows), unless one is in
   * flight (then they wait for it, and the next delete takes them all). Called when the session
   * has nothing queued, so that a burst of acknowledgements costs one delete and uploads go out
   * first. While a delete that changes the persisted download server version is in flight, the
   * entries appended meanwhile are read from the log ({@link #stampInFlight}).
   *
   * @return whether a delete was started
   */
  private boolean startDelete() {
    SyncProgress p = pendingDelete;
    if (p == null || deleteInFlight) {
      return false;
    }
    pendingDelete = null;
    deleteInFlight = true;
    stampInFlight = p.downloadServerVersion() != logServerVersion;
    inFlightServerVersion = p.downloadServerVersion();
    inFlightThrough = p.uploadClientVersion();
    inFlight = undeleted;
    undeleted = Undeleted.NONE;
    Thread me = Thread.currentThread();
    submittingDelete = true;
    try {
      log.acknowledgeAsync(p, (appendedBefore, failure) -> {
        if (Thread.currentThread() == me && submittingDelete) {
          deleteDoneInline = true; // told before acknowledgeAsync returned (a synchronous log)
          inlineAppendedBefore = appendedBefore;
          inlineDeleteFailure = failure;
        } else {
          events.add(new Deleted(appendedBefore, failure));
          if (failure != null || wakeOnDeleted) {
            signal();
          }
        }
      });
    } finally {
      submittingDelete = false;
    }
    if (deleteDoneInline) {
      RuntimeException failure = inlineDeleteFailure;
      deleteDoneInline = false;
      inlineDeleteFailure = null;
      onDeleted(inlineAppendedBefore, failure);
    }
    return true;
  }

  /**
   * The in-flight delete committed (or failed: the session stops, as when a synchronous delete
   * fails); reports again if the log's figures differ from the last report. If it changed the
   * stamp, entries after {@code appendedBefore} carry the new one: the hand-over serves those.
   */
  private void onDeleted(long appendedBefore, RuntimeException failure) {
    if (!deleteInFlight) {
      return; // closed meanwhile
    }
    deleteInFlight = false;
    wakeOnDeleted = false;
    if (stampInFlight) {
      stampInFlight = false;
      if (failure == null) {
        logServerVersion = inFlightServerVersion;
        handover.raiseFloor(appendedBefore); // those before carry the old stamp: log reads
      } else {
        handover.raiseFloor(Long.MAX_VALUE); // unknown what the log stamps now: log reads only
      }
    }
    Undeleted done = inFlight;
    inFlight = Undeleted.NONE;
    if (failure instanceof UploadLogException e) {
      storageFailure(e);
      return;
    } else if (failure != null) {
      throw failure; // a bug: the session stops with an internal error
    }
    reportAgainIfChanged(done, statsOrNull());
  }

  /**
   * After the delete of {@code done}: if the log's figures {@code after} (null: unknown) differ
   * from the last report, learns the per-entry overhead and reports again.
   */
  private void reportAgainIfChanged(Undeleted done, LogStats after) {
    if (after != null && !figures(after).equals(lastProgress)) {
      learnOverhead(done.before(), after, done.entries(), done.bytes());
      progressDirty = true; // appends meanwhile, or the overhead was off: report again
    }
  }

  /**
   * Deletes the entries acknowledged since the last delete on this thread, in one storage
   * transaction (after an in-flight delete: the log keeps the order); reports again if the log's
   * figures differ from the last report. For steps that must follow the delete.
   *
   * @return whether there was anything to delete
   */
  private boolean deletePending() {
    SyncProgress p = pendingDelete;
    if (p == null) {
      return false;
    }
    pendingDelete = null;
    Undeleted done = undeleted;
    undeleted = Undeleted.NONE;
    LogStats after = acknowledgeLog(p);
    reportAgainIfChanged(done, after != null ? after : statsOrNull());
    return true;
  }

  /**
   * {@link UploadLog#acknowledge}, keeping {@link #logServerVersion} exact: once the persisted
   * download server version changes, the entries appended up to now may carry either value, so
   * the hand-over forgets and refuses them (they are read from the log).
   *
   * @return the log's stats read after the acknowledgement if they were needed, else null
   */
  private LogStats acknowledgeLog(SyncProgress p) {
    if (p.downloadServerVersion() == logServerVersion && !stampInFlight) {
      log.acknowledge(p);
      return null;
    }
    stampInFlight = false; // committed before p (the log keeps the order); p's stamp decides now
    boolean done = false;
    try {
      log.acknowledge(p);
      done = true;
    } finally {
      if (!done) {
        handover.raiseFloor(Long.MAX_VALUE); // unknown what the log stamps now: log reads only
      }
    }
    logServerVersion = p.downloadServerVersion();
    LogStats s = statsOrNull();
    handover.raiseFloor(s == null ? Long.MAX_VALUE : s.lastAssignedVersion());
    return s;
  }

  /** The log's stats, or null if the log is closing. */
  private LogStats statsOrNull() {
    try {
      return log.stats();
    } catch (UploadLogException e) {
      return null;
    }
  }

  /**
   * Learns the log's fixed per-entry overhead ({@link LogStats#sizeBytes()} minus changeset bytes)
   * from a delete of {@code entries} entries of {@code changesetBytes} bytes, when nothing else
   * changed the log in between. Stops the early reports for good if two observations disagree.
   */
  private void learnOverhead(LogStats before, LogStats after, int entries, long changesetBytes) {
    if (entries <= 0 || entryOverhead == OVERHEAD_INCONSISTENT
        || before.lastAssignedVersion() != after.lastAssignedVersion()
        || before.droppedEntries() != after.droppedEntries()
        || before.entryCount() - after.entryCount() != entries) {
      return;
    }
    long extra = before.sizeBytes() - after.sizeBytes() - changesetBytes;
    long overhead = extra / entries;
    if (extra < 0 || overhead * entries != extra
        || entryOverhead >= 0 && entryOverhead != overhead) {
      entryOverhead = OVERHEAD_INCONSISTENT;
    } else {
      entryOverhead = overhead;
    }
  }

  private UploadProgress progressOf(LogStats s, long minusEntries, long minusBytes,
      long minusObjects) {
    return new UploadProgress(Math.max(0, s.entryCount() - minusEntries),
        Math.max(0, s.sizeBytes() - minusBytes), Math.max(0, s.pendingObjects() - minusObjects),
        ackedBytes, ackedObjects, progress.uploadClientVersion());
  }

  /**
   * The log's figures {@code s} minus the entries acknowledged and not yet deleted: those waiting
   * for a delete, and those of the in-flight delete unless {@code s} shows it committed (its first
   * entry is past them).
   */
  private UploadProgress figures(LogStats s) {
    long entries = undeleted.entries();
    long bytes = undeleted.bytes();
    long objects = undeleted.objects();
    if (deleteInFlight && s.entryCount() > 0 && s.firstVersion() <= inFlightThrough) {
      entries += inFlight.entries();
      bytes += inFlight.bytes();
      objects += inFlight.objects();
    }
    return entries == 0 ? progressOf(s, 0, 0, 0)
        : progressOf(s, entries, bytes + entries * Math.max(0, entryOverhead), objects);
  }

  /**
   * Reports the log's figures minus the entries acknowledged and not yet deleted (a concurrent
   * {@link io.tributary.core.spi.OverflowPolicy#DROP_OLDEST} drop of those may make one report
   * low, never negative; the report after the delete is exact).
   */
  private void publishProgress(LogStats s) {
    progressDirty = false;
    publishedCommitted = knownNewest;
    UploadProgress p = figures(s);
    lastProgress = p;
    for (UploadProgressListener l : progressListeners) {
      try {
        l.uploadProgress(p);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "upload progress listener " + l + " threw; ignored", e);
      }
    }
  }

  private static System.Logger.Level level(LogMessage.Level l) {
    return switch (l) {
      case FATAL, ERROR -> System.Logger.Level.ERROR;
      case WARN -> System.Logger.Level.WARNING;
      case INFO -> System.Logger.Level.INFO;
      case DETAIL, DEBUG -> System.Logger.Level.DEBUG;
      case TRACE -> System.Logger.Level.TRACE;
    };
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "SyncSession{ident=" + sessionIdent + ", state=" + publicState + '}';
  }
}
