package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.IngestRealm;
import io.tributary.protocol.ObjectId;
import io.tributary.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PING/PONG against a real server through a {@link TcpProxy}: when the connection stops carrying
 * the server's messages (a half-dead path: the client's bytes still arrive, nothing comes back)
 * the client notices by the missing PONG within its configured timeout, drops the connection,
 * reconnects, and the objects whose acknowledgements were lost arrive exactly once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HeartbeatTest {
  @TempDir Path dir;

  @Test
  void aConnectionThatStopsAnsweringIsDroppedAfterThePongTimeoutAndUploadsResume() throws Exception {
    try (TestServer server = TestServer.lmdb(dir.resolve("server"));
        TcpProxy proxy = new TcpProxy(server.server.address(), 2)) {
      List<String> errors = new CopyOnWriteArrayList<>();
      List<ObjectId> committed = new ArrayList<>();
      try (IngestRealm realm = IngestRealm.open(E2e.realm(dir.resolve("client"), proxy.baseUrl())
          .syncOptions(E2e.quickRetries()
              .pingInterval(Duration.ofMillis(200))
              .pongTimeout(Duration.ofMillis(800))
              .build())
          .build())) {
        realm.addConnectionStateListener((from, to, e) -> {
          if (e != null) {
            errors.add(e.getMessage());
          }
        });
        committed.addAll(E2e.keys(4, 0, 100));
        E2e.write(realm, committed);
        realm.waitForUploadCompletion(Duration.ofSeconds(30));
        // a few PINGs answered on the healthy connection: no disconnect
        long pongs = countPongs(proxy);
        E2e.await(() -> countPongs(proxy) >= pongs + 2, Duration.ofSeconds(30), "PONGs");
        assertThat(errors).as("errors while healthy").isEmpty();
        int syncConnections = syncConnections(proxy);

        proxy.silenceServers();
        List<ObjectId> more = E2e.keys(4, 100, 200);
        E2e.write(realm, more);
        committed.addAll(more);
        E2e.await(() -> errors.stream().anyMatch(m -> m.contains("no PONG within 800 ms")),
            Duration.ofSeconds(30), "the PONG timeout; errors: " + errors);
        realm.waitForUploadCompletion(Duration.ofSeconds(30));
        assertThat(syncConnections(proxy)).as("a new sync connection").isGreaterThan(syncConnections);
        assertThat(realm.syncError()).isNull();
      }
      E2e.assertExactlyOnce(server.store(), committed);
    }
  }

  private static long countPongs(TcpProxy proxy) {
    return proxy.syncMessages().stream()
        .filter(m -> !m.fromClient() && m.firstLine().startsWith("pong ")).count();
  }

  private static int syncConnections(TcpProxy proxy) {
    return (int) proxy.syncMessages().stream().mapToInt(TcpProxy.WsMessage::connection).distinct().count();
  }
}
