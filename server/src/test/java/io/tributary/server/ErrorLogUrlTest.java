package io.tributary.server;

import static io.tributary.server.testing.Changesets.bindNewFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.BindParameters;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.server.testing.SyncTestClient;
import io.tributary.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's link to the server's logs ({@link IngestServerConfig#errorLogUrl()}) goes out as
 * the {@code logURL} of every JSON_ERROR, over a real socket: connection errors from the ingest
 * thread and from the network edge, and session errors. realm-core appends it to the error text
 * an app sees ("... Logs: " and the link).
 */
class ErrorLogUrlTest {
  private static final String URL = "https://logs.example.com/search?app=ingest&level=error";

  @TempDir Path dir;

  @Test
  void everyKindOfErrorCarriesTheConfiguredUrl() throws Exception {
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir),
        b -> b.errorLogUrl(URL).maxMessageBytes(64 * 1024))) {
      try (SyncTestClient c = server.connect("u")) { // connection error, ingest thread
        c.sendRaw("bind 1 37  0 1 0\n{}".getBytes(StandardCharsets.US_ASCII));
        JsonErrorMessage e = c.next(JsonErrorMessage.class);
        assertThat(e.sessionIdent()).isZero();
        assertThat(e.body().logUrl()).isEqualTo(URL);
      }
      try (SyncTestClient c = server.connect("u")) { // session error
        c.send(BindMessage.flx(1, BindParameters.of(0), false));
        c.send(new ClientIdentMessage(1, 999, 5, 0, 0, 0, 0, 0, "{}"));
        JsonErrorMessage e = c.next(JsonErrorMessage.class);
        assertThat(e.sessionIdent()).isEqualTo(1);
        assertThat(e.body().logUrl()).isEqualTo(URL);
      }
      try (SyncTestClient c = server.connect("u")) { // connection error, network edge (message too large)
        bindNewFile(c, 1);
        byte[] big = new byte[100_000];
        byte[] header = ("upload 1 0 " + (big.length - 30) + " 0 3 0 0\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(header, 0, big, 0, header.length);
        c.sendRaw(big);
        JsonErrorMessage e = c.next(JsonErrorMessage.class);
        assertThat(e.errorCode()).isEqualTo(101);
        assertThat(e.body().logUrl()).isEqualTo(URL);
      }
    }
  }

  @Test
  void byDefaultTheUrlIsEmpty() throws Exception {
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir), b -> { });
        SyncTestClient c = server.connect("u")) {
      assertThat(server.server.config().errorLogUrl()).isEmpty();
      c.sendRaw("bind 1 37  0 1 0\n{}".getBytes(StandardCharsets.US_ASCII));
      assertThat(c.next(JsonErrorMessage.class).body().logUrl()).isEmpty();
    }
  }

  @Test
  void onlyAbsoluteHttpUrlsAreAccepted() {
    IngestServerConfig.Builder b = IngestServerConfig.newBuilder();
    assertThat(b.errorLogUrl("http://grafana.internal:3000/explore").errorLogUrl("").errorLogUrl(URL)).isSameAs(b);
    assertThatThrownBy(() -> b.errorLogUrl("/logs")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("errorLogUrl: '/logs' (expected: an absolute http:// or https:// URL");
    assertThatThrownBy(() -> b.errorLogUrl("ftp://logs.example.com/")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://logs.example.com/");
    assertThatThrownBy(() -> b.errorLogUrl("https://logs example.com/")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("errorLogUrl: not a URL");
    assertThatThrownBy(() -> b.errorLogUrl("https://l.example.com/" + "x".repeat(3000)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3022 chars (expected: at most 2048)");
    assertThatThrownBy(() -> b.errorLogUrl(null)).isInstanceOf(NullPointerException.class);
  }
}
