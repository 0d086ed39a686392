package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.testing.Captures;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.internal.auth.Jwt;
import io.tributary.server.testing.Changesets;
import io.tributary.server.testing.SyncTestClient;
import io.tributary.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The App Services routes realm-core's App client calls (spec protocol.md §2), against the real
 * server over HTTP: location → login (anonymous, custom JWT, API key) → profile → refresh →
 * logout; the tokens open sync connections; a refresh token is refused after logout.
 */
class AppServicesAuthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] CUSTOM_SECRET = "the-apps-own-jwt-secret-0123456789".getBytes(StandardCharsets.UTF_8);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private KeyPair rsa;
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    rsa = g.generateKeyPair();
    AuthConfig auth =
        AuthConfig.newBuilder()
            .tokenSecret(TestServer.SECRET)
            .apiKey("loader", "loader-key-1234")
            .customJwtHmacSecret(CUSTOM_SECRET)
            .customJwtPublicKey(rsa.getPublic())
            .customJwtAudience("my-audience")
            .build();
    server = TestServer.start(new MemoryIngestSink(), auth, b -> {});
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anonymousLoginThenProfileRefreshSyncAndLogout() throws Exception {
    JsonNode location = json(get("/api/client/v2.0/app/" + TestServer.APP + "/location", null), 200);
    assertThat(location.get("hostname").asText()).isEqualTo(server.server.baseUrl());
    assertThat(location.get("ws_hostname").asText()).startsWith("ws://");

    // the exact login body realm-core sent in capture 15
    String captured = new String(Captures.scenarioFile("15_app_services_login", "002-http-post.req.bin"),
        StandardCharsets.UTF_8);
    String body = captured.substring(captured.indexOf("\r\n\r\n") + 4);
    JsonNode login = json(post("/api/client/v2.0/app/" + TestServer.APP + "/auth/providers/anon-user/login", body, null), 200);
    String access = login.get("access_token").asText();
    String refresh = login.get("refresh_token").asText();
    assertThat(login.get("user_id").asText()).matches("[0-9a-f]{24}");
    assertThat(login.get("device_id").asText()).isNotBlank();
    for (String token : new String[] {access, refresh}) {
      JsonNode claims = claims(token);
      assertThat(claims.get("exp").isIntegralNumber()).isTrue();
      assertThat(claims.get("iat").isIntegralNumber()).isTrue();
      assertThat(claims.get("sub").asText()).isEqualTo(login.get("user_id").asText());
      assertThat(claims.get("aud").asText()).isEqualTo(TestServer.APP);
    }
    assertThat(claims(access).get("exp").asLong() - claims(access).get("iat").asLong()).isEqualTo(30 * 60);

    JsonNode profile = json(get("/api/client/v2.0/auth/profile", access), 200);
    assertThat(profile.get("identities").get(0).get("provider_type").asText()).isEqualTo("anon-user");
    assertThat(profile.get("identities").get(0).get("id").asText()).isNotBlank();
    assertThat(profile.get("data").isObject()).isTrue();

    // a new anonymous login is a new user
    JsonNode again = json(post("/api/client/v2.0/app/" + TestServer.APP + "/auth/providers/anon-user/login", body, null), 200);
    assertThat(again.get("user_id").asText()).isNotEqualTo(login.get("user_id").asText());

    String refreshed = json(post("/api/client/v2.0/auth/session", "", refresh), 201).get("access_token").asText();
    assertThat(claims(refreshed).get("sub").asText()).isEqualTo(login.get("user_id").asText());
    assertSyncs(access);
    assertSyncs(refreshed);

    assertThat(delete("/api/client/v2.0/auth/session", refresh).statusCode()).isEqualTo(204);
    HttpResponse<String> revoked = post("/api/client/v2.0/auth/session", "", refresh);
    assertThat(revoked.statusCode()).isEqualTo(401);
    assertThat(revoked.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(JSON.readTree(revoked.body()).get("error_code").asText()).isEqualTo("InvalidSession");
    assertThat(JSON.readTree(revoked.body()).get("error").asText()).contains("revoked");
  }

  @Test
  void customJwtSignedWithHs256OrRs256LogsInTheUserOfItsSub() throws Exception {
    long exp = Instant.now().plusSeconds(600).getEpochSecond();
    String hs = hs256("{\"sub\":\"alice\",\"aud\":\"my-audience\",\"exp\":" + exp + ",\"name\":\"Alice\"}");
    JsonNode a = json(post(loginPath("custom-token"), "{\"token\":\"" + hs + "\"}", null), 200);
    String rs = rs256("{\"sub\":\"alice\",\"aud\":[\"x\",\"my-audience\"],\"exp\":" + exp + "}");
    JsonNode b = json(post(loginPath("custom-token"), "{\"token\":\"" + rs + "\"}", null), 200);
    assertThat(b.get("user_id").asText()).as("same sub, same user").isEqualTo(a.get("user_id").asText());
    JsonNode profile = json(get("/api/client/v2.0/auth/profile", a.get("access_token").asText()), 200);
    assertThat(profile.get("identities").get(0).get("id").asText()).isEqualTo("alice");
    assertThat(profile.get("identities").get(0).get("provider_type").asText()).isEqualTo("custom-token");
    assertThat(profile.get("data").get("name").asText()).isEqualTo("Alice");
    assertSyncs(b.get("access_token").asText());

    long past = Instant.now().minusSeconds(10).getEpochSecond();
    assertRefused(loginPath("custom-token"),
        "{\"token\":\"" + hs256("{\"sub\":\"a\",\"aud\":\"my-audience\",\"exp\":" + past + "}") + "\"}", 401, "expired");
    assertRefused(loginPath("custom-token"),
        "{\"token\":\"" + hs256("{\"sub\":\"a\",\"aud\":\"other\",\"exp\":" + exp + "}") + "\"}", 401, "aud");
    assertRefused(loginPath("custom-token"), "{\"token\":\"" + tamperedSignature(hs) + "\"}", 401, "signature");
    assertRefused(loginPath("custom-token"), "{}", 400, "token");
  }

  /**
   * The token with the first character of its signature changed: that character carries six whole
   * bits of the signature (the last one carries padding bits a decoder may ignore, so replacing the
   * end could leave the same signature).
   */
  private static String tamperedSignature(String token) {
    int at = token.lastIndexOf('.') + 1;
    char replacement = token.charAt(at) == 'A' ? 'B' : 'A';
    return token.substring(0, at) + replacement + token.substring(at + 1);
  }

  @Test
  void apiKeyLogin() throws Exception {
    JsonNode ok = json(post(loginPath("api-key"), "{\"key\":\"loader-key-1234\"}", null), 200);
    JsonNode profile = json(get("/api/client/v2.0/auth/profile", ok.get("access_token").asText()), 200);
    assertThat(profile.get("identities").get(0).get("id").asText()).isEqualTo("loader");
    assertThat(profile.get("identities").get(0).get("provider_type").asText()).isEqualTo("api-key");
    assertRefused(loginPath("api-key"), "{\"key\":\"wrong-key-1234\"}", 401, "unknown key");
    assertSyncs(ok.get("access_token").asText());
  }

  @Test
  void refusals() throws Exception {
    assertThat(get("/api/client/v2.0/app/nope/location", null).statusCode()).isEqualTo(404);
    assertRefused("/api/client/v2.0/app/nope/auth/providers/anon-user/login", "{}", 404, "not found");
    assertRefused(loginPath("local-userpass"), "{\"username\":\"a\",\"password\":\"b\"}", 400, "not supported");
    assertThat(get("/api/client/v2.0/auth/profile", "garbage").statusCode()).isEqualTo(401);
    // an access token is not a refresh token
    String access = json(post(loginPath("anon-user"), "{}", null), 200).get("access_token").asText();
    assertThat(post("/api/client/v2.0/auth/session", "", access).statusCode()).isEqualTo(401);
  }

  @Test
  void metricsAndHealth() throws Exception {
    assertSyncs(server.token("m"));
    HttpResponse<String> metrics = get("/metrics", null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("tributary_objects_ingested_total 1", "tributary_commit_seconds_count",
        "tributary_connections_opened_total");
    assertThat(get("/health", null).statusCode()).isEqualTo(200);
  }

  // --- helpers ---

  private void assertSyncs(String accessToken) throws Exception {
    try (SyncTestClient c = SyncTestClient.connect(server.server.syncUrl(), accessToken)) {
      Changesets.bindNewFile(c, 1);
      ObjectId id = ObjectId.get();
      c.send(Changesets.upload(1, Changesets.entry(2, Changesets.schema()), Changesets.entry(3, Changesets.readings(id))));
      c.next(io.tributary.protocol.message.DownloadMessage.class);
      assertThat(server.store().find("Reading", Values.objectId(id))).isPresent();
    }
  }

  private void assertRefused(String path, String body, int status, String text) throws Exception {
    HttpResponse<String> r = post(path, body, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains(text);
  }

  private static String loginPath(String provider) {
    return "/api/client/v2.0/app/" + TestServer.APP + "/auth/providers/" + provider + "/login";
  }

  private String hs256(String claims) throws Exception {
    return Jwt.signHs256((ObjectNode) JSON.readTree(claims), CUSTOM_SECRET);
  }

  private String rs256(String claims) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(rsa.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + b64.encodeToString(s.sign());
  }

  private static JsonNode claims(String jwt) throws Exception {
    return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }

  private JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> get(String path, String bearer) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET(), bearer);
  }

  private HttpResponse<String> post(String path, String body, String bearer) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json;charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(body)), bearer);
  }

  private HttpResponse<String> delete(String path, String bearer) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).DELETE(), bearer);
  }

  private HttpResponse<String> send(HttpRequest.Builder b, String bearer) throws Exception {
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create(server.server.baseUrl() + path);
  }
}
