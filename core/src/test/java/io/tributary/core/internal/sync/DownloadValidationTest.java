package io.tributary.core.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ConnectionState;
import io.tributary.core.SyncException;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.testing.FakeTransport;
import io.tributary.protocol.message.ClientJsonErrorMessage;
import io.tributary.protocol.message.UnbindMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every client check of spec protocol.md §5.6 on a DOWNLOAD: a violation closes the connection as
 * a protocol violation, stops the session (fatal, reported), fails the waiters and leaves the log
 * untouched. Stored progress: download (5, 4), latest (5, salt 50), upload (4, 2); the client file
 * is ident 2; the newest local version is 10.
 */
class DownloadValidationTest {
  private final SessionHarness h = new SessionHarness();
  private FakeTransport.Connection c;

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void connectWithStoredProgress() {
    h.append(10, 20, 1);
    h.list.preset(2, 3, new SyncProgress(5, 4, 5, 50, 4, 2));
    h.start();
    c = h.accept();
    assertThat(c.sentHeaders()).anyMatch(s -> s.startsWith("upload"));
  }

  static Stream<Arguments> violations() {
    // session ident is filled in as %s
    return Stream.of(
        Arguments.of("1 latest_server_version goes back",
            "download %s 4 4 4 40 4 2 0 2 1 0 0 0\n", "latest_server_version: 4"),
        Arguments.of("2 upload_client_version goes back",
            "download %s 5 3 5 50 3 2 0 2 1 0 0 0\n", "upload_client_version: 3"),
        Arguments.of("3 upload_client_version beyond the newest local version",
            "download %s 6 5 6 60 11 2 0 2 1 0 0 0\n", "upload_client_version: 11 (expected: <="
                + " the newest local version 10)"),
        Arguments.of("4 download_server_version goes back",
            "download %s 4 4 6 60 4 2 0 2 1 0 0 0\n", "download_server_version: 4"),
        Arguments.of("5 download_server_version beyond latest",
            "download %s 7 5 6 60 6 2 0 2 1 0 0 0\n", "download_server_version: 7 (expected: <="
                + " latest_server_version 6)"),
        Arguments.of("6 download_client_version goes back",
            "download %s 6 3 6 60 6 2 0 2 1 0 0 0\n", "download_client_version: 3"),
        Arguments.of("7 download_client_version beyond upload_client_version",
            "download %s 6 7 6 60 6 2 0 2 1 0 0 0\n", "download_client_version: 7 (expected: <="
                + " upload_client_version 6)"),
        Arguments.of("8 download_server_version below upload_server_version",
            "download %s 6 5 6 60 6 7 0 2 1 0 0 0\n", "download_server_version: 6 (expected: >="
                + " upload_server_version 7)"),
        Arguments.of("upload_server_version goes back",
            "download %s 6 5 6 60 6 1 0 2 1 0 0 0\n", "upload_server_version: 1"),
        Arguments.of("negative salt",
            "download %s 6 5 6 -60 6 2 0 2 1 0 0 0\n",
            "download.latest_server_version_salt at byte"),
        Arguments.of("negative query version",
            "download %s 6 5 6 60 6 2 -1 2 1 0 0 0\n", "download.query_version at byte"),
        Arguments.of("batch state 3", "download %s 6 5 6 60 6 2 0 3 1 0 0 0\n", "batch_state"),
        Arguments.of("progress estimate above 1", "download %s 6 5 6 60 6 2 0 2 1.5 0 0 0\n",
            "progress_estimate"),
        Arguments.of("body size beyond the message", "download %s 6 5 6 60 6 2 0 2 1 0 9 0\n",
            "uncompressed_body_size"),
        Arguments.of("9 entry server_version below the stored download server version",
            entry("4 5 0 1 0 0 "), "entry 0 server_version: 4 (expected: 5..6)"),
        Arguments.of("9 entry server_version beyond download_server_version",
            entry("7 5 0 1 0 0 "), "entry 0 server_version: 7 (expected: 5..6)"),
        Arguments.of("9 entry client_version beyond download_client_version",
            entry("6 6 0 1 0 0 "), "entry 0 client_version: 6 (expected: 4..5)"),
        Arguments.of("9 entry origin_file_ident 0", entry("6 5 0 0 0 0 "),
            "entry 0 origin_file_ident: 0 (expected: > 0 and not this client's 2)"),
        Arguments.of("9 entry from this client file", entry("6 5 0 2 0 0 "),
            "entry 0 origin_file_ident: 2 (expected: > 0 and not this client's 2)"),
        Arguments.of("9 entries going back", entry("6 5 0 1 0 0 5 5 0 1 0 0 "),
            "entry 1 server_version: 5 (expected: 6..6)"),
        Arguments.of("a session this client never used", "download 999999 6 5 6 60 6 2 0 2 1 0 0"
            + " 0\n", "DOWNLOAD for session 999999"),
        Arguments.of("trailing bytes", "download %s 6 5 6 60 6 2 0 2 1 0 0 0\nx",
            "malformed message"),
        Arguments.of("unknown message type", "alloc %s 1\n", "malformed message"));
  }

