package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.SyncProgress;
import io.tributary.core.testing.FakeCredentials;
import io.tributary.core.testing.FakeTransport;
import io.tributary.core.testing.ListUploadLog;
import io.tributary.core.testing.ScriptedServer;
import io.tributary.protocol.ObjectId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The realm's sync API on its real session thread, against an in-memory transport with a
 * scripted server: {@link IngestRealm#waitForUploadCompletion} always ends (acknowledged, timed
 * out, or the fatal error), listeners, close, and resumption of a log left by an earlier run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IngestRealmSyncTest {
  private static final Schema SCHEMA =
      Schema.of(ObjectSchema.asymmetric("Reading")
          .primaryKey("_id", PropertyType.OBJECT_ID)
          .property("value", PropertyType.DOUBLE));

  private final ListUploadLog list = new ListUploadLog();
  private final FakeTransport transport = new FakeTransport();
  private final FakeCredentials credentials = new FakeCredentials();
  private IngestRealm realm;

  @AfterEach
  void tearDown() {
    if (realm != null) {
      realm.close();
    }
  }

  private IngestRealm open() {
    return open(SyncOptions.DEFAULT);
  }

  private IngestRealm open(SyncOptions options) {
    realm = IngestRealm.open(IngestConfig.builder(SCHEMA)
        .storage(list.storage())
        .server(java.net.URI.create("http://sync.test:7800"), "test-app")
        .credentials(Credentials.provider(credentials))
        .transport(transport)
        .syncOptions(options)
        .build());
    return realm;
  }

  private void write(int objects) {
    realm.write(tx -> {
      for (int i = 0; i < objects; i++) {
        tx.create("Reading", ObjectId.get()).set("value", (double) i);
      }
    });
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  @Test
  void waitForUploadCompletionReturnsOnceTheServerAcknowledgedEverything() throws Exception {
    ScriptedServer server = new ScriptedServer(transport);
    open();
    for (int i = 0; i < 20; i++) {
      write(5);
    }
    realm.waitForUploadCompletion(Duration.ofSeconds(30));
    // the schema changeset (version 1) and the 20 transactions, each integrated once, in order
    assertThat(server.integrated()).hasSize(21).isSorted().doesNotHaveDuplicates();
    // the local delete follows the acknowledgement (the wait does not include it)
    await(() -> list.entries().isEmpty(), "the acknowledged entries deleted from the log");
    assertThat(realm.connectionState()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(realm.syncError()).isNull();
  }

  @Test
  void theAsyncVariantCompletesToo() throws Exception {
    new ScriptedServer(transport);
    open();
    write(3);
    realm.waitForUploadCompletionAsync().get(30, TimeUnit.SECONDS);
    // the local delete follows the acknowledgement (the wait does not include it)
    await(() -> list.entries().isEmpty(), "the acknowledged entries deleted from the log");
  }

  @Test
  void anEmptyLogCompletesAtOnceEvenWithoutAConnection() throws Exception {
    // an earlier run wrote the schema changeset and had it acknowledged
    IngestRealm.open(IngestConfig.builder(SCHEMA).storage(list.storage()).build()).close();
    try (var log = list.storage().open(ListUploadLog.options())) {
      log.acknowledge(new SyncProgress(0, 0, 0, 0, 1, 0));
    }
    open(); // nobody accepts the connection
    realm.waitForUploadCompletion(Duration.ZERO);
    assertThat(realm.waitForUploadCompletionAsync()).isCompleted();
  }

  @Test
  void itTimesOutWhenTheServerDoesNotAcknowledge() {
    open(); // the connection is never accepted
    write(1);
    assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ofMillis(200)))
        .isInstanceOf(SyncTimeoutException.class)
        .hasMessageStartingWith("waitForUploadCompletion: client version 2 not acknowledged after"
            + " PT0.2S (acknowledged: 0, entries in the log: 2, connection: CONNECTING)");
  }

  @Test
  void aFatalServerErrorMakesTheWaitThrowThatErrorPromptly() {
    ScriptedServer server = new ScriptedServer(transport);
    server.onUpload(u -> {
      String json = "{\"action\":\"ApplicationBug\",\"isRecoveryModeDisabled\":false,\"logURL\":\"\","
          + "\"message\":\"schema mismatch\",\"shouldClientReset\":false,\"tryAgain\":false}";
      return "json_error 225 " + json.length() + " " + u.sessionIdent() + "\n" + json;
    });
    open();
    write(1);
    long start = System.nanoTime();
    assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ofSeconds(50)))
        .isInstanceOfSatisfying(SyncException.class, e -> {
          assertThat(e.errorCode()).isEqualTo(225);
          assertThat(e.isFatal()).isTrue();
          assertThat(e.getMessage()).contains("schema mismatch");
          assertThat(e.getCause()).isInstanceOf(SyncException.class); // the session's own error
        });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(50));
    // also after the fact, at once, and from the async variant
    assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ZERO))
        .isInstanceOf(SyncException.class);
    assertThat(realm.waitForUploadCompletionAsync()).isCompletedExceptionally();
    assertThat(realm.syncError().errorCode()).isEqualTo(225);
    assertThat(realm.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    // the data stays in the log
    assertThat(list.entries()).hasSize(2);
  }

  @Test
  void closingWakesWaitersWithAClosedError() throws Exception {
    open();
    write(1);
    var f = realm.waitForUploadCompletionAsync();
    realm.close();
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::join).hasCauseInstanceOf(SyncException.class)
        .cause().satisfies(e -> assertThat(((SyncException) e).category())
            .isEqualTo(SyncException.Category.CLOSED));
    assertThat(transport.isClosed()).as("a borrowed transport stays open").isFalse();
    assertThat(credentials.isClosed()).as("a borrowed provider stays open").isFalse();
    assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("waitForUploadCompletion: the IngestRealm is closed (expected: an open realm)");
  }

  @Test
  void closeUnbindsAndWaitsForUnbound() throws Exception {
    ScriptedServer server = new ScriptedServer(transport);
    open();
    realm.waitForUploadCompletion(Duration.ofSeconds(30)); // the schema changeset
    assertThat(server.integrated()).containsExactly(1L);
    FakeTransport.Connection c = transport.last();
    realm.close();
    assertThat(c.sentHeaders()).last().asString().startsWith("unbind ");
    assertThat(c.isClosed()).isTrue();
  }

  @Test
  void listenersSeeTheConnectionAndTheProgress() throws Exception {
    new ScriptedServer(transport);
    List<String> states = new CopyOnWriteArrayList<>();
    List<UploadProgress> progress = new CopyOnWriteArrayList<>();
    open();
    realm.addConnectionStateListener((from, to, error) -> states.add(from + "->" + to));
    realm.addUploadProgressListener(progress::add);
    write(4);
    write(6);
    realm.waitForUploadCompletion(Duration.ofSeconds(30));
    await(() -> !progress.isEmpty() && progress.get(progress.size() - 1).pendingEntries() == 0,
        "the last progress report");
    UploadProgress last = progress.get(progress.size() - 1);
    assertThat(last.pendingObjects()).isZero();
    assertThat(last.acknowledgedObjects()).isEqualTo(10);
    assertThat(last.acknowledgedBytes()).isPositive();
    assertThat(last.acknowledgedVersion()).isEqualTo(3);
    assertThat(progress).anyMatch(p -> p.pendingObjects() > 0);
    assertThat(states).allMatch(s -> s.contains("->"));
  }

  @Test
  void progressAndConnectionsCanBeReadWithoutAListener() throws Exception {
    new ScriptedServer(transport);
    open(SyncOptions.newBuilder()
        .reconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(10), 2).build());
    write(4);
    write(6);
    realm.waitForUploadCompletion(Duration.ofSeconds(30));
    await(() -> realm.uploadProgress().acknowledgedObjects() == 10, "the acknowledgement published");
    UploadProgress p = realm.uploadProgress();
    assertThat(p.pendingEntries()).isZero();
    assertThat(p.pendingObjects()).isZero();
    assertThat(p.acknowledgedVersion()).isEqualTo(3);
    assertThat(realm.connectionCount()).isEqualTo(1);
    // the server drops the connection: the session reconnects, and the count says so
    transport.last().drop(new java.io.IOException("reset by test"));
    await(() -> realm.connectionCount() == 2, "a second connection");
    write(5);
    realm.waitForUploadCompletion(Duration.ofSeconds(30));
    await(() -> realm.uploadProgress().acknowledgedObjects() == 15, "15 acknowledged");
    realm.close();
    assertThat(realm.connectionCount()).isEqualTo(2);
    assertThatThrownBy(() -> realm.uploadProgress()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anOfflineRealmReportsItsLogAsPending() {
    realm = IngestRealm.open(IngestConfig.builder(SCHEMA).storage(list.storage()).build());
    write(3);
    UploadProgress p = realm.uploadProgress();
    assertThat(p.pendingEntries()).isEqualTo(2); // the schema changeset and the transaction
    assertThat(p.pendingObjects()).isEqualTo(3);
    assertThat(p.pendingBytes()).isPositive();
    assertThat(p.acknowledgedObjects()).isZero();
    assertThat(realm.connectionCount()).isZero();
  }

  @Test
  void aThrowingListenerDoesNotStopTheSession() throws Exception {
    new ScriptedServer(transport);
    open();
    realm.addUploadProgressListener(p -> {
      throw new IllegalStateException("listener bug");
    });
    realm.addConnectionStateListener((a, b, c) -> {
      throw new IllegalStateException("listener bug");
    });
    write(2);
    realm.waitForUploadCompletion(Duration.ofSeconds(30));
    // the local delete follows the acknowledgement (the wait does not include it)
    await(() -> list.entries().isEmpty(), "the acknowledged entries deleted from the log");
  }

  @Test
  void aReopenedRealmResumesUploadingWhatItsLogHolds() throws Exception {
    // an earlier run: ident 2, nothing acknowledged, 3 commits plus the schema in the log
    ScriptedServer server = new ScriptedServer(transport);
    server.accepting(false);
    open();
    write(1);
    write(1);
    write(1);
    realm.close();
    list.preset(2, 4242, SyncProgress.NONE);
    server.accepting(true);
    open();
    realm.waitForUploadCompletion(Duration.ofSeconds(30));
    assertThat(server.integrated()).containsExactly(1L, 2L, 3L, 4L);
    FakeTransport.Connection c = transport.last();
    assertThat(c.sentHeaders().get(0)).endsWith(" 0 0"); // bind: need_client_file_ident 0
    assertThat(c.sentHeaders().get(1)).startsWith("ident ").contains(" 2 4242 ");
  }

  @Test
  void anOfflineRealmHasNoSession() {
    realm = IngestRealm.open(IngestConfig.builder(SCHEMA).storage(list.storage()).build());
    assertThat(realm.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(realm.syncError()).isNull();
    assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("waitForUploadCompletion: the realm has no server (expected: a realm opened"
            + " with IngestConfig.Builder.server(baseUrl, appId))");
    assertThatThrownBy(() -> realm.waitForUploadCompletionAsync())
        .isInstanceOf(IllegalStateException.class);
    realm.addConnectionStateListener((a, b, c) -> {}); // accepted, never called
  }

  @Test
  void aNegativeTimeoutIsRefused() {
    open();
    assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT-0.001S (expected: >= 0)");
  }
}
