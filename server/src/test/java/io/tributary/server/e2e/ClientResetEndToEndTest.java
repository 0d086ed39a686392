package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ClientResetMode;
import io.tributary.core.IngestRealm;
import io.tributary.core.SyncException;
import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.server.testing.TestServer;
import io.tributary.storage.lmdb.LmdbStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that lost its store (here: a new, empty one) no longer knows the client file of a log
 * holding objects written offline, and answers 208. With the default {@link
 * ClientResetMode#RECOVER} the client uploads them under a new client file; with {@link
 * ClientResetMode#MANUAL} it stops and keeps them. Real LMDB log and store, real sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientResetEndToEndTest {
  @TempDir Path dir;

  /**
   * 100 objects uploaded to a server on store {@code a}, then 100 written while it is down.
   *
   * @return the log's metadata after that
   */
  private LogMetadata uploadedThenOffline(Path clientDir, List<ObjectId> uploaded,
      List<ObjectId> offline) throws Exception {
    String url;
    try (TestServer a = TestServer.lmdb(dir.resolve("a"));
        IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, a.server.baseUrl()).build())) {
      url = a.server.baseUrl();
      E2e.write(realm, uploaded);
      realm.waitForUploadCompletion(Duration.ofSeconds(30));
      assertThat(realm.syncError()).isNull();
      E2e.assertExactlyOnce(a.store(), uploaded);
    }
    try (IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, url).build())) {
      E2e.write(realm, offline);
    }
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().pendingObjects()).as("objects written offline").isEqualTo(100);
      assertThat(log.metadata().hasClientFileIdent()).isTrue();
      return log.metadata();
    }
  }

  @Test
  void theObjectsWrittenOfflineReachAServerThatLostItsStoreUnderANewClientFile() throws Exception {
    Path clientDir = dir.resolve("client");
    List<ObjectId> uploaded = E2e.keys(31, 0, 100);
    List<ObjectId> offline = E2e.keys(31, 100, 200);
    LogMetadata before = uploadedThenOffline(clientDir, uploaded, offline);

    try (TestServer b = TestServer.lmdb(dir.resolve("b"));
        IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, b.server.baseUrl()).build())) {
      realm.waitForUploadCompletion(Duration.ofSeconds(30));
      assertThat(realm.syncError()).isNull();
      // only what the lost store had not acknowledged: the rest was deleted from the log long ago
      E2e.assertExactlyOnce(b.store(), offline);
      List<ObjectId> later = E2e.keys(31, 200, 250);
      E2e.write(realm, later);
      realm.waitForUploadCompletion(Duration.ofSeconds(30));
      List<ObjectId> all = new java.util.ArrayList<>(offline);
      all.addAll(later);
      E2e.assertExactlyOnce(b.store(), all);
    }
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().entryCount()).as("entries left in the client log").isZero();
      LogMetadata after = log.metadata();
      assertThat(after.clientFileSalt()).as("the salt of the new client file")
          .isNotEqualTo(before.clientFileSalt());
      assertThat(after.progress().uploadClientVersion())
          .isEqualTo(after.lastAssignedVersion());
    }
  }

  @Test
  void manualModeStopsWithTheServersErrorAndKeepsTheObjects() throws Exception {
    Path clientDir = dir.resolve("client");
    List<ObjectId> offline = E2e.keys(32, 100, 200);
    LogMetadata before = uploadedThenOffline(clientDir, E2e.keys(32, 0, 100), offline);

    try (TestServer b = TestServer.lmdb(dir.resolve("b"));
        IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, b.server.baseUrl())
            .syncOptions(E2e.quickRetries().clientReset(ClientResetMode.MANUAL).build()).build())) {
      E2e.await(() -> realm.syncError() != null, Duration.ofSeconds(30), "the fatal error");
      SyncException e = realm.syncError();
      assertThat(e.isFatal()).isTrue();
      assertThat(e.errorCode()).isEqualTo(208);
      assertThat(b.store().objectCount()).isZero();
    }
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().pendingObjects()).isEqualTo(100);
      assertThat(log.metadata().clientFileIdent()).isEqualTo(before.clientFileIdent());
      assertThat(log.metadata().clientFileSalt()).isEqualTo(before.clientFileSalt());
    }
  }
}
