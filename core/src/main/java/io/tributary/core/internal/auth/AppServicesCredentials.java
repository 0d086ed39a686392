package io.tributary.core.internal.auth;

import io.tributary.core.SyncException;
import io.tributary.core.spi.CredentialsProvider;
import io.tributary.core.spi.SyncAuthorization;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The App Services flow of spec protocol.md §2 with the JDK's {@link HttpClient}: location (§2.2),
 * login and profile (§2.3, §2.4), access-token refresh with the refresh token (§2.5), or an access
 * token the application supplies.
 *
 * <ul>
 *   <li>{@link Refresh#NONE}: the cached location and token; the token is refreshed first when it
 *       expires within 5 s ({@code exp} &lt; now + 5 s), and a missing one is obtained by logging
 *       in (or asking the supplier).
 *   <li>{@link Refresh#ACCESS_TOKEN}: refresh with the refresh token; HTTP 401 on the refresh
 *       logs in again. With a supplied token: ask the supplier again.
 *   <li>{@link Refresh#LOCATION}: fetch the location again, then as {@code ACCESS_TOKEN}.
 * </ul>
 *
 * <p>Failures: no answer, HTTP 5xx, 408 and 429 are transient ({@link SyncException} with {@code
 * isFatal() == false}: the session backs off and retries); 401/403 on login, any other 4xx, a
 * malformed answer or token, and a failing supplier are fatal.
 *
 * <p>Threads: requests run one at a time on this provider's own daemon thread ({@code
 * tributary-auth-N}); the token state is confined to it. {@link #authorize} may be called from any
 * thread. Nothing is persisted: tokens live as long as this object.
 */
public final class AppServicesCredentials implements CredentialsProvider {
  private static final System.Logger LOG =
      System.getLogger(AppServicesCredentials.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** realm-core refreshes a token that expires within this many seconds. */
  static final long EXPIRY_MARGIN_SECONDS = 5;
  private static final String JSON = "application/json;charset=utf-8";
  private static final String SDK = "Tributary";
  private static final String SDK_VERSION = "0.1.0";
  /** The provider whose users exist only through their refresh token: the one worth persisting. */
  private static final String ANONYMOUS = "anon-user";
  private static final String IDENTITY_VERSION = "1";

  /**
   * Where an anonymous login's identity (user id and refresh token) is kept between opens, so a
   * reopened realm resumes as the user that owns its client file. Other providers log in as the
   * same user every time and do not use it.
   */
  public interface IdentityStore {
    /** The stored record, or {@code null} if none; called once, when the provider is created. */
    byte[] load();

    /**
     * Durably replaces the stored record; called on the provider's thread after each login.
     *
     * @throws UnsupportedOperationException if the store cannot persist it
     */
    void save(byte[] identity);
  }

  private final URI base;
  private final String appId;
  private final String providerName;
  private final String fieldName;
  private final String secret;
  private final Supplier<String> tokenSupplier;
  private final Clock clock;
  private final Duration timeout;
  private final HttpClient http;
  private final ExecutorService executor;
  private final IdentityStore identityStore;

  // confined to the executor thread
  private URI host;
  private URI syncUrl;
  private String accessToken;
  private long accessExpiresAt = Long.MAX_VALUE;
  private String refreshToken;
  private String userId;
  /** Whether {@link #refreshToken} came from the {@link #identityStore}, not a login of ours. */
  private boolean restored;
  private boolean identityUnsupported;

  private AppServicesCredentials(
      URI baseUrl,
      String appId,
      String providerName,
      String fieldName,
      String secret,
      Supplier<String> tokenSupplier,
      Clock clock,
      Duration timeout,
      SSLContext sslContext,
      IdentityStore identityStore) {
    this.base = stripTrailingSlashes(Objects.requireNonNull(baseUrl, "baseUrl"));
    this.appId = Objects.requireNonNull(appId, "appId");
    this.providerName = providerName;
    this.fieldName = fieldName;
    this.secret = secret;
    this.tokenSupplier = tokenSupplier;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(timeout);
    if (sslContext != null) {
      b.sslContext(sslContext);
    }
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tributary-auth-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    // not our executor: send() blocks it while the client delivers the answer on its own threads
    this.http = b.build();
    this.identityStore = ANONYMOUS.equals(providerName) ? identityStore : null;
    if (this.identityStore != null) {
      restore(); // before any task runs on the executor, which the submission orders after this
    }
  }

  /**
   * Logs in with an App Services provider. An anonymous login ({@code anon-user}) is kept in
   * {@code identityStore} and resumed from it: the stored refresh token is used instead of a new
   * login, so the user (and with it the server's client file) stays the same across opens. When the
   * server refuses the stored token (expired after its refresh-token lifetime, 60 days by default on
   * the Tributary server, or signed with a rotated secret), the provider logs in as a new anonymous
   * user and stores that one instead.
   *
   * @param baseUrl the App Services base URL, e.g. {@code http://127.0.0.1:7800}
   * @param appId the app id
   * @param providerName {@code anon-user}, {@code custom-token} or {@code api-key}
   * @param fieldName the login body field carrying {@code secret} ({@code token}, {@code key}), or
   *     {@code null} for none
   * @param secret its value, or {@code null}
   * @param clock for token expiry
   * @param timeout per HTTP request (connect and answer)
   * @param sslContext for {@code https}, or {@code null} for the JDK's default
   * @param identityStore where the anonymous identity is kept, or {@code null} for nowhere; ignored
   *     for other providers
   */
  public static AppServicesCredentials login(
      URI baseUrl,
      String appId,
      String providerName,
      String fieldName,
      String secret,
      Clock clock,
      Duration timeout,
      SSLContext sslContext,
      IdentityStore identityStore) {
    Objects.requireNonNull(providerName, "providerName");
    return new AppServicesCredentials(
        baseUrl, appId, providerName, fieldName, secret, null, clock, timeout, sslContext,
        identityStore);
  }

  /**
   * Uses access tokens from {@code supplier}; only the location is fetched over HTTP.
   *
   * @param supplier gives the token; called on this provider's thread
   */
  public static AppServicesCredentials suppliedToken(
      URI baseUrl,
      String appId,
      Supplier<String> supplier,
      Clock clock,
      Duration timeout,
      SSLContext sslContext) {
    Objects.requireNonNull(supplier, "supplier");
    return new AppServicesCredentials(
        baseUrl, appId, null, null, null, supplier, clock, timeout, sslContext, null);
  }

  @Override
  public CompletableFuture<SyncAuthorization> authorize(Refresh refresh) {
    Objects.requireNonNull(refresh, "refresh");
    try {
      return CompletableFuture.supplyAsync(() -> authorizeNow(refresh), executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          fatal("authorize: the credentials provider is closed", e));
    }
  }

  /** Runs on the executor thread. */
  private SyncAuthorization authorizeNow(Refresh refresh) {
    if (syncUrl == null || refresh == Refresh.LOCATION) {
      fetchLocation();
    }
    if (tokenSupplier != null) {
      if (accessToken == null || refresh != Refresh.NONE || expiresSoon()) {
        supplyToken();
      }
    } else if (refreshToken == null) {
      logIn();
    } else if (accessToken == null || refresh != Refresh.NONE || expiresSoon()) {
      refreshAccessToken(); // a restored identity has a refresh token and no access token yet
    }
    return new SyncAuthorization(syncUrl, accessToken);
  }

  private boolean expiresSoon() {
    return accessExpiresAt != Long.MAX_VALUE
        && accessExpiresAt < clock.millis() / 1000 + EXPIRY_MARGIN_SECONDS;
  }

  private void fetchLocation() {
    URI uri = URI.create(base + "/api/client/v2.0/app/" + encode(appId) + "/location");
    Map<String, Object> body =
        call("location", HttpRequest.newBuilder(uri).GET().timeout(timeout).build());
    String hostname = requireString(body, "hostname", "location");
    String wsHostname = requireString(body, "ws_hostname", "location");
    String route = JsonValues.string(body, "sync_route");
    try {
      URI h = stripTrailingSlashes(URI.create(hostname));
      if (!"http".equalsIgnoreCase(h.getScheme()) && !"https".equalsIgnoreCase(h.getScheme())) {
        throw fatal("location: hostname " + hostname + " (expected: an http or https URL)", null);
      }
      URI sync =
          route != null
              ? URI.create(route)
              : URI.create(stripTrailingSlashes(URI.create(wsHostname)) + "/api/client/v2.0/app/"
                  + encode(appId) + "/realm-sync");
      String scheme = sync.getScheme();
      if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
        throw fatal("location: sync route " + sync + " (expected: a ws or wss URL)", null);
      }
      host = h;
      syncUrl = sync;
    } catch (IllegalArgumentException e) {
      throw fatal("location: malformed URL in " + body.keySet() + ": " + e.getMessage(), e);
    }
  }

  private void logIn() {
    Map<String, String> fields = new LinkedHashMap<>();
    if (fieldName != null) {
      fields.put(fieldName, secret);
    }
    String json = JsonValues.write(fields, "options", Map.of("device", deviceInfo()));
    URI uri =
        URI.create(host + "/api/client/v2.0/app/" + encode(appId) + "/auth/providers/"
            + providerName + "/login");
    Map<String, Object> body =
        call("login (" + providerName + ")", jsonRequest(uri).POST(body(json)).build());
    String access = requireString(body, "access_token", "login");
    String refresh = requireString(body, "refresh_token", "login");
    String user = requireString(body, "user_id", "login");
    requireString(body, "device_id", "login");
    JwtClaims accessClaims = claims(access, "login: access_token");
    claims(refresh, "login: refresh_token");
    Map<String, Object> profile =
        call(
            "profile",
            jsonRequest(URI.create(host + "/api/client/v2.0/auth/profile"))
                .header("Authorization", "Bearer " + access)
                .GET()
                .build());
    if (!(profile.get("identities") instanceof List) || !(profile.get("data") instanceof Map)) {
      throw fatal("profile: " + profile.keySet() + " (expected: identities (array) and data"
          + " (object))", null);
    }
    accessToken = access;
    accessExpiresAt = accessClaims.expiresAtSeconds();
    refreshToken = refresh;
    userId = user;
    restored = false;
    persistIdentity();
  }

  /** Reads the stored anonymous identity; anything unusable is ignored with a warning. */
  private void restore() {
    byte[] saved;
    try {
      saved = identityStore.load();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "reading the stored identity failed; logging in anew", e);
      return;
    }
    if (saved == null) {
      return;
    }
    Map<String, Object> m;
    try {
      m = JsonValues.parseObject(new String(saved, StandardCharsets.UTF_8));
    } catch (JsonValues.Malformed e) {
      LOG.log(System.Logger.Level.WARNING, "the stored identity is not a JSON object ("
          + e.getMessage() + "); logging in anew");
      return;
    }
    String version = JsonValues.string(m, "v");
    String app = JsonValues.string(m, "app_id");
    String provider = JsonValues.string(m, "provider");
    String user = JsonValues.string(m, "user_id");
    String refresh = JsonValues.string(m, "refresh_token");
    if (!IDENTITY_VERSION.equals(version) || !appId.equals(app) || !providerName.equals(provider)
        || user == null || refresh == null) {
      LOG.log(System.Logger.Level.WARNING, "the stored identity (version " + version + ", app "
          + app + ", provider " + provider + ") is not usable here (expected: version "
          + IDENTITY_VERSION + ", app " + appId + ", provider " + providerName
          + ", a user id and a refresh token); logging in anew");
      return;
    }
    userId = user;
    refreshToken = refresh;
    restored = true;
  }

  private void persistIdentity() {
    if (identityStore == null || identityUnsupported) {
      return;
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("v", IDENTITY_VERSION);
    fields.put("app_id", appId);
    fields.put("provider", providerName);
    fields.put("user_id", userId);
    fields.put("refresh_token", refreshToken);
    byte[] record = JsonValues.write(fields, null, null).getBytes(StandardCharsets.UTF_8);
    try {
      identityStore.save(record);
    } catch (UnsupportedOperationException e) {
      identityUnsupported = true;
      LOG.log(System.Logger.Level.WARNING, "the upload log cannot store the anonymous identity ("
          + e.getMessage() + "): a reopened realm will log in as a new user, and the server will"
          + " refuse this log's client file (error 223)");
    } catch (RuntimeException e) {
      // going on would bind a client file to a user that no later open can become
      accessToken = null;
      refreshToken = null;
      throw transientError("storing the anonymous identity in the upload log failed: " + e, e);
    }
  }

  /** The user id of the last login or restored identity, or {@code null}; for tests. */
  String userIdForTest() {
    return userId;
  }

  private void refreshAccessToken() {
    HttpRequest request =
        jsonRequest(URI.create(host + "/api/client/v2.0/auth/session"))
            .header("Authorization", "Bearer " + refreshToken)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<String> response = send("refresh", request);
    if (response.statusCode() == 401) {
      // the refresh token is refused (expired, revoked, the server forgot it): log in again
      if (restored) {
        LOG.log(System.Logger.Level.WARNING, "the stored anonymous identity (user " + userId
            + ") was refused (HTTP 401: its refresh token expired or the server's secret"
            + " changed); logging in as a new anonymous user. A client file the old user owns"
            + " will be refused (error 223)");
      } else {
        LOG.log(System.Logger.Level.INFO, "refresh token refused (HTTP 401); logging in again");
      }
      restored = false;
      refreshToken = null;
      accessToken = null;
      logIn();
      return;
    }
    Map<String, Object> body = answer("refresh", response);
    String access = requireString(body, "access_token", "refresh");
    accessExpiresAt = claims(access, "refresh: access_token").expiresAtSeconds();
    accessToken = access;
  }

  private void supplyToken() {
    String token;
    try {
      token = tokenSupplier.get();
    } catch (RuntimeException e) {
      throw fatal("access token supplier threw " + e, e);
    }
    if (token == null || token.isEmpty()) {
      throw fatal("access token supplier: " + (token == null ? "null" : "empty")
          + " (expected: a token)", null);
    }
    long exp = Long.MAX_VALUE;
    try {
      exp = JwtClaims.parse(token).expiresAtSeconds();
    } catch (JwtClaims.MalformedJwt e) {
      // not a JWT with exp: use it until the server refuses it
    }
    accessToken = token;
    accessExpiresAt = exp;
  }

  private static Map<String, String> deviceInfo() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("platform", System.getProperty("os.name", ""));
    d.put("platformVersion", System.getProperty("os.version", ""));
    d.put("sdk", SDK);
    d.put("sdkVersion", SDK_VERSION);
    d.put("cpuArch", System.getProperty("os.arch", ""));
    d.put("deviceName", "");
    d.put("deviceVersion", "");
    d.put("frameworkName", "Java");
    d.put("frameworkVersion", System.getProperty("java.version", ""));
    d.put("coreVersion", SDK_VERSION);
    d.put("bundleId", "");
    return d;
  }

  private HttpRequest.Builder jsonRequest(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", JSON)
        .header("Accept", "application/json");
  }

  private static HttpRequest.BodyPublisher body(String json) {
    return HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8);
  }

  private Map<String, Object> call(String what, HttpRequest request) {
    return answer(what, send(what, request));
  }

  private HttpResponse<String> send(String what, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw transientError(what + ": " + request.method() + " " + redact(request.uri())
          + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw transientError(what + ": interrupted", e);
    }
  }

  private Map<String, Object> answer(String what, HttpResponse<String> response) {
    int status = response.statusCode();
    String where = response.request().method() + " " + redact(response.request().uri());
    if (status / 100 != 2) {
      String detail = errorDetail(response);
      String message = what + ": HTTP " + status + " from " + where + detail;
      if (status >= 500 || status == 408 || status == 429) {
        throw transientError(message, null);
      }
      throw fatal(message, null);
    }
    try {
      return JsonValues.parseObject(response.body());
    } catch (JsonValues.Malformed e) {
      throw fatal(what + ": answer of " + where + " is " + e.getMessage(), e);
    }
  }

  /** " (error_code X: message)" when the body is the JSON error of §2.6, else "". */
  private static String errorDetail(HttpResponse<String> response) {
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (!type.startsWith("application/json")) {
      return "";
    }
    try {
      Map<String, Object> e = JsonValues.parseObject(response.body());
      String code = JsonValues.string(e, "error_code");
      String text = JsonValues.string(e, "error");
      return " (" + (code != null ? code + ": " : "") + (text != null ? text : "") + ")";
    } catch (JsonValues.Malformed ignored) {
      return "";
    }
  }

  private static String requireString(Map<String, Object> body, String key, String what) {
    String s = JsonValues.string(body, key);
    if (s == null || s.isEmpty()) {
      throw fatal(what + ": '" + key + "' " + (body.containsKey(key) ? "not a non-empty string"
          : "missing") + " in the answer (expected: a string)", null);
    }
    return s;
  }

  private static JwtClaims claims(String token, String what) {
    try {
      return JwtClaims.parse(token);
    } catch (JwtClaims.MalformedJwt e) {
      throw fatal(what + ": malformed JWT: " + e.getMessage(), null);
    }
  }

  private static SyncException fatal(String message, Throwable cause) {
    return new SyncException(
        SyncException.Category.AUTHENTICATION, 0, null, true, message, cause);
  }

  private static SyncException transientError(String message, Throwable cause) {
    return new SyncException(
        SyncException.Category.AUTHENTICATION, 0, null, false, message, cause);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The URI without its query (never log a token). */
  private static String redact(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
  }

  private static URI stripTrailingSlashes(URI uri) {
    String s = uri.toString();
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return end == s.length() ? uri : URI.create(s.substring(0, end));
  }

  /** Stops the provider's thread; a request in progress is abandoned. */
  @Override
  public void close() {
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "AppServicesCredentials{" + base + ", app=" + appId + ", "
        + (providerName != null ? providerName : "supplied token") + '}';
  }
}
