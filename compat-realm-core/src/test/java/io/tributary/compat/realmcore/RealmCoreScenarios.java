package io.tributary.compat.realmcore;

import static io.tributary.compat.realmcore.Readings.assertStoreHoldsExactly;
import static io.tributary.compat.realmcore.Readings.path;
import static io.tributary.compat.realmcore.Readings.readings;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.compat.realmcore.Readings.Reading;
import io.tributary.server.AppSchema;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenarios every realm-core version must pass against a Tributary server on 127.0.0.1: the
 * real client logs in, opens a Flexible Sync realm with an asymmetric class, writes readings and
 * waits for upload completion; the server's LMDB store must then hold exactly those readings with
 * the values written. {@code RealmCoreClientTest} (realm-core 13.19.0) and {@code
 * RealmCore14ClientTest} (14.12.0, which compiles this source against its own wrappers) run them
 * with their driver and add what only their version does or says.
 */
abstract class RealmCoreScenarios {
  static final int PER_TRANSACTION = 250;

  /** A client of this version: an App with base URL {@code baseUrl}, files under {@code dir}. */
  abstract RealmCoreDriver newClient(String baseUrl, String appId, Path dir);

  /** The sync protocol version this realm-core negotiates with Tributary. */
  abstract int protocolVersion();

  /** Checks the log of a clean anonymous upload for what this version says about it. */
  abstract void assertUploadLogged() throws Exception;

  /**
   * Checks the log for the WebSocket upgrade the server refused (401, an expired access token) and
   * for the refresh that followed, in this version's words.
   */
  abstract void assertTokenRefreshLogged(String userId);

  /** After the anonymous upload completed, before the realm closes: more checks of this version. */
  void beforeClose(RealmCoreDriver client) throws Exception {}

  @BeforeEach
  void clearCoreLog() {
    RealmCoreDriver.CORE_LOG.clear();
  }

  @Test
  void anonymousUserUploadsReadingsThatArriveExactlyOnce(@TempDir Path dir) throws Exception {
    List<Reading> readings = readings(1_000, 42);
    try (TestServer server = TestServer.lmdb(dir.resolve("store"));
        RealmCoreDriver client = newClient(server.server.baseUrl(), TestServer.APP, dir)) {
      client.logInAnonymously();
      client.openReadings(dir.resolve("readings.realm"));
      writeInTransactions(client, readings);

      assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("upload completion error").isNull();
      beforeClose(client);
      client.closeRealm();

      assertCleanSession(client);
      assertThat(RealmCoreDriver.CORE_LOG).anyMatch(l -> l.contains("Negotiated protocol version: " + protocolVersion()));
      assertUploadLogged();
      assertThat(client.transport.exchanges).extracting(e -> e.method() + " " + path(e.url()) + " " + e.status())
          .containsExactly(
              "GET /api/client/v2.0/app/tributary-test/location 200",
              "POST /api/client/v2.0/app/tributary-test/auth/providers/anon-user/login 200",
              "GET /api/client/v2.0/auth/profile 200");
      assertStoreHoldsExactly(server, readings, client.userId());
      assertThat(server.store().clientFiles()).hasSize(1);
    }
  }

  @Test
  void tenThousandReadingsInOneTransactionArriveAsOneLargeChangeset(@TempDir Path dir) throws Exception {
    List<Reading> readings = readings(10_000, 61);
    try (TestServer server = TestServer.lmdb(dir.resolve("store"));
        RealmCoreDriver client = newClient(server.server.baseUrl(), TestServer.APP, dir)) {
      client.logInAnonymously();
      client.openReadings(dir.resolve("readings.realm"));
      client.write(readings);
      assertThat(client.waitForUploadCompletion(120, TimeUnit.SECONDS)).as("upload completion error").isNull();
      client.closeRealm();

      assertCleanSession(client);
      // realm-core uploads the transaction as one changeset of about 1.7 MB, in one UPLOAD message
      assertThat(RealmCoreDriver.CORE_LOG)
          .anyMatch(l -> l.matches(".*Fetching changeset for upload .*changeset_size=1[0-9]{6},.*"));
      assertStoreHoldsExactly(server, readings, client.userId());
    }
  }

