package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.IngestServer;
import io.tributary.server.IngestServerConfig;
import io.tributary.server.MemoryIngestSink;
import io.tributary.server.auth.AuthConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code tributary load} against a server started by the test, over real sockets. */
class LoadCommandTest {
  private static final String APP = "load-test";
  private IngestServer server;

  @BeforeEach
  void start() throws Exception {
    server = IngestServer.start(IngestServerConfig.newBuilder().appId(APP).host("127.0.0.1").port(0).workerThreads(1)
        .schema(SensorSchema.SERVER).sink(new MemoryIngestSink())
        .auth(AuthConfig.newBuilder().tokenSecret("load-test-secret-0123456789").anonymousEnabled(false)
            .apiKey("bench", "bench-key-0123456789").build())
        .build());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void loadWritesCountsAcknowledgementsAndReportsLatencyPercentiles() {
    Cli cli = new Cli();
    int code = cli.run("load", "--url", server.baseUrl(), "--app-id", APP, "--api-key", "bench-key-0123456789",
        "--devices", "2", "--objects", "1000", "--batch", "25", "--rate", "20000", "--report-interval", "200ms",
        "--durability", "os_flush");

    assertThat(code).as(cli.out() + cli.err()).isZero();
    assertThat(server.store().countByClass()).containsEntry("Reading", 1000L);
    assertThat(server.metrics().objectsIngested()).isEqualTo(1000);
    assertThat(cli.out())
        .contains("Tributary load: 2 devices -> " + server.baseUrl() + " (app 'load-test', api-key), 1,000 objects at"
            + " 20,000 objects/s, transactions of 25")
        .contains("2 devices logged in and connected in ")
        .contains("Written       1,000 objects in 40 transactions")
        .contains("Acknowledged  1,000 objects after ")
        .contains("Client        pending 0 objects (0 bytes), reconnects 0, sync errors 0")
        .doesNotContain("FAILED");
    // every transaction's acknowledgement was timed: p50 <= p90 <= p99 <= max
    Matcher m = Pattern.compile("Ack latency   p50 ([0-9.]+) ms  p90 ([0-9.]+) ms  p99 ([0-9.]+) ms  max ([0-9.]+) ms"
        + "  \\(40 transactions, commit to DOWNLOAD\\)").matcher(cli.out());
    assertThat(m.find()).as(cli.out()).isTrue();
    double p50 = Double.parseDouble(m.group(1));
    double p90 = Double.parseDouble(m.group(2));
    double p99 = Double.parseDouble(m.group(3));
    double max = Double.parseDouble(m.group(4));
    assertThat(p50).isPositive().isLessThanOrEqualTo(p90);
    assertThat(p90).isLessThanOrEqualTo(p99);
    assertThat(p99).isLessThanOrEqualTo(max);
  }

  @Test
  void refusedCredentialsFailTheRunWithOneLine() {
    Cli cli = new Cli();
    int code = cli.run("load", "--url", server.baseUrl(), "--app-id", APP, "--api-key", "wrong-key-0123456789",
        "--devices", "1", "--objects", "10", "--upload-timeout", "20s");
    assertThat(code).isEqualTo(1);
    assertThat(cli.err()).startsWith("tributary load: device-1: sync stopped before connecting: ");
    assertThat(cli.err().lines()).hasSize(1);
    assertThat(server.store().objectCount()).isZero();

    Cli anonymous = new Cli();
    assertThat(anonymous.run("load", "--url", server.baseUrl(), "--app-id", APP, "--objects", "10",
        "--upload-timeout", "20s")).isEqualTo(1);
    assertThat(anonymous.err()).startsWith("tributary load: device-1: sync stopped before connecting: ");
  }

  @Test
  void usageErrors() {
    Cli noUrl = new Cli();
    assertThat(noUrl.run("load", "--app-id", APP)).isEqualTo(2);
    assertThat(noUrl.err()).startsWith("tributary load: Missing required option: '--url=URL'");
    Cli both = new Cli();
    assertThat(both.run("load", "--url", "http://127.0.0.1:1", "--app-id", APP, "--api-key", "k", "--custom-jwt", "j"))
        .isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive");
    Cli ws = new Cli();
    assertThat(ws.run("load", "--url", "ws://127.0.0.1:1", "--app-id", APP)).isEqualTo(2);
    assertThat(ws.err()).startsWith("tributary load: --url ws://127.0.0.1:1 (expected: the server's http(s) base URL");
    Cli rate = new Cli();
    assertThat(rate.run("load", "--url", "http://127.0.0.1:1", "--app-id", APP, "--rate", "0")).isEqualTo(2);
    assertThat(rate.err()).startsWith("tributary load: --rate 0.0 (expected: > 0 objects per second)");
  }
}
