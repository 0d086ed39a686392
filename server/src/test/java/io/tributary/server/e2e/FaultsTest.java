package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ConnectionState;
import io.tributary.core.IngestRealm;
import io.tributary.core.SyncException;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.testing.TestServer;
import io.tributary.storage.lmdb.LmdbStorage;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults between a real client and a real server, LMDB on both sides: a proxy that cuts
 * connections at random points and delays bytes, a server restarted mid-stream on the same data
 * directory and port, and a server that is down while the app writes. In every case the server
 * ends with every committed object exactly once and the client log is empty.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class FaultsTest {
  @TempDir Path dir;

  private static void assertLogEmpty(Path clientDir) {
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().entryCount()).as("entries left in the client log").isZero();
    }
  }

  @Test
  void randomCutsAndDelaysLoseNothingAndDuplicateNothing() throws Exception {
    long seed = System.nanoTime();
    try (TestServer server = TestServer.lmdb(dir.resolve("server"));
        TcpProxy proxy = new TcpProxy(server.server.address(), seed)) {
      proxy.chaos(true, 96 * 1024, 5);
      List<String> errors = new CopyOnWriteArrayList<>();
      List<ObjectId> committed = new ArrayList<>();
      Path clientDir = dir.resolve("client");
      try (IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, proxy.baseUrl()).build())) {
        realm.addConnectionStateListener((from, to, e) -> {
          if (e != null) {
            errors.add(e.getMessage());
          }
        });
        // 150 transactions, then more (paced, at most 300) until the proxy has cut more than 3
        // connections: where the cuts fall is random, and 150 transactions' traffic once held
        // only 3 of them
        for (int t = 0; t < 150 || (proxy.cuts() <= 3 && t < 450); t++) {
          List<ObjectId> keys = E2e.keys(1, t * 80, t * 80 + 80);
          E2e.write(realm, keys);
          committed.addAll(keys);
          if (t >= 150) {
            Thread.sleep(20);
          }
        }
        realm.waitForUploadCompletion(Duration.ofSeconds(100));
        assertThat(realm.syncError()).as("%s", proxy).isNull();
      }
      System.out.println("chaos run: " + proxy + ", client errors: " + errors.size());
      assertThat(proxy.cuts()).as("%s: the proxy cut connections", proxy).isGreaterThan(3);
      assertThat(errors).as("the client saw the cuts").isNotEmpty();
      E2e.assertExactlyOnce(server.store(), committed);
      assertThat(server.server.metrics().duplicatesDiscarded()).isZero();
      assertLogEmpty(clientDir);
    }
  }

  @Test
  void aServerRestartedMidStreamEndsWithEverythingOnce() throws Exception {
    Path serverDir = dir.resolve("server");
    Path clientDir = dir.resolve("client");
    TestServer server = TestServer.lmdb(serverDir);
    int port = server.server.port();
    List<ObjectId> committed = new CopyOnWriteArrayList<>();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    long duplicates = 0;
    try (IngestRealm realm =
        IngestRealm.open(E2e.realm(clientDir, server.server.baseUrl()).build())) {
      AtomicInteger transactions = new AtomicInteger();
      Future<?> writing = writer.submit(() -> {
        for (int t = 0; t < 200; t++) {
          List<ObjectId> keys = E2e.keys(2, t * 100, t * 100 + 100);
          E2e.write(realm, keys);
          committed.addAll(keys);
          transactions.incrementAndGet();
        }
        return null;
      });
      for (int restart = 0; restart < 2; restart++) {
        // restart while objects are flowing: some stored, the writer still going
        TestServer current = server;
        long before = current.store().objectCount();
        E2e.await(() -> current.store().objectCount() > before + 2000, Duration.ofSeconds(60),
            "objects arriving at the server");
        duplicates += server.server.metrics().duplicatesDiscarded();
        server.close();
        server = TestServer.start(LmdbIngestSink.open(serverDir), b -> b.port(port));
      }
      writing.get(60, TimeUnit.SECONDS);
      realm.waitForUploadCompletion(Duration.ofSeconds(60));
      assertThat(realm.syncError()).isNull();
      assertThat(transactions.get()).isEqualTo(200);
      E2e.assertExactlyOnce(server.store(), committed);
      duplicates += server.server.metrics().duplicatesDiscarded();
      assertThat(duplicates).isZero();
    } finally {
      writer.shutdownNow();
      server.close();
    }
    assertLogEmpty(clientDir);
  }

  @Test
  void writesWhileTheServerIsDownAccumulateAndDrainWhenItComesUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // free again once closed: nobody listens there yet
    }
    Path clientDir = dir.resolve("client");
    List<ObjectId> committed = new ArrayList<>();
    List<SyncException> errors = new CopyOnWriteArrayList<>();
    List<io.tributary.core.UploadProgress> progress = new CopyOnWriteArrayList<>();
    try (IngestRealm realm =
        IngestRealm.open(E2e.realm(clientDir, "http://127.0.0.1:" + port).build())) {
      realm.addConnectionStateListener((from, to, e) -> {
        if (e != null) {
          errors.add(e);
        }
      });
      realm.addUploadProgressListener(progress::add);
      for (int t = 0; t < 40; t++) {
        List<ObjectId> keys = E2e.keys(3, t * 50, t * 50 + 50);
        E2e.write(realm, keys);
        committed.addAll(keys);
      }
      E2e.await(() -> errors.size() >= 2, Duration.ofSeconds(30), "failed connect attempts");
      assertThat(errors).allMatch(e -> !e.isFatal());
      assertThat(realm.connectionState()).isNotEqualTo(ConnectionState.CONNECTED);
      assertThat(realm.syncError()).isNull();
      // the schema changeset and the 40 transactions wait in the log
      E2e.await(() -> !progress.isEmpty() && progress.get(progress.size() - 1).pendingEntries()
          == 41, Duration.ofSeconds(30), "41 pending entries reported");
      assertThat(progress.get(progress.size() - 1).pendingObjects()).isEqualTo(2000);
      assertThat(realm.waitForUploadCompletionAsync()).isNotDone();

      try (TestServer server = TestServer.start(LmdbIngestSink.open(dir.resolve("server")),
          b -> b.port(port))) {
        realm.waitForUploadCompletion(Duration.ofSeconds(60));
        assertThat(realm.connectionState()).isEqualTo(ConnectionState.CONNECTED);
        E2e.assertExactlyOnce(server.store(), committed);
      }
    }
    assertLogEmpty(clientDir);
  }
}
