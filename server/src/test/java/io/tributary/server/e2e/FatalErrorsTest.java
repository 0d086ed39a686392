package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.ConnectionState;
import io.tributary.core.Credentials;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.SyncException;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.testing.TestServer;
import io.tributary.storage.lmdb.LmdbStorage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fatal errors from a real server: {@link IngestRealm#waitForUploadCompletion} ends with the typed
 * error that stopped the session, long before its timeout, and the client log keeps every object
 * (none was acknowledged, none is lost).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FatalErrorsTest {
  /** Far above what a prompt answer needs, so a hang shows up as a timeout, not a pass. */
  private static final Duration LONG = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** Reading with a property the server's schema does not have (the server is not in dev mode). */
  private static final Schema FOREIGN =
      Schema.of(
          ObjectSchema.asymmetric("Reading")
              .primaryKey("_id", PropertyType.OBJECT_ID)
              .property("sensor", PropertyType.STRING)
              .property("firmware", PropertyType.STRING));

  private static void assertLogHolds(Path clientDir, long entries, long objects) {
    assertLogHolds(clientDir, entries, objects, 0);
  }

  private static void assertLogHolds(Path clientDir, long entries, long objects, long acknowledged) {
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().entryCount()).as("entries kept in the client log").isEqualTo(entries);
      assertThat(log.stats().pendingObjects()).as("objects kept in the client log").isEqualTo(objects);
      assertThat(log.metadata().progress().uploadClientVersion()).isEqualTo(acknowledged);
    }
  }

  @Test
  void aSchemaTheServerRefusesEndsTheWaitWithThatError() throws Exception {
    Path clientDir = dir.resolve("client");
    try (TestServer server = TestServer.lmdb(dir.resolve("server"))) {
      IngestConfig config =
          IngestConfig.builder(FOREIGN)
              .storage(LmdbStorage.at(clientDir))
              .server(URI.create(server.server.baseUrl()), TestServer.APP)
              .credentials(Credentials.apiKey(E2e.API_KEY))
              .syncOptions(E2e.quickRetries().build())
              .build();
      try (IngestRealm realm = IngestRealm.open(config)) {
        for (int t = 0; t < 3; t++) {
          int base = t * 10;
          realm.write(tx -> {
            for (int i = 0; i < 10; i++) {
              tx.create("Reading", ObjectId.of(0x0bad0000, base + i))
                  .set("sensor", "s").set("firmware", "1.2.3");
            }
          });
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> realm.waitForUploadCompletion(LONG))
            .isInstanceOfSatisfying(SyncException.class, e -> {
              assertThat(e.isFatal()).as("%s", e).isTrue();
              assertThat(e.errorCode()).as("%s", e).isEqualTo(225); // invalid_schema_change
              assertThat(e.getMessage()).contains("firmware");
            });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG.dividedBy(2));
        assertThat(realm.syncError()).isNotNull();
        assertThat(realm.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
        // a later wait fails at once with the same error
        assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ZERO))
            .isInstanceOfSatisfying(SyncException.class, e -> assertThat(e.errorCode()).isEqualTo(225));
        // still writable offline: the log is the durable part
        realm.write(tx -> tx.create("Reading", ObjectId.of(0x0bad0000, 99)).set("sensor", "late"));
      }
      assertThat(server.store().objectCount()).isZero();
    }
    assertLogHolds(clientDir, 1 + 3 + 1, 31); // the schema changeset, 3 + 1 transactions
  }

  @Test
  void refusedCredentialsEndTheWaitWithAnAuthenticationError() throws Exception {
    Path clientDir = dir.resolve("client");
    try (TestServer server = TestServer.lmdb(dir.resolve("server"))) {
      IngestConfig config =
          E2e.realm(clientDir, server.server.baseUrl())
              .credentials(Credentials.apiKey("not-a-key-of-this-app"))
              .build();
      try (IngestRealm realm = IngestRealm.open(config)) {
        E2e.write(realm, E2e.keys(9, 0, 20));
        long start = System.nanoTime();
        assertThatThrownBy(() -> realm.waitForUploadCompletion(LONG))
            .isInstanceOfSatisfying(SyncException.class, e -> {
              assertThat(e.isFatal()).as("%s", e).isTrue();
              assertThat(e.category()).as("%s", e).isEqualTo(SyncException.Category.AUTHENTICATION);
              assertThat(e.getMessage()).contains("401");
            });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG.dividedBy(2));
        assertThat(realm.waitForUploadCompletionAsync()).isCompletedExceptionally();
      }
      assertThat(server.store().objectCount()).isZero();
      assertThat(server.server.metrics().connectionsOpened()).as("never got to sync").isZero();
    }
    assertLogHolds(clientDir, 1 + 1, 20);
  }

  @Test
  void anUploadOverTheServersLimitIsAFatalErrorNotARetryLoop() throws Exception {
    // spec §10.4: session error 201, ApplicationBug, tryAgain false (never 1009, never a loop)
    Path clientDir = dir.resolve("client");
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir.resolve("server")),
        b -> b.maxMessageBytes(1 << 20).maxBodyBytes(1 << 20).maxChangesetBytes(1 << 20))) {
      try (IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, server.server.baseUrl()).build())) {
        E2e.write(realm, E2e.keys(9, 0, 20_000)); // one changeset of about 3.3 MB
        long start = System.nanoTime();
        assertThatThrownBy(() -> realm.waitForUploadCompletion(LONG))
            .isInstanceOfSatisfying(SyncException.class, e -> {
              assertThat(e.isFatal()).as("%s", e).isTrue();
              assertThat(e.errorCode()).as("%s", e).isEqualTo(201);
              assertThat(e.getMessage()).contains("maxBodySize 1048576");
            });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG.dividedBy(2));
        assertThat(realm.connectionCount()).as("no reconnect after the fatal error").isEqualTo(1);
      }
      assertThat(server.store().objectCount()).isZero();
    }
    // the schema changeset went in its own UPLOAD and was acknowledged; the big one stays
    assertLogHolds(clientDir, 1, 20_000, 1);
  }
}
