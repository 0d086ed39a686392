package io.tributary.server;

import static io.tributary.server.testing.Changesets.bindNewFile;
import static io.tributary.server.testing.Changesets.entry;
import static io.tributary.server.testing.Changesets.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.BindParameters;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.ClientJsonErrorMessage;
import io.tributary.protocol.message.DownloadMessage;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.LogMessage;
import io.tributary.protocol.message.MarkMessage;
import io.tributary.protocol.message.PingMessage;
import io.tributary.protocol.message.PongMessage;
import io.tributary.protocol.message.QueryErrorMessage;
import io.tributary.protocol.message.QueryMessage;
import io.tributary.protocol.message.ServerIdentMessage;
import io.tributary.protocol.message.UnbindMessage;
import io.tributary.protocol.message.UnboundMessage;
import io.tributary.protocol.message.UploadMessage;
import io.tributary.server.testing.Changesets;
import io.tributary.server.testing.SyncTestClient;
import io.tributary.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session behaviour of spec protocol.md §5, §7.4, §8, §9 over real sockets. */
class SessionBehaviourTest {
  @TempDir Path dir;

  @Test
  void aFailedCommitAcknowledgesNothingAndStoresNothing() throws Exception {
    MemoryIngestSink sink = new MemoryIngestSink();
    try (TestServer server = TestServer.start(sink, b -> {});
        SyncTestClient c = server.connect("u")) {
      Changesets.BoundFile id = bindNewFile(c, 1);
      ObjectId oid = ObjectId.get();
      sink.failNextCommits(1);
      c.send(upload(1, entry(2, Changesets.schema()), entry(3, Changesets.readings(oid))));
      JsonErrorMessage e = c.next(JsonErrorMessage.class);
      assertThat(e.errorCode()).isEqualTo(201);
      assertThat(e.sessionIdent()).isEqualTo(1);
      assertThat(e.body().action()).isEqualTo(ErrorAction.TRANSIENT);
      assertThat(e.body().tryAgain()).isTrue();
      assertThat(e.body().backoff()).isNotNull();
      assertThat(sink.objectCount()).isZero();
      assertThat(sink.clientFile(id.clientFileIdent()).orElseThrow().getIntegratedClientVersion()).isZero();
      assertThat(server.server.metrics().commitFailures()).isEqualTo(1);

      // as realm-core does after a non-fatal session error: UNBIND (no UNBOUND comes), BIND, IDENT, re-send
      c.send(new UnbindMessage(1));
      c.send(BindMessage.flx(1, BindParameters.of(0), false));
      c.send(id.reident(1));
      DownloadMessage d = c.next(DownloadMessage.class);
      assertThat(d.batchState()).isEqualTo(DownloadMessage.BatchState.STEADY_STATE);
      assertThat(d.downloadClientVersion()).isZero();
      c.send(upload(1, entry(2, Changesets.schema()), entry(3, Changesets.readings(oid))));
      DownloadMessage ack = c.next(DownloadMessage.class);
      assertThat(ack.uploadClientVersion()).isEqualTo(3);
      assertThat(sink.objectCount()).isEqualTo(1);
    }
  }

  @Test
  void aFailedCommitOfAnAllocationSendsNoIdent() throws Exception {
    MemoryIngestSink sink = new MemoryIngestSink();
    try (TestServer server = TestServer.start(sink, b -> {});
        SyncTestClient c = server.connect("u")) {
      sink.failNextCommits(1);
      c.send(BindMessage.flx(1, BindParameters.of(0), true));
      JsonErrorMessage e = c.next(JsonErrorMessage.class);
      assertThat(e.errorCode()).isEqualTo(201);
      assertThat(e.body().tryAgain()).isTrue();
      assertThat(sink.clientFiles()).isEmpty();
      c.send(new UnbindMessage(1));
      Changesets.BoundFile id = bindNewFile(c, 1);
      assertThat(id.clientFileIdent()).as("the failed allocation's ident is handed out again").isEqualTo(2);
    }
  }

  @Test
  void pingIsAnsweredAtOnceEvenBeforeBind() throws Exception {
    try (TestServer server = TestServer.memory();
        SyncTestClient c = server.connect("u")) {
      c.send(new PingMessage(123456, 0));
      assertThat(c.next(PongMessage.class).timestampMs()).isEqualTo(123456);
    }
  }

