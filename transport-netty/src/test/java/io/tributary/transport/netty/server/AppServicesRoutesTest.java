package io.tributary.transport.netty.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.transport.netty.testing.LeakCheck;
import io.tributary.transport.netty.testing.RawPeer;
import io.tributary.transport.netty.testing.TestEdge;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The App Services HTTP routes (spec protocol.md §2), replaying the requests realm-core's App
 * client sent in captures 15 and 16, byte for byte, and checking what realm-core needs back.
 */
@ExtendWith(LeakCheck.class)
class AppServicesRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOGIN = "captures/15_app_services_login/";
  private static final String REFRESH = "captures/16_app_token_refresh/";

  /** A JWT whose payload has exp and iat, as realm-core requires (§2.5). */
  static String jwt(String sub, long exp) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload =
        b64.encodeToString(
            ("{\"sub\":\"" + sub + "\",\"exp\":" + exp + ",\"iat\":1700000000}").getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + ".c2ln";
  }

  /** Accepts the capture's tokens; records what it was asked. */
  static final class TestBackend implements AppServicesBackend {
    final BlockingQueue<Object> calls = new LinkedBlockingQueue<>();
    final String accessToken = jwt("user-1", 4102444800L);
    final String refreshToken = jwt("user-1-refresh", 4102444800L);
    volatile RuntimeException failLogin;

    static String bearerOf(String file) {
      String req = new String(RawPeer.resource(file), StandardCharsets.ISO_8859_1);
      int at = req.indexOf("Authorization: Bearer ") + "Authorization: Bearer ".length();
      return req.substring(at, req.indexOf("\r\n", at));
    }

    @Override
    public CompletionStage<Void> checkApp(String appId) {
      calls.add("checkApp " + appId);
      return appId.equals("no-such-app")
          ? CompletableFuture.failedFuture(new AppServicesException(404, "AppNotFound", "app no-such-app not found"))
          : CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<LoginResult> login(LoginRequest request) {
      calls.add(request);
      if (failLogin != null) {
        throw failLogin;
      }
      if (request.provider().equals("custom-token") && !request.field("token").isPresent()) {
        return CompletableFuture.failedFuture(new AppServicesException(401, "AuthError", "token: missing"));
      }
      // answered later from another thread, as a real store would
      return CompletableFuture.supplyAsync(
          () -> new LoginResult(accessToken, refreshToken, "user-1", "device-1"),
          CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletionStage<UserProfile> profile(String token) {
      calls.add("profile " + token);
      if (token.equals("bad")) {
        return CompletableFuture.failedFuture(new AppServicesException(401, "InvalidSession", "invalid session"));
      }
      return CompletableFuture.completedFuture(
          new UserProfile("user-1", List.of(new UserProfile.Identity("id-1", "anon-user")), Map.of()));
    }

    @Override
    public CompletionStage<String> refreshAccessToken(String token) {
      calls.add("refresh " + token);
      return CompletableFuture.completedFuture(accessToken);
    }

    @Override
    public CompletionStage<Void> logout(String token) {
      calls.add("logout " + token);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<String> metrics() {
      return CompletableFuture.completedFuture("tributary_connections 1\n");
    }
  }

  private TestEdge server;
  private TestBackend backend;

  private void start(UnaryOperator<EdgeConfig.Builder> more) throws Exception {
    backend = new TestBackend();
    server = TestEdge.start(b -> more.apply(b.appServicesBackend(backend)));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private record Response(RawPeer.Head head, String body) {
    JsonNode json() throws Exception {
      assertThat(head.header("content-type")).isEqualTo("application/json");
      return JSON.readTree(body);
    }
  }

  private Response exchange(byte[] request) throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.write(request);
      RawPeer.Head head = peer.readHead();
      return new Response(head, peer.readBody(head));
    }
  }

  private Response exchange(String request) throws Exception {
    return exchange(request.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void realmCoreLocationRequest() throws Exception {
    start(b -> b);
    Response r = exchange(RawPeer.resource(LOGIN + "001-http-get.req.bin"));

    assertThat(r.head().status()).isEqualTo(200);
    JsonNode json = r.json();
    // derived from the request's Host header (127.0.0.1:27812 in the capture)
    assertThat(json.get("hostname").asText()).isEqualTo("http://127.0.0.1:27812");
    assertThat(json.get("ws_hostname").asText()).isEqualTo("ws://127.0.0.1:27812");
    assertThat(backend.calls.poll()).isEqualTo("checkApp tributary-test");
    assertThat(r.head().header("connection")).isEqualTo("close"); // the request asked for it
  }

  @Test
  void locationUsesThePublicBaseUrlAndPrefix() throws Exception {
    start(b -> b.pathPrefix("/tributary").publicBaseUrl(URI.create("https://sync.example.com/tributary/")));
    Response r = exchange("GET /tributary/api/client/v2.0/app/a/location HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(r.head().status()).isEqualTo(200);
    assertThat(r.json().get("hostname").asText()).isEqualTo("https://sync.example.com/tributary");
    assertThat(r.json().get("ws_hostname").asText()).isEqualTo("wss://sync.example.com/tributary");
    // without the prefix the route does not exist
    Response none = exchange("GET /api/client/v2.0/app/a/location HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(none.head().status()).isEqualTo(404);
  }

  @Test
  void aMalformedHostHeaderIsNotEchoedIntoTheLocation() throws Exception {
    start(b -> b);
    Response r = exchange("GET /api/client/v2.0/app/a/location HTTP/1.1\r\nHost: evil.example/x?y\r\n\r\n");
    assertThat(r.head().status()).isEqualTo(400);
    assertThat(r.json().get("error").asText()).isEqualTo("Host header: missing or malformed");
  }

  @Test
  void locationOfAnUnknownAppIs404() throws Exception {
    start(b -> b);
    Response r = exchange("GET /api/client/v2.0/app/no-such-app/location HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(r.head().status()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"app no-such-app not found\",\"error_code\":\"AppNotFound\"}");
    assertThat(r.head().header("content-type")).isEqualTo("application/json");
  }

  @Test
  void realmCoreAnonymousLogin() throws Exception {
    start(b -> b);
    Response r = exchange(RawPeer.resource(LOGIN + "002-http-post.req.bin"));

    assertThat(r.head().status()).isEqualTo(200);
    JsonNode json = r.json();
    assertThat(json.get("access_token").asText()).isEqualTo(backend.accessToken);
    assertThat(json.get("refresh_token").asText()).isEqualTo(backend.refreshToken);
    assertThat(json.get("user_id").asText()).isEqualTo("user-1");
    assertThat(json.get("device_id").asText()).isEqualTo("device-1");
    assertThat(backend.calls.poll()).isInstanceOfSatisfying(
        LoginRequest.class,
        l -> {
          assertThat(l.appId()).isEqualTo("tributary-test");
          assertThat(l.provider()).isEqualTo("anon-user");
          assertThat(l.link()).isFalse();
          assertThat(l.bearerToken()).isEmpty();
          assertThat(l.body().at("/options/device/coreVersion").asText()).isEqualTo("14.14.0");
        });
  }

  @Test
  void customTokenAndApiKeyLoginsPassTheirCredential() throws Exception {
    start(b -> b);
    for (String[] p : new String[][] {{"custom-token", "token", "eyJ.x.y"}, {"api-key", "key", "k-123"},
        {"local-userpass", "username", "a@b.c"}}) {
      String body = "{\"provider\":\"" + p[0] + "\",\"" + p[1] + "\":\"" + p[2] + "\",\"options\":{\"device\":{}}}";
      Response r =
          exchange(
              "POST /api/client/v2.0/app/a/auth/providers/" + p[0] + "/login?link=true HTTP/1.1\r\nHost: x\r\n"
                  + "Authorization: Bearer linking-token\r\n"
                  + "Content-Type: application/json;charset=utf-8\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      assertThat(r.head().status()).as(p[0]).isEqualTo(200);
      LoginRequest l = (LoginRequest) backend.calls.poll(1, TimeUnit.SECONDS);
      assertThat(l.provider()).isEqualTo(p[0]);
      assertThat(l.field(p[1])).contains(p[2]);
      assertThat(l.link()).isTrue();
      assertThat(l.bearerToken()).contains("linking-token");
      assertThat(l.toString()).doesNotContain(p[2]);
    }
    String noToken = "{\"options\":{}}";
    Response refused =
        exchange("POST /api/client/v2.0/app/a/auth/providers/custom-token/login HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + noToken.length() + "\r\n\r\n" + noToken);
    assertThat(refused.head().status()).isEqualTo(401);
    assertThat(refused.body()).isEqualTo("{\"error\":\"token: missing\",\"error_code\":\"AuthError\"}");
  }

  @Test
  void realmCoreProfileRequest() throws Exception {
    start(b -> b);
    Response r = exchange(RawPeer.resource(LOGIN + "003-http-get.req.bin"));

    assertThat(r.head().status()).isEqualTo(200);
    JsonNode json = r.json();
    assertThat(json.get("identities").isArray()).isTrue();
    assertThat(json.at("/identities/0/id").asText()).isEqualTo("id-1");
    assertThat(json.at("/identities/0/provider_type").asText()).isEqualTo("anon-user");
    assertThat(json.get("data").isObject()).isTrue();
    assertThat(backend.calls.poll()).isEqualTo("profile " + TestBackend.bearerOf(LOGIN + "003-http-get.req.bin"));
  }

  @Test
  void realmCoreRefreshAndLogout() throws Exception {
    start(b -> b);
    Response refresh = exchange(RawPeer.resource(REFRESH + "004-http-post.req.bin"));
    assertThat(refresh.head().status()).isEqualTo(201);
    assertThat(refresh.json().get("access_token").asText()).isEqualTo(backend.accessToken);
    assertThat(refresh.json().size()).isEqualTo(1);
    assertThat(backend.calls.poll()).isEqualTo("refresh " + TestBackend.bearerOf(REFRESH + "004-http-post.req.bin"));

    Response logout = exchange(RawPeer.resource(LOGIN + "014-http-delete.req.bin"));
    assertThat(logout.head().status()).isEqualTo(204);
    assertThat(logout.body()).isEmpty();
    assertThat(backend.calls.poll()).isEqualTo("logout " + TestBackend.bearerOf(LOGIN + "014-http-delete.req.bin"));
  }

  @Test
  void tokenRoutesWithoutBearerAre401AndBackendRefusalsKeepTheirStatus() throws Exception {
    start(b -> b);
    Response r = exchange("GET /api/client/v2.0/auth/profile HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(r.head().status()).isEqualTo(401);
    assertThat(r.json().get("error_code").asText()).isEqualTo("InvalidSession");
    Response bad = exchange("GET /api/client/v2.0/auth/profile HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bad\r\n\r\n");
    assertThat(bad.head().status()).isEqualTo(401);
    assertThat(bad.body()).isEqualTo("{\"error\":\"invalid session\",\"error_code\":\"InvalidSession\"}");
  }

  @Test
  void unknownPathsWrongMethodsAndBadBodiesGetJsonErrors() throws Exception {
    start(b -> b.maxHttpBodyBytes(1024));
    Response notFound = exchange("GET /api/client/v2.0/nothing HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(notFound.head().status()).isEqualTo(404);
    assertThat(notFound.json().get("error").asText()).isEqualTo("no route for /api/client/v2.0/nothing");

    Response wrongMethod = exchange("PUT /api/client/v2.0/auth/session HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertThat(wrongMethod.head().status()).isEqualTo(405);
    assertThat(wrongMethod.head().header("allow")).isEqualTo("POST, DELETE");
    assertThat(wrongMethod.json().get("error_code").asText()).isEqualTo("MethodNotAllowed");

    Response notJson =
        exchange("POST /api/client/v2.0/app/a/auth/providers/anon-user/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{oops");
    assertThat(notJson.head().status()).isEqualTo(400);
    assertThat(notJson.json().get("error").asText()).startsWith("request body: invalid JSON");

    Response array =
        exchange("POST /api/client/v2.0/app/a/auth/providers/anon-user/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]");
    assertThat(array.head().status()).isEqualTo(400);
    assertThat(array.json().get("error").asText()).isEqualTo("request body: not a JSON object");

    String big = "{\"x\":\"" + "a".repeat(2000) + "\"}";
    Response tooLarge =
        exchange("POST /api/client/v2.0/app/a/auth/providers/anon-user/login HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + big.length() + "\r\n\r\n" + big);
    assertThat(tooLarge.head().status()).isEqualTo(413);
    assertThat(tooLarge.json().get("error").asText())
        .isEqualTo("request body: " + big.length() + " bytes (expected: <= 1024 bytes)");
    assertThat(backend.calls).isEmpty();
  }

  @Test
  void backendCrashesAre500WithoutTheirMessage() throws Exception {
    start(b -> b);
    backend.failLogin = new IllegalStateException("secret internal detail");
    String body = "{}";
    Response r =
        exchange("POST /api/client/v2.0/app/a/auth/providers/anon-user/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n" + body);
    assertThat(r.head().status()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("{\"error\":\"internal server error\",\"error_code\":\"InternalServerError\"}");
  }

  @Test
  void keepAliveServesRequestsInOrderOnOneConnection() throws Exception {
    start(b -> b);
    String body = "{}";
    String login =
        "POST /api/client/v2.0/app/a/auth/providers/anon-user/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n" + body;
    String profile = "GET /api/client/v2.0/auth/profile HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n";
    try (RawPeer peer = RawPeer.connect(server.port())) {
      // pipelined: the slow (asynchronous) login must still be answered first
      peer.write(login + profile + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      RawPeer.Head first = peer.readHead();
      assertThat(JSON.readTree(peer.readBody(first)).has("access_token")).isTrue();
      RawPeer.Head second = peer.readHead();
      assertThat(JSON.readTree(peer.readBody(second)).has("identities")).isTrue();
      RawPeer.Head third = peer.readHead();
      assertThat(peer.readBody(third)).isEqualTo("{\"status\":\"ok\"}");
      assertThat(first.header("connection")).isEqualTo("keep-alive");
    }
  }

  @Test
  void metricsAndHealth() throws Exception {
    start(b -> b);
    Response metrics = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(metrics.head().status()).isEqualTo(200);
    assertThat(metrics.head().header("content-type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).isEqualTo("tributary_connections 1\n");
    Response health = exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(health.head().status()).isEqualTo(200);
  }

  @Test
  void withoutABackendTheAppServicesRoutesAre404ButSyncStillWorks() throws Exception {
    server = TestEdge.start();
    Response r = exchange(RawPeer.resource(LOGIN + "002-http-post.req.bin"));
    assertThat(r.head().status()).isEqualTo(404);
    assertThat(r.json().get("error").asText()).contains("not enabled");
    Response metrics = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(metrics.head().status()).isEqualTo(404);
    Response health = exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(health.head().status()).isEqualTo(200);
  }
}
