package io.tributary.transport.netty.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class EdgeConfigTest {
  private static EdgeConfig.Builder valid() {
    return EdgeConfig.newBuilder()
        .upgradeAuthorizer(r -> CompletableFuture.completedFuture(UpgradeDecision.accept("p")))
        .handlerFactory(() -> null);
  }

  @Test
  void defaults() {
    EdgeConfig c = valid().build();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(7800);
    assertThat(c.pathPrefix()).isEmpty();
    assertThat(c.publicBaseUrl()).isNull();
    assertThat(c.maxMessageBytes()).isEqualTo(32 * 1024 * 1024);
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxHttpBodyBytes()).isEqualTo(64 * 1024);
    assertThat(c.tlsContext()).isNull();
    assertThat(c.appServicesBackend()).isNull();
    assertThat(c.subprotocolSelector().select(java.util.List.of("com.mongodb.realm-query-sync#14")))
        .map(SubprotocolSelector.Selection::version).contains(14);
    assertThat(c.toBuilder().port(1).build().port()).isEqualTo(1);
    assertThat(c.toString()).contains("maxMessageBytes=33554432").contains("idleTimeout=PT5M");
  }

  @Test
  void invalidValuesAreRefusedWithWhatWasExpected() {
    assertThatThrownBy(() -> valid().port(65536)).hasMessage("port: 65536 (expected: 0..65535)");
    assertThatThrownBy(() -> valid().pathPrefix("tributary")).hasMessageContaining("expected: empty, or /segments");
    assertThatThrownBy(() -> valid().pathPrefix("/t/")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> valid().publicBaseUrl(URI.create("ws://x"))).hasMessageContaining("expected: http(s)://");
    assertThatThrownBy(() -> valid().maxMessageBytes(1023)).hasMessage("maxMessageBytes: 1023 (expected: >= 1024)");
    assertThatThrownBy(() -> valid().idleTimeout(Duration.ZERO)).hasMessage("idleTimeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> valid().handshakeTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> valid().writeBufferWaterMark(10, 5)).hasMessage("writeBufferWaterMark: 10..5 (expected: 0 <= low <= high)");
    assertThatThrownBy(() -> valid().workerThreads(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> valid().host(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EdgeConfig.newBuilder().handlerFactory(() -> null).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("upgradeAuthorizer: not set (expected: an authorizer)");
    assertThatThrownBy(() -> UpgradeDecision.reject(302, "x", null)).hasMessage("httpStatus: 302 (expected: 400..599)");
    assertThatThrownBy(() -> new AppServicesException(200, null, "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPortInUseIsAnIOException() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> SyncServerEdge.start(valid().host("127.0.0.1").port(taken.getLocalPort()).build()))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageStartingWith("bind 127.0.0.1:" + taken.getLocalPort() + ": ");
    }
  }
}
