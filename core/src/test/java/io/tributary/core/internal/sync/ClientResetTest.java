package io.tributary.core.internal.sync;

import static io.tributary.core.internal.sync.SessionHarness.jsonError;
import static io.tributary.core.internal.sync.SessionHarness.uploads;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ClientResetMode;
import io.tributary.core.SyncException;
import io.tributary.core.SyncOptions;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.testing.FakeTransport;
import io.tributary.core.testing.ListUploadLog;
import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.UnbindMessage;
import io.tributary.protocol.message.UploadMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Client reset ({@link ClientResetMode}): when the server no longer knows the client file
 * (208-211, 217, 222), RECOVER binds as a new file and uploads the unacknowledged entries again;
 * MANUAL, a refused recovery or a second refusal stop the session with the entries kept.
 */
class ClientResetTest {
  private final SessionHarness h = new SessionHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static List<Long> sentVersions(List<UploadMessage> ups) {
    List<Long> v = new ArrayList<>();
    ups.forEach(u -> u.entries().forEach(e -> v.add(e.clientVersion())));
    return v;
  }

  /**
   * File 2 uploads 1..3, the server acknowledges 1..2 at server version 4, then 4..5 are written
   * (stamped with server version 4): the log holds 3..5 when the server loses the file.
   */
  private FakeTransport.Connection uploadedThenLost(SyncOptions o, LongFunction<String> error) {
    h.append(3, 40, 2);
    h.start(o);
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    h.deliver(h.download(4, 2, 4, 44, 2, 0));
    h.append(2, 40, 2);
    h.step();
    assertThat(h.list.entries()).extracting(ListUploadLog.Entry::version).containsExactly(3L, 4L, 5L);
    assertThat(h.list.entries().get(2).lastIntegratedServerVersion()).isEqualTo(4);
    c.clearSent();
    h.deliver(error.apply(h.ident));
    return c;
  }

  private static String error208(long session) {
    String text = "client file ident 2 is unknown to this server";
    return "error 208 " + text.length() + " 0 " + session + "\n" + text;
  }

  @Test
  void recoverBindsAsANewFileAndUploadsEveryUnacknowledgedEntryAgain() {
    FakeTransport.Connection c = uploadedThenLost(h.options().build(), ClientResetTest::error208);

    // UNBIND, the old file and the server's cursors forgotten durably, entries kept, reported
    assertThat(c.sent()).containsExactly(new UnbindMessage(h.ident));
    assertThat(h.session.fatalError()).isNull();
    assertThat(h.log.metadata().progress()).isEqualTo(SyncProgress.NONE);
    assertThat(h.list.entries()).hasSize(3);
    assertThat(h.errors).last().satisfies(e -> {
      assertThat(e.isFatal()).isFalse();
      assertThat(e.errorCode()).isEqualTo(208);
      assertThat(e.action()).isEqualTo(ErrorAction.CLIENT_RESET);
      assertThat(e.getMessage()).contains("client reset").contains("(was 2)");
    });
    CompletableFuture<Void> waiter = h.session.uploadCompletion(5);

    // after the rebind delay: BIND asking for a new ident, IDENT with zero cursors
    h.advance(Duration.ofSeconds(1));
    assertThat(c.sent()).hasSize(2);
    assertThat(c.sent().get(1)).isEqualTo(
        new BindMessage(h.ident, "{\"schemaVersion\":0,\"sessionReason\":0}", "", true, false));
    c.clearSent();
    h.deliver("ident " + h.ident + " 9 99\n");
    assertThat(h.log.metadata().clientFileIdent()).isEqualTo(9);
    assertThat(c.sent().get(0)).isEqualTo(new ClientIdentMessage(h.ident, 9, 99, 0, 0, 0, 0, 0,
        "{}"));

    // 3..5 again, with server versions the new file had (0), not the lost file's 4
    List<UploadMessage> ups = uploads(c);
    assertThat(sentVersions(ups)).containsExactly(3L, 4L, 5L);
    assertThat(ups).allSatisfy(u -> {
      assertThat(u.progressServerVersion()).isZero();
      u.entries().forEach(e -> assertThat(e.lastIntegratedServerVersion()).isZero());
    });

    // the new file's acknowledgement (cursors below the lost file's) is accepted and drains
    assertThat(waiter).isNotDone();
    h.deliver(h.download(1, 5, 1, 7, 5, 0));
    assertThat(waiter).isCompleted();
    assertThat(h.list.entries()).isEmpty();
    assertThat(h.log.metadata().progress()).isEqualTo(new SyncProgress(1, 5, 1, 7, 5, 0));

    // later writes go to the new file as usual
    h.append(1, 40, 1);
    h.step();
    assertThat(sentVersions(uploads(c))).containsExactly(3L, 4L, 5L, 6L);
    assertThat(h.session.fatalError()).isNull();
  }

