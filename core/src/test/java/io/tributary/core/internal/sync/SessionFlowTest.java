package io.tributary.core.internal.sync;

import static io.tributary.core.internal.sync.SessionHarness.uploads;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ConnectionState;
import io.tributary.core.UploadProgress;
import io.tributary.core.spi.CredentialsProvider.Refresh;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.testing.FakeTransport;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.UploadMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session's normal life, step by step (spec protocol.md §8.2, §8.7): connect, BIND, IDENT
 * allocation persisted before the client's IDENT, uploads in flight up to the window,
 * acknowledgements that empty the log, and resumption after a reconnect.
 */
class SessionFlowTest {
  private final SessionHarness h = new SessionHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void newFileAsksForAnIdentPersistsItBeforeSendingIdentThenUploadsTheBacklog() {
    h.append(3, 40, 2);
    h.start();
    // 1. the connect request: the token travels in baas_at, versions 14..8 are offered
    FakeTransport.Connection c = h.transport.last();
    assertThat(c.request().uri().toString())
        .isEqualTo("ws://sync.test:7800/api/client/v2.0/app/test-app/realm-sync?baas_at=tok-1");
    assertThat(c.request().subprotocols())
        .containsExactly("com.mongodb.realm-query-sync#14", "com.mongodb.realm-query-sync#13",
            "com.mongodb.realm-query-sync#12", "com.mongodb.realm-query-sync#11",
            "com.mongodb.realm-query-sync#10", "com.mongodb.realm-query-sync#9",
            "com.mongodb.realm-query-sync#8");
    assertThat(h.state()).isEqualTo(ConnectionState.CONNECTING);

    // 2. accepted: BIND asking for an ident, and nothing else until the server's IDENT
    h.accept();
    assertThat(h.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(c.sent()).containsExactly(
        new BindMessage(h.ident, "{\"schemaVersion\":0,\"sessionReason\":0}", "", true, false));

    // 3. the server's IDENT is persisted before the client's IDENT leaves
    List<Long> identAtSend = new ArrayList<>();
    c.onSend(b -> identAtSend.add(h.log.metadata().clientFileIdent()));
    h.deliver("ident " + h.ident + " 7 12345\n");
    assertThat(identAtSend).isNotEmpty().allMatch(i -> i == 7);
    List<ClientMessage> sent = c.sent();
    assertThat(sent.get(1)).isEqualTo(new ClientIdentMessage(h.ident, 7, 12345, 0, 0, 0, 0, 0,
        "{}"));

    // 4. uploads start right after IDENT (no MARK): the three entries in one UPLOAD
    List<UploadMessage> ups = uploads(c);
    assertThat(ups).hasSize(1);
    UploadMessage u = ups.get(0);
    assertThat(u.sessionIdent()).isEqualTo(h.ident);
    assertThat(u.entries()).extracting(UploadMessage.Entry::clientVersion).containsExactly(1L, 2L,
        3L);
    assertThat(u.entries()).allMatch(e -> e.originFileIdent() == 0 && e.changesetSize() == 40);
    assertThat(u.progressClientVersion()).isEqualTo(3);
    assertThat(u.progressServerVersion()).isZero();
    assertThat(u.lockedServerVersion()).isZero();
    assertThat(c.sentHeaders()).noneMatch(s -> s.startsWith("mark"));

    // 5. the acknowledgement persists the progress and empties the log
    CompletableFuture<Void> waiter = h.session.uploadCompletion(3);
    assertThat(waiter).isNotDone();
    h.deliver(h.download(3, 3, 3, 99, 3, 0));
    assertThat(waiter).isCompleted();
    assertThat(h.list.entries()).isEmpty();
    assertThat(h.log.metadata().progress()).isEqualTo(new SyncProgress(3, 3, 3, 99, 3, 0));
    assertThat(h.progress.get(h.progress.size() - 1))
        .isEqualTo(new UploadProgress(0, 0, 0, 120, 6, 3));
  }

  @Test
  void knownFileBindsWithoutAskingAndSendsIdentWithThePersistedProgressAtOnce() {
    h.list.preset(5, 77, new SyncProgress(4, 9, 4, 555, 9, 3));
    h.append(2, 10, 1);
    h.start();
    FakeTransport.Connection c = h.accept();
    List<ClientMessage> sent = c.sent();
    assertThat(sent.get(0)).isEqualTo(
        new BindMessage(h.ident, "{\"schemaVersion\":0,\"sessionReason\":0}", "", false, false));
    assertThat(sent.get(1)).isEqualTo(new ClientIdentMessage(h.ident, 5, 77, 4, 9, 4, 555, 0,
        "{}"));
  }

  @Test
  void uploadsStayWithinTheWindowAndAcknowledgementsReleaseIt() {
    h.append(40, 600, 1); // 24 000 bytes
    h.start(h.options().uploadBatchBytes(1024).maxBytesInFlight(4096).build());
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    // 1024-byte batches: one 600-byte entry fits, a second would exceed → 1 entry per UPLOAD;
    // the window of 4096 bytes allows 7 (the 7th starts below 4096 and ends above)
    List<UploadMessage> ups = uploads(c);
    assertThat(ups).hasSize(7);
    assertThat(ups).allMatch(u -> u.entries().size() == 1);
    assertThat(ups.get(6).progressClientVersion()).isEqualTo(7);
    // the acknowledgement of 3 entries frees 1800 bytes: 3 more go out
    h.deliver(h.download(3, 3, 3, 1, 3, 0));
    assertThat(uploads(c)).hasSize(10);
    assertThat(h.list.entries()).hasSize(37);
    // acknowledge everything as it comes: the whole log drains
    for (int round = 0; round < 100 && !h.list.entries().isEmpty(); round++) {
      List<UploadMessage> all = uploads(c);
      long last = all.get(all.size() - 1).progressClientVersion();
      h.deliver(h.download(last, last, last, 1, last, 0));
    }
    assertThat(h.list.entries()).isEmpty();
    List<Long> versions = new ArrayList<>();
    for (UploadMessage u : uploads(c)) {
      u.entries().forEach(e -> versions.add(e.clientVersion()));
    }
    assertThat(versions).hasSize(40).isSorted().doesNotHaveDuplicates();
  }

  /**
   * locked_server_version is the PERSISTED download server version (spec §5.5): an acknowledgement
   * is acted on before its progress is stored, and an UPLOAD sent in between must not name the
   * newer version, or a crash before the store leaves the server holding a locked version above
   * what the restarted client sends (209, which forces a client reset).
   */
  @Test
  void lockedServerVersionIsThePersistedDownloadServerVersion() {
    h.append(3, 1100, 1); // one entry fills the window: each UPLOAD waits for the previous ack
    h.start(h.options().uploadBatchBytes(1024).maxBytesInFlight(1024).build());
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    assertThat(uploads(c)).extracting(UploadMessage::progressClientVersion).containsExactly(1L);
    h.deliver(h.download(1, 1, 1, 11, 1, 0));
    assertThat(uploads(c)).extracting(UploadMessage::lockedServerVersion).containsExactly(0L, 1L);
    List<Long> persistedAtSend = new ArrayList<>();
    c.onSend(b -> persistedAtSend.add(h.log.metadata().progress().downloadServerVersion()));
    h.deliver(h.download(2, 2, 2, 12, 2, 0));
    List<UploadMessage> ups = uploads(c);
    assertThat(ups).extracting(UploadMessage::progressClientVersion).containsExactly(1L, 2L, 3L);
    assertThat(persistedAtSend).isNotEmpty();
    assertThat(ups.get(2).lockedServerVersion()).isEqualTo(persistedAtSend.get(0));
    assertThat(h.log.metadata().progress().downloadServerVersion()).isEqualTo(2);
  }

  @Test
  void batchesAreAboutTheSoftLimitAndOneLargerChangesetGoesAlone() {
    h.append(5, 400, 1); // v1..5
    h.append(1, 5000, 100); // v6: larger than the batch
    h.append(2, 400, 1); // v7, 8
    h.start(h.options().uploadBatchBytes(1024).build());
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    assertThat(uploads(c))
        .extracting(u -> u.entries().stream().map(UploadMessage.Entry::clientVersion).toList())
        .containsExactly(List.of(1L, 2L), List.of(3L, 4L), List.of(5L), List.of(6L),
            List.of(7L, 8L));
  }

  @Test
  void largeBodiesAreCompressedSmallOnesAreNot() {
    h.append(1, 100, 1);
    h.start();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    h.deliver(h.download(1, 1, 1, 1, 1, 0));
    h.append(1, 8000, 10); // compressible pattern, body > 1024 bytes
    h.step();
    assertThat(c.sentHeaders()).filteredOn(s -> s.startsWith("upload"))
        .extracting(s -> s.split(" ")[2])
        .containsExactly("0", "1");
    List<UploadMessage> ups = uploads(c);
    assertThat(ups.get(1).entries().get(0).changesetSize()).isEqualTo(8000);
  }

  @Test
  void compressionCanBeSwitchedOff() {
    h.append(1, 8000, 10);
    h.start(h.options().compression(false).build());
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    assertThat(c.sentHeaders()).filteredOn(s -> s.startsWith("upload"))
        .extracting(s -> s.split(" ")[2])
        .containsExactly("0");
  }

  @Test
  void aCommitWhileConnectedIsUploadedAtOnce() {
    h.start();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    assertThat(uploads(c)).isEmpty();
    h.append(1, 50, 1);
    h.step();
    assertThat(uploads(c)).hasSize(1);
    h.append(1, 50, 1);
    h.step();
    assertThat(uploads(c)).extracting(UploadMessage::progressClientVersion).containsExactly(1L,
        2L);
  }

  @Test
  void afterAReconnectUploadsRestartAfterTheAcknowledgedVersionWithoutANewWrite() {
    h.append(5, 100, 1);
    h.start(h.options().uploadBatchBytes(1024).maxBytesInFlight(1 << 20).build());
    FakeTransport.Connection first = h.connectNewFile(2, 3);
    assertThat(uploads(first)).hasSize(1);
    h.deliver(h.download(2, 2, 2, 1, 2, 0)); // 1..2 acknowledged, 3..5 lost with the connection
    first.drop(new java.io.IOException("reset"));
    h.step();
    assertThat(h.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(h.transport.attempts()).isEqualTo(1);
    h.advance(Duration.ofMillis(999));
    assertThat(h.transport.attempts()).isEqualTo(1);
    h.advance(Duration.ofMillis(1)); // the first reconnect delay: 1 s
    FakeTransport.Connection second = h.accept();
    assertThat(second.sent().get(0)).isInstanceOf(BindMessage.class);
    assertThat(((BindMessage) second.sent().get(0)).needClientFileIdent()).isFalse();
    assertThat(second.sent().get(1))
        .isEqualTo(new ClientIdentMessage(h.ident, 2, 3, 2, 2, 2, 1, 0, "{}"));
    UploadMessage u = uploads(second).get(0);
    assertThat(u.entries()).extracting(UploadMessage.Entry::clientVersion).containsExactly(3L, 4L,
        5L);
    assertThat(u.lockedServerVersion()).isEqualTo(2);
  }

  @Test
  void theIdentTimeDownloadMayAcknowledgeWhatWasSentOnTheOldConnection() {
    h.append(4, 100, 2);
    h.start();
    FakeTransport.Connection first = h.connectNewFile(2, 3);
    first.serverClose(1001, "going away");
    h.step();
    h.advance(Duration.ofSeconds(1));
    FakeTransport.Connection second = h.accept();
    assertThat(uploads(second)).hasSize(1); // re-sent 1..4
    // the server had integrated all four before the first connection dropped
    h.deliver(h.download(4, 4, 4, 1, 4, 0));
    assertThat(h.list.entries()).isEmpty();
    assertThat(h.progress.get(h.progress.size() - 1).acknowledgedObjects()).isEqualTo(8);
    // a later commit continues after 4
    h.append(1, 10, 1);
    h.step();
    assertThat(uploads(second).get(1).entries().get(0).clientVersion()).isEqualTo(5);
  }

  @Test
  void entriesAcknowledgedBeforeARestartAreCountedFromTheLog() {
    // an earlier run sent 1..3; this run's first DOWNLOAD acknowledges them before any re-send
    h.list.preset(2, 3, SyncProgress.NONE);
    h.append(3, 100, 5);
    h.start(h.options().build());
    FakeTransport.Connection c = h.transport.last();
    c.onSend(b -> {
      String s = new String(b, 0, Math.min(b.length, 6), java.nio.charset.StandardCharsets.US_ASCII);
      if (s.startsWith("ident")) {
        c.deliver(h.download(3, 3, 3, 1, 3, 0)); // queued before the session uploads
      }
    });
    h.accept();
    assertThat(h.list.entries()).isEmpty();
    assertThat(h.progress.get(h.progress.size() - 1))
        .isEqualTo(new UploadProgress(0, 0, 0, 300, 15, 3));
  }

  @Test
  void laterAcknowledgementsAreReportedBeforeTheLocalDeleteWithTheFiguresAfterIt() {
    h.append(3, 100, 2);
    h.start();
    h.connectNewFile(2, 3);
    List<Long> entriesAtReport = new ArrayList<>();
    h.session.addUploadProgressListener(p -> entriesAtReport.add((long) h.list.entries().size()));
    // the first acknowledgement is reported after its delete (it tells the per-entry overhead)
    h.deliver(h.download(1, 1, 1, 1, 1, 0));
    assertThat(h.list.entries()).hasSize(2);
    assertThat(entriesAtReport.get(entriesAtReport.size() - 1)).isEqualTo(2);
    h.append(2, 100, 2); // versions 4 and 5, uploaded at once
    h.step();
    CompletableFuture<Void> waiter = h.session.uploadCompletion(4);
    List<Integer> entriesAtWake = new ArrayList<>();
    waiter.thenRun(() -> entriesAtWake.add(h.list.entries().size()));
    int reportsBefore = h.progress.size();
    h.deliver(h.download(4, 4, 4, 1, 4, 0));
    // waiter and listeners heard of 2..4 while the log still held them (2, 3, 4 and 5)
    assertThat(entriesAtWake).containsExactly(4);
    List<UploadProgress> reports = h.progress.subList(reportsBefore, h.progress.size());
    assertThat(reports).hasSize(1); // the delete changed nothing the report had not said
    assertThat(entriesAtReport.get(entriesAtReport.size() - 1)).isEqualTo(4);
    // ... with the figures of the log after the delete
    assertThat(h.list.entries()).hasSize(1);
    var s = h.log.stats();
    assertThat(reports.get(0)).isEqualTo(new UploadProgress(1, s.sizeBytes(), 2, 400, 8, 4));
    assertThat(s.sizeBytes()).isEqualTo(100 + io.tributary.core.testing.ListUploadLog.ENTRY_OVERHEAD);
  }

  @Test
  void acknowledgementsQueuedTogetherCostOneDeleteAndCommitsAreUploadedBeforeIt() {
    h.append(4, 100, 1);
    h.start();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    h.deliver(h.download(1, 1, 1, 1, 1, 0)); // the first one, deleted on its own
    assertThat(h.list.acknowledgements()).hasSize(1);
    List<Integer> deletesAtUpload = new ArrayList<>();
    c.onSend(b -> deletesAtUpload.add(h.list.acknowledgements().size()));
    c.deliver(h.download(2, 2, 2, 1, 2, 0));
    c.deliver(h.download(4, 4, 4, 1, 4, 0));
    h.append(1, 100, 1); // version 5, committed while both were queued
    h.step();
    assertThat(uploads(c).get(uploads(c).size() - 1).progressClientVersion()).isEqualTo(5);
    assertThat(deletesAtUpload).containsExactly(1); // the upload left before the delete
    assertThat(h.list.acknowledgements()).hasSize(2)
        .extracting(SyncProgress::uploadClientVersion).containsExactly(1L, 4L);
    assertThat(h.list.entries()).extracting(e -> e.version()).containsExactly(5L);
    UploadProgress last = h.progress.get(h.progress.size() - 1);
    assertThat(last).isEqualTo(new UploadProgress(1, 100 + io.tributary.core.testing.ListUploadLog.ENTRY_OVERHEAD, 1, 400, 4, 4));
  }

  /** Appends one entry and hands its bytes over to the session, as the committer does. */
  private long commitWithHandOver(int size) {
    byte[] b = new byte[size];
    java.util.Arrays.fill(b, (byte) 'x');
    long v = h.log.append(java.nio.ByteBuffer.wrap(b), 1, 1000);
    h.session.onCommit(v, 1, 1000, java.nio.ByteBuffer.wrap(b), 0, size);
    return v;
  }

  @Test
  void theDeleteRunsOffTheOwnerThreadAndUploadsGoOnWhileItIsInFlight() {
    h.append(3, 100, 1);
    h.list.holdAsyncAcknowledgements();
    h.start();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    h.deliver(h.download(1, 1, 1, 1, 1, 0)); // the first one on this thread (learns the overhead)
    assertThat(h.list.acknowledgements()).hasSize(1);
    assertThat(h.list.heldAsyncAcknowledgements()).isZero();

    h.deliver(h.download(3, 3, 3, 1, 3, 0)); // reported at once, deleted off the thread
    assertThat(h.session.acknowledgedVersion()).isEqualTo(3);
    assertThat(h.list.heldAsyncAcknowledgements()).isEqualTo(1);
    assertThat(h.progress.get(h.progress.size() - 1)).isEqualTo(new UploadProgress(0, 0, 0, 300, 3, 3));

    // while it is in flight: a commit is uploaded; it is read from the log, since entries appended
    // now may carry either download server version (1 or the 3 the delete stores)
    int reads = h.list.reads();
    long v4 = commitWithHandOver(50);
    h.step();
    UploadMessage u4 = uploads(c).get(uploads(c).size() - 1);
    assertThat(u4.progressClientVersion()).isEqualTo(v4);
    assertThat(h.list.reads()).isEqualTo(reads + 1);
    assertThat(u4.entries().get(0).lastIntegratedServerVersion()).isEqualTo(3); // as stored
    assertThat(u4.lockedServerVersion()).isEqualTo(1); // what is known to be persisted

    // an acknowledgement meanwhile waits for the delete in flight
    h.deliver(h.download(4, 4, 4, 1, 4, 0));
    assertThat(h.list.heldAsyncAcknowledgements()).isEqualTo(1);
    assertThat(h.list.acknowledgements()).hasSize(2);

    h.list.releaseAsyncAcknowledgement(); // stored 3 before version 4 was appended
    h.step();
    assertThat(h.list.acknowledgements()).hasSize(3)
        .extracting(SyncProgress::uploadClientVersion).containsExactly(1L, 3L, 4L);
    assertThat(h.list.heldAsyncAcknowledgements()).isEqualTo(1);

    h.list.releaseAsyncAcknowledgement(); // stored 4 before nothing else: 5 carries 4
    h.step();
    reads = h.list.reads();
    long v5 = commitWithHandOver(50);
    h.step();
    UploadMessage u5 = uploads(c).get(uploads(c).size() - 1);
    assertThat(u5.progressClientVersion()).isEqualTo(v5);
    assertThat(h.list.reads()).isEqualTo(reads); // from the hand-over again
    assertThat(u5.entries().get(0).lastIntegratedServerVersion()).isEqualTo(4);
    assertThat(u5.lockedServerVersion()).isEqualTo(4);
    assertThat(h.errors).isEmpty();

    // close with a delete in flight: it returns with that delete stored
    h.deliver(h.download(5, 5, 5, 1, 5, 0));
    assertThat(h.list.heldAsyncAcknowledgements()).isEqualTo(1);
    h.session.close();
    h.step();
    List<SyncProgress> acks = h.list.acknowledgements();
    assertThat(acks.get(acks.size() - 1).uploadClientVersion()).isEqualTo(5);
    assertThat(acks.get(acks.size() - 1).downloadServerVersion()).isEqualTo(5);
    assertThat(h.list.entries()).isEmpty();
  }

  @Test
  void aSecondDownloadWithTheSameProgressWritesNothing() {
    h.append(2, 10, 1);
    h.start();
    h.connectNewFile(2, 3);
    h.deliver(h.download(2, 2, 2, 5, 2, 0));
    h.deliver(h.download(2, 2, 2, 5, 2, 0));
    assertThat(h.list.acknowledgements()).hasSize(1);
  }

  @Test
  void theFirstTokenRequestAsksForNothingSpecial() {
    h.start();
    assertThat(h.credentials.requests()).containsExactly(Refresh.NONE);
  }
}
