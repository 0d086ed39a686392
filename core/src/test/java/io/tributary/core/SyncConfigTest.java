package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.SyncAuthorization;
import io.tributary.core.testing.FakeTransport;
import io.tributary.core.testing.ListUploadLog;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The sync settings: defaults (realm-core's), validation in the setters and in build(). */
class SyncConfigTest {
  private static final Schema SCHEMA =
      Schema.of(ObjectSchema.asymmetric("A").primaryKey("_id", PropertyType.OBJECT_ID));

  private static IngestConfig.Builder builder() {
    return IngestConfig.builder(SCHEMA).storage(new ListUploadLog().storage());
  }

  @Test
  void theDefaultsAreRealmCoresPlusAWindow() {
    SyncOptions o = SyncOptions.DEFAULT;
    assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(o.pingInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.pongTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(o.reconnectDelayInitial()).isEqualTo(Duration.ofSeconds(1));
    assertThat(o.reconnectDelayMax()).isEqualTo(Duration.ofSeconds(300));
    assertThat(o.reconnectMultiplier()).isEqualTo(2);
    assertThat(o.reconnectJitter()).isEqualTo(0.25);
    assertThat(o.uploadBatchBytes()).isEqualTo(128 * 1024);
    assertThat(o.compression()).isTrue();
    assertThat(o.compressionThreshold()).isEqualTo(1024);
    assertThat(o.maxBytesInFlight()).isGreaterThanOrEqualTo(1 << 20);
    assertThat(o.ticker()).isSameAs(Ticker.system());
    assertThat(o.toBuilder().build().toString()).isEqualTo(o.toString());
  }

  @Test
  void settersCheckTheirValues() {
    SyncOptions.Builder b = SyncOptions.newBuilder();
    assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO))
        .hasMessage("connectTimeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
        .hasMessage("reconnectDelayMax: PT1S (expected: >= reconnectDelayInitial PT2S)");
    assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
        .hasMessage("reconnectMultiplier: 0 (expected: 1..1000)");
    assertThatThrownBy(() -> b.reconnectJitter(1.5)).hasMessage("reconnectJitter: 1.5 (expected:"
        + " 0..1)");
    assertThatThrownBy(() -> b.reconnectJitter(Double.NaN)).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> b.uploadBatchBytes(100)).hasMessage("uploadBatchBytes: 100 (expected:"
        + " 1024..16777216)");
    assertThatThrownBy(() -> b.maxBytesInFlight(10)).hasMessage("maxBytesInFlight: 10 (expected:"
        + " >= 1024)");
    assertThatThrownBy(() -> b.compressionThreshold(-1)).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> b.closeTimeout(Duration.ofSeconds(-1))).isInstanceOf(
        IllegalArgumentException.class);
  }

  @Test
  void theServerIsAnHttpBaseUrl() {
    assertThatThrownBy(() -> builder().server(URI.create("ws://127.0.0.1:7800"), "app"))
        .hasMessage("baseUrl: ws://127.0.0.1:7800 (expected: the App Services HTTP base URL, http"
            + " or https with a host, e.g. http://127.0.0.1:7800)");
    assertThatThrownBy(() -> builder().server(URI.create("http://h/?x=1"), "app"))
        .hasMessage("baseUrl: http://h/?x=1 has a query or fragment (expected: none)");
    assertThatThrownBy(() -> builder().server(URI.create("http://h"), ""))
        .hasMessage("appId: empty (expected: the app id)");
  }

  @Test
  void syncSettingsWithoutAServerAreRefused() {
    assertThatThrownBy(() -> builder().credentials(Credentials.anonymous()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("server: not set, but credentials were (expected: server(baseUrl, appId) for a"
            + " realm that syncs, nothing for an offline-only realm)");
    assertThatThrownBy(() -> builder().syncOptions(SyncOptions.DEFAULT).build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void withoutATransportOrAProviderOnTheClassPathBuildFails() {
    // core's test class path has no transport module
    assertThatThrownBy(() -> builder().server(URI.create("http://h:1"), "app").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("transport: no SyncTransportProvider on the class path (expected:"
            + " tributary-transport-netty as a dependency, or transport(...) set explicitly)");
  }

  @Test
  void aConfigWithAServerKnowsItsParts() {
    FakeTransport t = new FakeTransport();
    IngestConfig c = builder().server(URI.create("http://h:1"), "app")
        .credentials(Credentials.apiKey("secret-key")).transport(t).build();
    assertThat(c.isSyncEnabled()).isTrue();
    assertThat(c.serverUrl()).isEqualTo(URI.create("http://h:1"));
    assertThat(c.appId()).isEqualTo("app");
    assertThat(c.transport()).isSameAs(t);
    assertThat(c.transportProvider()).isNull();
    assertThat(c.toString()).contains("server=http://h:1").doesNotContain("secret-key");
    IngestConfig offline = builder().build();
    assertThat(offline.isSyncEnabled()).isFalse();
    assertThat(offline.credentials()).isSameAs(Credentials.anonymous());
    assertThat(offline.toString()).contains("offline");
  }

  @Test
  void credentialsNeverPrintTheirSecret() {
    assertThat(Credentials.apiKey("k-123456").toString()).isEqualTo("Credentials{API_KEY, <8"
        + " chars>}");
    assertThat(Credentials.customJwt("a.b.c").kind().providerName()).isEqualTo("custom-token");
    assertThat(Credentials.anonymous().kind().providerName()).isEqualTo("anon-user");
    assertThat(Credentials.accessToken(() -> "t").kind().providerName()).isNull();
    assertThatThrownBy(() -> Credentials.apiKey("")).hasMessage("key: empty (expected: a"
        + " non-empty string)");
  }

  @Test
  void theTokenGoesIntoBaasAt() {
    URI plain = URI.create("ws://h:1/api/client/v2.0/app/a/realm-sync");
    assertThat(new SyncAuthorization(plain, "x.y-z_w").urlWithToken())
        .isEqualTo(URI.create("ws://h:1/api/client/v2.0/app/a/realm-sync?baas_at=x.y-z_w"));
    assertThat(new SyncAuthorization(URI.create("wss://h/r?v=1"), "a b+/").urlWithToken())
        .isEqualTo(URI.create("wss://h/r?v=1&baas_at=a%20b%2B%2F"));
    assertThat(new SyncAuthorization(plain, "secret").toString()).doesNotContain("secret");
    assertThatThrownBy(() -> new SyncAuthorization(URI.create("http://h/r"), "t"))
        .hasMessage("syncUrl: http scheme (expected: ws or wss)");
  }
}
