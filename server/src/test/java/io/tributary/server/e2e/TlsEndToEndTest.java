package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.IngestRealm;
import io.tributary.core.SyncException;
import io.tributary.core.SyncTimeoutException;
import io.tributary.protocol.ObjectId;
import io.tributary.server.IngestServer;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.Main;
import io.tributary.server.testing.TestServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code https://} + {@code wss://} end to end: a real server with TLS (a certificate for {@code
 * localhost} made at test time with the JDK's {@code keytool}) and a real client whose sync
 * options carry an {@link SSLContext} trusting it. Login, location, the sync upgrade and the
 * uploads all go over TLS; without the trust store the client never gets through.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TlsEndToEndTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  @TempDir static Path keys;
  private static SSLContext serverContext;
  private static SSLContext clientContext;

  @TempDir Path dir;

  @BeforeAll
  static void makeCertificate() throws Exception {
    Path keystore = keys.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD);
    serverContext = SSLContext.getInstance("TLS");
    serverContext.init(kmf.getKeyManagers(), null, null);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", ks.getCertificate("server"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    clientContext = SSLContext.getInstance("TLS");
    clientContext.init(null, tmf.getTrustManagers(), null);
  }

  @Test
  void objectsGoOverWssWithAConfiguredTrustStore() throws Exception {
    try (TestServer server =
        TestServer.start(LmdbIngestSink.open(dir.resolve("server")), b -> b.tlsContext(serverContext))) {
      assertThat(server.server.syncUrl()).startsWith("wss://");
      String base = "https://localhost:" + server.server.port();
      List<ObjectId> committed = new ArrayList<>();
      try (IngestRealm realm = IngestRealm.open(E2e.realm(dir.resolve("client"), base)
          .syncOptions(E2e.quickRetries().sslContext(clientContext).build())
          .build())) {
        for (int t = 0; t < 20; t++) {
          List<ObjectId> keys = E2e.keys(6, t * 100, t * 100 + 100);
          E2e.write(realm, keys);
          committed.addAll(keys);
        }
        realm.waitForUploadCompletion(Duration.ofSeconds(60));
        assertThat(realm.syncError()).isNull();
      }
      E2e.assertExactlyOnce(server.store(), committed);
      assertThat(server.server.metrics().connectionsOpened()).isEqualTo(1);
    }
  }

  /** {@code serve --tls-keystore ... --tls-keystore-password-file ...}: the same over the command. */
  @Test
  void theServeCommandServesTlsFromAKeystoreFile() throws Exception {
    Path password = dir.resolve("password");
    Files.writeString(password, new String(PASSWORD) + "\n");
    Files.writeString(dir.resolve("schema.json"), TestServer.READING.toJson());
    CommandLine.ParseResult parsed = Main.commandLine().parseArgs("serve",
        "--data-dir", dir.resolve("server").toString(), "--app-id", TestServer.APP,
        "--schema", dir.resolve("schema.json").toString(), "--port", "0", "--host", "127.0.0.1",
        "--api-key", "loader=" + E2e.API_KEY, "--tls-keystore", keys.resolve("server.p12").toString(),
        "--tls-keystore-password-file", password.toString(), "--worker-threads", "1",
        "--max-sessions-per-connection", "4", "--idle-timeout", "1m");
    Main.Serve serve = parsed.subcommand().commandSpec().commandLine().getCommand();
    try (IngestServer server = serve.start()) {
      assertThat(server.baseUrl()).startsWith("https://");
      assertThat(server.syncUrl()).startsWith("wss://");
      String base = "https://localhost:" + server.port();
      List<ObjectId> keys = E2e.keys(7, 0, 200);
      try (IngestRealm realm = IngestRealm.open(E2e.realm(dir.resolve("client"), base)
          .syncOptions(E2e.quickRetries().sslContext(clientContext).build())
          .build())) {
        E2e.write(realm, keys);
        realm.waitForUploadCompletion(Duration.ofSeconds(60));
        assertThat(realm.syncError()).isNull();
      }
      E2e.assertExactlyOnce(server.store(), keys);
    }
  }

  @Test
  void withoutTheTrustStoreNothingGetsThrough() throws Exception {
    try (TestServer server =
        TestServer.start(LmdbIngestSink.open(dir.resolve("server")), b -> b.tlsContext(serverContext))) {
      String base = "https://localhost:" + server.server.port();
      List<SyncException> errors = new CopyOnWriteArrayList<>();
      try (IngestRealm realm = IngestRealm.open(E2e.realm(dir.resolve("client"), base).build())) {
        realm.addConnectionStateListener((from, to, e) -> {
          if (e != null) {
            errors.add(e);
          }
        });
        E2e.write(realm, E2e.keys(6, 0, 10));
        assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ofSeconds(2)))
            .isInstanceOfAny(SyncTimeoutException.class, SyncException.class);
        E2e.await(() -> !errors.isEmpty(), Duration.ofSeconds(30), "a reported TLS failure");
      }
      System.out.println("without the trust store: " + errors.get(0).getMessage());
      assertThat(server.store().objectCount()).isZero();
      assertThat(server.server.metrics().connectionsOpened()).isZero();
    }
  }
}
