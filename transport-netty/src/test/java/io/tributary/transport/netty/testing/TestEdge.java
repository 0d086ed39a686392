package io.tributary.transport.netty.testing;

import io.tributary.transport.netty.server.EdgeConfig;
import io.tributary.transport.netty.server.SyncServerEdge;
import io.tributary.transport.netty.server.UpgradeAuthorizer;
import io.tributary.transport.netty.server.UpgradeDecision;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A {@link SyncServerEdge} on 127.0.0.1 with an ephemeral port, a test authorizer and recording
 * handlers.
 *
 * <p>Tokens: {@code good-token}, {@code test-access-token} (capture 02) and any three-part JWT are
 * accepted (asynchronously, from another thread, for {@code slow-token}); {@code expired-token}
 * gets 401, {@code forbidden-token} 403, {@code boom-token} a failed stage (500), {@code
 * never-token} a stage that never completes; app {@code unknown-app} gets 404; no token gets 401.
 */
public final class TestEdge implements AutoCloseable {
  public static final List<String> FLX = List.of(
      "com.mongodb.realm-query-sync#14", "com.mongodb.realm-query-sync#13",
      "com.mongodb.realm-query-sync#8");

  public final SyncServerEdge edge;
  public final BlockingQueue<RecordingEdgeHandler> handlers = new LinkedBlockingQueue<>();
  public volatile UnaryOperator<RecordingEdgeHandler> customize = h -> h;

  private TestEdge(UnaryOperator<EdgeConfig.Builder> config) throws IOException {
    EdgeConfig.Builder b =
        EdgeConfig.newBuilder()
            .host("127.0.0.1")
            .port(0)
            .workerThreads(1)
            .upgradeAuthorizer(authorizer())
            .handlerFactory(
                () -> {
                  RecordingEdgeHandler h = customize.apply(new RecordingEdgeHandler());
                  handlers.add(h);
                  return h;
                });
    this.edge = SyncServerEdge.start(config.apply(b).build());
  }

  public static TestEdge start() throws IOException {
    return new TestEdge(b -> b);
  }

  public static TestEdge start(UnaryOperator<EdgeConfig.Builder> config) throws IOException {
    return new TestEdge(config);
  }

  public static UpgradeAuthorizer authorizer() {
    return request -> {
      if (request.appId().equals("unknown-app")) {
        return CompletableFuture.completedFuture(
            UpgradeDecision.reject(404, "app unknown-app not found", "AppNotFound"));
      }
      String token = request.accessToken().orElse("");
      switch (token) {
        case "":
          return CompletableFuture.completedFuture(
              UpgradeDecision.reject(401, "no access token", "InvalidSession"));
        case "expired-token":
          return CompletableFuture.completedFuture(
              UpgradeDecision.reject(401, "access token expired", "InvalidSession"));
        case "forbidden-token":
          return CompletableFuture.completedFuture(
              UpgradeDecision.reject(403, "user may not sync", "AuthError"));
        case "boom-token":
          return CompletableFuture.failedFuture(new IllegalStateException("store down"));
        case "never-token":
          return new CompletableFuture<>();
        case "slow-token":
          return CompletableFuture.supplyAsync(
              () -> UpgradeDecision.accept("slow-user"),
              CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        case "good-token":
        case "test-access-token":
          return CompletableFuture.completedFuture(UpgradeDecision.accept("user:" + token));
        default:
          return CompletableFuture.completedFuture(
              token.split("\\.", -1).length == 3
                  ? UpgradeDecision.accept("jwt-user")
                  : UpgradeDecision.reject(401, "invalid token", "InvalidSession"));
      }
    };
  }

  public int port() {
    return edge.port();
  }

  /** ws://127.0.0.1:port/api/client/v2.0/app/{app}/realm-sync?baas_at={token} */
  public URI syncUri(String app, String token) {
    return URI.create(
        "ws://127.0.0.1:" + port() + "/api/client/v2.0/app/" + app + "/realm-sync?baas_at=" + token);
  }

  /** The handler of the next upgraded connection, waiting up to 10 s. */
  public RecordingEdgeHandler nextHandler() throws InterruptedException {
    RecordingEdgeHandler h = handlers.poll(10, TimeUnit.SECONDS);
    if (h == null) {
      throw new AssertionError("no connection within 10 s");
    }
    return h;
  }

  @Override
  public void close() {
    edge.close();
  }
}
