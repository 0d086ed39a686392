package io.tributary.benchmarks.memory;

import io.tributary.benchmarks.e2e.BenchSchema;
import io.tributary.core.ConnectionState;
import io.tributary.core.Credentials;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.internal.auth.AppServicesCredentials;
import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.CredentialsProvider;
import io.tributary.core.spi.Durability;
import io.tributary.core.spi.SyncAuthorization;
import io.tributary.core.spi.SyncConnection;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.BindParameters;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.Message;
import io.tributary.protocol.message.MessageBuffer;
import io.tributary.protocol.message.MessageDecoder;
import io.tributary.protocol.message.MessageEncoder;
import io.tributary.protocol.message.ServerIdentMessage;
import io.tributary.protocol.message.Subprotocols;
import io.tributary.server.IngestServer;
import io.tributary.server.IngestServerConfig;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.ServerMetrics;
import io.tributary.server.auth.AuthConfig;
import io.tributary.storage.lmdb.LmdbStorage;
import io.tributary.transport.netty.NettySyncTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Memory probes, each measured in a child JVM so that nothing else shares its heap ({@link
 * Footprint}: heap used after {@code System.gc()}, and VmRSS):
 *
 * <ul>
 *   <li>{@code client}: a bare JVM (baseline) against a JVM holding one open {@link IngestRealm}
 *       (LMDB log, connected to a server running in this process, one object written and
 *       acknowledged, so the log is empty again). Target: at most 16 MiB of heap over the baseline.
 *   <li>{@code server --connections N --sessions M}: the server in a child JVM, first idle (the
 *       baseline), then holding N WebSocket connections from this process with M sessions each
 *       (BIND, server IDENT, client IDENT done), all idle. Target: 10,000 sessions in at most 1 GiB
 *       of heap.
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.tributary.benchmarks.memory.MemoryProbe client
 * java -cp benchmarks/target/benchmarks.jar io.tributary.benchmarks.memory.MemoryProbe server \
 *     --connections 1000 --sessions 10 [--child-jvm-args "-Xmx1g"]
 * </pre>
 *
 * <p>Prints Markdown table rows on stdout.
 */
public final class MemoryProbe {
  private static final String APP_ID = "tributary-bench";

  private MemoryProbe() {}

