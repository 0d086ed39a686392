package io.tributary.core.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.internal.Committer;
import io.tributary.core.testing.FakeTransport;
import io.tributary.core.testing.ListUploadLog;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.UploadMessage;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Changesets handed over at commit time: a caught-up session sends them without reading the log,
 * and every UPLOAD entry equals the log's entry (version, bytes, object count via the ring, origin
 * timestamp, last integrated server version) in version order, whichever path it took.
 */
class HandoverTest {
  private final SessionHarness h = new SessionHarness();
  /** Every entry the log held right after its commit, by version (the log deletes on ack). */
  private final Map<Long, ListUploadLog.Entry> logged = new LinkedHashMap<>();
  /** The writer's encode buffer: reused and overwritten after every commit, as the realm does. */
  private final ByteBuffer writerBuffer = ByteBuffer.allocateDirect(4 << 20);
  private Committer committer;

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** Wires a committer to the session exactly as IngestRealm does. */
  private void wire() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);
    committer = new Committer(h.log, clock);
    committer.addListener(h.session.commitListener());
  }

  /** Commits a changeset of {@code size} bytes through the committer, then scribbles over it. */
  private long commit(int size, int objects) {
    long v;
    synchronized (writerBuffer) {
      writerBuffer.clear().position(7); // not at 0: the hand-over must honour the offset
      for (int k = 0; k < size; k++) {
        writerBuffer.put((byte) (k * 31 + size + objects));
      }
      writerBuffer.flip().position(7);
      v = committer.commit(writerBuffer, objects);
      writerBuffer.clear();
      for (int k = 0; k < size + 7; k++) {
        writerBuffer.put(k, (byte) 0x5A); // the writer's next encode
      }
      snapshot();
    }
    return v;
  }

  private void snapshot() {
    for (ListUploadLog.Entry e : h.list.entries()) {
      logged.putIfAbsent(e.version(), e);
    }
  }

  private static List<UploadMessage.Entry> sentEntries(FakeTransport.Connection c) {
    List<UploadMessage.Entry> out = new ArrayList<>();
    for (ClientMessage m : c.sent()) {
      if (m instanceof UploadMessage u) {
        out.addAll(u.entries());
      }
    }
    return out;
  }

  private static int uploadCount(FakeTransport.Connection c) {
    int n = 0;
    for (ClientMessage m : c.sent()) {
      if (m instanceof UploadMessage) {
        n++;
      }
    }
    return n;
  }

  /** The sent entries are versions first..last in order, each exactly as the log stored it. */
  private void assertSentAsLogged(List<UploadMessage.Entry> sent, long first, long last) {
    assertThat(sent).extracting(UploadMessage.Entry::clientVersion)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(first, last).boxed()
            .toList());
    for (UploadMessage.Entry e : sent) {
      ListUploadLog.Entry l = logged.get(e.clientVersion());
      assertThat(l).as("log entry %d", e.clientVersion()).isNotNull();
      byte[] bytes = new byte[e.changeset().remaining()];
      e.changeset().get(bytes);
      assertThat(bytes).as("bytes of %d", e.clientVersion()).isEqualTo(l.changeset());
      assertThat(e.originTimestamp()).as("origin of %d", e.clientVersion())
          .isEqualTo(l.originTimestamp());
      assertThat(e.lastIntegratedServerVersion()).as("server version of %d", e.clientVersion())
          .isEqualTo(l.lastIntegratedServerVersion());
      assertThat(e.originFileIdent()).isZero();
    }
  }

  private long taken() {
    return h.session.handoverCounts()[2];
  }

  @Test
  void caughtUpCommitsAreSentFromTheHandoverWithoutReadingTheLog() {
    h.start();
    wire();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    int reads = h.list.reads();
    for (int i = 0; i < 10; i++) {
      commit(50 + 13 * i, i + 1);
      h.step();
    }
    assertThat(uploadCount(c)).isEqualTo(10); // one UPLOAD per commit, at once
    assertSentAsLogged(sentEntries(c), 1, 10);
    assertThat(h.list.reads()).isEqualTo(reads); // not one log read
    assertThat(taken()).isEqualTo(10);
    // the object counts went with them: the acknowledgement counts 1 + 2 + ... + 10
    h.deliver(h.download(0, 0, 0, 0, 10, 0));
    assertThat(h.progress.get(h.progress.size() - 1).acknowledgedObjects()).isEqualTo(55);
  }

  @Test
  void commitsQueuedBetweenStepsGoOutBatchedInVersionOrder() {
    h.start(h.options().uploadBatchBytes(1024).build());
    wire();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    int reads = h.list.reads();
    for (int i = 0; i < 12; i++) {
      commit(300, 1); // 3 per UPLOAD at a 1,024-byte soft limit
    }
    h.step();
    assertThat(uploadCount(c)).isEqualTo(4);
    assertSentAsLogged(sentEntries(c), 1, 12);
    assertThat(h.list.reads()).isEqualTo(reads);
    assertThat(taken()).isEqualTo(12);
  }

  @Test
  void aBacklogIsReadFromTheLogThenCaughtUpCommitsComeFromTheHandover() {
    h.append(3, 100, 1); // before the session existed: only the log has them
    snapshot();
    h.start();
    wire();
    int readsBefore = h.list.reads();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    assertThat(h.list.reads()).isGreaterThan(readsBefore); // the fallback
    assertThat(taken()).isZero();
    int reads = h.list.reads();
    for (int i = 0; i < 3; i++) {
      commit(70, 2);
      h.step();
    }
    assertSentAsLogged(sentEntries(c), 1, 6);
    assertThat(h.list.reads()).isEqualTo(reads);
    assertThat(taken()).isEqualTo(3);
  }

  @Test
  void aReconnectResendsFromTheLogAndLaterCommitsCarryTheLogsServerVersion() {
    h.start(h.options().maxBytesInFlight(1 << 20).build());
    wire();
    FakeTransport.Connection first = h.connectNewFile(2, 3);
    for (int i = 0; i < 3; i++) {
      commit(80, 1);
      h.step();
    }
    assertSentAsLogged(sentEntries(first), 1, 3);
    assertThat(taken()).isEqualTo(3);
    // 1..2 acknowledged at server version 2: the log stamps 2 on later entries
    h.deliver(h.download(2, 2, 2, 1, 2, 0));
    first.drop(new java.io.IOException("reset")); // 3 lost with the connection
    h.step();
    commit(90, 1); // 4 and 5 while disconnected
    commit(91, 1);
    h.step();
    int reads = h.list.reads();
    h.advance(Duration.ofSeconds(1));
    FakeTransport.Connection second = h.accept();
    assertThat(h.list.reads()).isGreaterThan(reads); // 3 is not held: read 3..5 from the log
    assertSentAsLogged(sentEntries(second), 3, 5);
    assertThat(logged.get(3L).lastIntegratedServerVersion()).isZero();
    assertThat(logged.get(4L).lastIntegratedServerVersion()).isEqualTo(2);
    long takenBefore = taken();
    reads = h.list.reads();
    commit(60, 1); // caught up again
    h.step();
    assertSentAsLogged(sentEntries(second), 3, 6);
    assertThat(taken()).isEqualTo(takenBefore + 1);
    assertThat(h.list.reads()).isEqualTo(reads);
    assertThat(logged.get(6L).lastIntegratedServerVersion()).isEqualTo(2);
  }

  @Test
  void aChangedServerVersionMakesEarlierUnsentCommitsComeFromTheLog() {
    h.start();
    wire();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    commit(40, 1);
    h.step();
    commit(41, 1); // 2 held, not yet sent (the session has not stepped)
    // an acknowledgement of 1 at server version 7 is persisted before 2 goes out
    c.deliver(h.download(7, 1, 7, 1, 1, 0));
    h.step();
    commit(42, 1);
    h.step();
    assertSentAsLogged(sentEntries(c), 1, 3);
    assertThat(logged.get(2L).lastIntegratedServerVersion()).isZero();
    assertThat(logged.get(3L).lastIntegratedServerVersion()).isEqualTo(7);
  }

  @Test
  void aChangesetOverTheBudgetIsReadFromTheLog() {
    h.start();
    wire();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    int reads = h.list.reads();
    commit(3 << 20, 5); // 3 MiB: over the 1 MiB budget (uploadBatchBytes 128 KiB)
    h.step();
    assertThat(taken()).isZero();
    assertThat(h.list.reads()).isGreaterThan(reads);
    commit(100, 1);
    h.step();
    assertSentAsLogged(sentEntries(c), 1, 2);
    assertThat(taken()).isEqualTo(1);
  }

  @Test
  void concurrentWritersAreSentOnceEachInVersionOrderWithTheLogsBytes() throws Exception {
    h.start();
    wire();
    FakeTransport.Connection c = h.connectNewFile(2, 3);
    int writers = 4;
    int perWriter = 150;
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(writers);
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < writers; w++) {
      int id = w;
      Thread t = new Thread(() -> {
        ByteBuffer mine = ByteBuffer.allocate(2048);
        try {
          go.await();
          for (int i = 0; i < perWriter; i++) {
            int size = 20 + (id * 37 + i * 11) % 1500;
            mine.clear();
            for (int k = 0; k < size; k++) {
              mine.put((byte) (id * 64 + i + k));
            }
            mine.flip();
            committer.commit(mine, 1 + id);
            Arrays.fill(mine.array(), (byte) 0); // reused at once
          }
        } catch (Throwable e) {
          failures.add(e);
        } finally {
          done.countDown();
        }
      });
      t.start();
    }
    go.countDown();
    long total = (long) writers * perWriter;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (done.getCount() > 0 || sentEntries(c).size() < total) {
      h.session.runOnce();
      assertThat(System.nanoTime()).as("all sent in time").isLessThan(deadline);
      Thread.onSpinWait();
    }
    assertThat(failures).isEmpty();
    snapshot(); // nothing acknowledged: the log still holds all of them
    List<UploadMessage.Entry> sent = sentEntries(c);
    assertSentAsLogged(sent, 1, total);
    long[] counts = h.session.handoverCounts();
    assertThat(counts[0]).isEqualTo(total);
    assertThat(counts[2]).isLessThanOrEqualTo(counts[1]);
    h.deliver(h.download(0, 0, 0, 0, total, 0));
    long objects = 0;
    for (ListUploadLog.Entry e : logged.values()) {
      objects += e.objectCount();
    }
    assertThat(h.progress.get(h.progress.size() - 1).acknowledgedObjects()).isEqualTo(objects);
  }

  @Test
  void theHandoverIsBoundedAndReusesItsArena() {
    Handover ho = new Handover(1000, 0);
    ByteBuffer b = ByteBuffer.allocate(600);
    assertThat(ho.offer(1, 1, 5, b, 0, 600)).isTrue();
    assertThat(ho.offer(2, 1, 5, b, 0, 600)).isFalse(); // 1,200 > 1,000 bytes
    assertThat(ho.offer(2, 1, 5, b, 0, 400)).isTrue();
    ho.raiseFloor(2); // both sent: the arena starts over
    assertThat(ho.size()).isZero();
    assertThat(ho.offer(2, 1, 5, b, 0, 10)).isFalse(); // at or below the floor
    for (int v = 3; v < 3 + Handover.MAX_ENTRIES; v++) {
      assertThat(ho.offer(v, 1, 5, b, 0, 1)).isTrue();
    }
    assertThat(ho.offer(3 + Handover.MAX_ENTRIES, 1, 5, b, 0, 1)).isFalse(); // entry bound
    ho.close();
    assertThat(ho.offer(10_000, 1, 5, b, 0, 1)).isFalse();
  }
}
