package io.tributary.server.internal.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import io.tributary.protocol.ProtocolVersion;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.ClientJsonErrorMessage;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.DownloadMessage;
import io.tributary.protocol.message.LogMessage;
import io.tributary.protocol.message.MarkMessage;
import io.tributary.protocol.message.MessageBuffer;
import io.tributary.protocol.message.MessageEncoder;
import io.tributary.protocol.message.QueryErrorMessage;
import io.tributary.protocol.message.QueryMessage;
import io.tributary.protocol.message.ServerIdentMessage;
import io.tributary.protocol.message.ServerMessage;
import io.tributary.protocol.message.TestCommandMessage;
import io.tributary.protocol.message.UnbindMessage;
import io.tributary.protocol.message.UnboundMessage;
import io.tributary.protocol.message.UploadCursor;
import io.tributary.server.AppSchema;
import io.tributary.server.Values;
import io.tributary.server.internal.ingest.ChangesetIngestor;
import io.tributary.server.internal.ingest.IngestException;
import io.tributary.server.internal.metrics.Metrics;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestRecords;
import io.tributary.transport.netty.server.EdgeConnection;
import io.tributary.server.spi.IngestSink;
import io.tributary.server.spi.SinkException;
import io.tributary.transport.netty.server.EdgeHandler;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The ingest thread: runs every session's state machine (spec protocol.md §8.3), integrates
 * UPLOADs (inflate, parse, validate, build objects: §5.5, changeset.md §11) and commits with group
 * commit: what the event loops handed over since the last round is processed in order, up to a
 * cap (8192 objects, 4 MiB of changeset bytes or 4096 items; the rest waits for the next round),
 * its writes (objects, client-file progress, ident allocations, an adopted schema) go to the sink
 * in <b>one</b> {@link IngestSink#commit}, and only then are the replies of the round sent, each
 * connection's in receive order (§7.3: acknowledge after the commit).
 *
 * <p>Pipelined: the commit runs on the "tributary-commit" thread while the ingest thread already
 * integrates the next round, reading the state of the round in flight as if committed. At most one
 * commit is in flight: a round ends by waiting for the previous round's commit and sending its
 * replies, and only then hands over its own commit, so replies keep the receive order and nothing
 * is acknowledged before its commit returned. A sink read (a client-file state not cached) waits
 * for the commit in flight first: the sink sees one call at a time.
 *
 * <p>If the commit fails nothing of it is acknowledged: every session that wrote in the round, or
 * read state the round changed, gets error 201 (Transient, retry with backoff) instead of its
 * replies, and its state is forgotten. The round integrated meanwhile (which may have read the
 * failed round's state) is discarded as a whole: nothing of it is committed and its dependent
 * sessions get 201 as well. A session error affects only its session; a connection error
 * (malformed message, bad order) only its connection.
 *
 * <p>Threads: {@link #submit} from any thread; {@link IngestSink#commit} on the commit thread;
 * everything else on the ingest thread.
 */
public final class IngestEngine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(IngestEngine.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  /*
   * A round (one sink commit) ends at whichever comes first: the queue is empty, this many items,
   * this many objects, or this many changeset bytes integrated. Small commits keep the round's
   * objects' heap and the acknowledgement delay bounded; a few thousand objects per commit
   * already amortise the commit's fsync (group commit still takes everything queued up to the cap).
   */
  private static final int MAX_ROUND_ITEMS = 4096;
  static final int MAX_ROUND_OBJECTS = 8192;
  static final long MAX_ROUND_CHANGESET_BYTES = 4L << 20;
  /** Settings key of the schema adopted in development mode. */
  public static final String SCHEMA_SETTING = "schema";
  /** Settings key of the secret server-version salts are derived from. */
  public static final String SALT_SECRET_SETTING = "version_salt_secret";

  private final EngineSettings settings;
  /** Builds every JSON_ERROR, with the operator's log URL. */
  private final ServerErrors errors;
  private final IngestSink sink;
  private final Metrics metrics;
  private final ConcurrentLinkedQueue<Inbound> queue = new ConcurrentLinkedQueue<>();
  /** The arrays UPLOADs are copied into: taken by the event loops, given back here once handled. */
  private final UploadBuffers uploadBuffers = new UploadBuffers(UploadBuffers.defaultMaxPooledBytes());
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  /** The "tributary-commit" thread: runs {@link IngestSink#commit}, one round at a time. */
  private final ExecutorService committer;
  private final AtomicLong connectionIds = new AtomicLong();
  private volatile boolean running = true;
  /** Set when the ingest thread died of an unexpected throwable (not by shutdown). */
  private volatile boolean failed;

  // ingest thread only
  private final ClientFileRegistry files;
  private final VersionSalts salts;
  private final ChangesetIngestor ingestor = new ChangesetIngestor();
  private final UploadCursor cursor;
  private final MessageEncoder[] encoders = new MessageEncoder[ProtocolVersion.MAX_SUPPORTED + 1];
  private final MessageBuffer out = new MessageBuffer(4096);
  private final SecureRandom random = new SecureRandom();
  private final Set<ClientConnection> connections = new HashSet<>();
  private final Map<Long, Session> bindings = new HashMap<>();
  /** Two rounds alternate: one integrated here while the other is committed. */
  private final Round[] rounds = {new Round(), new Round()};
  /** The round being integrated (or the last one). */
  private Round round = rounds[0];
  /** The round whose commit runs on the commit thread, or null; at most one. */
  private Round inflight;
  /** Whether a round is being integrated (from its first message until its replies are handled). */
  private boolean inRound;
  private AppSchema schema;

  /** One reply, sent after the round's commit. */
  private record Reply(ClientConnection connection, Session session, ServerMessage message, boolean close) {}

  /** The writes of one round of messages: committed together. */
  private static final class Round {
    /** The round's objects; reused round after round (cleared only once its commit returned). */
    final IngestRecords objects = new IngestRecords(1024, 1 << 18);
    final Map<Long, FileState> files = new LinkedHashMap<>();
    long lastIdent;
    AppSchema schema;
    final Set<Session> dependents = new HashSet<>();
    /** Replies, sent after the commit (or at once after the commit in flight if no writes). */
    final List<Reply> replies = new ArrayList<>();
    /** Dependents already errored when the round ended (they get no 201 if its commit fails). */
    final Set<Session> erroredAtEnd = new HashSet<>();
    /**
     * Set if the commit of the previous round failed while this one was integrated: this round
     * may have read that round's state, so it is discarded as a whole.
     */
    RuntimeException poisoned;
    /** Sessions the previous round's failure already answered with 201. */
    final Set<Session> failedBefore = new HashSet<>();
    // the commit: written by the commit thread before done, read by the ingest thread after
    IngestBatch batch;
    CommitResult result;
    Throwable error;
    long commitNanos;
    volatile boolean done;
    long integrated;
    long skipped;
    long allocated;
    long changesetBytes;

    boolean full(int items) {
      return items >= MAX_ROUND_ITEMS || objects.size() >= MAX_ROUND_OBJECTS
          || changesetBytes >= MAX_ROUND_CHANGESET_BYTES;
    }

    boolean hasWrites() {
      return !objects.isEmpty() || !files.isEmpty() || lastIdent != 0 || schema != null;
    }

    void clear() {
      objects.clear();
      files.clear();
      lastIdent = 0;
      schema = null;
      dependents.clear();
      replies.clear();
      erroredAtEnd.clear();
      poisoned = null;
      failedBefore.clear();
      batch = null;
      result = null;
      error = null;
      commitNanos = 0;
      done = false;
      integrated = 0;
      skipped = 0;
      allocated = 0;
      changesetBytes = 0;
    }
  }

  /**
   * Loads the server's state from the sink (the salt secret, an adopted schema) and starts the
   * ingest thread.
   *
   * @throws SinkException if the sink cannot be read or written
   * @throws io.tributary.server.SchemaException if an adopted schema contradicts the configured one
   */
  public IngestEngine(EngineSettings settings, IngestSink sink, Metrics metrics) {
    this.settings = settings;
    this.errors = new ServerErrors(settings.errorLogUrl());
    this.sink = sink;
    this.metrics = metrics;
    this.files = new ClientFileRegistry(sink, settings.clientFileCacheSize());
    this.cursor = new UploadCursor(settings.codec());
    byte[] secret = sink.setting(SALT_SECRET_SETTING).map(java.util.HexFormat.of()::parseHex).orElse(null);
    if (secret == null) {
      secret = new byte[32];
      random.nextBytes(secret);
      sink.commit(IngestBatch.ofRecords(List.of(), List.of(), 0,
          Map.of(SALT_SECRET_SETTING, java.util.HexFormat.of().formatHex(secret))));
    }
    this.salts = new VersionSalts(secret);
    this.schema = initialSchema(settings, sink);
    this.committer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tributary-commit");
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::run, "tributary-ingest");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private static AppSchema initialSchema(EngineSettings settings, IngestSink sink) {
    AppSchema configured = settings.schema();
    if (!settings.developmentMode()) {
      return configured;
    }
    AppSchema adopted = sink.setting(SCHEMA_SETTING).map(AppSchema::parse).orElse(null);
    if (adopted == null) {
      return configured;
    }
    // configured classes and properties win; adopted ones are added; a contradiction is an error
    Map<String, AppSchema.ObjectClass> merged = new LinkedHashMap<>();
    for (AppSchema.ObjectClass c : configured.classes()) {
      merged.put(c.name(), c);
    }
    for (AppSchema.ObjectClass c : adopted.classes()) {
      AppSchema.ObjectClass mine = merged.get(c.name());
      if (mine == null) {
        merged.put(c.name(), c);
        continue;
      }
      if (mine.kind() != c.kind() || !java.util.Objects.equals(mine.primaryKey(), c.primaryKey())) {
        throw new io.tributary.server.SchemaException(
            "class " + c.name() + ": adopted as " + c.kind().jsonName() + " (expected: as configured, "
                + mine.kind().jsonName() + ")");
      }
      for (AppSchema.Property p : c.properties()) {
        AppSchema.Property q = mine.property(p.name()).orElse(null);
        if (q == null) {
          mine = mine.withProperty(p);
        } else if (!q.equals(p)) {
          throw new io.tributary.server.SchemaException(
              "class " + c.name() + ": property " + p.name() + " adopted as '" + p.shortForm()
                  + "' (expected: as configured, '" + q.shortForm() + "')");
        }
      }
      merged.put(c.name(), mine);
    }
    return AppSchema.of(merged.values());
  }

  /** Builds this server's JSON_ERROR messages (with its log URL). */
  ServerErrors errors() {
    return errors;
  }

  /** The counters. */
  public Metrics metrics() {
    return metrics;
  }

  /** A handler for a newly upgraded connection (called on an event loop). */
  public EdgeHandler newConnection() {
    return new ClientConnection(this, settings, connectionIds.incrementAndGet());
  }

  /** The arrays UPLOADs are copied into (any thread). */
  UploadBuffers uploadBuffers() {
    return uploadBuffers;
  }

  /** Whether the ingest thread runs. */
  public boolean isRunning() {
    return running && thread.isAlive();
  }

  /** The schema in force (committed). */
  public AppSchema schema() {
    return schema;
  }

  void submit(Inbound in) {
    if (failed) {
      // nobody will handle it: a client waiting on an open connection would wait forever
      closeForFailure(in.connection());
      return;
    }
    queue.add(in);
    LockSupport.unpark(thread);
    if (failed) { // it died between the check above and the add: do not leave this one queued
      Inbound left;
      while ((left = queue.poll()) != null) {
        closeForFailure(left.connection());
      }
    }
  }

  /** The ingest thread died: close with 1011 (try again later) so the client backs off, reconnects. */
  private static void closeForFailure(ClientConnection c) {
    EdgeConnection e = c == null ? null : c.edge();
    if (e != null) {
      e.close(1011, "server cannot ingest (internal failure); try again later");
    }
  }

  /**
   * Tells every connection the server shuts down (connection error 100, Transient), sends what is
   * queued, and stops the ingest thread; waits at most {@code timeoutMs}. Idempotent.
   *
   * @return whether the thread stopped in time
   */
  public boolean shutdown(long timeoutMs) {
    if (running) {
      submit(new Inbound.Shutdown());
    }
    try {
      return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    shutdown(10_000);
  }

  // =============================================================================================
  // the ingest thread

  private void run() {
    try {
      while (running) {
        if (inflight != null && inflight.done) {
          awaitCommit(); // done: its replies go out now, without waiting for a next round
        }
        Inbound first = queue.poll();
        if (first == null) {
          // woken by submit or by the commit thread
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
          continue;
        }
        round = inflight == rounds[0] ? rounds[1] : rounds[0];
        round.clear();
        inRound = true;
        handleInRound(first);
        int items = 1;
        Inbound next;
        // the caps are checked after each item: what is left stays queued for the next round.
        // While the previous commit runs, what arrives joins this round (group commit): ending it
        // early would only make it wait with fewer writes for the next commit.
        while (!round.full(items)) {
          next = queue.poll();
          if (next == null) {
            Round r = inflight;
            if (r == null || r.done) {
              break;
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100)); // woken by submit or the commit
            continue;
          }
          handleInRound(next);
          items++;
        }
        endRound();
      }
      awaitCommit(); // shutting down: the last round's replies
    } catch (Throwable t) {
      failed = true;
      LOG.log(System.Logger.Level.ERROR, "ingest thread failed; the server stops ingesting and closes every"
          + " connection (1011); /health reports it", t);
      // nothing of the failed round (or of one in flight) was acknowledged; clients re-send it
      // when they reconnect
      for (ClientConnection c : connections) {
        closeForFailure(c);
      }
      Inbound in;
      while ((in = queue.poll()) != null) {
        closeForFailure(in.connection());
      }
    } finally {
      running = false;
      // the sink is closed once the engine stopped: never under a running commit
      Round r = inflight;
      while (r != null && !r.done) {
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
      }
      committer.shutdown();
      for (MessageEncoder e : encoders) {
        if (e != null) {
          e.close();
        }
      }
      cursor.close();
      stopped.countDown();
    }
  }

  private void handleInRound(Inbound in) {
    try {
      handle(in);
    } catch (SinkException e) {
      LOG.log(System.Logger.Level.WARNING, "storage unavailable while handling a message of " + in.connection(), e);
      storageUnavailable(in.connection(), e);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "internal error handling a message of " + in.connection(), e);
      if (in.connection() != null) {
        connectionError(in.connection(), ProtocolError.OTHER_ERROR, "internal server error");
      }
    } finally {
      if (in instanceof Inbound.Message || in instanceof Inbound.Upload || in instanceof Inbound.Malformed) {
        in.connection().processed(in);
      }
      if (in instanceof Inbound.Upload u) {
        uploadBuffers.give(u.message()); // nothing refers to it any more: the round holds copies
      }
    }
  }

  /**
   * Ends the round: waits for the commit in flight (whose replies go first), then hands this
   * round's writes to the commit thread and returns at once (its replies are sent once that commit
   * returned), or, without writes, sends its replies now.
   */
  private void endRound() {
    for (Session s : round.dependents) {
      if (s.state == Session.State.ERRORED) {
        round.erroredAtEnd.add(s);
      }
    }
    awaitCommit();
    inRound = false;
    if (round.poisoned != null) {
      LOG.log(System.Logger.Level.WARNING, "the previous round's commit failed: this round, integrated meanwhile,"
          + " is discarded and nothing of it is acknowledged");
      files.invalidate(round.files.keySet());
      failRound(round, round.poisoned, round.failedBefore);
      flush(round);
    } else if (round.hasWrites()) {
      startCommit(round);
    } else {
      metrics.changesetsIntegrated.add(round.integrated);
      metrics.changesetsSkipped.add(round.skipped);
      flush(round);
    }
  }

  /** Hands the round's writes to the commit thread (nothing may be in flight). */
  private void startCommit(Round r) {
    List<ClientFileRecord> records = new ArrayList<>(r.files.size());
    for (FileState f : r.files.values()) {
      records.add(f.toRecord());
    }
    Map<String, String> newSettings = r.schema == null ? Map.of() : Map.of(SCHEMA_SETTING, r.schema.toJson());
    r.batch = IngestBatch.of(r.objects, records, r.lastIdent, newSettings);
    inflight = r;
    committer.execute(() -> commit(r));
  }

  /** The commit thread: one sink commit. */
  private void commit(Round r) {
    long t0 = System.nanoTime();
    try {
      r.result = sink.commit(r.batch);
      r.commitNanos = System.nanoTime() - t0;
    } catch (Throwable t) {
      r.error = t;
    } finally {
      r.batch = null;
      r.done = true;
      LockSupport.unpark(thread);
    }
  }

  /**
   * Waits for the commit in flight, if any, records its outcome and sends its replies (a failed
   * commit's dependents get 201 instead, and the round being integrated, which may have read its
   * state, is discarded when it ends). Rethrows an {@link Error} of the sink: the ingest thread
   * then fails as documented.
   */
  private void awaitCommit() {
    Round r = inflight;
    if (r == null) {
      return;
    }
    while (!r.done) {
      LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
    }
    inflight = null;
    if (r.error instanceof Error e) {
      throw e;
    }
    if (r.error != null) {
      RuntimeException e = r.error instanceof RuntimeException x ? x : new SinkException(r.error.getMessage(), r.error);
      metrics.commitFailures.increment();
      LOG.log(System.Logger.Level.WARNING, "sink commit failed; nothing of this round is acknowledged", e);
      files.invalidate(r.files.keySet());
      failRound(r, e, Set.of());
      if (inRound) {
        round.poisoned = e;
        round.failedBefore.addAll(r.dependents);
      }
    } else {
      committed(r);
    }
    flush(r);
  }

  /** A successful commit: its states enter the registry, its schema is adopted. */
  private void committed(Round r) {
    CommitResult result = r.result;
    metrics.commitTook(r.commitNanos);
    files.committed(r.files.values(), r.lastIdent);
    if (r.schema != null) {
      schema = r.schema;
      LOG.log(System.Logger.Level.INFO, () -> "development mode: adopted schema " + schema.classes().stream()
          .map(AppSchema.ObjectClass::name).toList());
    }
    metrics.objectsIngested.add(result.storedCount());
    metrics.duplicatesDiscarded.add(result.duplicateCount());
    metrics.clientFilesAllocated.add(r.allocated);
    metrics.changesetsIntegrated.add(r.integrated);
    metrics.changesetsSkipped.add(r.skipped);
    if (result.duplicateCount() > 0) {
      LOG.log(System.Logger.Level.DEBUG, () -> "discarded " + result.duplicateCount()
          + " objects whose (class, primary key) was already stored");
    }
  }

  /**
   * A round's commit failed (or the previous one's did): its dependent sessions get error 201
   * instead of their replies. Sessions in {@code answeredBefore} got their 201 with the previous
   * round: nothing more is sent to them.
   */
  private void failRound(Round r, RuntimeException cause, Set<Session> answeredBefore) {
    Set<Session> failed = r.dependents;
    List<Reply> kept = new ArrayList<>(r.replies.size());
    Set<Session> answered = new HashSet<>();
    for (Reply reply : r.replies) {
      Session s = reply.session();
      if (s != null && answeredBefore.contains(s)) {
        continue;
      }
      if (s == null || !failed.contains(s)) {
        kept.add(reply);
      } else if (answered.add(s)) {
        kept.add(new Reply(reply.connection(), s, transientError(s, cause), false));
      }
    }
    for (Session s : failed) {
      if (!answered.contains(s) && !answeredBefore.contains(s) && !r.erroredAtEnd.contains(s)) {
        kept.add(new Reply(s.connection, s, transientError(s, cause), false));
      }
      markErrored(s);
    }
    // this round may have moved them on (an IDENT, say) before the failure was known
    for (Session s : answeredBefore) {
      markErrored(s);
    }
    r.replies.clear();
    r.replies.addAll(kept);
  }

  private ServerMessage transientError(Session s, RuntimeException cause) {
    metrics.errorSent(ProtocolError.OTHER_SESSION_ERROR.code());
    return errors.session(ProtocolError.OTHER_SESSION_ERROR, s.ident, ErrorAction.TRANSIENT, true,
        "storage temporarily unavailable, retry later: " + cause.getMessage(), ServerErrors.TRANSIENT_BACKOFF);
  }

  private void flush(Round r) {
    for (Reply reply : r.replies) {
      ClientConnection c = reply.connection();
      if (c.closing && !reply.close()) {
        continue;
      }
      ServerErrors.checkOutgoing(reply.message());
      MessageEncoder encoder = encoder(c.protocolVersion());
      try {
        c.edge().send(encoder.encode(reply.message(), out));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot send " + reply.message().type() + " to " + c, e);
      }
      if (reply.close()) {
        c.closing = true;
        c.edge().close(1000, "protocol error");
      }
    }
    r.replies.clear();
  }

  private MessageEncoder encoder(int version) {
    MessageEncoder e = encoders[version];
    if (e == null) {
      CodecConfig codec = settings.codec().toBuilder().protocolVersion(version).build();
      e = new MessageEncoder(codec);
      encoders[version] = e;
    }
    return e;
  }

  // --- dispatch ---

  private void handle(Inbound in) {
    if (in instanceof Inbound.Shutdown) {
      for (ClientConnection c : new ArrayList<>(connections)) {
        if (!c.closedForEngine) {
          connectionError(c, ProtocolError.CONNECTION_CLOSED, "server shutting down");
        }
      }
      running = false;
      return;
    }
    ClientConnection c = in.connection();
    if (in instanceof Inbound.Opened) {
      connections.add(c);
      metrics.connectionsOpened.increment();
      metrics.connectionsOpen.incrementAndGet();
      return;
    }
    if (in instanceof Inbound.Closed) {
      if (connections.remove(c)) {
        metrics.connectionsOpen.decrementAndGet();
      }
      releaseAll(c);
      return;
    }
    if (c.closedForEngine) {
      return; // after a connection error or close: nothing more from this connection
    }
    if (in instanceof Inbound.Malformed m) {
      malformed(c, m.error());
    } else if (in instanceof Inbound.Upload u) {
      upload(c, u.message(), u.length());
    } else {
      message(c, ((Inbound.Message) in).message());
    }
  }

  private void message(ClientConnection c, ClientMessage m) {
    if (m instanceof BindMessage b) {
      bind(c, b);
    } else if (m instanceof ClientIdentMessage i) {
      ident(c, i);
    } else if (m instanceof MarkMessage mark) {
      Session s = activeSession(c, mark.sessionIdent(), "mark");
      if (s != null) {
        reply(s, new MarkMessage(s.ident, mark.requestIdent()));
      }
    } else if (m instanceof UnbindMessage u) {
      unbind(c, u);
    } else if (m instanceof QueryMessage q) {
      query(c, q);
    } else if (m instanceof ClientJsonErrorMessage e) {
      clientError(c, e);
    } else if (m instanceof TestCommandMessage) {
      connectionError(c, ProtocolError.UNKNOWN_MESSAGE,
          "test_command (expected: bind, ident, upload, mark, unbind, query, ping or json_error)");
    } else {
      connectionError(c, ProtocolError.UNKNOWN_MESSAGE, m.type().wireName() + " (expected: a client message)");
    }
  }

  private void malformed(ClientConnection c, ProtocolException e) {
    ProtocolError error = e.error();
    if (error == ProtocolError.OTHER_SESSION_ERROR) {
      // a limit exceeded in a message whose session is known (spec §10.4: 201, not 104)
      Session s = c.sessions.get(e.sessionIdent());
      if (s != null && s.state != Session.State.ERRORED) {
        sessionError(s, ProtocolError.OTHER_SESSION_ERROR, ErrorAction.APPLICATION_BUG, false, e.getMessage());
        return;
      }
      error = ProtocolError.OTHER_ERROR;
    }
    if (error.level() != ProtocolError.Level.CONNECTION || !error.isSafeToSend()) {
      error = ProtocolError.BAD_SYNTAX;
    }
    connectionError(c, error, e.getMessage());
  }

  // --- sessions ---

  /**
   * The session a message names, or null after answering: unknown ident 106, a forgotten
   * (unbound) one 109, an errored one: ignored.
   */
  private Session session(ClientConnection c, long ident, String what) {
    Session s = c.sessions.get(ident);
    if (s == null) {
      if (c.unbound.contains(ident)) {
        connectionError(c, ProtocolError.BAD_MESSAGE_ORDER,
            what + " for session " + ident + " after its UNBIND (expected: a new BIND first)");
      } else {
        connectionError(c, ProtocolError.BAD_SESSION_IDENT,
            what + " for session " + ident + " (expected: a session bound on this connection)");
      }
      return null;
    }
    return s.state == Session.State.ERRORED ? null : s;
  }

  /** As {@link #session}, and additionally 109 before IDENT. */
  private Session activeSession(ClientConnection c, long ident, String what) {
    Session s = session(c, ident, what);
    if (s != null && s.state != Session.State.ACTIVE) {
      connectionError(c, ProtocolError.BAD_MESSAGE_ORDER,
          what + " for session " + ident + " before its IDENT (expected: IDENT first)");
      return null;
    }
    return s;
  }

  private void bind(ClientConnection c, BindMessage m) {
    long ident = m.sessionIdent();
    if (ident == 0) {
      connectionError(c, ProtocolError.BAD_SESSION_IDENT, "bind.session_ident: 0 (expected: >= 1)");
      return;
    }
    if (c.sessions.containsKey(ident)) {
      connectionError(c, ProtocolError.REUSE_OF_SESSION_IDENT,
          "bind for session " + ident + ", which is still active (expected: UNBIND first)");
      return;
    }
    int max = settings.maxSessionsPerConnection();
    if (c.sessions.size() >= 2L * max) {
      connectionError(c, ProtocolError.OTHER_ERROR,
          "sessions on this connection: " + c.sessions.size() + " (expected: at most " + max + ")");
      return;
    }
    c.unbound.remove(ident);
    Session s = new Session(ident, c);
    c.sessions.put(ident, s);
    metrics.sessionsActive.incrementAndGet();
    long active = c.sessions.values().stream().filter(x -> x.state != Session.State.ERRORED).count();
    if (active > max) {
      // never 224 (crashes realm-core): a transient session error, the client retries later
      metrics.errorSent(ProtocolError.OTHER_SESSION_ERROR.code());
      reply(s, errors.session(ProtocolError.OTHER_SESSION_ERROR, ident, ErrorAction.TRANSIENT, true,
          "too many sessions on this connection: " + active + " (expected: at most " + max + ")",
          ServerErrors.TRANSIENT_BACKOFF));
      s.state = Session.State.ERRORED;
      return;
    }
    if (m.needClientFileIdent()) {
      long pending = inflight == null ? 0 : inflight.lastIdent;
      long fileIdent = Math.max(files.lastIdent(), Math.max(round.lastIdent, pending)) + 1;
      long salt = 1 + (random.nextLong() & Long.MAX_VALUE) % (Long.MAX_VALUE - 1);
      FileState f = FileState.allocated(fileIdent, salt, c.principal().userId(), settings.clock().millis());
      round.lastIdent = fileIdent;
      round.allocated++;
      round.files.put(fileIdent, f);
      round.dependents.add(s);
      reply(s, new ServerIdentMessage(ident, fileIdent, salt));
    }
  }

  /**
   * The newest state of a file: this round's, else the round in flight's (not committed yet: if
   * that commit fails, this round is discarded), else the committed one.
   */
  private FileState state(long ident) {
    FileState f = round.files.get(ident);
    if (f == null && inflight != null) {
      f = inflight.files.get(ident);
    }
    if (f != null) {
      return f;
    }
    f = files.cached(ident);
    if (f != null) {
      return f;
    }
    // a sink read: never while a commit runs (IngestSink: one call at a time)
    awaitCommit();
    return files.get(ident).orElse(null);
  }

  /**
   * A state read for a reply: the session depends on the round's commit if this round or the
   * round in flight changed it.
   */
  private FileState read(Session s, long ident) {
    if (round.files.containsKey(ident) || (inflight != null && inflight.files.containsKey(ident))) {
      round.dependents.add(s);
    }
    return state(ident);
  }

  private void write(Session s, FileState f) {
    round.files.put(f.ident(), f);
    round.dependents.add(s);
  }

  private void ident(ClientConnection c, ClientIdentMessage m) {
    Session s = session(c, m.sessionIdent(), "ident");
    if (s == null) {
      return;
    }
    if (s.state != Session.State.WAIT_IDENT) {
      connectionError(c, ProtocolError.BAD_MESSAGE_ORDER,
          "second ident for session " + s.ident + " (expected: one IDENT per session)");
      return;
    }
    long ident = m.clientFileIdent();
    FileState f = ident >= ClientFileRegistry.FIRST_CLIENT_IDENT ? read(s, ident) : null;
    if (f == null) {
      sessionError(s, ProtocolError.BAD_CLIENT_FILE_IDENT,
          "client file ident " + ident + " is unknown to this server (expected: an ident it allocated)");
      return;
    }
    if (m.clientFileIdentSalt() != f.salt()) {
      sessionError(s, ProtocolError.DIVERGING_HISTORIES,
          "client file " + ident + ": salt " + m.clientFileIdentSalt() + " (expected: the salt issued with the ident)");
      return;
    }
    if (settings.checkFileOwner() && !f.userId().equals(c.principal().userId())) {
      sessionError(s, ProtocolError.USER_MISMATCH,
          "client file " + ident + " belongs to another user (expected: user " + f.userId() + ")");
      return;
    }
    Session other = bindings.get(ident);
    if (other != null && other != s) {
      if (other.connection == c) {
        connectionError(c, ProtocolError.BOUND_IN_OTHER_SESSION,
            "client file " + ident + " is bound by session " + other.ident + " of this connection");
        return;
      }
      // the file moved to a new connection: the old one is presumed dead (spec §5.3)
      LOG.log(System.Logger.Level.INFO, () -> "client file " + ident + " bound again from " + c + "; closing " + other.connection);
      supersede(other.connection);
    }
    long dsv = m.downloadServerVersion();
    long latest = m.latestServerVersion();
    if (dsv > latest) {
      sessionError(s, ProtocolError.BAD_SERVER_VERSION,
          "ident.download_server_version " + dsv + " above latest_server_version " + latest + " (expected: <=)");
      return;
    }
    if (latest > 0 && m.latestServerVersionSalt() != salts.salt(ident, latest)) {
      sessionError(s, ProtocolError.DIVERGING_HISTORIES, "client file " + ident + ": latest_server_version_salt of version "
          + latest + " does not match (expected: the salt this server issued)");
      return;
    }
    long dcv = m.downloadClientVersion();
    if (latest > f.serverVersion() || dcv > f.integratedClientVersion()) {
      String what = "client file " + ident + ": IDENT cursors (server version " + latest + ", client version " + dcv
          + ") are ahead of the server's record (" + f.serverVersion() + ", " + f.integratedClientVersion() + ")";
      if (!settings.stateRecovery()) {
        sessionError(s, latest > f.serverVersion() ? ProtocolError.BAD_SERVER_VERSION : ProtocolError.BAD_CLIENT_VERSION,
            what + " (expected: at most the server's)");
        return;
      }
      // spec §7.4: the salts validate, so the server lost state (restored backup): adopt the
      // client's cursors instead of forcing a client reset; data acknowledged after the backup is lost
      LOG.log(System.Logger.Level.WARNING, what + "; the server's state is older than the client's (restored "
          + "from a backup?): adopting the client's cursors. Objects acknowledged after that state are lost.");
      long icv = Math.max(f.integratedClientVersion(), dcv);
      f = f.withVersions(Math.max(f.serverVersion(), latest), icv);
      // the upload cursor must not move back from what the client was sent (realm-core refuses the
      // DOWNLOAD otherwise, error 233). Every upload cursor it was sent named a server version it
      // had already integrated, so its download cursor's server version (dsv) is at least that,
      // and at most the adopted server version: a safe floor
      if (f.uploadClientVersion() < icv || f.uploadServerVersion() < dsv) {
        f = f.withUpload(Math.max(f.uploadClientVersion(), icv),
            Math.max(Math.min(f.uploadServerVersion(), f.serverVersion()), dsv));
      }
      write(s, f);
      if (ProtocolVersion.supportsLogMessage(c.protocolVersion())) {
        reply(s, new LogMessage(s.ident, LogMessage.Level.WARN,
            "server state older than this client's (restored from backup?); progress adopted from the client", null));
      }
    }
    s.state = Session.State.ACTIVE;
    s.fileIdent = ident;
    s.queryVersion = m.queryVersion();
    // lenient start: re-sent changesets at or below icv(F) are skipped, not refused (a 210 would
    // force a client reset); the increasing-version rules apply within the session
    s.progressClientVersion = 0;
    s.lastIntegratedServerVersion = 0;
    s.lockedServerVersion = f.lockedServerVersion();
    bindings.put(ident, s);
    metrics.sessionsBound.increment();
    boolean emptyQuery = isEmptyQuery(m.query());
    if (m.queryVersion() > f.bootstrappedQueryVersion() && emptyQuery) {
      bootstrap(s, f, m.queryVersion());
    } else {
      reply(s, download(s, f));
      if (!emptyQuery) {
        queryError(s, m.queryVersion(), m.query());
      }
    }
  }

  /** The one-entry bootstrap of spec §9.3 for query version {@code q}. */
  private void bootstrap(Session s, FileState f, long q) {
    long sv = f.serverVersion() + 1;
    FileState next = f.withBootstrap(sv, Math.max(q, f.bootstrappedQueryVersion()));
    write(s, next);
    long now = settings.clock().millis() - Values.REALM_EPOCH_OFFSET_MS;
    DownloadMessage.Entry entry =
        new DownloadMessage.Entry(sv, next.integratedClientVersion(), Math.max(0, now), 1, 0, ByteBuffer.allocate(0));
    reply(s, new DownloadMessage(s.ident, sv, next.integratedClientVersion(), sv, salts.salt(next.ident(), sv),
        next.uploadClientVersion(), next.uploadServerVersion(), q, DownloadMessage.BatchState.LAST_IN_BATCH, 1.0,
        List.of(entry)));
    s.downloadServerVersionSent = sv;
  }

  /** The steady-state DOWNLOAD of spec §7.4 for the file's progress. */
  private DownloadMessage download(Session s, FileState f) {
    s.downloadServerVersionSent = Math.max(s.downloadServerVersionSent, f.serverVersion());
    return DownloadMessage.acknowledgement(s.ident, f.serverVersion(), f.integratedClientVersion(), f.serverVersion(),
        salts.salt(f.ident(), f.serverVersion()), f.uploadClientVersion(), f.uploadServerVersion(), s.queryVersion);
  }

  private static boolean isEmptyQuery(String query) {
    try {
      JsonNode n = JSON.readTree(query);
      return n != null && n.isObject() && n.isEmpty();
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private void queryError(Session s, long queryVersion, String query) {
    metrics.errorSent(ProtocolError.BAD_QUERY.code());
    reply(s, new QueryErrorMessage(ProtocolError.BAD_QUERY.code(),
        ServerErrors.cut("query " + query + ": subscriptions are not served (expected: {}; this server only ingests"
            + " asymmetric objects)"), s.ident, queryVersion));
  }

  private void query(ClientConnection c, QueryMessage m) {
    Session s = activeSession(c, m.sessionIdent(), "query");
    if (s == null) {
      return;
    }
    s.queryVersion = m.queryVersion();
    FileState f = read(s, s.fileIdent);
    if (f == null) {
      sessionError(s, ProtocolError.BAD_CLIENT_FILE_IDENT, "client file " + s.fileIdent + ": no longer known");
      return;
    }
    if (isEmptyQuery(m.query())) {
      bootstrap(s, f, m.queryVersion());
    } else {
      queryError(s, m.queryVersion(), m.query());
    }
  }

  private void unbind(ClientConnection c, UnbindMessage m) {
    Session s = c.sessions.get(m.sessionIdent());
    if (s == null) {
      session(c, m.sessionIdent(), "unbind"); // 106 or 109
      return;
    }
    if (s.state != Session.State.ERRORED) {
      reply(s, new UnboundMessage(s.ident)); // never after a session error (spec §5.7)
    }
    forget(s);
  }

  private void clientError(ClientConnection c, ClientJsonErrorMessage m) {
    if (m.sessionIdent() == 0) {
      LOG.log(System.Logger.Level.WARNING, () -> c + " reported error " + m.errorCode() + ": " + m.message());
      return;
    }
    Session s = session(c, m.sessionIdent(), "json_error");
    if (s == null) {
      return;
    }
    LOG.log(System.Logger.Level.WARNING, () -> s + " reported error " + m.errorCode() + ": " + m.message());
    // answer so that the client rebinds (spec §5.10)
    sessionError(s, ProtocolError.OTHER_SESSION_ERROR, ErrorAction.WARNING, true,
        "client reported error " + m.errorCode() + ": " + m.message());
  }

  // --- UPLOAD (spec protocol.md §5.5, changeset.md §11) ---

  private void upload(ClientConnection c, byte[] bytes, int length) {
    metrics.uploads.increment();
    metrics.uploadBytes.add(length);
    try {
      cursor.wrap(ByteBuffer.wrap(bytes, 0, length));
    } catch (ProtocolException e) {
      malformed(c, e);
      return;
    }
    Session s = activeSession(c, cursor.sessionIdent(), "upload");
    if (s == null) {
      return;
    }
    FileState f = read(s, s.fileIdent);
    if (f == null) {
      sessionError(s, ProtocolError.BAD_CLIENT_FILE_IDENT, "client file " + s.fileIdent + ": no longer known");
      return;
    }
    long pcv = cursor.progressClientVersion();
    long psv = cursor.progressServerVersion();
    long locked = cursor.lockedServerVersion();
    if (pcv < s.progressClientVersion) {
      sessionError(s, ProtocolError.BAD_CLIENT_VERSION, "upload.progress_client_version " + pcv
          + " (expected: at least the previous " + s.progressClientVersion + ")");
      return;
    }
    if (psv > s.downloadServerVersionSent) {
      sessionError(s, ProtocolError.BAD_SERVER_VERSION, "upload.progress_server_version " + psv
          + " (expected: at most the download server version sent, " + s.downloadServerVersionSent + ")");
      return;
    }
    if (locked < s.lockedServerVersion || locked > s.downloadServerVersionSent) {
      sessionError(s, ProtocolError.BAD_SERVER_VERSION, "upload.locked_server_version " + locked + " (expected: "
          + s.lockedServerVersion + ".." + s.downloadServerVersionSent + ")");
      return;
    }
    long prevCv = s.progressClientVersion;
    long prevLisv = s.lastIntegratedServerVersion;
    long icv = f.integratedClientVersion();
    int integrated = 0;
    int skipped = 0;
    AppSchema base = round.schema != null ? round.schema
        : inflight != null && inflight.schema != null ? inflight.schema : schema;
    ingestor.begin(base, settings.developmentMode());
    String user = c.principal().userId();
    // straight into the round's objects; dropped again unless the whole UPLOAD is accepted
    int mark = round.objects.size();
    boolean accepted = false;
    try {
      while (cursor.next()) {
        long cv = cursor.clientVersion();
        long lisv = cursor.lastIntegratedServerVersion();
        if (cv <= prevCv) {
          sessionError(s, ProtocolError.BAD_CLIENT_VERSION, "upload entry " + cursor.entryIndex() + ": client_version "
              + cv + " (expected: above " + prevCv + ", strictly increasing)");
          return;
        }
        if (lisv < prevLisv) {
          sessionError(s, ProtocolError.BAD_SERVER_VERSION, "upload entry " + cursor.entryIndex()
              + ": last_integrated_server_version " + lisv + " (expected: at least " + prevLisv + ")");
          return;
        }
        if (cursor.originFileIdent() != 0) {
          sessionError(s, ProtocolError.BAD_ORIGIN_FILE_IDENT, "upload entry " + cursor.entryIndex()
              + ": origin_file_ident " + cursor.originFileIdent() + " (expected: 0, a changeset of local origin)");
          return;
        }
        prevCv = cv;
        prevLisv = lisv;
        if (cv <= icv) {
          skipped++; // a re-send after a lost acknowledgement (spec §8.4)
          continue;
        }
        // with array access: the reader's fast paths are about twice as fast as on a read-only view
        ByteBuffer changeset = cursor.changesetWithArray();
        round.changesetBytes += changeset.remaining();
        try {
          ingestor.ingest(changeset,
              new ChangesetIngestor.Origin(f.ident(), cv, cursor.originTimestamp(), user), round.objects);
        } catch (IngestException e) {
          sessionError(s, e.error(), e.getMessage());
          return;
        }
        icv = cv;
        integrated++;
      }
      if (cursor.entryCount() > 0 && prevCv > pcv) {
        sessionError(s, ProtocolError.BAD_CLIENT_VERSION, "upload: last entry's client_version " + prevCv
            + " above progress_client_version " + pcv + " (expected: <=)");
        return;
      }
      accepted = true;
    } finally {
      if (!accepted) {
        round.objects.truncate(mark);
      }
    }
    // accepted: nothing above may have changed state
    s.progressClientVersion = pcv;
    s.lastIntegratedServerVersion = prevLisv;
    s.lockedServerVersion = Math.max(s.lockedServerVersion, locked);
    FileState next = f;
    // the download cursor acknowledges every client version up to the progress, not only the last
    // changeset's: realm-core's progress runs past its last changeset (versions without one, e.g.
    // a subscription set commit), and the download cursor is all an IDENT carries to a server
    // restored from a backup, which must rebuild from it an upload cursor at least the one the
    // client was sent (realm-core refuses a DOWNLOAD whose upload cursor went back). No
    // changeset at or below the progress can come later: the progress says all were uploaded.
    long acknowledged = Math.max(icv, pcv);
    if (integrated > 0 || acknowledged > f.integratedClientVersion()) {
      next = next.withVersions(f.serverVersion() + integrated, acknowledged);
    }
    if (pcv > f.uploadClientVersion() || (integrated > 0 && pcv == f.uploadClientVersion())) {
      next = next.withUpload(pcv, psv);
    }
    if (locked > f.lockedServerVersion()) {
      next = next.withLocked(locked);
    }
    if (!next.equals(f)) {
      write(s, next);
    }
    if (round.objects.size() > mark) {
      round.dependents.add(s);
    }
    if (ingestor.schemaChanged()) {
      round.schema = ingestor.schema();
      round.dependents.add(s);
    }
    round.integrated += integrated;
    round.skipped += skipped;
    if (integrated > 0) {
      reply(s, download(s, next)); // the acknowledgement, sent after the commit (spec §8.4)
    }
  }

  // --- errors and bookkeeping ---

  private void reply(Session s, ServerMessage m) {
    round.replies.add(new Reply(s.connection, s, m, false));
  }

  private void sessionError(Session s, ProtocolError error, String message) {
    sessionError(s, error, ServerErrors.actionFor(error), false, message);
  }

  private void sessionError(Session s, ProtocolError error, ErrorAction action, boolean tryAgain, String message) {
    metrics.errorSent(error.code());
    LOG.log(System.Logger.Level.INFO, () -> s + ": error " + error.code() + ": " + message);
    reply(s, errors.session(error, s.ident, action, tryAgain, message, null));
    markErrored(s);
  }

  private void markErrored(Session s) {
    s.state = Session.State.ERRORED;
    release(s);
  }

  private void storageUnavailable(ClientConnection c, SinkException e) {
    if (c == null || c.closedForEngine) {
      return;
    }
    // which session was being served is not known here: fail the connection's active sessions
    for (Session s : c.sessions.values()) {
      if (s.state != Session.State.ERRORED) {
        round.replies.add(new Reply(c, s, transientError(s, e), false));
        markErrored(s);
      }
    }
  }

  private void connectionError(ClientConnection c, ProtocolError error, String message) {
    metrics.errorSent(error.code());
    LOG.log(System.Logger.Level.INFO, () -> c + ": connection error " + error.code() + ": " + message);
    boolean retry = error == ProtocolError.CONNECTION_CLOSED;
    round.replies.add(new Reply(c, null, errors.connection(error, ServerErrors.actionFor(error), retry, message), true));
    c.closedForEngine = true;
    releaseAll(c);
  }

  private void supersede(ClientConnection old) {
    old.closing = true;
    old.closedForEngine = true;
    releaseAll(old);
    old.edge().abort();
  }

  private void forget(Session s) {
    release(s);
    ClientConnection c = s.connection;
    if (c.sessions.remove(s.ident) != null) {
      metrics.sessionsActive.decrementAndGet();
    }
    c.unbound.add(s.ident);
    if (c.unbound.size() > ClientConnection.MAX_REMEMBERED_UNBOUND) {
      Iterator<Long> it = c.unbound.iterator();
      it.next();
      it.remove();
    }
  }

  private void release(Session s) {
    if (s.fileIdent != 0) {
      bindings.remove(s.fileIdent, s);
    }
  }

  private void releaseAll(ClientConnection c) {
    for (Session s : c.sessions.values()) {
      release(s);
    }
    metrics.sessionsActive.addAndGet(-c.sessions.size());
    c.sessions.clear();
  }
}
