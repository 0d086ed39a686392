package io.tributary.core.internal.sync;

import static io.tributary.core.internal.sync.SessionHarness.jsonError;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ConnectionState;
import io.tributary.core.SyncException;
import io.tributary.core.spi.CredentialsProvider.Refresh;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.core.testing.FakeTransport;
import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.UnbindMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How the session answers server errors (spec protocol.md §5.9, §5.10, §10), close codes (§3.5)
 * and refused upgrades (§3.3): per level, {@code tryAgain} and action; unknown codes, actions and
 * extra keys never crash.
 */
class SessionErrorsTest {
  private final SessionHarness h = new SessionHarness();
  private FakeTransport.Connection c;

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void active() {
    h.append(3, 20, 1);
    h.list.preset(2, 3, SyncProgress.NONE);
    h.start();
    c = h.accept();
    c.clearSent();
  }

  // ---- connection-level errors ------------------------------------------------------------------

  @Test
  void aRetryableConnectionErrorClosesAndReconnectsWithBackoff() {
    active();
    h.deliver("error 100 13 1 0\nshutting down");
    assertThat(c.isClosed()).isTrue();
    assertThat(h.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(h.session.fatalError()).isNull();
    assertThat(h.errors).last().satisfies(e -> {
      assertThat(e.errorCode()).isEqualTo(100);
      assertThat(e.isFatal()).isFalse();
      assertThat(e.category()).isEqualTo(SyncException.Category.SERVER);
    });
    h.advance(Duration.ofMillis(999));
    assertThat(h.transport.attempts()).isEqualTo(1);
    h.advance(Duration.ofMillis(1));
    assertThat(h.transport.attempts()).isEqualTo(2);
  }

  @Test
  void aFatalConnectionErrorStopsTheSession() {
    active();
    CompletableFuture<Void> waiter = h.session.uploadCompletion(3);
    h.deliver(jsonError(103, 0, "ProtocolViolation", false, null));
    assertThat(c.isClosed()).isTrue();
    assertThat(h.session.fatalError()).satisfies(e -> {
      assertThat(e.errorCode()).isEqualTo(103);
      assertThat(e.action()).isEqualTo(ErrorAction.PROTOCOL_VIOLATION);
      assertThat(e.isFatal()).isTrue();
    });
    assertThat(waiter).isCompletedExceptionally();
    h.advance(Duration.ofHours(1));
    assertThat(h.transport.attempts()).isEqualTo(1);
  }

  @Test
  void anUnknownConnectionLevelCodeClosesAndBacksOffEvenWithoutTryAgain() {
    active();
    h.deliver(jsonError(199, 0, "NoSuchAction", false, "\"extra\":[1,{\"a\":2}]"));
    assertThat(c.isClosed()).isTrue();
    assertThat(h.session.fatalError()).isNull();
    h.advance(Duration.ofSeconds(1));
    assertThat(h.transport.attempts()).isEqualTo(2);
  }

  @Test
  void jsonBackoffFieldsSetTheReconnectDelay() {
    active();
    h.deliver(jsonError(100, 0, "Transient", true,
        "\"backoffIntervalSec\":5,\"backoffMaxDelaySec\":30,\"backoffMultiplier\":3"));
    h.advance(Duration.ofMillis(4999));
    assertThat(h.transport.attempts()).isEqualTo(1);
    h.advance(Duration.ofMillis(1));
    assertThat(h.transport.attempts()).isEqualTo(2);
    h.transport.last().accept();
    h.step();
    // the same error again: 5 s × 3 = 15 s
    h.deliver(jsonError(100, 0, "Transient", true,
        "\"backoffIntervalSec\":5,\"backoffMaxDelaySec\":30,\"backoffMultiplier\":3"));
    h.advance(Duration.ofMillis(14_999));
    assertThat(h.transport.attempts()).isEqualTo(2);
    h.advance(Duration.ofMillis(1));
    assertThat(h.transport.attempts()).isEqualTo(3);
  }

  @Test
  void aSessionLevelCodeWithSessionIdentZeroIsAViolation() {
    active();
    h.deliver("error 201 4 1 0\nbusy");
    assertThat(h.session.fatalError().category())
        .isEqualTo(SyncException.Category.PROTOCOL_VIOLATION);
    assertThat(h.session.fatalError().getMessage()).contains("with session ident 0");
  }

  @Test
  void aConnectionLevelCodeForASessionIsAViolation() {
    active();
    h.deliver("error 101 4 1 " + h.ident + "\nbusy");
    assertThat(h.session.fatalError().getMessage()).contains("expected: a session-level code");
  }

  @Test
  void aJsonErrorMissingARequiredKeyIsAViolation() {
    active();
    String json = "{\"action\":\"Transient\",\"message\":\"busy\",\"tryAgain\":true}";
    h.deliver("json_error 201 " + json.length() + " " + h.ident + "\n" + json);
    assertThat(h.session.fatalError().category())
        .isEqualTo(SyncException.Category.PROTOCOL_VIOLATION);
  }

  // ---- session-level errors -------------------------------------------------------------------

  @Test
  void aTransientSessionErrorUnbindsAndRebindsAfterTheDelayWithoutReportingIt() {
    active();
    int reported = h.errors.size();
    h.deliver(jsonError(201, h.ident, "Transient", true,
        "\"backoffIntervalSec\":2,\"backoffMaxDelaySec\":10,\"backoffMultiplier\":2"));
    assertThat(c.sent()).containsExactly(new UnbindMessage(h.ident));
    assertThat(c.isClosed()).isFalse();
    assertThat(h.errors).hasSize(reported);
    // uploads stop while suspended
    h.append(1, 10, 1);
    h.step();
    assertThat(c.sentHeaders()).noneMatch(s -> s.startsWith("upload"));
    h.advance(Duration.ofMillis(1999));
    assertThat(c.sent()).hasSize(1);
    h.advance(Duration.ofMillis(1));
    // BIND (same ident), IDENT, then uploads from the acknowledged version again
    assertThat(c.sent().get(1)).isInstanceOf(BindMessage.class);
    assertThat(((BindMessage) c.sent().get(1)).sessionIdent()).isEqualTo(h.ident);
    assertThat(c.sentHeaders().get(2)).startsWith("ident " + h.ident + " 2 3 ");
    assertThat(c.sentHeaders().get(3)).startsWith("upload " + h.ident + " 0 ");
    assertThat(h.transport.attempts()).isEqualTo(1);
  }

  @Test
  void aWarningIsReportedAndTheSessionRebinds() {
    active();
    h.deliver(jsonError(201, h.ident, "Warning", true, null));
    assertThat(h.errors).last().satisfies(e -> {
      assertThat(e.action()).isEqualTo(ErrorAction.WARNING);
      assertThat(e.isFatal()).isFalse();
    });
    assertThat(h.states).last().isEqualTo("CONNECTED->CONNECTED");
    h.advance(Duration.ofSeconds(1));
    assertThat(c.sent()).hasSizeGreaterThan(1);
    assertThat(h.session.fatalError()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ApplicationBug", "ProtocolViolation", "ClientReset",
      "ClientResetNoRecovery", "DeleteRealm", "LogOutUser", "MigrateToFLX", "RevertToPBS",
      "MigrateSchema", "SomethingNew"})
  void fatalActionsStopTheSessionEvenWithTryAgain(String action) {
    active();
    h.deliver(jsonError(225, h.ident, action, true, null));
    assertThat(c.sent()).containsExactly(new UnbindMessage(h.ident));
    assertThat(c.isClosed()).isTrue();
    assertThat(h.session.fatalError()).satisfies(e -> {
      assertThat(e.errorCode()).isEqualTo(225);
      assertThat(e.isFatal()).isTrue();
      assertThat(e.getMessage()).contains("invalid_schema_change").contains(action);
    });
    h.advance(Duration.ofHours(1));
    assertThat(h.transport.attempts()).isEqualTo(1);
  }

  @Test
  void aSchemaMismatchStopsTheSessionAndFailsWaitersAtOnce() {
    active();
    CompletableFuture<Void> waiter = h.session.uploadCompletion(3);
    h.deliver(jsonError(225, h.ident, "ApplicationBug", false, null));
    assertThat(waiter).isCompletedExceptionally();
    assertThat(h.session.fatalError().protocolError().code()).isEqualTo(225);
  }

  @Test
  void sessionClosed200IsRetriedAfterOneSecondEvenWithoutTryAgain() {
    active();
    h.deliver("error 200 6 0 " + h.ident + "\nclosed");
    assertThat(h.session.fatalError()).isNull();
    h.advance(Duration.ofMillis(999));
    assertThat(c.sent()).hasSize(1);
    h.advance(Duration.ofMillis(1));
    assertThat(c.sent().get(1)).isInstanceOf(BindMessage.class);
  }

  @Test
  void anUnknownSessionLevelCodeSuspendsReportsAndRebindsWhenRetryable() {
    active();
    h.deliver("error 299 3 1 " + h.ident + "\nnew");
    assertThat(c.sent()).containsExactly(new UnbindMessage(h.ident));
    assertThat(h.errors).last().satisfies(e -> assertThat(e.errorCode()).isEqualTo(299));
    h.advance(Duration.ofSeconds(1));
    assertThat(c.sent().get(1)).isInstanceOf(BindMessage.class);
  }

  @Test
  void anUnknownSessionLevelCodeWithoutTryAgainStaysSuspended() {
    active();
    h.deliver("error 299 3 0 " + h.ident + "\nnew");
    assertThat(h.session.fatalError().errorCode()).isEqualTo(299);
  }

  @Test
  void refreshUserRefreshesTheTokenAndReconnectsAtOnce() {
    active();
    h.deliver(jsonError(201, h.ident, "RefreshUser", false, null));
    assertThat(c.isClosed()).isTrue();
    assertThat(h.credentials.requests()).containsExactly(Refresh.NONE, Refresh.ACCESS_TOKEN);
    assertThat(h.transport.attempts()).isEqualTo(2);
    assertThat(h.transport.last().request().uri().getQuery()).isEqualTo("baas_at=tok-2");
  }

  @Test
  void refreshLocationAsksForTheLocation() {
    active();
    h.deliver(jsonError(101, 0, "RefreshLocation", true, null));
    assertThat(h.credentials.requests()).containsExactly(Refresh.NONE, Refresh.LOCATION);
    assertThat(h.transport.attempts()).isEqualTo(2);
  }

  @Test
  void errorsAfterUnbindAreIgnored() {
    active();
    h.deliver(jsonError(201, h.ident, "Transient", true, null));
    h.deliver(jsonError(225, h.ident, "ApplicationBug", false, null));
    h.deliver(h.download(0, 0, 0, 0, 0, 0));
    assertThat(h.session.fatalError()).isNull();
  }

  @Test
  void queryErrorIsReportedNotFatal() {
    active();
    h.deliver("query_error 226 3 " + h.ident + " 0\nbad");
    assertThat(h.session.fatalError()).isNull();
    assertThat(h.errors).last().satisfies(e -> assertThat(e.errorCode()).isEqualTo(226));
  }

  @Test
  void logMessagesAreLoggedAndIgnored() {
    active();
    String json = "{\"level\":\"info\",\"msg\":\"hello\"}";
    h.deliver("log_message 0 " + json.length() + "\n" + json);
    assertThat(h.session.fatalError()).isNull();
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  void anUnboundWithoutUnbindIsAViolation() {
    active();
    h.deliver("unbound " + h.ident + "\n");
    assertThat(h.session.fatalError().getMessage()).contains("UNBOUND");
  }

  @Test
  void aMarkResponseWithoutARequestIsAViolation() {
    active();
    h.deliver("mark " + h.ident + " 1\n");
    assertThat(h.session.fatalError().getMessage()).contains("MARK");
  }

  @Test
  void aServerIdentThatWasNotAskedForIsAViolation() {
    active();
    h.deliver("ident " + h.ident + " 4 5\n");
    assertThat(h.session.fatalError().getMessage()).contains("IDENT from the server");
  }

  @Test
  void aServerIdentWithAZeroSaltIsAViolation() {
    h.start();
    c = h.accept();
    h.deliver("ident " + h.ident + " 4 0\n");
    assertThat(h.session.fatalError().getMessage()).contains("salt 0");
    assertThat(h.log.metadata().hasClientFileIdent()).isFalse();
  }

  // ---- storage failures ------------------------------------------------------------------------

  @Test
  void aLogThatFailsToReadWhileUploadingStopsTheSession() {
    active();
    int reads = h.list.reads();
    io.tributary.core.spi.UploadLogException.StorageFailureException broken =
        new io.tributary.core.spi.UploadLogException.StorageFailureException("disk gone", null);
    h.list.failReads(broken);
    h.append(1, 20, 1); // the new entry makes the session read the log to upload it
    h.step();
    assertThat(h.list.reads()).isGreaterThan(reads);
    assertThat(h.session.fatalError()).satisfies(e -> {
      assertThat(e.category()).isEqualTo(SyncException.Category.STORAGE);
      assertThat(e.isFatal()).isTrue();
      assertThat(e.getMessage()).contains("the upload log failed").contains("disk gone");
      assertThat(e.getCause()).isSameAs(broken);
    });
    assertThat(c.isClosed()).isTrue();
    int after = h.list.reads();
    h.advance(Duration.ofHours(1));
    assertThat(h.list.reads()).isEqualTo(after);
    assertThat(h.transport.attempts()).isEqualTo(1);
  }

  // ---- close codes ----------------------------------------------------------------------------

  @Test
  void closeCode4001RefreshesTheTokenAndReconnectsAtOnce() {
    active();
    c.serverClose(4001, "token expired");
    h.step();
    assertThat(h.credentials.requests()).containsExactly(Refresh.NONE, Refresh.ACCESS_TOKEN);
    assertThat(h.transport.attempts()).isEqualTo(2);
    FakeTransport.Connection second = h.accept();
    assertThat(second.sentHeaders()).anyMatch(s -> s.startsWith("upload"));
  }

  @Test
  void repeatedTokenRefusalsFallBackToBackoff() {
    active();
    for (int i = 0; i < 2; i++) {
      h.transport.last().serverClose(4001, "");
      h.step();
      h.transport.last().accept();
      h.step();
    }
    int attempts = h.transport.attempts();
    h.transport.last().serverClose(4001, "");
    h.step();
    assertThat(h.transport.attempts()).isEqualTo(attempts); // not at once any more
    h.advance(Duration.ofSeconds(1));
    assertThat(h.transport.attempts()).isEqualTo(attempts + 1);
  }

  @Test
  void closeCode4002StopsTheSession() {
    active();
    c.serverClose(4002, "forbidden");
    h.step();
    assertThat(h.session.fatalError().category()).isEqualTo(SyncException.Category.AUTHENTICATION);
  }

  @Test
  void closeCode4003RefreshesTheLocation() {
    active();
    c.serverClose(4003, "moved");
    h.step();
    assertThat(h.credentials.requests()).containsExactly(Refresh.NONE, Refresh.LOCATION);
  }

  @Test
  void closeCode1009IsAClientResetWhichStopsTheSession() {
    active();
    c.serverClose(1009, "too big");
    h.step();
    assertThat(h.session.fatalError().action()).isEqualTo(ErrorAction.CLIENT_RESET);
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 1001, 1011, 3000, -1})
  void otherClosesReconnectWithBackoff(int code) {
    active();
    if (code == -1) {
      c.drop(new IOException("connection reset"));
    } else {
      c.serverClose(code, "");
    }
    h.step();
    assertThat(h.session.fatalError()).isNull();
    assertThat(h.transport.attempts()).isEqualTo(1);
    h.advance(Duration.ofSeconds(1));
    assertThat(h.transport.attempts()).isEqualTo(2);
  }

  // ---- refused upgrades -----------------------------------------------------------------------

  @Test
  void http401RefreshesTheTokenAndRetriesAtOnce() {
    h.start();
    h.transport.last().refuse(new SyncTransportException.HandshakeException(401, "expired"));
    h.step();
    assertThat(h.credentials.requests()).containsExactly(Refresh.NONE, Refresh.ACCESS_TOKEN);
    assertThat(h.transport.attempts()).isEqualTo(2);
  }

  @Test
  void http403StopsTheSession() {
    h.start();
    h.transport.last().refuse(new SyncTransportException.HandshakeException(403, "no"));
    h.step();
    assertThat(h.session.fatalError().category()).isEqualTo(SyncException.Category.AUTHENTICATION);
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504, 302})
  void transientStatusesBackOff(int status) {
    h.start();
    h.transport.last().refuse(new SyncTransportException.HandshakeException(status, "x"));
    h.step();
    assertThat(h.session.fatalError()).isNull();
    h.advance(Duration.ofSeconds(1));
    assertThat(h.transport.attempts()).isEqualTo(2);
    assertThat(h.credentials.requests()).containsOnly(Refresh.NONE);
  }

