package io.tributary.compat.realmcore;

import static io.tributary.compat.realmcore.Readings.assertStoreHoldsExactly;
import static io.tributary.compat.realmcore.Readings.readings;
import static org.assertj.core.api.Assertions.assertThat;

import io.realm.kotlin.internal.interop.ErrorCode;
import io.realm.kotlin.internal.interop.sync.SyncError;
import io.tributary.compat.realmcore.Readings.Reading;
import io.tributary.server.AppSchema;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real realm-core 14.12.0 client (App client and sync client with its built-in WebSocket,
 * unmodified, from realm-kotlin's cinterop-jvm 2.3.0) against a Tributary server: the scenarios of
 * {@link RealmCoreScenarios} (compiled from compat-realm-core's test sources) over sync protocol
 * 14, plus a schema mismatch reaching the app's error handler and a server restored from an older
 * copy of its store.
 */
class RealmCore14ClientTest extends RealmCoreScenarios {

  @Override
  RealmCoreDriver newClient(String baseUrl, String appId, Path dir) {
    return new RealmCore14Client(baseUrl, appId, dir);
  }

  @Override
  int protocolVersion() {
    return 14;
  }

  @Override
  void assertUploadLogged() {
    assertThat(RealmCoreDriver.CORE_LOG).contains("Realm sync client ([realm-core-14.12.0])",
        "Supported protocol versions: 2-14", "Connection[1] Negotiated protocol version: 14");
    // protocol 12 and up: the DOWNLOAD field after batch_state is a progress estimate (a double)
    assertThat(RealmCoreDriver.CORE_LOG)
        .anyMatch(l -> l.contains("Received: DOWNLOAD(") && l.contains("progress_estimate=1, batch_state=SteadyState"));
    // realm-core's own WebSocket (DefaultSocketProvider), not an SDK-supplied one
    assertThat(RealmCoreDriver.CORE_LOG).contains("WebSocket::initiate_client_handshake()");
  }

  @Override
  void assertTokenRefreshLogged(String userId) {
    // the WebSocket upgrade is refused; realm-core refreshes the access token and reconnects
    assertThat(RealmCoreDriver.CORE_LOG).anyMatch(l -> l.contains("Expected HTTP response 101 Switching Protocols")
        && l.contains("HTTP/1.1 401 Unauthorized") && l.contains("\"error_code\":\"InvalidSession\""));
    assertThat(RealmCoreDriver.CORE_LOG).anyMatch(l -> l.contains("App: refresh_access_token: user_id: " + userId));
  }

  @Test
  void schemaMismatchReachesTheSyncErrorHandler(@TempDir Path dir) throws Exception {
    // the server's Reading.value is an int; realm-core's model says double
    AppSchema intValue = AppSchema.parse(
        """
        {"classes": [
          {"name": "Reading", "kind": "asymmetric", "primaryKey": "_id",
           "properties": {"_id": "objectId", "sensor": "string", "value": "int", "ts": "date",
                          "location": "Location"}},
          {"name": "Location", "kind": "embedded", "properties": {"lat": "double", "lon": "double"}}
        ]}""");
    String logs = "https://logs.example.com/search?app=" + TestServer.APP;
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir.resolve("store")),
            b -> b.schema(intValue).errorLogUrl(logs));
        RealmCore14Client client = new RealmCore14Client(server.server.baseUrl(), TestServer.APP, dir)) {
      client.logInAnonymously();
      client.openReadings(dir.resolve("readings.realm"));
      client.write(readings(10, 5));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (client.syncErrors.isEmpty() && System.nanoTime() - deadline < 0) {
        Thread.sleep(10); // polling a condition with a deadline
      }
      assertThat(client.syncErrors).as("sync errors reported to the app").isNotEmpty();
      SyncError error = client.syncErrors.get(0);
      // the server's ERROR 225 (InvalidSchemaChange, action ApplicationBug) as realm-core hands it
      // to the SDK: a fatal session error with the server's message
      assertThat(RealmCoreDriver.CORE_LOG).anyMatch(l -> l.contains("Received: ERROR")
          && l.contains("error_code=225, is_fatal=true, error_action=ApplicationBug"));
      assertThat(error.getErrorCode().getErrorCode()).isEqualTo(ErrorCode.RLM_ERR_INVALID_SCHEMA_CHANGE);
      assertThat(error.isFatal()).as("fatal").isTrue();
      assertThat(error.isClientResetRequested()).as("client reset requested").isFalse();
      assertThat(error.getErrorCode().getMessage()).contains("AddColumn Reading.value: type=Double",
          "expected: type=Int");
      // the server's --error-log-url, as realm-core appends it to the text the app sees
      assertThat(error.getErrorCode().getMessage()).endsWith(" Logs: " + logs);
      assertThat(server.store().countByClass()).doesNotContainKey("Reading");
    }
  }

  @Test
  void serverRestoredFromAnOlderCopyAdoptsTheClientsProgressWithoutAClientReset(@TempDir Path dir) throws Exception {
    restoreFromAnOlderCopy(dir, 71, client -> { });
  }

  /**
   * The restore of {@link #serverRestoredFromAnOlderCopyAdoptsTheClientsProgressWithoutAClientReset}
   * when the client's last acknowledged upload cursor ran past its last changeset: a subscription
   * set commit is a local version without a changeset, and the UPLOAD that reports it moves the
   * upload cursor's client version above every changeset's. The IDENT after the restore carries
   * the download cursor only, so the server must have acknowledged that version in the download
   * cursor too, or its first DOWNLOAD lowers the upload cursor and realm-core refuses it ("Bad sync
   * progress received").
   */
  @Test
  void serverRestoredAfterAnUploadWithoutChangesetsAdoptsTheClientsUploadCursor(@TempDir Path dir) throws Exception {
    restoreFromAnOlderCopy(dir, 74, client -> {
      assertThat(client.commitEmptySubscriptionSet()).isEqualTo(1);
      assertThat(RealmCoreDriver.awaitLog("query_version=1, num_changesets=1", 20, TimeUnit.SECONDS))
          .as("DOWNLOAD for query version 1 received").isTrue();
      assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("upload of the subscription").isNull();
      // the scenario: an UPLOAD of progress only (no changeset) was acknowledged before the restore
      assertThat(RealmCoreDriver.CORE_LOG)
          .anyMatch(l -> l.contains("Sending: UPLOAD(") && l.contains("num_changesets=0)"));
    });
  }

  /** What a test does with the client on the server whose store is later replaced by the copy. */
  private interface BeforeRestore {
    void run(RealmCore14Client client) throws Exception;
  }

  /**
   * 100 readings, the server stopped and its LMDB directory copied (the operator's backup); 100
   * more through a second server, then {@code beforeRestore}; the directory replaced by the copy,
   * a third server, 100 more. realm-core must accept the restored server's older versions: no
   * error, no client reset, no new client file.
   */
  private static void restoreFromAnOlderCopy(Path dir, int seed, BeforeRestore beforeRestore) throws Exception {
    List<Reading> beforeCopy = readings(100, seed);
    List<Reading> afterCopy = readings(100, seed + 1);
    List<Reading> afterRestore = readings(100, seed + 2);
    Path store = dir.resolve("store");
    Path copy = dir.resolve("store-copy");
    TestServer first = TestServer.lmdb(store);
    int port = first.server.port();
    try (RealmCore14Client client = new RealmCore14Client(first.server.baseUrl(), TestServer.APP, dir)) {
      try {
        client.logInAnonymously();
        client.openReadings(dir.resolve("readings.realm"));
        client.write(beforeCopy);
        assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("upload before the copy").isNull();
      } finally {
        first.close();
      }
      copyDirectory(store, copy); // the operator's backup: the server stopped, its directory copied

      try (TestServer second = TestServer.start(LmdbIngestSink.open(store), b -> b.port(port))) {
        client.write(afterCopy);
        assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("upload after the copy").isNull();
        beforeRestore.run(client);
      }
      deleteDirectory(store);
      copyDirectory(copy, store); // restored from the older copy

      try (TestServer restored = TestServer.start(LmdbIngestSink.open(store), b -> b.port(port))) {
        client.write(afterRestore);
        assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("upload after the restore").isNull();
        client.closeRealm();

        // realm-core accepts the restored server's older versions: no error, no client reset,
        // no new client file; the server tells it so in a LOG_MESSAGE (protocol 10 and up)
        assertThat(client.syncErrors).as("sync errors reported to the app").isEmpty();
        assertThat(RealmCoreDriver.CORE_LOG.stream().filter(l -> l.contains("Received: IDENT("))).hasSize(1);
        assertThat(RealmCoreDriver.CORE_LOG).noneMatch(l -> l.contains("Received: ERROR") && !l.contains("error_code=100,"));
        assertThat(RealmCoreDriver.CORE_LOG).noneMatch(l -> l.contains("Bad sync progress received"));
        assertThat(RealmCoreDriver.CORE_LOG)
            .anyMatch(l -> l.contains("Session[1]: Server log: server state older than this client's"));
        assertThat(restored.store().clientFiles()).hasSize(1);
        // what the restored copy held, plus what came after the restore; the readings acknowledged
        // between the copy and the restore are lost, as docs/operators.md ("Backups") says
        List<Reading> kept = new ArrayList<>(beforeCopy);
        kept.addAll(afterRestore);
        assertStoreHoldsExactly(restored, kept, client.userId());
      }
    }
  }

  /**
   * realm-core 14's progress notifiers (what the SDKs' {@code progressAsFlow} and
   * {@code addProgressNotification} use) in a Flexible Sync session call back only once a
   * DOWNLOAD for a query version above 0 arrived: realm-core enables progress notifications in
   * {@code receive_download_message} only when {@code query_version > 0}, whatever the server
   * puts in the DOWNLOAD's progress fields. An asymmetric-only app that never commits a
   * subscription set stays at query version 0 and its notifiers stay silent (against any server);
   * one empty subscription set commit (QUERY version 1, {@code {}}, which Tributary bootstraps)
   * turns them on, and upload progress then reaches 1.0.
   */
  @Test
  void progressNotifiersCallBackOnceAQueryVersionAboveZeroIsDownloaded(@TempDir Path dir) throws Exception {
    List<Reading> first = readings(500, 61);
    List<Reading> second = readings(250, 62);
    try (TestServer server = TestServer.lmdb(dir.resolve("store"));
        RealmCore14Client client = new RealmCore14Client(server.server.baseUrl(), TestServer.APP, dir)) {
      client.logInAnonymously();
      client.openReadings(dir.resolve("readings.realm"));
      writeInTransactions(client, first);
      assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("first upload completion error").isNull();

      List<Double> uploadOnce = new CopyOnWriteArrayList<>();
      List<Double> uploadStreaming = new CopyOnWriteArrayList<>();
      List<Double> downloadStreaming = new CopyOnWriteArrayList<>();
      client.registerProgressNotifier(true, false, uploadOnce::add);
      client.registerProgressNotifier(true, true, uploadStreaming::add);
      client.registerProgressNotifier(false, true, downloadStreaming::add);
      // query version 0 only: the DOWNLOADs (progress_estimate=1) arrived, the notifiers stay silent
      assertThat(RealmCoreDriver.CORE_LOG).anyMatch(l -> l.contains("Received: DOWNLOAD(")
          && l.contains("progress_estimate=1, batch_state=LastInBatch, query_version=0"));
      Thread.sleep(2_000); // a silence cannot be awaited: the time realm-core had to call back
      assertThat(uploadOnce).as("upload notifier at query version 0").isEmpty();
      assertThat(uploadStreaming).as("streaming upload notifier at query version 0").isEmpty();
      assertThat(downloadStreaming).as("streaming download notifier at query version 0").isEmpty();
      assertThat(RealmCoreDriver.CORE_LOG).noneMatch(l -> l.contains("Progress handler called"));

      // an empty subscription set: QUERY version 1, bootstrapped by the server
      assertThat(client.commitEmptySubscriptionSet()).isEqualTo(1);
      assertThat(RealmCoreDriver.awaitLog("query_version=1, num_changesets=1", 20, TimeUnit.SECONDS))
          .as("DOWNLOAD for query version 1 received").isTrue();
      assertThat(awaitValue(uploadOnce, 1.0)).as("upload notifier after query version 1: " + uploadOnce).isTrue();
      assertThat(awaitValue(uploadStreaming, 1.0)).as("streaming upload: " + uploadStreaming).isTrue();
      assertThat(awaitValue(downloadStreaming, 1.0)).as("streaming download: " + downloadStreaming).isTrue();

      // and for new writes: a notifier registered after them reports their upload to the end
      client.write(second);
      List<Double> secondUpload = new CopyOnWriteArrayList<>();
      client.registerProgressNotifier(true, false, secondUpload::add);
      assertThat(awaitValue(secondUpload, 1.0)).as("upload notifier for the second write: " + secondUpload).isTrue();
      assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("second upload completion error").isNull();
      client.closeRealm();

      assertCleanSession(client);
      assertThat(RealmCoreDriver.CORE_LOG).anyMatch(l -> l.contains("Sending: QUERY(query_version=1"));
      List<Reading> all = new ArrayList<>(first);
      all.addAll(second);
      assertStoreHoldsExactly(server, all, client.userId());
    }
  }

  /** Waits until {@code values} holds {@code expected}; false if it did not within 20 s. */
  private static boolean awaitValue(List<Double> values, double expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!values.contains(expected)) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  private static void copyDirectory(Path from, Path to) throws java.io.IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private static void deleteDirectory(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }
}