  @ParameterizedTest
  @ValueSource(ints = {208, 209, 210, 211, 217, 222})
  void everyLostFileCodeResetsWithAPlainErrorOrTheClientResetAction(int code) {
    FakeTransport.Connection c =
        uploadedThenLost(h.options().build(),
        session -> jsonError(code, session, "ClientReset", false, null));
    assertThat(h.session.fatalError()).isNull();
    assertThat(h.errors).last().extracting(SyncException::errorCode).isEqualTo(code);
    h.advance(Duration.ofSeconds(1));
    assertThat(c.sent()).last().isInstanceOf(BindMessage.class)
        .extracting(m -> ((BindMessage) m).needClientFileIdent()).isEqualTo(true);
  }

  @Test
  void aSecondRefusalBeforeTheNewFileWasAcceptedStopsTheSessionAndKeepsTheEntries() {
    FakeTransport.Connection c = uploadedThenLost(h.options().build(), ClientResetTest::error208);
    h.advance(Duration.ofSeconds(1));
    h.deliver("ident " + h.ident + " 9 99\n");
    String text = "client file ident 9 is unknown to this server";
    h.deliver("error 208 " + text.length() + " 0 " + h.ident + "\n" + text);
    assertThat(h.session.fatalError()).satisfies(e -> {
      assertThat(e.isFatal()).isTrue();
      assertThat(e.errorCode()).isEqualTo(208);
      assertThat(e.getMessage()).contains("again after a client reset");
    });
    assertThat(h.list.entries()).hasSize(3);
    assertThat(c.isClosed()).isTrue();
  }

  @Test
  void aRefusalAfterTheNewFileWasAcceptedResetsAgain() {
    FakeTransport.Connection c = uploadedThenLost(h.options().build(), ClientResetTest::error208);
    h.advance(Duration.ofSeconds(1));
    h.deliver("ident " + h.ident + " 9 99\n");
    h.deliver(h.download(1, 3, 1, 7, 3, 0)); // the new file is accepted: 3 acknowledged
    h.deliver(error208(h.ident));
    assertThat(h.session.fatalError()).isNull();
    c.clearSent();
    h.advance(Duration.ofSeconds(10));
    h.deliver("ident " + h.ident + " 12 120\n");
    assertThat(sentVersions(uploads(c))).containsExactly(4L, 5L);
  }

  @Test
  void manualModeStopsTheSessionAndKeepsTheFileAndTheEntries() {
    FakeTransport.Connection c = uploadedThenLost(
        h.options().clientReset(ClientResetMode.MANUAL).build(), ClientResetTest::error208);
    assertThat(h.session.fatalError()).satisfies(e -> {
      assertThat(e.isFatal()).isTrue();
      assertThat(e.errorCode()).isEqualTo(208);
    });
    assertThat(h.log.metadata().clientFileIdent()).isEqualTo(2);
    assertThat(h.log.metadata().progress().uploadClientVersion()).isEqualTo(2);
    assertThat(h.list.entries()).hasSize(3);
    assertThat(c.isClosed()).isTrue();
  }

  @Test
  void aServerThatForbidsRecoveryStopsTheSession() {
    uploadedThenLost(h.options().build(),
        session -> jsonError(208, session, "ClientResetNoRecovery", false, null));
    assertThat(h.session.fatalError()).isNotNull();
    assertThat(h.session.fatalError().action()).isEqualTo(ErrorAction.CLIENT_RESET_NO_RECOVERY);
    assertThat(h.list.entries()).hasSize(3);
  }
}
