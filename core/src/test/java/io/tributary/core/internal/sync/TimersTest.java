package io.tributary.core.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ConnectionState;
import io.tributary.core.SyncException;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.core.testing.FakeTransport;
import io.tributary.protocol.message.PingMessage;
import io.tributary.protocol.message.UnbindMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session's timers with an injected ticker (spec protocol.md §3.6): the reconnect backoff
 * schedule, its jitter and reset, PING/PONG, and the close timeout. Nothing sleeps: time moves only
 * when the test advances the ticker.
 */
class TimersTest {
  private final SessionHarness h = new SessionHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void failConnect() {
    h.transport.last().refuse(new SyncTransportException("connection refused"));
    h.step();
  }

  /** Advances in steps of {@code resolution} until a new connect attempt; returns the time taken. */
  private Duration timeToNextAttempt(Duration resolution, Duration limit) {
    int before = h.transport.attempts();
    Duration waited = Duration.ZERO;
    while (h.transport.attempts() == before) {
      if (waited.compareTo(limit) > 0) {
        throw new AssertionError("no reconnect within " + limit);
      }
      h.advance(resolution);
      waited = waited.plus(resolution);
    }
    return waited;
  }

  @Test
  void reconnectDelaysDoubleFromOneSecondUpTo300Seconds() {
    h.start();
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      failConnect();
      long expected = Math.min(300, 1L << i);
      h.advance(Duration.ofSeconds(expected).minusMillis(1));
      assertThat(h.transport.attempts()).as("attempt %d before its delay", i).isEqualTo(i + 1);
      h.advance(Duration.ofMillis(1));
      assertThat(h.transport.attempts()).as("attempt %d after its delay", i).isEqualTo(i + 2);
      delays.add(expected);
    }
    assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L,
        300L);
  }

  @Test
  void aDifferentFailureStartsAgainAtTheInitialDelay() {
    h.start();
    failConnect();
    h.advance(Duration.ofSeconds(1));
    failConnect();
    h.advance(Duration.ofSeconds(2));
    failConnect();
    h.advance(Duration.ofSeconds(4)); // next connect-failed would wait 8 s
    h.transport.last().refuse(new SyncTransportException.HandshakeException(503, "busy"));
    h.step();
    assertThat(timeToNextAttempt(Duration.ofMillis(100), Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void jitterShortensEachDelayByUpToAQuarter() {
    h.start(h.options().reconnectJitter(0.25).build(), new Random(42));
    List<Long> permille = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      failConnect();
      Duration d = timeToNextAttempt(Duration.ofMillis(10), Duration.ofSeconds(40));
      Duration nominal = Duration.ofSeconds(1L << i);
      assertThat(d).as("delay %d", i)
          .isLessThanOrEqualTo(nominal)
          .isGreaterThanOrEqualTo(nominal.multipliedBy(3).dividedBy(4));
      permille.add(d.toMillis() * 1000 / nominal.toMillis());
    }
    assertThat(new java.util.HashSet<>(permille)).as("jitter is random, not a constant fraction: %s",
        permille).hasSizeGreaterThan(2);
  }

  @Test
  void theBackoffResetsAfterAConnectionThatGotADownload() {
    h.append(1, 10, 1);
    h.list.preset(2, 3, SyncProgress.NONE);
    h.start();
    h.accept().drop(null);
    h.step();
    assertThat(timeToNextAttempt(Duration.ofMillis(100), Duration.ofSeconds(5)))
        .isEqualTo(Duration.ofSeconds(1));
    h.accept().drop(null);
    h.step();
    assertThat(timeToNextAttempt(Duration.ofMillis(100), Duration.ofSeconds(5)))
        .isEqualTo(Duration.ofSeconds(2));
    h.accept();
    h.deliver(h.download(0, 0, 0, 0, 1, 0));
    h.transport.last().drop(null);
    h.step();
    assertThat(timeToNextAttempt(Duration.ofMillis(100), Duration.ofSeconds(5)))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void pingsComeAtARandomPointOfTheFirstPeriodThenEveryPeriodMinusUpToTenPercent() {
    h.start();
    FakeTransport.Connection c = h.accept();
    c.clearSent();
    Duration first = Duration.ZERO;
    while (c.sent().isEmpty()) {
      assertThat(first).isLessThanOrEqualTo(Duration.ofSeconds(60));
      h.advance(Duration.ofMillis(500));
      first = first.plusMillis(500);
    }
    PingMessage ping = (PingMessage) c.sent().get(0);
    assertThat(ping.rttMs()).isZero();
    // answered 250 ms later: the next PING is due 54..60 s after the first was sent
    h.advance(Duration.ofMillis(250));
    h.deliver("pong " + ping.timestampMs() + "\n");
    c.clearSent();
    h.advance(Duration.ofSeconds(54).minusMillis(250).minusMillis(1));
    assertThat(c.sent()).isEmpty();
    Duration next = Duration.ofSeconds(54).minusMillis(1);
    while (c.sent().isEmpty()) {
      assertThat(next).isLessThanOrEqualTo(Duration.ofSeconds(60));
      h.advance(Duration.ofMillis(100));
      next = next.plusMillis(100);
    }
    PingMessage second = (PingMessage) c.sent().get(0);
    assertThat(second.rttMs()).isEqualTo(250);
    assertThat(second.timestampMs()).isGreaterThan(ping.timestampMs());
  }

  @Test
  void noPongWithinTheTimeoutClosesTheConnectionAndReconnects() {
    h.start(h.options().pingInterval(Duration.ofSeconds(10)).build());
    FakeTransport.Connection c = h.accept();
    h.advance(Duration.ofSeconds(10)); // the first PING is out by now
    assertThat(c.sentHeaders()).anyMatch(s -> s.startsWith("ping "));
    h.advance(Duration.ofSeconds(110));
    assertThat(c.isClosed()).isFalse();
    h.advance(Duration.ofSeconds(10));
    assertThat(c.isClosed()).isTrue();
    assertThat(h.session.fatalError()).isNull();
    assertThat(h.errors).last().satisfies(e -> assertThat(e.getMessage()).contains("no PONG"));
    h.advance(Duration.ofSeconds(1));
    assertThat(h.transport.attempts()).isEqualTo(2);
  }

  @Test
  void aPongWithTheWrongTimestampIsAViolation() {
    h.start();
    FakeTransport.Connection c = h.accept();
    h.advance(Duration.ofSeconds(60));
    PingMessage ping = (PingMessage) c.sent().stream().filter(m -> m instanceof PingMessage)
        .findFirst().orElseThrow();
    h.deliver("pong " + (ping.timestampMs() + 1) + "\n");
    assertThat(h.session.fatalError().category())
        .isEqualTo(SyncException.Category.PROTOCOL_VIOLATION);
  }

  @Test
  void aPongWithoutAPingIsAViolation() {
    h.start();
    h.accept();
    h.deliver("pong 5\n");
    assertThat(h.session.fatalError().getMessage()).contains("no PING outstanding");
  }

  @Test
  void closeSendsUnbindAndEndsOnUnbound() throws Exception {
    h.append(1, 10, 1);
    h.list.preset(2, 3, SyncProgress.NONE);
    h.start();
    FakeTransport.Connection c = h.accept();
    CompletableFuture<Void> waiter = h.session.uploadCompletion(1);
    c.clearSent();
    h.session.close();
    h.step();
    assertThat(c.sent()).containsExactly(new UnbindMessage(h.ident));
    assertThat(c.isClosed()).isFalse();
    assertThat(h.session.isClosed()).isFalse();
    h.deliver("unbound " + h.ident + "\n");
    assertThat(c.isClosed()).isTrue();
    assertThat(h.session.isClosed()).isTrue();
    assertThat(h.state()).isEqualTo(ConnectionState.DISCONNECTED);
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, waiter::get);
    assertThat(((SyncException) e.getCause()).category()).isEqualTo(SyncException.Category.CLOSED);
  }

  @Test
  void closeGivesUpWaitingForUnboundAfterTheCloseTimeout() {
    h.start(h.options().closeTimeout(Duration.ofSeconds(3)).build());
    FakeTransport.Connection c = h.accept();
    h.deliver("ident " + h.ident + " 2 3\n");
    h.session.close();
    h.step();
    h.advance(Duration.ofMillis(2999));
    assertThat(c.isClosed()).isFalse();
    h.advance(Duration.ofMillis(1));
    assertThat(c.isClosed()).isTrue();
    assertThat(h.session.isClosed()).isTrue();
  }

  @Test
  void closeWhileWaitingToReconnectEndsAtOnce() {
    h.start();
    failConnect();
    h.session.close();
    h.step();
    assertThat(h.session.isClosed()).isTrue();
    h.advance(Duration.ofHours(1));
    assertThat(h.transport.attempts()).isEqualTo(1);
  }

  @Test
  void aConnectionThatCompletesAfterCloseIsClosed() {
    h.start();
    FakeTransport.Connection c = h.transport.last();
    h.session.close();
    h.step();
    c.accept();
    h.step();
    assertThat(c.isClosed()).isTrue();
    assertThat(c.sent()).isEmpty();
  }
}