  @Test
  void http404BeforeAnyUpgradeSucceededRefreshesTheLocationAndBacksOff() {
    h.start();
    h.transport.last().refuse(new SyncTransportException.HandshakeException(404, "nope"));
    h.step();
    assertThat(h.session.fatalError()).isNull();
    h.advance(Duration.ofSeconds(1));
    assertThat(h.credentials.requests()).containsExactly(Refresh.NONE, Refresh.LOCATION);
  }

  @Test
  void http404AfterAnUpgradeSucceededIsFatal() {
    active();
    c.drop(null);
    h.step();
    h.advance(Duration.ofSeconds(1));
    assertThat(h.transport.attempts()).isEqualTo(2);
    h.transport.last().refuse(new SyncTransportException.HandshakeException(404, "gone"));
    h.step();
    assertThat(h.session.fatalError()).isNotNull();
  }

  @Test
  void aBadSubprotocolIsAFatalNegotiationFailure() {
    h.start();
    h.transport.last().subprotocol("com.mongodb.realm-query-sync#7").accept();
    h.step();
    assertThat(h.session.fatalError().getMessage()).contains("negotiation failed");
    assertThat(h.transport.last().isClosed()).isTrue();
  }

  @Test
  void aTransientCredentialsFailureBacksOffAFatalOneStops() {
    h.credentials.answer(r -> CompletableFuture.failedFuture(new SyncException(
        SyncException.Category.AUTHENTICATION, 0, null, false, "location: HTTP 503", null)));
    h.start();
    assertThat(h.transport.attempts()).isZero();
    assertThat(h.session.fatalError()).isNull();
    h.credentials.answer(r -> CompletableFuture.failedFuture(new SyncException(
        SyncException.Category.AUTHENTICATION, 0, null, true, "login: HTTP 401", null)));
    h.advance(Duration.ofSeconds(1));
    assertThat(h.session.fatalError().getMessage()).isEqualTo("login: HTTP 401");
  }
}
