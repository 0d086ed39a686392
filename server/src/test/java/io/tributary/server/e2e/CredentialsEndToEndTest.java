package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.Credentials;
import io.tributary.core.IngestRealm;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.internal.auth.Jwt;
import io.tributary.server.testing.TestServer;
import io.tributary.storage.lmdb.LmdbStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of {@link Credentials} against a real server (login, profile and the sync upgrade over
 * real sockets; the API key is what every other end-to-end test uses): anonymous, a custom JWT
 * signed with the app's HS256 secret, and an access token supplied by the application, which is
 * asked for again when the server refuses it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CredentialsEndToEndTest {
  private static final byte[] CUSTOM_SECRET = "custom-jwt-secret-of-the-app-0123".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private void uploadWith(TestServer server, Credentials credentials, int writer) throws Exception {
    Path clientDir = dir.resolve("client-" + writer);
    List<ObjectId> keys = E2e.keys(writer, 0, 100);
    try (IngestRealm realm = IngestRealm.open(
        E2e.realm(clientDir, server.server.baseUrl()).credentials(credentials).build())) {
      E2e.write(realm, keys);
      realm.waitForUploadCompletion(Duration.ofSeconds(30));
      assertThat(realm.syncError()).isNull();
    }
    E2e.assertExactlyOnce(server.store(), keys);
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().entryCount()).as("entries left in the client log").isZero();
    }
  }

  @Test
  void anonymous() throws Exception {
    try (TestServer server = TestServer.lmdb(dir.resolve("server"))) {
      uploadWith(server, Credentials.anonymous(), 11);
    }
  }

  @Test
  void customJwt() throws Exception {
    AuthConfig auth = AuthConfig.newBuilder().tokenSecret(TestServer.SECRET)
        .customJwtHmacSecret(CUSTOM_SECRET).build();
    ObjectNode claims = new ObjectMapper().createObjectNode();
    claims.put("sub", "device-42");
    claims.put("iat", Instant.now().getEpochSecond());
    claims.put("exp", Instant.now().plus(Duration.ofHours(1)).getEpochSecond());
    String jwt = Jwt.signHs256(claims, CUSTOM_SECRET);
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir.resolve("server")), auth, b -> {})) {
      uploadWith(server, Credentials.customJwt(jwt), 12);
    }
  }

  @Test
  void aSuppliedAccessTokenIsAskedForAgainWhenTheServerRefusesIt() throws Exception {
    try (TestServer server = TestServer.lmdb(dir.resolve("server"))) {
      AtomicInteger asked = new AtomicInteger();
      String good = server.token("supplied-user");
      // the first token is a well-formed JWT the server did not sign: the upgrade answers 401
      String foreign = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTcwMDAwMDAwMH0.c2ln";
      uploadWith(server, Credentials.accessToken(() -> asked.incrementAndGet() == 1 ? foreign : good), 13);
      assertThat(asked.get()).isEqualTo(2);
    }
  }

  private static IngestRealm openAnonymous(Path clientDir, String baseUrl) {
    return IngestRealm.open(
        E2e.realm(clientDir, baseUrl).credentials(Credentials.anonymous()).build());
  }

  /**
   * The server binds a client file to the user that asked for it (error 223 for anyone else), and
   * an anonymous login is a new user every time: so the anonymous identity must live in the log,
   * or a realm reopened on its log could never upload again — objects written offline included.
   */
  @Test
  void anAnonymousRealmReopenedOnItsLogResumesAsTheSameUserAlsoAcrossAServerRestart()
      throws Exception {
    Path clientDir = dir.resolve("client-anon");
    Path serverDir = dir.resolve("server");
    List<ObjectId> first = E2e.keys(21, 0, 100);
    List<ObjectId> second = E2e.keys(21, 100, 200);
    List<ObjectId> offline = E2e.keys(21, 200, 300);
    String firstUrl;
    try (TestServer server = TestServer.lmdb(serverDir)) {
      firstUrl = server.server.baseUrl();
      try (IngestRealm realm = openAnonymous(clientDir, firstUrl)) {
        E2e.write(realm, first);
        realm.waitForUploadCompletion(Duration.ofSeconds(30));
        assertThat(realm.syncError()).isNull();
      }
      try (IngestRealm realm = openAnonymous(clientDir, firstUrl)) {
        E2e.write(realm, second);
        realm.waitForUploadCompletion(Duration.ofSeconds(30));
        assertThat(realm.syncError()).as("the reopened realm's sync error").isNull();
      }
    }
    // the server is down: the objects wait in the log
    try (IngestRealm realm = openAnonymous(clientDir, firstUrl)) {
      E2e.write(realm, offline);
    }
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().pendingObjects()).as("objects written offline").isEqualTo(100);
    }
    // the server back on the same store, at a new port
    try (TestServer server = TestServer.lmdb(serverDir);
        IngestRealm realm = openAnonymous(clientDir, server.server.baseUrl())) {
      realm.waitForUploadCompletion(Duration.ofSeconds(30));
      assertThat(realm.syncError()).isNull();
      List<ObjectId> all = new java.util.ArrayList<>(first);
      all.addAll(second);
      all.addAll(offline);
      E2e.assertExactlyOnce(server.store(), all);
    }
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().entryCount()).as("entries left in the client log").isZero();
      assertThat(new String(log.metadata().identity(), StandardCharsets.UTF_8))
          .contains("\"provider\":\"anon-user\"");
    }
  }
}