  @Test
  void apiKeyUserUploadsReadings(@TempDir Path dir) throws Exception {
    List<Reading> readings = readings(200, 7);
    try (TestServer server = TestServer.lmdb(dir.resolve("store"));
        RealmCoreDriver client = newClient(server.server.baseUrl(), TestServer.APP, dir)) {
      client.logInWithApiKey("loader-key-1234");
      uploadAndCheck(server, client, dir, readings, "api-key");
    }
  }

  @Test
  void reopenedRealmResumesItsClientFileAndUploadsOnlyNewReadings(@TempDir Path dir) throws Exception {
    List<Reading> first = readings(300, 11);
    List<Reading> second = readings(200, 12);
    try (TestServer server = TestServer.lmdb(dir.resolve("store"));
        RealmCoreDriver client = newClient(server.server.baseUrl(), TestServer.APP, dir)) {
      client.logInAnonymously();
      client.openReadings(dir.resolve("readings.realm"));
      writeInTransactions(client, first);
      assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("first upload completion error").isNull();
      client.closeRealm();
      assertStoreHoldsExactly(server, first, client.userId());

      client.openReadings(dir.resolve("readings.realm"));
      writeInTransactions(client, second);
      assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("second upload completion error").isNull();
      client.closeRealm();

      assertCleanSession(client);
      // the second session binds with the client file the first one got: no second IDENT request
      assertThat(RealmCoreDriver.CORE_LOG.stream().filter(l -> l.contains("Received: IDENT("))).hasSize(1);
      assertThat(RealmCoreDriver.CORE_LOG.stream().filter(l -> l.contains("Sending: BIND("))).hasSize(2);
      assertThat(server.store().clientFiles()).hasSize(1);
      List<Reading> all = new ArrayList<>(first);
      all.addAll(second);
      assertStoreHoldsExactly(server, all, client.userId());
    }
  }

