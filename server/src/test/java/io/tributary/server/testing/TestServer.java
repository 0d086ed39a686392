package io.tributary.server.testing;

import io.tributary.server.AppSchema;
import io.tributary.server.IngestServer;
import io.tributary.server.IngestServerConfig;
import io.tributary.server.IngestStore;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.MemoryIngestSink;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.internal.auth.TokenService;
import io.tributary.server.spi.IngestSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/** A real {@link IngestServer} on 127.0.0.1 and an ephemeral port, for tests. */
public final class TestServer implements AutoCloseable {
  /** The app id of the captures. */
  public static final String APP = "tributary-test";

  /** The token secret (HS256). */
  public static final byte[] SECRET = "tributary-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);

  /** The schema of the captures: Reading, with the optional embedded Location of scenario 06. */
  public static final AppSchema READING =
      AppSchema.parse(
          """
          {"classes": [
            {"name": "Reading", "kind": "asymmetric", "primaryKey": "_id",
             "properties": {"_id": "objectId", "sensor": "string", "value": "double", "ts": "date",
                            "location": "Location"}},
            {"name": "Location", "kind": "embedded", "properties": {"lat": "double", "lon": "double"}}
          ]}""");

  public final IngestServer server;
  public final IngestSink sink;
  public final TokenService tokens;

  private TestServer(IngestServer server, IngestSink sink, TokenService tokens) {
    this.server = server;
    this.sink = sink;
    this.tokens = tokens;
  }

  /** A server on an LMDB sink in {@code dir} with the Reading schema. */
  public static TestServer lmdb(Path dir) throws Exception {
    return start(LmdbIngestSink.open(dir), b -> {});
  }

  /** A server on a memory sink with the Reading schema. */
  public static TestServer memory() throws Exception {
    return start(new MemoryIngestSink(), b -> {});
  }

  /** A server on {@code sink}; {@code options} may change the config (schema, limits, ...). */
  public static TestServer start(IngestSink sink, Consumer<IngestServerConfig.Builder> options) throws Exception {
    AuthConfig auth = AuthConfig.newBuilder().tokenSecret(SECRET).apiKey("loader", "loader-key-1234").build();
    return start(sink, auth, options);
  }

  /** A server with explicit auth settings. */
  public static TestServer start(IngestSink sink, AuthConfig auth, Consumer<IngestServerConfig.Builder> options)
      throws Exception {
    IngestServerConfig.Builder b =
        IngestServerConfig.newBuilder().appId(APP).sink(sink).schema(READING).auth(auth).host("127.0.0.1").port(0)
            .workerThreads(2);
    options.accept(b);
    IngestServer server = IngestServer.start(b.build());
    return new TestServer(server, sink, new TokenService(auth, APP));
  }

  /** A view of an already started server (not closed by {@link #close()} twice: closing is idempotent). */
  public static TestServer wrap(IngestServer server, TokenService tokens) {
    return new TestServer(server, server.config().sink(), tokens);
  }

  /** An access token for an anonymous identity {@code user}. */
  public String token(String user) {
    return tokens.issueAccess("anon-user", user, Map.of());
  }

  /** A connected client of user {@code user}. */
  public SyncTestClient connect(String user) throws Exception {
    return SyncTestClient.connect(server.syncUrl(), token(user));
  }

  /** The sink's read side. */
  public IngestStore store() {
    return server.store();
  }

  @Override
  public void close() {
    server.close();
  }
}
