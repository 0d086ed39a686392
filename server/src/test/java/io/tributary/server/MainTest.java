package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.internal.auth.TokenService;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.testing.CaptureReplay;
import io.tributary.server.testing.EmulatedClientFile;
import io.tributary.server.testing.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: {@code serve} starts a server that ingests; {@code export} writes JSON lines. */
class MainTest {
  @TempDir Path dir;

  @Test
  void serveThenExportWritesOneJsonLinePerStoredObject() throws Exception {
    Path data = dir.resolve("data");
    Path schema = dir.resolve("schema.json");
    Files.writeString(schema, TestServer.READING.toJson());
    CommandLine cl = Main.commandLine();
    StringWriter printed = new StringWriter();
    cl.setOut(new PrintWriter(printed));
    CommandLine.ParseResult parsed = cl.parseArgs("serve", "--data-dir", data.toString(), "--app-id", TestServer.APP,
        "--schema", schema.toString(), "--port", "0", "--host", "127.0.0.1",
        "--token-secret", new String(TestServer.SECRET, StandardCharsets.UTF_8), "--api-key", "loader=loader-key-1234",
        "--page-cache-trim", "on");
    Main.Serve serve = parsed.subcommand().commandSpec().commandLine().getCommand();
    List<CaptureReplay.ExpectedObject> created;
    try (IngestServer server = serve.start()) {
      assertThat(printed.toString()).contains("listening on", server.syncUrl(), server.baseUrl());
      created = CaptureReplay.run(new TestServerView(server).view(), "06_embedded_location", new EmulatedClientFile(),
          false, "cli-user");
      assertThat(server.store().objectCount()).isEqualTo(created.size());
    }

    Path out = dir.resolve("objects.jsonl");
    assertThat(Main.run("export", "--data-dir", data.toString(), "--output", out.toString())).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(created.size());
    List<IngestedObject> objects = new ArrayList<>();
    for (String line : lines) {
      IngestedObject.Builder b = IngestedObject.newBuilder();
      JsonFormat.parser().merge(line, b);
      objects.add(b.build());
    }
    try (LmdbIngestSink sink = LmdbIngestSink.open(data)) {
      List<IngestedObject> stored = new ArrayList<>();
      sink.scan(0, stored::add);
      assertThat(objects).isEqualTo(stored);
    }
    assertThat(lines.get(0)).startsWith("{\"className\":\"Reading\"").contains("\"location\":{\"objectValue\":");

    assertThat(Main.run("export", "--data-dir", data.toString(), "--output", out.toString(), "--class", "Other")).isZero();
    assertThat(Files.readAllLines(out)).isEmpty();
    assertThat(Main.run("export", "--data-dir", data.toString(), "--format", "csv")).isEqualTo(2);
    assertThat(Main.run("export", "--data-dir", dir.resolve("missing").toString())).isEqualTo(1);
  }

  @Test
  void serveRefusesBadConfigurationWithUsageErrors() throws Exception {
    Path schema = dir.resolve("bad.json");
    Files.writeString(schema, "{\"classes\": [{\"name\": \"A\", \"kind\": \"asymmetric\", \"properties\": {}}]}");
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("serve", "--data-dir", dir.resolve("d").toString(), "--app-id", "a", "--port", "0",
        "--schema", schema.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("bad.json: classes[0] (A).primaryKey: missing");
    assertThat(Main.commandLine().execute("serve", "--data-dir", dir.resolve("d").toString(), "--app-id", "a",
        "--port", "0")).isEqualTo(2);
    assertThat(Main.commandLine().execute("serve", "--app-id", "a")).isEqualTo(2);
  }

  @Test
  void serveRefusesUnusableTlsAndLimitFlagsNamingThem() throws Exception {
    Path keystore = dir.resolve("not-a-keystore.p12");
    Files.writeString(keystore, "garbage");
    Path password = dir.resolve("password");
    Files.writeString(password, "changeit\n");
    String[] base = {"serve", "--data-dir", dir.resolve("d").toString(), "--app-id", "a", "--port", "0",
        "--host", "127.0.0.1", "--dev-mode"};
    assertThat(serveError(base, "--tls-keystore", keystore.toString(), "--tls-keystore-password-file",
        password.toString())).contains("--tls-keystore " + keystore).contains("expected: a PKCS12 or JKS keystore");
    assertThat(serveError(base, "--tls-keystore", keystore.toString()))
        .contains("no password (expected: --tls-keystore-password-file or $TRIBUTARY_TLS_KEYSTORE_PASSWORD)");
    assertThat(serveError(base, "--tls-keystore-password-file", password.toString()))
        .contains("--tls-keystore-password-file without --tls-keystore");
    assertThat(serveError(base, "--worker-threads", "0")).contains("workerThreads: 0 (expected: 1..1024)");
    assertThat(serveError(base, "--max-sessions-per-connection", "0")).contains("maxSessionsPerConnection: 0");
    assertThat(serveError(base, "--idle-timeout", "0s")).contains("idleTimeout: PT0S (expected: > 0)");
    assertThat(serveError(base, "--page-cache-trim", "yes")).contains("--page-cache-trim", "expected one of [on, off]", "'yes'");
    assertThat(serveError(base, "--error-log-url", "logs.example.com/x"))
        .contains("errorLogUrl: 'logs.example.com/x' (expected: an absolute http:// or https:// URL with a host");
  }

  /** Runs {@code serve} with {@code base} + {@code extra}, expects exit code 2, returns stderr. */
  private static String serveError(String[] base, String... extra) {
    String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute(args)).as("exit code of serve %s", List.of(extra)).isEqualTo(2);
    return err.toString();
  }

  /** Adapts a started server to the replay helper (tokens signed with the test secret). */
  private record TestServerView(IngestServer server) {
    TestServer view() throws Exception {
      return TestServer.wrap(server, new TokenService(AuthConfig.newBuilder().tokenSecret(TestServer.SECRET).build(),
          TestServer.APP));
    }
  }

}