  /** A bootstrap message (batch state 1) with the given body (empty changesets). */
  private static String entry(String body) {
    return "download %s 6 5 6 60 6 2 0 1 1 0 " + body.getBytes(StandardCharsets.UTF_8).length
        + " 0\n" + body;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("violations")
  void aViolationClosesTheConnectionAndStopsTheSession(String name, String message,
      String expected) throws Exception {
    connectWithStoredProgress();
    CompletableFuture<Void> waiter = h.session.uploadCompletion(10);
    h.deliver(String.format(message, h.ident));

    assertThat(c.isClosed()).isTrue();
    assertThat(h.state()).isEqualTo(ConnectionState.DISCONNECTED);
    SyncException error = h.session.fatalError();
    assertThat(error).isNotNull();
    assertThat(error.category()).isEqualTo(SyncException.Category.PROTOCOL_VIOLATION);
    assertThat(error.isFatal()).isTrue();
    assertThat(error.getMessage()).startsWith("protocol violation by the server: ")
        .contains(expected);
    assertThat(h.errors).contains(error);
    assertThat(waiter).isCompletedExceptionally();
    try {
      waiter.get();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isSameAs(error);
    }
    assertThat(h.session.uploadCompletion(1)).isCompletedExceptionally(); // also after the fact
    assertThat(h.list.acknowledgements()).isEmpty();
    assertThat(h.list.entries()).hasSize(10);
    // fatal: no reconnect, however long we wait
    h.advance(Duration.ofHours(1));
    assertThat(h.transport.attempts()).isEqualTo(1);
  }

  @Test
  void aValidDownloadIsPersisted() {
    connectWithStoredProgress();
    h.deliver(h.download(6, 5, 6, 60, 6, 2));
    assertThat(h.log.metadata().progress()).isEqualTo(new SyncProgress(6, 5, 6, 60, 6, 2));
    assertThat(h.list.entries()).extracting(e -> e.version()).containsExactly(7L, 8L, 9L, 10L);
    assertThat(h.session.fatalError()).isNull();
  }

  @Test
  void messagesWithSessionIdentZeroAreIgnored() {
    connectWithStoredProgress();
    h.deliver("download 0 6 5 6 60 6 2 0 2 1 0 0 0\n");
    h.deliver("ident 0 9 9\n");
    h.deliver("unbound 0\n");
    h.deliver("mark 0 1\n");
    assertThat(h.session.fatalError()).isNull();
    assertThat(h.list.acknowledgements()).isEmpty();
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  void aDownloadBeforeIdentIsAViolation() {
    h.append(1, 10, 1);
    h.start();
    c = h.accept(); // new file: waiting for the server's IDENT
    h.deliver(h.download(0, 0, 0, 0, 0, 0));
    assertThat(h.session.fatalError().getMessage()).contains("DOWNLOAD before IDENT");
    assertThat(c.isClosed()).isTrue();
  }

  @Test
  void anEmptyBootstrapIsAcceptedAndAppliedWithItsLastMessage() {
    connectWithStoredProgress();
    // batch state 0 (more to come), then 1 (last in batch), each one entry with no changeset
    h.deliver(String.format("download %s 6 5 6 60 5 2 0 0 0.5 0 %d 0\n%s", h.ident,
        "6 5 375352805 1 0 0 ".length(), "6 5 375352805 1 0 0 "));
    assertThat(h.list.acknowledgements()).isEmpty();
    h.deliver(String.format("download %s 6 5 6 60 6 2 0 1 1 0 %d 0\n%s", h.ident,
        "6 5 375352805 1 0 0 ".length(), "6 5 375352805 1 0 0 "));
    assertThat(h.session.fatalError()).isNull();
    assertThat(h.log.metadata().progress()).isEqualTo(new SyncProgress(6, 5, 6, 60, 6, 2));
  }

  @Test
  void aDownloadedChangesetIsRefusedWithJsonError212AndUnbind() throws Exception {
    connectWithStoredProgress();
    CompletableFuture<Void> waiter = h.session.uploadCompletion(10);
    c.clearSent();
    h.deliver(String.format("download %s 6 5 6 60 6 2 0 2 1 0 %d 0\n%s", h.ident,
        "6 5 0 1 3 3 abc".length(), "6 5 0 1 3 3 abc"));
    assertThat(c.sent()).hasSize(2);
    assertThat(c.sent().get(0)).isInstanceOfSatisfying(ClientJsonErrorMessage.class, m -> {
      assertThat(m.errorCode()).isEqualTo(212);
      assertThat(m.sessionIdent()).isEqualTo(h.ident);
      assertThat(m.message()).contains("not supported by an ingest client");
    });
    assertThat(c.sent().get(1)).isEqualTo(new UnbindMessage(h.ident));
    // the waiters learn it at once; the progress was not persisted
    assertThat(waiter).isCompletedExceptionally();
    assertThat(h.session.fatalError().errorCode()).isEqualTo(212);
    assertThat(h.list.acknowledgements()).isEmpty();
    // the server answers the UNBIND: then the connection closes and the session stays stopped
    assertThat(c.isClosed()).isFalse();
    h.deliver("unbound " + h.ident + "\n");
    assertThat(c.isClosed()).isTrue();
    h.advance(Duration.ofHours(1));
    assertThat(h.transport.attempts()).isEqualTo(1);
  }
}
