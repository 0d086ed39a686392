package io.tributary.server;

import io.tributary.server.internal.auth.AuthBackend;
import io.tributary.server.internal.auth.SyncAuthorizer;
import io.tributary.server.internal.auth.TokenService;
import io.tributary.server.internal.metrics.Metrics;
import io.tributary.server.internal.session.EngineSettings;
import io.tributary.server.internal.session.IngestEngine;
import io.tributary.transport.netty.server.EdgeConfig;
import io.tributary.transport.netty.server.SyncServerEdge;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ingest server: real Realm clients (realm-core 14, protocol versions 8..14) and Tributary
 * clients log in over the App Services HTTP routes and upload asymmetric objects over the sync
 * WebSocket; every object is stored exactly once in the configured {@link
 * io.tributary.server.spi.IngestSink} (spec protocol.md, changeset.md §11).
 *
 * <pre>{@code
 * try (IngestServer server = IngestServer.start(IngestServerConfig.newBuilder()
 *     .appId("my-app")
 *     .sink(LmdbIngestSink.open(Path.of("data")))
 *     .schema(AppSchema.read(Path.of("schema.json")))
 *     .auth(AuthConfig.newBuilder().tokenSecret(secret).build())
 *     .port(7800)
 *     .build())) {
 *   System.out.println("listening on " + server.baseUrl());
 *   ...
 * }
 * }</pre>
 *
 * <p>Threads: Netty event loops ({@link IngestServerConfig#workerThreads()}) frame and decode;
 * one ingest thread runs the sessions, parses changesets and commits to the sink (group commit:
 * everything received meanwhile in one commit, then the acknowledgements); the LMDB sink has its
 * own storage thread; one timer thread closes connections whose access token expired (close code
 * 4001). Thread safe.
 */
public final class IngestServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(IngestServer.class.getName());

  private final IngestServerConfig config;
  private final Metrics metrics;
  private final IngestEngine engine;
  private final SyncServerEdge edge;
  private final ScheduledThreadPoolExecutor timer;
  private final AtomicBoolean closed = new AtomicBoolean();

  private IngestServer(
      IngestServerConfig config, Metrics metrics, IngestEngine engine, SyncServerEdge edge,
      ScheduledThreadPoolExecutor timer) {
    this.config = config;
    this.metrics = metrics;
    this.engine = engine;
    this.edge = edge;
    this.timer = timer;
  }

  /**
   * Loads the server's state from the sink and starts listening. The server owns the configured
   * sink from now on: {@link #close()} closes it, and so does a failed start.
   *
   * @throws IOException if the address cannot be bound
   * @throws io.tributary.server.spi.SinkException if the sink cannot be read or written
   * @throws SchemaException if a schema adopted earlier (development mode) contradicts the
   *     configured one
   */
  public static IngestServer start(IngestServerConfig config) throws IOException {
    Metrics metrics = new Metrics();
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "tributary-timer");
          t.setDaemon(true);
          return t;
        });
    timer.setRemoveOnCancelPolicy(true);
    IngestEngine engine = null;
    try {
      engine =
          new IngestEngine(
              new EngineSettings(config.appId(), config.schema(), config.developmentMode(), config.codec(),
                  config.maxSessionsPerConnection(), config.maxQueuedBytesPerConnection(),
                  config.maxQueuedMessagesPerConnection(), config.clientFileCacheSize(), config.stateRecovery(),
                  config.checkFileOwner(), config.errorLogUrl(), config.clock(), timer),
              config.sink(),
              metrics);
      TokenService tokens = new TokenService(config.auth(), config.appId());
      IngestEngine e = engine;
      EdgeConfig edgeConfig =
          EdgeConfig.newBuilder()
              .host(config.host())
              .port(config.port())
              .maxMessageBytes(config.maxMessageBytes())
              .idleTimeout(config.idleTimeout())
              .workerThreads(config.workerThreads())
              .publicBaseUrl(config.publicBaseUrl())
              .tlsContext(config.tlsContext())
              .upgradeAuthorizer(new SyncAuthorizer(tokens))
              .handlerFactory(e::newConnection)
              .appServicesBackend(new AuthBackend(config.auth(), tokens, metrics::renderPrometheus, e::isRunning))
              .build();
      SyncServerEdge edge = SyncServerEdge.start(edgeConfig);
      if (config.auth().generatedSecret()) {
        LOG.log(System.Logger.Level.WARNING,
            "no token secret configured: a random one is used, tokens are invalid after a restart");
      }
      return new IngestServer(config, metrics, engine, edge, timer);
    } catch (IOException | RuntimeException ex) {
      if (engine != null) {
        engine.shutdown(1000);
      }
      timer.shutdownNow();
      config.sink().close();
      throw ex;
    }
  }

  /** The configuration. */
  public IngestServerConfig config() {
    return config;
  }

  /** The bound port. */
  public int port() {
    return edge.port();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return edge.localAddress();
  }

  /**
   * The base URL of the App Services routes, e.g. {@code http://127.0.0.1:7800}: what an SDK's
   * base URL setting points at.
   */
  public String baseUrl() {
    return (config.tlsContext() != null ? "https://" : "http://") + hostForUrl() + ":" + port();
  }

  /** The sync WebSocket URL without the token: {@code ws://host:port/api/client/v2.0/app/<app>/realm-sync}. */
  public String syncUrl() {
    return (config.tlsContext() != null ? "wss://" : "ws://") + hostForUrl() + ":" + port()
        + "/api/client/v2.0/app/" + config.appId() + "/realm-sync";
  }

  private String hostForUrl() {
    String h = config.host();
    if (h.equals("0.0.0.0") || h.equals("::")) {
      return "127.0.0.1";
    }
    return h.contains(":") ? "[" + h + "]" : h;
  }

  /**
   * The read side of the sink.
   *
   * @throws IllegalStateException if the sink offers none
   */
  public IngestStore store() {
    if (config.sink() instanceof IngestStore s) {
      return s;
    }
    throw new IllegalStateException("sink " + config.sink() + " has no read side (expected: an IngestStore)");
  }

  /** The counters. */
  public ServerMetrics metrics() {
    return metrics;
  }

  /** The app schema in force (configured, plus what development mode adopted). */
  public AppSchema schema() {
    return engine.schema();
  }

  /** Whether the ingest thread runs. */
  public boolean isRunning() {
    return engine.isRunning() && !closed.get();
  }

  /**
   * Stops: every open connection is told the server shuts down (connection error 100, which
   * realm-core retries), then connections, threads and the sink are closed. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    engine.shutdown(Duration.ofSeconds(10).toMillis());
    edge.close();
    timer.shutdownNow();
    config.sink().close();
  }

  @Override
  public String toString() {
    return "IngestServer{app=" + config.appId() + ", " + syncUrl() + '}';
  }
}
