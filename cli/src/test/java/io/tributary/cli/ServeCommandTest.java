package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.Credentials;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.SyncException;
import io.tributary.core.spi.Durability;
import io.tributary.protocol.ObjectId;
import io.tributary.server.IngestServer;
import io.tributary.server.Main;
import io.tributary.storage.lmdb.LmdbStorage;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tributary serve}: the server module's command mounted in the CLI starts a server that
 * ingests over a real socket, answers {@code /health} and {@code /metrics} (Prometheus text), and
 * shuts down.
 */
class ServeCommandTest {
  private static final String APP = "serve-test";
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})? "
          + "(-?[0-9.eE+-]+|\\+Inf|NaN)");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void serveIngestsAndAnswersHealthAndPrometheusMetricsThenShutsDown() throws Exception {
    Path schema = dir.resolve("schema.json");
    Files.writeString(schema, SensorSchema.SERVER.toJson());
    Cli cli = new Cli();
    CommandLine.ParseResult parsed = cli.commandLine.parseArgs("serve", "--data-dir", dir.resolve("data").toString(),
        "--app-id", APP, "--schema", schema.toString(), "--port", "0", "--host", "127.0.0.1",
        "--token-secret", "serve-test-secret-0123456789");
    Main.Serve serve = parsed.subcommand().commandSpec().commandLine().getCommand();
    int port;
    int refusedCode;
    try (IngestServer server = serve.start()) {
      port = server.port();
      assertThat(cli.out()).contains("listening on 127.0.0.1:" + port).contains(server.syncUrl());

      HttpResponse<String> health = get(server.baseUrl() + "/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"status\"").contains("\"ok\"");

      // 50 readings through a real device, then one realm whose schema the server refuses
      SensorSchema keys = SensorSchema.newRun();
      try (SensorDevice d = SensorDevice.open(0, dir.resolve("device"), keys, URI.create(server.baseUrl()), APP,
          Credentials.anonymous(), Durability.OS_FLUSH, null)) {
        d.writeBatch(30);
        d.writeBatch(20);
        d.waitForUploadCompletion(Duration.ofSeconds(30));
      }
      Schema other = Schema.of(ObjectSchema.asymmetric("Reading").primaryKey("_id", PropertyType.OBJECT_ID)
          .property("sensor", PropertyType.STRING).property("unit", PropertyType.STRING));
      try (IngestRealm refused = IngestRealm.open(IngestConfig.builder(other).storage(LmdbStorage.at(dir.resolve("bad")))
          .server(URI.create(server.baseUrl()), APP).credentials(Credentials.anonymous()).build())) {
        refused.write(tx -> tx.create("Reading", ObjectId.get()).set("sensor", "x").set("unit", "C"));
        SyncException e = (SyncException) catchThrowable(() -> refused.waitForUploadCompletion(Duration.ofSeconds(30)));
        refusedCode = e.errorCode();
        assertThat(refusedCode).isPositive();
      }

      HttpResponse<String> metrics = get(server.baseUrl() + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("text/plain").contains("version=0.0.4"));
      String text = metrics.body();
      assertWellFormedPrometheusText(text);
      assertThat(text)
          .contains("# TYPE tributary_sessions_active gauge\n")
          .contains("# TYPE tributary_connections_open gauge\n")
          .contains("# TYPE tributary_sessions_bound_total counter\n")
          .contains("\ntributary_objects_ingested_total 50\n")
          .contains("\ntributary_duplicates_discarded_total 0\n")
          .contains("\ntributary_client_files_allocated_total 2\n")
          .contains("# TYPE tributary_commit_seconds histogram\n")
          .contains("tributary_commit_seconds_bucket{le=\"+Inf\"} ")
          .contains("\ntributary_commit_seconds_count ")
          .contains("# TYPE tributary_errors_sent_total counter\n")
          .contains("\ntributary_errors_sent_total{code=\"" + refusedCode + "\"} 1\n");
      assertThat(sample(text, "tributary_sessions_bound_total")).isGreaterThanOrEqualTo(2);
      assertThat(sample(text, "tributary_changesets_integrated_total")).isEqualTo(3); // schema + 2 transactions
      assertThat(sample(text, "tributary_commit_seconds_count")).isPositive();
    }
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
  }

  @Test
  void serveUsageErrorsAreOneLineWithExitCode2() throws Exception {
    Cli missing = new Cli();
    assertThat(missing.run("serve", "--app-id", "a")).isEqualTo(2);
    assertThat(missing.err()).startsWith("tributary serve: Missing required option: '--data-dir=<dataDir>'\n")
        .contains("Try 'tributary serve --help'");

    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"classes\": [{\"name\": \"A\", \"kind\": \"asymmetric\", \"properties\": {}}]}");
    Cli badSchema = new Cli();
    assertThat(badSchema.run("serve", "--data-dir", dir.resolve("d").toString(), "--app-id", "a", "--port", "0",
        "--host", "127.0.0.1", "--schema", bad.toString())).isEqualTo(2);
    assertThat(badSchema.err()).startsWith("tributary serve: ").contains("bad.json: classes[0] (A).primaryKey: missing");
    assertThat(badSchema.err().lines()).hasSize(1);

    Cli noSchema = new Cli();
    assertThat(noSchema.run("serve", "--data-dir", dir.resolve("d").toString(), "--app-id", "a", "--port", "0"))
        .isEqualTo(2);
    assertThat(noSchema.err()).isEqualTo("tributary serve: --schema is required unless --dev-mode\n");
  }

  /** Every line is a comment or a sample; every sample's family was declared by a preceding # TYPE. */
  private static void assertWellFormedPrometheusText(String text) {
    assertThat(text).endsWith("\n");
    Set<String> typed = new HashSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        assertThat(parts).hasSize(4);
        assertThat(parts[3]).isIn("counter", "gauge", "histogram", "summary", "untyped");
        typed.add(parts[2]);
      } else if (line.startsWith("# HELP ")) {
        assertThat(line.split(" ", 4)).hasSize(4);
      } else {
        Matcher m = SAMPLE.matcher(line);
        assertThat(m.matches()).as("sample line: " + line).isTrue();
        String family = m.group(1).replaceAll("_(bucket|sum|count)$", "");
        assertThat(typed).as("# TYPE before " + line).containsAnyOf(m.group(1), family);
      }
    }
  }

  private static long sample(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)$").matcher(text);
    assertThat(m.find()).as(name).isTrue();
    return Long.parseLong(m.group(1));
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(c);
    assertThat(t).isInstanceOf(SyncException.class);
    return t;
  }
}