  /** See the class comment; the {@code child-*} modes are the child JVMs' side. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: MemoryProbe client|server [--connections N] [--sessions M] [--child-jvm-args ARGS]");
      System.exit(2);
    }
    int connections = 1000;
    int sessions = 10;
    List<String> childArgs = List.of();
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--connections" -> connections = Integer.parseInt(args[i + 1]);
        case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
        case "--child-jvm-args" -> childArgs = List.of(args[i + 1].trim().split("\\s+"));
        default -> { }
      }
    }
    switch (args[0]) {
      case "client" -> client(childArgs);
      case "server" -> server(connections, sessions, childArgs);
      case "child-baseline" -> childBaseline();
      case "child-realm" -> childRealm(args[1], Path.of(args[2]));
      case "child-server" -> childServer(Long.parseLong(args[1]), Path.of(args[2]));
      default -> {
        System.err.println("MemoryProbe: unknown mode " + args[0]);
        System.exit(2);
      }
    }
    System.exit(0);
  }

  // ---------------------------------------------------------------------------------------------
  // client: bare JVM vs one open realm

  private static void client(List<String> childArgs) throws Exception {
    Path dir = scratch("memory-client-");
    try (IngestServer server = startServer(dir.resolve("server"))) {
      Footprint base;
      try (ChildJvm c = new ChildJvm(childArgs, "child-baseline")) {
        base = Footprint.parse(c.awaitLine("FOOTPRINT"));
        c.finish();
      }
      Footprint realm;
      try (ChildJvm c = new ChildJvm(childArgs, "child-realm", server.baseUrl(), dir.resolve("log").toString())) {
        realm = Footprint.parse(c.awaitLine("FOOTPRINT"));
        c.finish();
      }
      String jvm = childArgs.isEmpty() ? "default" : String.join(" ", childArgs);
      System.out.println("| probe | child JVM options | heap after GC MiB | RSS MiB |");
      System.out.println("|---|---|---:|---:|");
      System.out.printf(Locale.ROOT, "| bare JVM (baseline) | %s | %s | %s |%n", jvm, Footprint.mib(base.heapUsedBytes()),
          Footprint.mib(base.rssBytes()));
      System.out.printf(Locale.ROOT, "| one open realm (LMDB log, connected, log empty) | %s | %s | %s |%n", jvm,
          Footprint.mib(realm.heapUsedBytes()), Footprint.mib(realm.rssBytes()));
      System.out.printf(Locale.ROOT, "| **realm over baseline** (target ≤ 16 MiB heap) | | **%s** | %s |%n",
          Footprint.mib(realm.heapUsedBytes() - base.heapUsedBytes()),
          base.rssBytes() < 0 ? "n/a" : Footprint.mib(realm.rssBytes() - base.rssBytes()));
    } finally {
      deleteTree(dir);
    }
  }

  private static void childBaseline() throws Exception {
    System.out.println(Footprint.measure().line());
    System.out.flush();
    System.in.read(); // until the parent closes stdin
  }

  private static void childRealm(String baseUrl, Path logDir) throws Exception {
    try (IngestRealm realm = IngestRealm.open(IngestConfig.builder(BenchSchema.CLIENT)
        .storage(LmdbStorage.at(logDir))
        .server(java.net.URI.create(baseUrl), APP_ID)
        .credentials(Credentials.anonymous())
        .build())) {
      realm.write(tx -> tx.create(BenchSchema.READING, ObjectId.get())
          .set("sensor", "probe").set("value", 1.0).set("ts", Instant.now())
          .embedded("location").set("lat", 1.0).set("lon", 2.0));
      realm.waitForUploadCompletion(Duration.ofSeconds(60));
      if (realm.connectionState() != ConnectionState.CONNECTED) {
        throw new IllegalStateException("realm: " + realm.connectionState() + " (expected: CONNECTED)");
      }
      System.out.println(Footprint.measure().line());
      System.out.flush();
      System.in.read();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // server: N connections x M idle sessions

  private static void server(int connections, int sessions, List<String> childArgs) throws Exception {
    Path dir = scratch("memory-server-");
    String jvm = childArgs.isEmpty() ? "default" : String.join(" ", childArgs);
    System.out.println("| probe | server JVM options | connections | sessions bound | heap after GC MiB | RSS MiB |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    try {
      try (ChildJvm c = new ChildJvm(childArgs, "child-server", "0", dir.resolve("idle").toString())) {
        c.awaitLine("READY");
        Footprint f = Footprint.parse(c.awaitLine("FOOTPRINT"));
        c.finish();
        System.out.printf(Locale.ROOT, "| server, no connections (baseline) | %s | 0 | 0 | %s | %s |%n", jvm,
            Footprint.mib(f.heapUsedBytes()), Footprint.mib(f.rssBytes()));
      }
      long expected = (long) connections * sessions;
      try (ChildJvm c = new ChildJvm(childArgs, "child-server", Long.toString(expected),
              dir.resolve("busy").toString());
          NettySyncTransport transport = NettySyncTransport.create(1)) {
        String url = c.awaitLine("READY").substring("READY ".length()).trim();
        SyncAuthorization auth;
        try (CredentialsProvider login = AppServicesCredentials.login(java.net.URI.create(url), APP_ID, "anon-user",
            null, null, Clock.systemUTC(), Duration.ofSeconds(30), null, null)) {
          auth = login.authorize(CredentialsProvider.Refresh.NONE).get(60, TimeUnit.SECONDS);
        }
        AtomicLong identsSent = new AtomicLong();
        List<SyncConnection> open = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
          IdleClient client = new IdleClient(identsSent);
          SyncConnection conn = transport.connect(
              ConnectRequest.newBuilder(auth.urlWithToken(), List.of(Subprotocols.clientOffer().split(", "))).build(),
              client).get(60, TimeUnit.SECONDS);
          client.bind(conn, sessions);
          open.add(conn);
        }
        String line = c.awaitLine("FOOTPRINT");
        Footprint f = Footprint.parse(line);
        String bound = c.awaitLine("SESSIONS").substring("SESSIONS ".length()).trim();
        System.out.printf(Locale.ROOT, "| server, %d connections x %d idle sessions (target ≤ 1024 MiB heap) | %s | %d | %s | **%s** | %s |%n",
            connections, sessions, jvm, open.size(), bound, Footprint.mib(f.heapUsedBytes()),
            Footprint.mib(f.rssBytes()));
        for (SyncConnection conn : open) {
          conn.close();
        }
        c.finish();
      }
    } finally {
      deleteTree(dir);
    }
  }

  /** One connection's sessions: BIND each (asking for an ident), answer each server IDENT with IDENT. */
  private static final class IdleClient implements SyncConnection.Listener {
    private final AtomicLong identsSent;
    private final MessageEncoder encoder = new MessageEncoder(CodecConfig.DEFAULT);
    private final MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);
    private final MessageBuffer out = new MessageBuffer();
    private SyncConnection connection;

