package io.tributary.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.SyncConnection;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.transport.netty.testing.LeakCheck;
import io.tributary.transport.netty.testing.RecordingListener;
import io.tributary.transport.netty.server.AppServicesBackend;
import io.tributary.transport.netty.server.LoginRequest;
import io.tributary.transport.netty.server.LoginResult;
import io.tributary.transport.netty.server.UserProfile;
import io.tributary.transport.netty.testing.TestEdge;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} against the edge with TLS, using a certificate made at test time with the JDK's
 * {@code keytool} (subject alternative name {@code DNS:localhost} only) and a custom {@link
 * SSLContext} that trusts it.
 */
@ExtendWith(LeakCheck.class)
class TlsTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  @TempDir static Path dir;
  private static SSLContext serverContext;
  private static SSLContext clientContext;
  private static TestEdge server;
  private static NettySyncTransport transport;

  @BeforeAll
  static void start() throws Exception {
    Path keystore = dir.resolve("edge.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(), "-genkeypair", "-alias", "edge", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
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

    Certificate cert = ks.getCertificate("edge");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("edge", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    clientContext = SSLContext.getInstance("TLS");
    clientContext.init(null, tmf.getTrustManagers(), null);

    server = TestEdge.start(b -> b.tlsContext(serverContext));
    transport = NettySyncTransport.create();
  }

  @AfterAll
  static void stop() {
    transport.close();
    server.close();
  }

  private ConnectRequest.Builder request(String host) {
    return ConnectRequest.newBuilder(
            URI.create("wss://" + host + ":" + server.port() + "/api/client/v2.0/app/a/realm-sync?baas_at=good-token"),
            List.of("com.mongodb.realm-query-sync#14"))
        .connectTimeout(Duration.ofSeconds(20));
  }

  @Test
  void wssWithACustomTrustStoreCarriesMessagesBothWays() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c =
        transport.connect(request("localhost").sslContext(clientContext).build(), listener).get(20, TimeUnit.SECONDS);
    assertThat(server.nextHandler().awaitOpen().subprotocol()).isEqualTo("com.mongodb.realm-query-sync#14");
    for (int size : new int[] {0, 125, 70_000, 1024 * 1024}) {
      byte[] payload = new byte[size];
      new Random(size).nextBytes(payload);
      c.send(ByteBuffer.wrap(payload));
      assertThat(listener.next()).isEqualTo(payload);
    }
    c.close();
    assertThat(listener.awaitClosed().code()).isEqualTo(SyncConnection.CLOSE_CODE_NONE);
  }

  @Test
  void locationOverTlsAdvertisesHttpsAndWss() throws Exception {
    try (TestEdge https =
            TestEdge.start(
                b -> b.tlsContext(serverContext).appServicesBackend(new LocationOnlyBackend()));
        SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket("localhost", https.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(
          ("GET /api/client/v2.0/app/a/location HTTP/1.1\r\nHost: localhost:" + https.port()
              + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 200 OK")
          .contains("\"hostname\":\"https://localhost:" + https.port() + "\"")
          .contains("\"ws_hostname\":\"wss://localhost:" + https.port() + "\"");
    }
  }

  /** Serves only the location route (the defaults of {@link AppServicesBackend}). */
  private static final class LocationOnlyBackend implements AppServicesBackend {
    @Override
    public CompletionStage<LoginResult> login(LoginRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<UserProfile> profile(String accessToken) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<String> refreshAccessToken(String refreshToken) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Void> logout(String refreshToken) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void theJdkDefaultTrustStoreDoesNotTrustATestCertificate() throws Exception {
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () -> transport.connect(request("localhost").build(), new RecordingListener()).get(20, TimeUnit.SECONDS));
    assertThat(e.getCause())
        .isInstanceOf(SyncTransportException.class)
        .hasMessageStartingWith("TLS handshake with localhost:" + server.port());
  }

  @Test
  void theHostNameIsVerified() throws Exception {
    // the certificate names DNS:localhost only, so 127.0.0.1 does not match it
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () ->
                transport
                    .connect(request("127.0.0.1").sslContext(clientContext).build(), new RecordingListener())
                    .get(20, TimeUnit.SECONDS));
    assertThat(e.getCause())
        .isInstanceOf(SyncTransportException.class)
        .hasMessageStartingWith("TLS handshake with 127.0.0.1:" + server.port())
        .hasMessageContaining("127.0.0.1");
  }
}
