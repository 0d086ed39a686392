package io.tributary.compat.realmcore;

import static io.tributary.compat.realmcore.Readings.path;
import static io.tributary.compat.realmcore.Readings.readings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.compat.realmcore.Readings.Reading;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.internal.auth.Jwt;
import io.tributary.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real realm-core 13.19.0 client (App client and sync client, unmodified, from realm-kotlin's
 * cinterop-jvm 1.11.0) against a Tributary server: the scenarios of {@link RealmCoreScenarios} over
 * protocol 10, plus the custom-JWT and email/password logins and the upload progress notifier.
 */
class RealmCoreClientTest extends RealmCoreScenarios {

  @Override
  RealmCoreDriver newClient(String baseUrl, String appId, Path dir) {
    return new RealmCoreClient(baseUrl, appId, dir);
  }

  @Override
  int protocolVersion() {
    return 10;
  }

  @Override
  void assertUploadLogged() {
    assertThat(RealmCoreDriver.CORE_LOG).contains("Connection[1]: Negotiated protocol version: 10");
  }

  @Override
  void assertTokenRefreshLogged(String userId) {
    assertThat(RealmCoreDriver.CORE_LOG).anyMatch(l -> l.contains("Bad WebSocket response 401"));
  }

  /** realm-core 13's upload progress notifier reports every uploadable byte as uploaded. */
  @Override
  void beforeClose(RealmCoreDriver client) throws Exception {
    long[] progress = ((RealmCoreClient) client).awaitUploadDrained(30, TimeUnit.SECONDS);
    assertThat(progress[0]).as("uploaded bytes (of %d uploadable)", progress[1]).isEqualTo(progress[1]);
  }

  @Test
  void customJwtUserUploadsReadings(@TempDir Path dir) throws Exception {
    byte[] jwtSecret = "compat-custom-jwt-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    AuthConfig auth = AuthConfig.newBuilder().tokenSecret(TestServer.SECRET).customJwtHmacSecret(jwtSecret).build();
    ObjectNode claims = new ObjectMapper().createObjectNode();
    claims.put("sub", "device-42");
    claims.put("iat", Instant.now().getEpochSecond());
    claims.put("exp", Instant.now().plusSeconds(3600).getEpochSecond());
    List<Reading> readings = readings(100, 51);
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir.resolve("store")), auth, b -> {});
        RealmCoreClient client = new RealmCoreClient(server.server.baseUrl(), TestServer.APP, dir)) {
      client.logInWithJwt(Jwt.signHs256(claims, jwtSecret));
      uploadAndCheck(server, client, dir, readings, "custom-token");
    }
  }

  @Test
  void emailPasswordLoginIsRefusedWithAnAppErrorTheSdkCanShow(@TempDir Path dir) throws Exception {
    try (TestServer server = TestServer.lmdb(dir.resolve("store"));
        RealmCoreClient client = new RealmCoreClient(server.server.baseUrl(), TestServer.APP, dir)) {
      assertThatThrownBy(() -> client.logInWithEmailPassword("someone@example.com", "secret-password"))
          .isInstanceOfSatisfying(RealmCoreDriver.LoginException.class, e -> {
            assertThat(e.error.getHttpStatusCode()).isEqualTo(400);
            assertThat(e.error.getMessage()).contains("login provider 'local-userpass' is not supported");
          });
      assertThat(client.transport.exchanges).extracting(e -> path(e.url()))
          .contains("/api/client/v2.0/app/tributary-test/auth/providers/local-userpass/login");
    }
  }
}