  @Test
  void markIsAnsweredAfterTheAcknowledgementsOwed() throws Exception {
    try (TestServer server = TestServer.memory();
        SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      c.send(upload(1, entry(2, Changesets.schema()), entry(3, Changesets.readings(ObjectId.get()))));
      c.send(new MarkMessage(1, 7));
      assertThat(c.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(3);
      assertThat(c.next(MarkMessage.class)).isEqualTo(new MarkMessage(1, 7));
      // a progress-only UPLOAD is accepted and answered with nothing
      c.send(new io.tributary.protocol.message.UploadMessage(1, 4, 1, 1, List.of()));
      c.send(new MarkMessage(1, 8));
      assertThat(c.next(MarkMessage.class).requestIdent()).isEqualTo(8);
      c.send(new UnbindMessage(1));
      assertThat(c.next(UnboundMessage.class).sessionIdent()).isEqualTo(1);
    }
  }

  @Test
  void queryForTheEmptySetBootstrapsOthersGetQueryError226() throws Exception {
    try (TestServer server = TestServer.memory();
        SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      c.send(new QueryMessage(1, 1, "{}"));
      DownloadMessage d = c.next(DownloadMessage.class);
      assertThat(d.queryVersion()).isEqualTo(1);
      assertThat(d.batchState()).isEqualTo(DownloadMessage.BatchState.LAST_IN_BATCH);
      assertThat(d.entries()).singleElement().satisfies(e -> {
        assertThat(e.originFileIdent()).isEqualTo(1);
        assertThat(e.changesetSize()).isZero();
      });
      c.send(new QueryMessage(1, 2, "{\"Reading\":\"TRUEPREDICATE\"}"));
      QueryErrorMessage q = c.next(QueryErrorMessage.class);
      assertThat(q.errorCode()).isEqualTo(226);
      assertThat(q.queryVersion()).isEqualTo(2);
      // the session goes on
      c.send(upload(1, entry(2, Changesets.schema())));
      assertThat(c.next(DownloadMessage.class).queryVersion()).isEqualTo(2);
    }
  }

  @Test
  void aClientJsonErrorIsAnsweredSoThatTheClientRebinds() throws Exception {
    try (TestServer server = TestServer.memory();
        SyncTestClient c = server.connect("u")) {
      Changesets.BoundFile id = bindNewFile(c, 1);
      c.send(new ClientJsonErrorMessage(212, 1, "cannot integrate"));
      JsonErrorMessage e = c.next(JsonErrorMessage.class);
      assertThat(e.errorCode()).isEqualTo(201);
      assertThat(e.body().action()).isEqualTo(ErrorAction.WARNING);
      assertThat(e.body().tryAgain()).isTrue();
      c.send(new UnbindMessage(1));
      c.send(BindMessage.flx(1, BindParameters.of(0), false));
      c.send(id.reident(1));
      assertThat(c.next(DownloadMessage.class).batchState()).isEqualTo(DownloadMessage.BatchState.STEADY_STATE);
    }
  }

  @Test
  void belowProtocol12TheProgressFieldIsTheIntegerZero() throws Exception {
    try (TestServer server = TestServer.memory();
        SyncTestClient c = SyncTestClient.connect(server.server.syncUrl(), server.token("u"), 8, 11)) {
      assertThat(c.version()).isEqualTo(11);
      c.send(BindMessage.flx(1, BindParameters.of(0), true));
      ServerIdentMessage id = c.next(ServerIdentMessage.class);
      c.send(new ClientIdentMessage(1, id.clientFileIdent(), id.clientFileIdentSalt(), 0, 0, 0, 0, 0, "{}"));
      String header = new String(c.nextRaw(), StandardCharsets.US_ASCII).lines().findFirst().orElseThrow();
      // download s dsv dcv latest salt ucv usv q batch_state progress compressed size csize
      assertThat(header.split(" ")[10]).isEqualTo("0");
    }
    try (TestServer server = TestServer.memory();
        SyncTestClient c = server.connect("u")) {
      c.send(BindMessage.flx(1, BindParameters.of(0), true));
      ServerIdentMessage id = c.next(ServerIdentMessage.class);
      c.send(new ClientIdentMessage(1, id.clientFileIdent(), id.clientFileIdentSalt(), 0, 0, 0, 0, 0, "{}"));
      String header = new String(c.nextRaw(), StandardCharsets.US_ASCII).lines().findFirst().orElseThrow();
      assertThat(header.split(" ")[10]).isEqualTo("1");
    }
  }

  @Test
  void bindingAFileFromAnotherConnectionClosesTheOlderOne() throws Exception {
    try (TestServer server = TestServer.memory();
        SyncTestClient first = server.connect("u");
        SyncTestClient second = server.connect("u")) {
      Changesets.BoundFile id = bindNewFile(first, 1);
      second.send(BindMessage.flx(1, BindParameters.of(0), false));
      second.send(id.reident(1));
      assertThat(second.next(DownloadMessage.class).sessionIdent()).isEqualTo(1);
      assertThat(first.awaitClosed()).isEqualTo(-1);
      second.send(upload(1, entry(2, Changesets.schema()), entry(3, Changesets.readings(ObjectId.get()))));
      assertThat(second.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(3);
    }
  }

  @Test
  void sessionsBeyondTheLimitGetATransientError() throws Exception {
    try (TestServer server = TestServer.start(new MemoryIngestSink(), b -> b.maxSessionsPerConnection(2));
        SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      bindNewFile(c, 2);
      c.send(BindMessage.flx(3, BindParameters.of(0), true));
      JsonErrorMessage e = c.next(JsonErrorMessage.class);
      assertThat(e.errorCode()).as("201, never 224 (crashes realm-core)").isEqualTo(201);
      assertThat(e.sessionIdent()).isEqualTo(3);
      assertThat(e.body().action()).isEqualTo(ErrorAction.TRANSIENT);
      assertThat(e.body().tryAgain()).isTrue();
      c.send(upload(2, entry(2, Changesets.schema())));
      assertThat(c.next(DownloadMessage.class).sessionIdent()).isEqualTo(2);
    }
  }

  @Test
  void backPressurePausesAndResumesWithoutLosingAnything() throws Exception {
    int uploads = 300;
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir), b -> b.maxQueuedPerConnection(64 * 1024, 4));
        SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      c.send(upload(1, entry(2, Changesets.schema())));
      List<ObjectId> ids = new ArrayList<>();
      for (int i = 0; i < uploads; i++) {
        ObjectId id = ObjectId.get();
        ids.add(id);
        c.send(upload(1, entry(3 + i, Changesets.readings(id))));
      }
      long last = 0;
      for (int i = 0; i <= uploads; i++) {
        DownloadMessage ack = c.next(DownloadMessage.class);
        assertThat(ack.uploadClientVersion()).isGreaterThan(last);
        last = ack.uploadClientVersion();
      }
      assertThat(last).isEqualTo(2 + uploads);
      assertThat(server.store().objectCount()).isEqualTo(uploads);
      for (ObjectId id : ids) {
        assertThat(server.store().find("Reading", Values.objectId(id))).isPresent();
      }
      assertThat(server.server.metrics().commits()).as("group commit: fewer commits than uploads").isLessThan(uploads + 2);
    }
  }

  @Test
  void manyConnectionsWithManySessionsIngestConcurrently() throws Exception {
    int connections = 6;
    int sessions = 3;
    int uploads = 20;
    try (TestServer server = TestServer.lmdb(dir)) {
      List<java.util.concurrent.Future<List<ObjectId>>> results = new ArrayList<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(connections);
      try {
        for (int n = 0; n < connections; n++) {
          String user = "user-" + n;
          results.add(pool.submit(() -> {
            List<ObjectId> ids = new ArrayList<>();
            try (SyncTestClient c = server.connect(user)) {
              for (int s = 1; s <= sessions; s++) {
                bindNewFile(c, s);
              }
              for (int s = 1; s <= sessions; s++) {
                c.send(upload(s, entry(2, Changesets.schema())));
              }
              for (int i = 0; i < uploads; i++) {
                for (int s = 1; s <= sessions; s++) {
                  ObjectId a = ObjectId.get();
                  ObjectId b = ObjectId.get();
                  ids.add(a);
                  ids.add(b);
                  c.send(upload(s, entry(3 + i, Changesets.readings(a, b))));
                }
              }
              long[] last = new long[sessions + 1];
              for (int k = 0; k < sessions * (uploads + 1); k++) {
                DownloadMessage ack = c.next(DownloadMessage.class);
                int s = (int) ack.sessionIdent();
                assertThat(ack.uploadClientVersion()).as("acks of a session in order").isGreaterThan(last[s]);
                last[s] = ack.uploadClientVersion();
              }
              for (int s = 1; s <= sessions; s++) {
                assertThat(last[s]).isEqualTo(2 + uploads);
              }
            }
            return ids;
          }));
        }
        List<ObjectId> all = new ArrayList<>();
        for (java.util.concurrent.Future<List<ObjectId>> f : results) {
          all.addAll(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertThat(server.store().objectCount()).isEqualTo(all.size()).isEqualTo(connections * sessions * uploads * 2L);
        for (ObjectId id : all) {
          assertThat(server.store().find("Reading", Values.objectId(id))).isPresent();
        }
        assertThat(server.store().clientFiles()).hasSize(connections * sessions);
        assertThat(server.server.metrics().sessionsBound()).isEqualTo(connections * sessions);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aServerRestoredFromAnOlderBackupAdoptsTheClientsProvenProgress() throws Exception {
    Path live = dir.resolve("live");
    Path backup = dir.resolve("backup");
    Path backup2 = dir.resolve("backup2");
    Changesets.BoundFile id;
    try (TestServer server = TestServer.lmdb(live);
        SyncTestClient c = server.connect("u")) {
      id = bindNewFile(c, 1);
    }
    copy(live, backup);
    copy(live, backup2);
    DownloadMessage ack;
    try (TestServer server = TestServer.lmdb(live);
        SyncTestClient c = server.connect("u")) {
      c.send(BindMessage.flx(1, BindParameters.of(0), false));
      c.send(id.reident(1));
      DownloadMessage d = c.next(DownloadMessage.class);
      c.send(upload(1, entry(2, Changesets.schema()), entry(3, Changesets.readings(ObjectId.get()))));
      ack = c.next(DownloadMessage.class);
      assertThat(d.latestServerVersion()).isLessThan(ack.latestServerVersion());
    }
    // the restored server has never seen client version 3, but the salts prove the client's cursors
    try (TestServer server = TestServer.lmdb(backup);
        SyncTestClient c = server.connect("u")) {
      DownloadMessage d = rebindAfterRestore(c, id, ack);
      assertThat(d.downloadServerVersion()).isEqualTo(ack.downloadServerVersion());
      assertThat(d.downloadClientVersion()).isEqualTo(3);
      assertThat(d.uploadClientVersion()).isGreaterThanOrEqualTo(3);
      c.send(upload(1, entry(4, Changesets.readings(ObjectId.get()))));
      assertThat(c.next(DownloadMessage.class).downloadClientVersion()).isEqualTo(4);
    }
    // without recovery the same IDENT forces a client reset (209)
    try (TestServer server = TestServer.start(LmdbIngestSink.open(backup2), b -> b.stateRecovery(false));
        SyncTestClient c = server.connect("u")) {
      c.send(BindMessage.flx(1, BindParameters.of(0), false));
      c.send(id.reident(1, ack));
      JsonErrorMessage e = c.next(JsonErrorMessage.class);
      assertThat(e.errorCode()).isEqualTo(209);
      assertThat(e.body().action()).isEqualTo(ErrorAction.CLIENT_RESET);
    }
    // a salt this server never issued is a diverging history (211)
    try (TestServer server = TestServer.lmdb(live);
        SyncTestClient c = server.connect("u")) {
      c.send(BindMessage.flx(1, BindParameters.of(0), false));
      c.send(new ClientIdentMessage(1, id.clientFileIdent(), id.clientFileIdentSalt(), 2, 3, 2, 5, 0, "{}"));
      assertThat(c.next(JsonErrorMessage.class).errorCode()).isEqualTo(211);
    }
  }

  /**
   * Found by the real realm-core 14.12 client (compat-realm-core-14): after a restore, the
   * adopted upload cursor kept the backup's server version, lower than the one the client had
   * been sent, and realm-core refused the DOWNLOAD ("last integrated server version of upload
   * cursor cannot decrease", error 233). The client's own download cursor bounds what it was sent.
   */
  @Test
  void aRestoredServerNeverLowersTheUploadCursorsServerVersion() throws Exception {
    Path backup = dir.resolve("backup");
    BackedUp b = uploadBackUpAndUploadAgain(dir.resolve("live"), backup, 3);
    DownloadMessage first = b.first();
    DownloadMessage ack = b.ack();
    assertThat(first.uploadServerVersion()).as("the backup's upload cursor").isGreaterThan(0);
    assertThat(ack.uploadServerVersion()).as("the upload cursor the client was sent")
        .isGreaterThan(first.uploadServerVersion());
    Changesets.BoundFile id = b.id();
    try (TestServer server = TestServer.lmdb(backup);
        SyncTestClient c = server.connect("u")) {
      DownloadMessage d = rebindAfterRestore(c, id, ack);
      // realm-core's checks on every DOWNLOAD (ClientHistory::update_sync_progress, Session progress checks)
      assertThat(d.uploadServerVersion()).isGreaterThanOrEqualTo(ack.uploadServerVersion())
          .isLessThanOrEqualTo(d.downloadServerVersion());
      assertThat(d.uploadClientVersion()).isGreaterThanOrEqualTo(ack.uploadClientVersion());
      assertThat(d.downloadClientVersion()).isLessThanOrEqualTo(d.uploadClientVersion());
    }
  }

  @Test
  void aRestoredServerNeverLowersTheUploadCursorsClientVersion() throws Exception {
    Path backup = dir.resolve("backup");
    // as realm-core's: its progress ran past its last changeset (versions 4 and 5 hold none,
    // e.g. a subscription set commit), so the upload cursor moves above every changeset's version
    BackedUp b = uploadBackUpAndUploadAgain(dir.resolve("live"), backup, 5);
    DownloadMessage ack = b.ack();
    Changesets.BoundFile id = b.id();
    assertThat(ack.uploadClientVersion()).isEqualTo(5);
    // the download cursor acknowledges those versions too: the IDENT after a restore carries only
    // the download cursor, and from it the restored server must rebuild the upload cursor
    assertThat(ack.downloadClientVersion()).isEqualTo(5);
    try (TestServer server = TestServer.lmdb(backup);
        SyncTestClient c = server.connect("u")) {
      DownloadMessage d = rebindAfterRestore(c, id, ack);
      // realm-core: "Last integrated client version in download messages must be weakly increasing"
      assertThat(d.uploadClientVersion()).isGreaterThanOrEqualTo(ack.uploadClientVersion());
      assertThat(d.downloadClientVersion()).isGreaterThanOrEqualTo(ack.downloadClientVersion())
          .isLessThanOrEqualTo(d.uploadClientVersion());
      // and the session goes on: the next changeset is integrated and acknowledged
      long before = server.store().objectCount();
      c.send(new UploadMessage(1, 6, d.downloadServerVersion(), 0, List.of(entry(6, Changesets.readings(ObjectId.get())))));
      assertThat(c.next(DownloadMessage.class).downloadClientVersion()).isEqualTo(6);
      assertThat(server.store().objectCount()).isEqualTo(before + 1);
    }
  }

  /** A client file, the DOWNLOADs acknowledging its two uploads: before and after the backup. */
  private record BackedUp(Changesets.BoundFile id, DownloadMessage first, DownloadMessage ack) {}

  /**
   * On a server storing in {@code live}: a new client file uploads its schema (client version 2);
   * the store is copied to {@code backup}; on a server restarted on {@code live} the file rebinds
   * and uploads changeset 3 with {@code progressClientVersion}. Every upload is based on the
   * server version the client has integrated, as realm-core's are.
   */
  private static BackedUp uploadBackUpAndUploadAgain(Path live, Path backup, long progressClientVersion)
      throws Exception {
    Changesets.BoundFile id;
    DownloadMessage first;
    try (TestServer server = TestServer.lmdb(live);
        SyncTestClient c = server.connect("u")) {
      id = bindNewFile(c, 1);
      c.send(new UploadMessage(1, 2, id.download().downloadServerVersion(), 0, List.of(entry(2, Changesets.schema()))));
      first = c.next(DownloadMessage.class);
    }
    copy(live, backup);
    try (TestServer server = TestServer.lmdb(live);
        SyncTestClient c = server.connect("u")) {
      c.send(BindMessage.flx(1, BindParameters.of(0), false));
      c.send(id.reident(1, first));
      DownloadMessage d = c.next(DownloadMessage.class);
      c.send(new UploadMessage(1, progressClientVersion, d.downloadServerVersion(), 0,
          List.of(entry(3, Changesets.readings(ObjectId.get())))));
      return new BackedUp(id, first, c.next(DownloadMessage.class));
    }
  }

  /**
   * Binds session 1 of {@code id}'s client file on a server restored from an older copy and
   * re-identifies with the cursors of {@code ack}: the server warns (LOG_MESSAGE) that it adopts
   * them; returns its first DOWNLOAD.
   */
  private static DownloadMessage rebindAfterRestore(SyncTestClient c, Changesets.BoundFile id, DownloadMessage ack)
      throws Exception {
    c.send(BindMessage.flx(1, BindParameters.of(0), false));
    c.send(id.reident(1, ack));
    assertThat(c.next(LogMessage.class).level()).isEqualTo(LogMessage.Level.WARN);
    return c.next(DownloadMessage.class);
  }

  private static void copy(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  @Test
  void idleTimeoutIsConfigurable() throws Exception {
    try (TestServer server = TestServer.start(new MemoryIngestSink(), b -> b.idleTimeout(Duration.ofMillis(300)));
        SyncTestClient c = server.connect("u")) {
      assertThat(c.awaitClosed()).isEqualTo(1001);
    }
  }
}
