package io.tributary.server;

import static io.tributary.server.testing.Changesets.bindNewFile;
import static io.tributary.server.testing.Changesets.entry;
import static io.tributary.server.testing.Changesets.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.BindParameters;
import io.tributary.protocol.message.DownloadMessage;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.MarkMessage;
import io.tributary.protocol.message.UnbindMessage;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestSink;
import io.tributary.server.spi.SinkException;
import io.tributary.server.testing.Changesets;
import io.tributary.server.testing.SyncTestClient;
import io.tributary.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pipelined group commit of the ingest engine: the next round is integrated while a commit
 * runs, nothing is acknowledged before its commit returned, replies keep their order, and a failed
 * commit also discards the round integrated meanwhile. A sink whose gated commit blocks on a latch
 * holds a commit "in flight" for as long as the test needs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipelinedCommitTest {

  /** A memory sink whose next commit with objects blocks until released, then stores or fails. */
  private static final class GatedSink implements IngestSink {
    final MemoryIngestSink delegate = new MemoryIngestSink();
    final AtomicInteger running = new AtomicInteger();
    /** Set if any two sink calls overlapped (the SPI promises one at a time). */
    final AtomicBoolean overlapped = new AtomicBoolean();
    /** The object count of every commit, in call order. */
    final List<Integer> commits = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);
    final AtomicBoolean armed = new AtomicBoolean();
    volatile boolean fail;

    void arm(boolean failIt) {
      fail = failIt;
      armed.set(true);
    }

    private void enter() {
      if (running.incrementAndGet() > 1) {
        overlapped.set(true);
      }
    }

    @Override
    public CommitResult commit(IngestBatch batch) {
      enter();
      try {
        commits.add(batch.records().size());
        if (!batch.records().isEmpty() && armed.compareAndSet(true, false)) {
          entered.countDown();
          try {
            if (!release.await(30, TimeUnit.SECONDS)) {
              throw new SinkException("test: never released", null);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException("test: interrupted", e);
          }
          if (fail) {
            throw new SinkException("test: simulated storage failure", null);
          }
        }
        return delegate.commit(batch);
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public Optional<ClientFileRecord> clientFile(long ident) {
      enter();
      try {
        return delegate.clientFile(ident);
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public long lastClientFileIdent() {
      enter();
      try {
        return delegate.lastClientFileIdent();
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public Optional<String> setting(String key) {
      enter();
      try {
        return delegate.setting(key);
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** Binds a file on session 1 and uploads the schema and one object (client versions 2, 3). */
  private static Changesets.BoundFile warmUp(SyncTestClient c) throws InterruptedException {
    Changesets.BoundFile bound = bindNewFile(c, 1);
    c.send(upload(1, entry(2, Changesets.schema()), entry(3, Changesets.readings(ObjectId.get()))));
    DownloadMessage ack = c.next(DownloadMessage.class);
    assertThat(ack.uploadClientVersion()).isEqualTo(3);
    return new Changesets.BoundFile(bound.ident(), ack);
  }

  @Test
  void theNextRoundIsIntegratedWhileACommitRunsAndEveryReplyWaitsForItsCommitInOrder() throws Exception {
    GatedSink sink = new GatedSink();
    try (TestServer server = TestServer.start(sink, b -> {});
        SyncTestClient c1 = server.connect("u");
        SyncTestClient c2 = server.connect("v")) {
      warmUp(c1);
      warmUp(c2);
      long uploads = server.server.metrics().uploads();
      int commits = sink.commits.size();
      sink.arm(false);

      c1.send(upload(1, entry(4, Changesets.readings(ObjectId.get())))); // round N
      assertThat(sink.entered.await(10, TimeUnit.SECONDS)).as("commit N runs").isTrue();
      c1.send(upload(1, entry(5, Changesets.readings(ObjectId.get())))); // round N+1
      c1.send(new MarkMessage(1, 9));
      c2.send(upload(1, entry(4, Changesets.readings(ObjectId.get()))));
      // (a) the ingest thread handles the next UPLOADs while commit N is still blocked: what
      // arrives while a commit runs joins the next round
      await(() -> server.server.metrics().uploads() >= uploads + 3, "UPLOADs handled while commit N runs");
      // (b) nothing is answered before its commit returned, and commit N+1 waits for N
      assertThat(c1.poll(Duration.ofMillis(300))).as("no reply before commit N returned").isNull();
      assertThat(c2.poll(Duration.ofMillis(50))).as("no reply before commit N returned").isNull();
      assertThat(sink.commits).as("only commit N so far").hasSize(commits + 1);

      sink.release.countDown();
      // (d) per-connection order: N's acknowledgement, then N+1's, then the MARK
      assertThat(c1.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(4);
      assertThat(c1.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(5);
      assertThat(c1.next(MarkMessage.class).requestIdent()).isEqualTo(9);
      assertThat(c2.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(4);
      assertThat(sink.delegate.objectCount()).isEqualTo(2 + 3);
      assertThat(sink.commits.subList(commits, sink.commits.size())).as("N, then N+1 with both uploads")
          .containsExactly(1, 2);
      assertThat(sink.overlapped).as("sink calls never overlap").isFalse();
      assertThat(server.server.metrics().commitFailures()).isZero();
    }
  }

  @Test
  void aFailedCommitAlsoDiscardsTheRoundIntegratedMeanwhile() throws Exception {
    GatedSink sink = new GatedSink();
    try (TestServer server = TestServer.start(sink, b -> {});
        SyncTestClient c1 = server.connect("u");
        SyncTestClient c2 = server.connect("v")) {
      warmUp(c1);
      Changesets.BoundFile file2 = warmUp(c2);
      long uploads = server.server.metrics().uploads();
      int commits = sink.commits.size();
      sink.arm(true);

      c1.send(upload(1, entry(4, Changesets.readings(ObjectId.get())))); // round N
      assertThat(sink.entered.await(10, TimeUnit.SECONDS)).as("commit N runs").isTrue();
      // another connection's file, independent of round N: the only message of round N+1
      ObjectId later = ObjectId.get();
      c2.send(upload(1, entry(4, Changesets.readings(later))));
      await(() -> server.server.metrics().uploads() >= uploads + 2, "round N+1 handled while commit N runs");
      // session 1 of c1 again: depends on N's uncommitted state (in N+1 or, if later, after N failed)
      c1.send(upload(1, entry(5, Changesets.readings(ObjectId.get()))));
      c1.send(new MarkMessage(1, 9));
      assertThat(c1.poll(Duration.ofMillis(200))).as("no reply before commit N returned").isNull();
      assertThat(c2.poll(Duration.ofMillis(50))).as("no reply before commit N returned").isNull();

      sink.release.countDown();
      // (c) N's session and N+1's session get 201, and nothing of either is acknowledged
      JsonErrorMessage e1 = c1.next(JsonErrorMessage.class);
      assertThat(e1.errorCode()).isEqualTo(201);
      assertThat(e1.sessionIdent()).isEqualTo(1);
      JsonErrorMessage e2 = c2.next(JsonErrorMessage.class);
      assertThat(e2.errorCode()).isEqualTo(201);
      assertThat(e2.body().tryAgain()).isTrue();
      assertThat(c1.poll(Duration.ofMillis(300))).as("no ack, no MARK after the 201").isNull();
      assertThat(c2.poll(Duration.ofMillis(50))).as("no ack after the 201").isNull();
      assertThat(sink.delegate.objectCount()).as("only the warm-up objects").isEqualTo(2);
      assertThat(sink.commits.subList(commits, sink.commits.size())).as("N+1 never reached the sink")
          .containsExactly(1);
      assertThat(server.server.metrics().commitFailures()).isEqualTo(1);
      assertThat(sink.overlapped).as("sink calls never overlap").isFalse();

      // the state was forgotten: re-binding and re-sending stores the object once
      c2.send(new UnbindMessage(1));
      c2.send(BindMessage.flx(1, BindParameters.of(0), false));
      c2.send(file2.reident(1));
      assertThat(c2.next(DownloadMessage.class).downloadClientVersion()).isEqualTo(3);
      c2.send(upload(1, entry(4, Changesets.readings(later))));
      assertThat(c2.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(4);
      assertThat(sink.delegate.objectCount()).isEqualTo(3);
    }
  }

  @Test
  void shutdownWaitsForTheCommitInFlightAndAcknowledgesItBeforeClosing() throws Exception {
    GatedSink sink = new GatedSink();
    try (TestServer server = TestServer.start(sink, b -> {});
        SyncTestClient c = server.connect("u")) {
      warmUp(c);
      sink.arm(false);
      c.send(upload(1, entry(4, Changesets.readings(ObjectId.get()))));
      assertThat(sink.entered.await(10, TimeUnit.SECONDS)).as("commit runs").isTrue();
      Thread closer = new Thread(server.server::close);
      closer.start();
      closer.join(300);
      assertThat(closer.isAlive()).as("close waits for the commit in flight").isTrue();
      assertThat(c.poll(Duration.ofMillis(50))).as("nothing before the commit returned").isNull();
      sink.release.countDown();
      closer.join(10_000);
      assertThat(closer.isAlive()).isFalse();
      // the committed upload is acknowledged first, then the connection error 100 (shutting down)
      assertThat(c.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(4);
      assertThat(c.next(JsonErrorMessage.class).errorCode()).isEqualTo(100);
      assertThat(sink.delegate.objectCount()).isEqualTo(2);
      assertThat(sink.overlapped).isFalse();
    }
  }
}
