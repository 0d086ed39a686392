package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.IngestServer;
import io.tributary.server.Main;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tributary serve --tls-keystore} and {@code tributary load --trust-store}: a certificate for
 * {@code localhost} made at test time with the JDK's {@code keytool}, a server serving {@code
 * https://} and {@code wss://} from it, and devices that upload only when they trust it.
 */
class TlsCommandsTest {
  private static final String APP = "tls-test";
  private static final String PASSWORD = "changeit";

  @TempDir static Path keys;
  @TempDir Path dir;

  @BeforeAll
  static void makeKeystoreAndTrustStore() throws Exception {
    Path keystore = keys.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
            "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2",
            "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    KeyStore ks = KeyStore.getInstance(keystore.toFile(), PASSWORD.toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", ks.getCertificate("server"));
    try (OutputStream out = Files.newOutputStream(keys.resolve("trust.p12"))) {
      trust.store(out, PASSWORD.toCharArray());
    }
    Files.writeString(keys.resolve("password"), PASSWORD + "\n");
  }

  private IngestServer serveTls() throws Exception {
    Path schema = dir.resolve("schema.json");
    Files.writeString(schema, SensorSchema.SERVER.toJson());
    CommandLine.ParseResult parsed = new Cli().commandLine.parseArgs("serve", "--data-dir", dir.resolve("data").toString(),
        "--app-id", APP, "--schema", schema.toString(), "--port", "0", "--host", "127.0.0.1",
        "--token-secret", "tls-test-secret-0123456789", "--tls-keystore", keys.resolve("server.p12").toString(),
        "--tls-keystore-password-file", keys.resolve("password").toString());
    Main.Serve serve = parsed.subcommand().commandSpec().commandLine().getCommand();
    return serve.start();
  }

  @Test
  void loadUploadsOverTlsWhenItTrustsTheServersCertificate() throws Exception {
    try (IngestServer server = serveTls()) {
      assertThat(server.baseUrl()).startsWith("https://");
      String url = "https://localhost:" + server.port();
      Cli cli = new Cli();
      int code = cli.run("load", "--url", url, "--app-id", APP, "--devices", "2", "--objects", "400",
          "--batch", "50", "--durability", "os_flush", "--trust-store", keys.resolve("trust.p12").toString(),
          "--trust-store-password-file", keys.resolve("password").toString());
      assertThat(code).as(cli.out() + cli.err()).isZero();
      assertThat(cli.out()).contains("Acknowledged  400 objects after ");
      assertThat(server.store().countByClass()).containsEntry("Reading", 400L);
    }
  }

  @Test
  void withoutTheTrustStoreTheDevicesNeverConnect() throws Exception {
    try (IngestServer server = serveTls()) {
      Cli cli = new Cli();
      int code = cli.run("load", "--url", "https://localhost:" + server.port(), "--app-id", APP, "--devices", "1",
          "--objects", "10", "--upload-timeout", "3s");
      assertThat(code).as(cli.out() + cli.err()).isEqualTo(1);
      assertThat(server.store().objectCount()).isZero();
    }
  }

  @Test
  void anUnreadableTrustStoreIsAUsageErrorNamingTheFile() throws Exception {
    Path bad = dir.resolve("bad.p12");
    Files.writeString(bad, "not a keystore");
    Cli cli = new Cli();
    int code = cli.run("load", "--url", "https://localhost:1", "--app-id", APP, "--objects", "10",
        "--trust-store", bad.toString());
    assertThat(code).isEqualTo(2);
    assertThat(cli.err()).contains("--trust-store " + bad).contains("expected: a PKCS12 or JKS keystore");
  }
}