    IdleClient(AtomicLong identsSent) {
      this.identsSent = identsSent;
    }

    synchronized void bind(SyncConnection c, int sessions) {
      connection = c;
      for (int s = 1; s <= sessions; s++) {
        send(BindMessage.flx(s, BindParameters.of(0), true));
      }
    }

    private void send(Message m) {
      ByteBuffer bytes = encoder.encode(m, out);
      connection.send(bytes);
    }

    @Override
    public synchronized void onMessage(ByteBuffer message) {
      if (decoder.decodeServerMessage(message) instanceof ServerIdentMessage ident) {
        send(new ClientIdentMessage(ident.sessionIdent(), ident.clientFileIdent(), ident.clientFileIdentSalt(),
            0, 0, 0, 0, 0, ClientIdentMessage.EMPTY_QUERY));
        identsSent.incrementAndGet();
      }
    }

    @Override
    public void onClosed(int closeCode, String reason, Throwable cause) {}
  }

  private static void childServer(long expectedSessions, Path dir) throws Exception {
    try (IngestServer server = startServer(dir)) {
      System.out.println("READY " + server.baseUrl());
      System.out.flush();
      ServerMetrics m = server.metrics();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (m.sessionsBound() < expectedSessions && System.nanoTime() < deadline) {
        Thread.sleep(200); // polling the server's own counter, with a deadline
      }
      Footprint f = Footprint.measure();
      System.out.println(f.line());
      System.out.println("SESSIONS " + m.sessionsBound() + " (open: " + m.sessionsActive() + ", connections: "
          + m.connectionsOpen() + ")");
      System.out.flush();
      System.in.read();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static IngestServer startServer(Path dir) throws IOException {
    Files.createDirectories(dir);
    return IngestServer.start(IngestServerConfig.newBuilder()
        .appId(APP_ID)
        .host("127.0.0.1")
        .port(0)
        .schema(BenchSchema.SERVER)
        .auth(AuthConfig.newBuilder().build())
        .sink(LmdbIngestSink.open(dir, Durability.NO_META_SYNC, Clock.systemUTC()))
        .build());
  }

  private static Path scratch(String prefix) throws IOException {
    Path base = Path.of(System.getProperty("tributary.bench.dir", "target/bench-data"));
    Files.createDirectories(base);
    return Files.createTempDirectory(base.toAbsolutePath(), prefix);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