  @Test
  void expiredAccessTokenIsRefreshedAndTheUploadCompletes(@TempDir Path dir) throws Exception {
    List<Reading> first = readings(100, 21);
    List<Reading> second = readings(100, 22);
    MutableClock clock = new MutableClock(Instant.now());
    AuthConfig auth = AuthConfig.newBuilder().tokenSecret(TestServer.SECRET).clock(clock).build();
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir.resolve("store")), auth, b -> {})) {
      String userId;
      try (RealmCoreDriver client = newClient(server.server.baseUrl(), TestServer.APP, dir)) {
        client.logInAnonymously();
        userId = client.userId();
        client.openReadings(dir.resolve("readings.realm"));
        writeInTransactions(client, first);
        assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("first upload completion error").isNull();
        client.closeRealm();
      }
      // the server's time passes the access token's expiry; realm-core's does not, so it only
      // learns of the expiry from the server
      clock.advance(AuthConfig.ACCESS_TOKEN_TTL_DEFAULT.plusMinutes(1));
      RealmCoreDriver.CORE_LOG.clear();

      try (RealmCoreDriver again = newClient(server.server.baseUrl(), TestServer.APP, dir)) {
        again.useCurrentUser();
        assertThat(again.userId()).isEqualTo(userId);
        again.openReadings(dir.resolve("readings.realm"));
        writeInTransactions(again, second);
        assertThat(again.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("second upload completion error").isNull();
        again.closeRealm();

        assertThat(again.syncErrors).as("sync errors reported to the app").isEmpty();
        assertTokenRefreshLogged(userId);
        assertThat(again.transport.exchanges).extracting(e -> e.method() + " " + path(e.url()) + " " + e.status())
            .contains("POST /api/client/v2.0/auth/session 201");
        List<Reading> all = new ArrayList<>(first);
        all.addAll(second);
        assertStoreHoldsExactly(server, all, userId);
      }
    }
  }

  @Test
  void developmentModeServerAdoptsTheSchemaRealmCoreDeclares(@TempDir Path dir) throws Exception {
    List<Reading> readings = readings(50, 31);
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir.resolve("store")),
            b -> b.schema(AppSchema.parse("{\"classes\": []}")).developmentMode(true));
        RealmCoreDriver client = newClient(server.server.baseUrl(), TestServer.APP, dir)) {
      client.logInAnonymously();
      client.openReadings(dir.resolve("readings.realm"));
      writeInTransactions(client, readings);
      assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("upload completion error").isNull();
      client.closeRealm();

      assertCleanSession(client);
      // the same schema an operator writes by hand for this model (TestServer.READING)
      assertThat(server.server.schema()).as(server.server.schema().toJson()).isEqualTo(TestServer.READING);
      assertStoreHoldsExactly(server, readings, client.userId());
    }
  }

  @Test
  void readingsWrittenWhileTheServerIsDownArriveOnceAfterItRestarts(@TempDir Path dir) throws Exception {
    List<Reading> before = readings(200, 41);
    List<Reading> offline = readings(300, 42);
    TestServer first = TestServer.lmdb(dir.resolve("store"));
    int port = first.server.port();
    try (RealmCoreDriver client = newClient(first.server.baseUrl(), TestServer.APP, dir)) {
      try {
        client.logInAnonymously();
        client.openReadings(dir.resolve("readings.realm"));
        writeInTransactions(client, before);
        assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("first upload completion error").isNull();
      } finally {
        first.close();
      }
      // realm-core loses its connection; these commits wait in its history
      writeInTransactions(client, offline);

      try (TestServer second = TestServer.start(LmdbIngestSink.open(dir.resolve("store")), b -> b.port(port))) {
        assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("upload completion after restart").isNull();
        client.closeRealm();

        assertThat(client.syncErrors).as("sync errors reported to the app").isEmpty();
        assertThat(RealmCoreDriver.CORE_LOG.stream().filter(l -> l.contains("Received: IDENT("))).hasSize(1);
        assertThat(RealmCoreDriver.CORE_LOG.stream()
                .filter(l -> l.contains("Negotiated protocol version: " + protocolVersion())))
            .as("protocol %d on both connections", protocolVersion()).hasSize(2);
        List<Reading> all = new ArrayList<>(before);
        all.addAll(offline);
        assertStoreHoldsExactly(second, all, client.userId());
        assertThat(second.store().clientFiles()).hasSize(1);
      }
    }
  }

  /**
   * For a logged-in client: opens the realm, writes {@code readings}, waits for the upload, closes,
   * and checks the session, the login through {@code provider} and the store.
   */
  static void uploadAndCheck(TestServer server, RealmCoreDriver client, Path dir, List<Reading> readings,
      String provider) throws Exception {
    client.openReadings(dir.resolve("readings.realm"));
    writeInTransactions(client, readings);
    assertThat(client.waitForUploadCompletion(60, TimeUnit.SECONDS)).as("upload completion error").isNull();
    client.closeRealm();

    assertCleanSession(client);
    assertThat(client.transport.exchanges).extracting(e -> path(e.url()) + " " + e.status())
        .contains("/api/client/v2.0/app/tributary-test/auth/providers/" + provider + "/login 200");
    assertStoreHoldsExactly(server, readings, client.userId());
  }

  static void writeInTransactions(RealmCoreDriver client, List<Reading> readings) throws Exception {
    for (int i = 0; i < readings.size(); i += PER_TRANSACTION) {
      client.write(readings.subList(i, Math.min(readings.size(), i + PER_TRANSACTION)));
    }
  }

  /**
   * The closed realm's session ended with UNBIND answered by UNBOUND, no error reached the app, and
   * realm-core neither received an ERROR nor had to reconnect.
   */
  static void assertCleanSession(RealmCoreDriver client) throws InterruptedException {
    // realm-core deactivates the session asynchronously after the realm closes
    assertThat(RealmCoreDriver.awaitLog("Received: UNBOUND", 20, TimeUnit.SECONDS)).as("UNBOUND received").isTrue();
    assertThat(client.syncErrors).as("sync errors reported to the app").isEmpty();
    assertThat(RealmCoreDriver.CORE_LOG).filteredOn(l -> l.contains("Received: ERROR")
            || l.contains("Connection closed due to error") || l.contains("Allowing reconnection"))
        .as("realm-core log lines about errors").isEmpty();
  }
}
