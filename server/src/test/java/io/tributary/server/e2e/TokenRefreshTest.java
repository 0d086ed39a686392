package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ConnectionState;
import io.tributary.core.IngestRealm;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.testing.TestServer;
import io.tributary.storage.lmdb.LmdbStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token expiry end to end: a real server whose clock the test moves (access tokens live 10 s,
 * refresh tokens 1 min of that clock), a real client behind a {@link TcpProxy} that counts the
 * App Services requests. The server's clock runs an hour ahead of the client's, so the client
 * never renews a token ahead of time: every renewal here is the client's reaction to the server.
 *
 * <ol>
 *   <li>an access token that expires on an open connection: the server closes with 4001, the
 *       client refreshes and reconnects;
 *   <li>an expired access token at the upgrade: HTTP 401, the client refreshes and reconnects;
 *   <li>an expired refresh token too: the refresh is refused with 401 and the client logs in
 *       again.
 * </ol>
 *
 * Objects are written before and after each expiry; every one is stored exactly once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TokenRefreshTest {
  private static final String LOGIN =
      "POST /api/client/v2.0/app/" + TestServer.APP + "/auth/providers/api-key/login";
  private static final String REFRESH = "POST /api/client/v2.0/auth/session";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** A clock that stands still until the test moves it. */
  private static final class ManualClock extends Clock {
    private final AtomicLong millis;

    ManualClock(Instant start) {
      this.millis = new AtomicLong(start.toEpochMilli());
    }

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void expiredTokensAreRenewedOn4001AndOn401AndAnExpiredRefreshTokenLogsInAgain() throws Exception {
    ManualClock clock = new ManualClock(Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS));
    AuthConfig auth =
        AuthConfig.newBuilder()
            .tokenSecret(TestServer.SECRET)
            .apiKey("loader", E2e.API_KEY)
            .accessTokenTtl(Duration.ofSeconds(10))
            .refreshTokenTtl(Duration.ofMinutes(1))
            .clock(clock)
            .build();
    Path clientDir = dir.resolve("client");
    List<ObjectId> committed = new ArrayList<>();
    List<String> errors = new CopyOnWriteArrayList<>();
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir.resolve("server")), auth, b -> b.clock(clock));
        TcpProxy proxy = new TcpProxy(server.server.address(), 1)) {
      try (IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, proxy.baseUrl()).build())) {
        realm.addConnectionStateListener((from, to, e) -> {
          if (e != null) {
            errors.add(e.getMessage());
          }
        });
        int[] next = {0};
        Runnable writeSome = () -> {
          List<ObjectId> keys = E2e.keys(7, next[0], next[0] + 50);
          next[0] += 50;
          E2e.write(realm, keys);
          committed.addAll(keys);
        };
        writeSome.run();
        realm.waitForUploadCompletion(WAIT);
        assertThat(proxy.requests(LOGIN)).isEqualTo(1);
        assertThat(proxy.requests(REFRESH)).isZero();
        // the login's tokens were issued at the clock's start: access expires at +10 s, refresh +60 s

        // 1. the access token expires on an open connection. The open connection's expiry timer
        // was set in real time when it opened, so bring the token to its last second and cut the
        // connection: the client reconnects with it (still valid), and the server closes that
        // connection with 4001 one second later.
        clock.advance(Duration.ofSeconds(9));
        int errorsBefore = errors.size();
        proxy.cutAll();
        writeSome.run();
        E2e.await(() -> proxy.requests(REFRESH) >= 1, WAIT, "a refresh after the 4001 close");
        E2e.await(() -> errors.stream().skip(errorsBefore).anyMatch(m -> m.contains("4001")), WAIT,
            "the 4001 close reported; errors: " + errors);
        writeSome.run();
        realm.waitForUploadCompletion(WAIT);
        assertThat(realm.connectionState()).isEqualTo(ConnectionState.CONNECTED);

        // 2. the access token expired before the upgrade: HTTP 401, refresh, reconnect
        int refreshes = proxy.requests(REFRESH);
        int errorsBefore2 = errors.size();
        clock.advance(Duration.ofSeconds(11)); // +20 s: every access token issued so far expired
        proxy.cutAll();
        writeSome.run();
        E2e.await(() -> proxy.requests(REFRESH) > refreshes, WAIT, "a refresh after the 401");
        E2e.await(() -> errors.stream().skip(errorsBefore2).anyMatch(m -> m.contains("HTTP 401")),
            WAIT, "the refused upgrade reported; errors: " + errors);
        writeSome.run();
        realm.waitForUploadCompletion(WAIT);
        assertThat(proxy.requests(LOGIN)).isEqualTo(1);

        // 3. the refresh token expired as well: the refresh is refused and the client logs in
        clock.advance(Duration.ofSeconds(41)); // +61 s
        int refreshes3 = proxy.requests(REFRESH);
        proxy.cutAll();
        writeSome.run();
        E2e.await(() -> proxy.requests(LOGIN) == 2, WAIT, "a second login");
        writeSome.run();
        realm.waitForUploadCompletion(WAIT);
        assertThat(proxy.requests(REFRESH)).as("the refused refresh came first").isGreaterThan(refreshes3);
        assertThat(realm.syncError()).isNull();
      }
      assertThat(proxy.requests(LOGIN)).isEqualTo(2);
      E2e.assertExactlyOnce(server.store(), committed);
      assertThat(committed).hasSize(350);
      assertThat(server.server.metrics().duplicatesDiscarded()).isZero();
    }
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().entryCount()).as("entries left in the client log").isZero();
    }
  }

  @Test
  void aServerRestartedWithANewTokenSecretMakesTheClientLogInAgain() throws Exception {
    // the server's default: a random token secret per start, so a restart invalidates every token
    Path serverDir = dir.resolve("server");
    TestServer server = TestServer.start(LmdbIngestSink.open(serverDir),
        AuthConfig.newBuilder().apiKey("loader", E2e.API_KEY).build(), b -> {});
    int port = server.server.port();
    List<ObjectId> committed = new ArrayList<>();
    List<String> errors = new CopyOnWriteArrayList<>();
    try (TcpProxy proxy = new TcpProxy(server.server.address(), 4);
        IngestRealm realm = IngestRealm.open(E2e.realm(dir.resolve("client"), proxy.baseUrl()).build())) {
      realm.addConnectionStateListener((from, to, e) -> {
        if (e != null) {
          errors.add(e.getMessage());
        }
      });
      committed.addAll(E2e.keys(8, 0, 100));
      E2e.write(realm, E2e.keys(8, 0, 100));
      realm.waitForUploadCompletion(WAIT);
      server.close();
      server = TestServer.start(LmdbIngestSink.open(serverDir),
          AuthConfig.newBuilder().apiKey("loader", E2e.API_KEY).build(), b -> b.port(port));
      committed.addAll(E2e.keys(8, 100, 200));
      E2e.write(realm, E2e.keys(8, 100, 200));
      realm.waitForUploadCompletion(WAIT);
      assertThat(realm.syncError()).isNull();
      assertThat(errors).anyMatch(m -> m.contains("HTTP 401"));
      assertThat(proxy.requests(REFRESH)).as("the refresh token was refused").isGreaterThanOrEqualTo(1);
      assertThat(proxy.requests(LOGIN)).as("then the client logged in again").isEqualTo(2);
      E2e.assertExactlyOnce(server.store(), committed);
    } finally {
      server.close();
    }
  }
}
