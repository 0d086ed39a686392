package io.tributary.core.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tributary.core.SyncException;
import io.tributary.core.spi.CredentialsProvider.Refresh;
import io.tributary.core.spi.SyncAuthorization;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The App Services flow of spec protocol.md §2 against a real HTTP server on 127.0.0.1 (the JDK's):
 * location, login with each provider, profile, refresh, re-login when the refresh token is refused,
 * and which failures are fatal.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AppServicesCredentialsTest {
  private static final long NOW = 1_800_000_000L; // seconds
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

  /** One request the server saw. */
  record Seen(String method, String path, String authorization, String contentType, String body) {}

  private HttpServer server;
  private URI base;
  private final List<Seen> seen = new ArrayList<>();
  private final AtomicInteger logins = new AtomicInteger();
  private final AtomicInteger refreshes = new AtomicInteger();
  private volatile int loginStatus = 200;
  private volatile int refreshStatus = 200;
  private volatile String syncRoute;
  private volatile long accessExp = NOW + 1800;
  private volatile String loginAnswer;
  private volatile String profileAnswer = "{\"identities\":[{\"id\":\"i\",\"provider_type\":\"x\"}],"
      + "\"data\":{}}";
  private AppServicesCredentials credentials;

  static String jwt(long exp) {
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    return b.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b.encodeToString(("{\"exp\":" + exp + ",\"iat\":" + NOW + ",\"sub\":\"u\"}")
            .getBytes(StandardCharsets.UTF_8)) + ".c2ln";
  }

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    if (credentials != null) {
      credentials.close();
    }
    server.stop(0);
  }

  private void handle(HttpExchange x) throws IOException {
    String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String path = x.getRequestURI().getPath();
    synchronized (seen) {
      seen.add(new Seen(x.getRequestMethod(), path, x.getRequestHeaders().getFirst("Authorization"),
          x.getRequestHeaders().getFirst("Content-Type"), body));
    }
    if (path.equals("/api/client/v2.0/app/test-app/location")) {
      String ws = "ws://127.0.0.1:" + server.getAddress().getPort();
      reply(x, 200, "{\"deployment_model\":\"GLOBAL\",\"location\":\"US-VA\",\"hostname\":\"" + base
          + "\",\"ws_hostname\":\"" + ws + "\"" + (syncRoute != null ? ",\"sync_route\":\""
          + syncRoute + "\"" : "") + ",\"extra\":{\"a\":[1,2]}}");
    } else if (path.startsWith("/api/client/v2.0/app/test-app/auth/providers/")) {
      int n = logins.incrementAndGet();
      if (loginStatus != 200) {
        reply(x, loginStatus, "{\"error\":\"invalid credentials\",\"error_code\":\"AuthError\"}");
      } else {
        reply(x, 200, loginAnswer != null ? loginAnswer : "{\"access_token\":\"" + jwt(accessExp)
            + "\",\"refresh_token\":\"" + jwt(NOW + 86400) + "-" + n + "\",\"user_id\":\"u-" + n + "\","
            + "\"device_id\":\"d\"}");
      }
    } else if (path.equals("/api/client/v2.0/auth/profile")) {
      reply(x, 200, profileAnswer);
    } else if (path.equals("/api/client/v2.0/auth/session")) {
      refreshes.incrementAndGet();
      if (refreshStatus != 200) {
        reply(x, refreshStatus, "{\"error\":\"invalid session\",\"error_code\":\"InvalidSession\"}");
      } else {
        reply(x, 201, "{\"access_token\":\"" + jwt(NOW + 1800 + refreshes.get()) + "\"}");
      }
    } else {
      reply(x, 404, "{\"error\":\"no route\"}");
    }
  }

  private static void reply(HttpExchange x, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(b);
    }
  }

  private List<Seen> seen() {
    synchronized (seen) {
      return new ArrayList<>(seen);
    }
  }

  private AppServicesCredentials login(String provider, String field, String secret) {
    credentials = AppServicesCredentials.login(base, "test-app", provider, field, secret, CLOCK,
        Duration.ofSeconds(10), null, null);
    return credentials;
  }

  private static SyncAuthorization get(AppServicesCredentials c, Refresh r) {
    return c.authorize(r).join();
  }

  private static SyncException failure(AppServicesCredentials c, Refresh r) {
    try {
      c.authorize(r).join();
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(SyncException.class);
      return (SyncException) e.getCause();
    }
    throw new AssertionError("authorize succeeded");
  }

  @Test
  void anonymousLoginFetchesLocationLogsInAndReadsTheProfile() {
    SyncAuthorization a = get(login("anon-user", null, null), Refresh.NONE);
    assertThat(a.syncUrl()).isEqualTo(URI.create("ws://127.0.0.1:" + server.getAddress().getPort()
        + "/api/client/v2.0/app/test-app/realm-sync"));
    assertThat(a.accessToken()).isEqualTo(jwt(NOW + 1800));
    List<Seen> s = seen();
    assertThat(s).extracting(Seen::method, Seen::path).containsExactly(
        org.assertj.core.groups.Tuple.tuple("GET", "/api/client/v2.0/app/test-app/location"),
        org.assertj.core.groups.Tuple.tuple("POST",
            "/api/client/v2.0/app/test-app/auth/providers/anon-user/login"),
        org.assertj.core.groups.Tuple.tuple("GET", "/api/client/v2.0/auth/profile"));
    assertThat(s.get(0).contentType()).isNull();
    assertThat(s.get(1).contentType()).isEqualTo("application/json;charset=utf-8");
    assertThat(s.get(1).body()).startsWith("{\"options\":{\"device\":{\"platform\":")
        .contains("\"sdk\":\"Tributary\"");
    assertThat(s.get(2).authorization()).isEqualTo("Bearer " + jwt(NOW + 1800));
    // cached: nothing more over HTTP
    assertThat(get(credentials, Refresh.NONE).accessToken()).isEqualTo(a.accessToken());
    assertThat(seen()).hasSize(3);
  }

  @Test
  void customJwtAndApiKeySendTheirField() {
    get(login("custom-token", "token", "my.jwt.token"), Refresh.NONE);
    assertThat(seen().get(1).body()).startsWith("{\"token\":\"my.jwt.token\",\"options\":");
    credentials.close();
    seen.clear();
    get(login("api-key", "key", "k-123"), Refresh.NONE);
    assertThat(seen().get(1).path()).endsWith("/auth/providers/api-key/login");
    assertThat(seen().get(1).body()).startsWith("{\"key\":\"k-123\",\"options\":");
  }

  @Test
  void aRefusedTokenIsRefreshedWithTheRefreshToken() {
    SyncAuthorization first = get(login("anon-user", null, null), Refresh.NONE);
    SyncAuthorization second = get(credentials, Refresh.ACCESS_TOKEN);
    assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
    Seen refresh = seen().get(3);
    assertThat(refresh.method()).isEqualTo("POST");
    assertThat(refresh.path()).isEqualTo("/api/client/v2.0/auth/session");
    assertThat(refresh.authorization()).isEqualTo("Bearer " + jwt(NOW + 86400) + "-1");
    assertThat(logins.get()).isEqualTo(1);
  }

  @Test
  void aTokenExpiringWithinFiveSecondsIsRefreshedBeforeConnecting() {
    accessExp = NOW + 4;
    get(login("anon-user", null, null), Refresh.NONE);
    assertThat(refreshes.get()).isZero();
    get(credentials, Refresh.NONE);
    assertThat(refreshes.get()).isEqualTo(1);
  }

  @Test
  void aRefusedRefreshTokenLogsInAgain() {
    get(login("anon-user", null, null), Refresh.NONE);
    refreshStatus = 401;
    SyncAuthorization a = get(credentials, Refresh.ACCESS_TOKEN);
    assertThat(logins.get()).isEqualTo(2);
    assertThat(a.accessToken()).isEqualTo(jwt(accessExp));
  }

  @Test
  void aLocationRefreshFetchesTheLocationAgainAndUsesTheSyncRoute() {
    get(login("anon-user", null, null), Refresh.NONE);
    syncRoute = "wss://elsewhere.test/custom/realm-sync";
    SyncAuthorization a = get(credentials, Refresh.LOCATION);
    assertThat(a.syncUrl()).isEqualTo(URI.create("wss://elsewhere.test/custom/realm-sync"));
    assertThat(seen()).filteredOn(s -> s.path().endsWith("/location")).hasSize(2);
  }

  @Test
  void refusedCredentialsAreFatal() {
    loginStatus = 401;
    SyncException e = failure(login("api-key", "key", "wrong"), Refresh.NONE);
    assertThat(e.isFatal()).isTrue();
    assertThat(e.category()).isEqualTo(SyncException.Category.AUTHENTICATION);
    assertThat(e.getMessage()).isEqualTo("login (api-key): HTTP 401 from POST " + base
        + "/api/client/v2.0/app/test-app/auth/providers/api-key/login (AuthError: invalid"
        + " credentials)");
  }

  @Test
  void serverErrorsAreTransient() {
    loginStatus = 503;
    SyncException e = failure(login("anon-user", null, null), Refresh.NONE);
    assertThat(e.isFatal()).isFalse();
    loginStatus = 200;
    assertThat(get(credentials, Refresh.NONE).accessToken()).isNotEmpty();
  }

  @Test
  void anUnreachableServerIsTransient() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    credentials = AppServicesCredentials.login(URI.create("http://127.0.0.1:" + port), "test-app",
        "anon-user", null, null, CLOCK, Duration.ofSeconds(5), null, null);
    SyncException e = failure(credentials, Refresh.NONE);
    assertThat(e.isFatal()).isFalse();
    assertThat(e.getMessage()).startsWith("location: GET http://127.0.0.1:" + port
        + "/api/client/v2.0/app/test-app/location failed: ");
  }

  @Test
  void anUnknownAppIsFatal() {
    credentials = AppServicesCredentials.login(base, "other-app", "anon-user", null, null, CLOCK,
        Duration.ofSeconds(5), null, null);
    SyncException e = failure(credentials, Refresh.NONE);
    assertThat(e.isFatal()).isTrue();
    assertThat(e.getMessage()).contains("HTTP 404");
  }

  @Test
  void aMalformedTokenIsFatal() {
    loginAnswer = "{\"access_token\":\"not-a-jwt\",\"refresh_token\":\"" + jwt(NOW + 60)
        + "\",\"user_id\":\"u\",\"device_id\":\"d\"}";
    SyncException e = failure(login("anon-user", null, null), Refresh.NONE);
    assertThat(e.isFatal()).isTrue();
    assertThat(e.getMessage()).isEqualTo("login: access_token: malformed JWT: not three non-empty"
        + " dot-separated parts (expected: a JWT)");
  }

  @Test
  void aLoginAnswerWithoutTheRequiredFieldsIsFatal() {
    loginAnswer = "{\"access_token\":\"" + jwt(NOW + 60) + "\"}";
    SyncException e = failure(login("anon-user", null, null), Refresh.NONE);
    assertThat(e.getMessage()).isEqualTo("login: 'refresh_token' missing in the answer (expected:"
        + " a string)");
  }

  @Test
  void aProfileWithoutIdentitiesIsFatal() {
    profileAnswer = "{\"data\":{}}";
    SyncException e = failure(login("anon-user", null, null), Refresh.NONE);
    assertThat(e.getMessage()).startsWith("profile: [data] (expected: identities");
  }

  @Test
  void aSuppliedTokenSkipsLoginAndIsAskedForAgainWhenRefused() {
    AtomicInteger calls = new AtomicInteger();
    credentials = AppServicesCredentials.suppliedToken(base, "test-app",
        () -> "opaque-token-" + calls.incrementAndGet(), CLOCK, Duration.ofSeconds(5), null);
    assertThat(get(credentials, Refresh.NONE).accessToken()).isEqualTo("opaque-token-1");
    assertThat(get(credentials, Refresh.NONE).accessToken()).isEqualTo("opaque-token-1");
    assertThat(get(credentials, Refresh.ACCESS_TOKEN).accessToken()).isEqualTo("opaque-token-2");
    assertThat(seen()).extracting(Seen::path)
        .containsOnly("/api/client/v2.0/app/test-app/location");
  }

  @Test
  void aSuppliedJwtThatExpiresSoonIsAskedForAgain() {
    AtomicInteger calls = new AtomicInteger();
    credentials = AppServicesCredentials.suppliedToken(base, "test-app",
        () -> calls.incrementAndGet() == 1 ? jwt(NOW + 2) : jwt(NOW + 600), CLOCK,
        Duration.ofSeconds(5), null);
    get(credentials, Refresh.NONE);
    assertThat(get(credentials, Refresh.NONE).accessToken()).isEqualTo(jwt(NOW + 600));
  }

  @Test
  void aSupplierThatFailsIsFatal() {
    credentials = AppServicesCredentials.suppliedToken(base, "test-app", () -> null, CLOCK,
        Duration.ofSeconds(5), null);
    SyncException e = failure(credentials, Refresh.NONE);
    assertThat(e.isFatal()).isTrue();
    assertThat(e.getMessage()).isEqualTo("access token supplier: null (expected: a token)");
  }

  @Test
  void afterCloseAuthorizeFails() {
    login("anon-user", null, null).close();
    assertThatThrownBy(() -> credentials.authorize(Refresh.NONE).join())
        .hasCauseInstanceOf(SyncException.class);
  }

  @Test
  void jwtClaimsAcceptTheStandardAlphabetAndPadding() throws Exception {
    String payload = Base64.getEncoder().encodeToString(
        "{\"exp\":1700000000,\"iat\":1,\"x\":\"??>\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(JwtClaims.parse("a." + payload + ".c")).isEqualTo(new JwtClaims(1700000000L, 1));
    assertThatThrownBy(() -> JwtClaims.parse("a..c")).isInstanceOf(JwtClaims.MalformedJwt.class);
    assertThatThrownBy(() -> JwtClaims.parse("a.e30.c")) // {}
        .hasMessage("claim 'exp': missing (expected: an integer)");
  }

  // ---- the anonymous identity kept between opens

  /** An identity store in memory, standing in for the upload log's metadata record. */
  static final class MemoryIdentity implements AppServicesCredentials.IdentityStore {
    volatile byte[] stored;
    final AtomicInteger saves = new AtomicInteger();
    volatile RuntimeException failSave;

    @Override
    public byte[] load() {
      return stored;
    }

    @Override
    public void save(byte[] identity) {
      saves.incrementAndGet();
      if (failSave != null) {
        throw failSave;
      }
      stored = identity.clone();
    }

    String text() {
      return new String(stored, StandardCharsets.UTF_8);
    }
  }

  private AppServicesCredentials open(String app, String provider, MemoryIdentity identity) {
    if (credentials != null) {
      credentials.close();
    }
    credentials = AppServicesCredentials.login(base, app, provider, null, null, CLOCK,
        Duration.ofSeconds(10), null, identity);
    return credentials;
  }

  @Test
  void anAnonymousLoginIsStoredAndTheNextOpenResumesThatUserWithItsRefreshToken() {
    MemoryIdentity identity = new MemoryIdentity();
    get(open("test-app", "anon-user", identity), Refresh.NONE);
    assertThat(identity.text()).contains("\"user_id\":\"u-1\"")
        .contains("\"refresh_token\":\"" + jwt(NOW + 86400) + "-1\"")
        .contains("\"app_id\":\"test-app\"");
    seen.clear();

    SyncAuthorization resumed = get(open("test-app", "anon-user", identity), Refresh.NONE);

    assertThat(logins.get()).as("logins").isEqualTo(1);
    assertThat(credentials.userIdForTest()).isEqualTo("u-1");
    assertThat(resumed.accessToken()).isEqualTo(jwt(NOW + 1800 + 1));
    List<Seen> s = seen();
    assertThat(s).extracting(Seen::path).containsExactly(
        "/api/client/v2.0/app/test-app/location", "/api/client/v2.0/auth/session");
    assertThat(s.get(1).authorization()).isEqualTo("Bearer " + jwt(NOW + 86400) + "-1");
    assertThat(identity.saves.get()).as("a resumed identity is not stored again").isEqualTo(1);
  }

  @Test
  void aStoredIdentityTheServerRefusesIsReplacedByANewAnonymousLogin() {
    MemoryIdentity identity = new MemoryIdentity();
    get(open("test-app", "anon-user", identity), Refresh.NONE);
    refreshStatus = 401;

    get(open("test-app", "anon-user", identity), Refresh.NONE);

    assertThat(logins.get()).isEqualTo(2);
    assertThat(credentials.userIdForTest()).isEqualTo("u-2");
    assertThat(identity.text()).contains("\"user_id\":\"u-2\"");
  }

  @Test
  void anIdentityOfAnotherAppOrAMalformedRecordIsIgnoredAndReplaced() {
    MemoryIdentity identity = new MemoryIdentity();
    identity.stored = ("{\"v\":\"1\",\"app_id\":\"other-app\",\"provider\":\"anon-user\","
        + "\"user_id\":\"x\",\"refresh_token\":\"r\"}").getBytes(StandardCharsets.UTF_8);
    get(open("test-app", "anon-user", identity), Refresh.NONE);
    assertThat(refreshes.get()).isZero();
    assertThat(logins.get()).isEqualTo(1);
    assertThat(identity.text()).contains("\"app_id\":\"test-app\"");

    identity.stored = "not json".getBytes(StandardCharsets.UTF_8);
    get(open("test-app", "anon-user", identity), Refresh.NONE);
    assertThat(logins.get()).isEqualTo(2);
    assertThat(credentials.userIdForTest()).isEqualTo("u-2");
  }

  @Test
  void otherProvidersNeitherReadNorStoreAnIdentity() {
    MemoryIdentity identity = new MemoryIdentity();
    identity.stored = "{}".getBytes(StandardCharsets.UTF_8);
    credentials = AppServicesCredentials.login(base, "test-app", "api-key", "key", "k-1", CLOCK,
        Duration.ofSeconds(10), null, identity);
    get(credentials, Refresh.NONE);
    assertThat(identity.saves.get()).isZero();
    assertThat(identity.text()).isEqualTo("{}");
  }

  @Test
  void aStoreThatCannotPersistStillLetsTheLoginProceedButAFailingOneIsATransientError() {
    MemoryIdentity identity = new MemoryIdentity();
    identity.failSave = new UnsupportedOperationException("no identities here");
    assertThat(get(open("test-app", "anon-user", identity), Refresh.NONE).accessToken()).isNotNull();

    identity.failSave = new IllegalStateException("disk gone");
    SyncException e = failure(open("test-app", "anon-user", identity), Refresh.NONE);
    assertThat(e.isFatal()).isFalse();
    assertThat(e.getMessage()).contains("storing the anonymous identity in the upload log failed")
        .contains("disk gone");
  }
}
