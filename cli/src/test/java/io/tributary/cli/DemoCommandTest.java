package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary demo} in this process: a real embedded server on 127.0.0.1, real LMDB device
 * logs and sync sessions; the proof passes on an honest run and fails on a tampered store.
 */
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void demoWritesThroughTheClientEngineAndProvesExactlyOnceFromTheStore() throws Exception {
    Cli cli = new Cli();
    DemoCommand demo = cli.command("demo");
    Path data = dir.resolve("demo");
    int code = cli.run("demo", "--devices", "3", "--objects", "3001", "--batch", "40", "--progress", "none",
        "--data-dir", data.toString());

    assertThat(code).as(cli.out() + cli.err()).isZero();
    ExactlyOnceCheck.Result r = demo.lastResult;
    assertThat(r.passed()).isTrue();
    assertThat(r.written()).isEqualTo(3001);
    assertThat(r.exactlyOnce()).isEqualTo(3001);
    assertThat(r.storedByDevice()).containsExactly(1001, 1000, 1000);
    assertThat(r.missing()).isZero();
    assertThat(r.duplicates()).isZero();
    assertThat(r.extras()).isZero();
    assertThat(r.wrongOrigin()).isZero();
    assertThat(r.wrongContent()).isZero();
    assertThat(r.countDelta()).isEqualTo(3001);
    assertThat(r.logEntries()).isZero();
    assertThat(cli.out())
        .contains("3 devices logged in and connected")
        .contains("written               3,001 (device-1 1,001, device-2 1,000, device-3 1,000)")
        .contains("stored exactly once   3,001")
        .contains("missing               0")
        .contains("EXACTLY-ONCE VERIFIED: 3,001 of 3,001 written objects stored exactly once")
        .contains("Server metrics: sessions bound 3, objects ingested 3,001, duplicates discarded 0")
        .doesNotContain("FAILED");
    assertThat(cli.err()).isEmpty();

    // independently of the demo's own check: the kept store and logs say the same
    for (int i = 1; i <= 3; i++) {
      LogFiles.Snapshot s = LogFiles.snapshot(data.resolve("devices/device-" + i));
      assertThat(s.stats().entryCount()).isZero();
      assertThat(s.metadata().hasClientFileIdent()).isTrue();
      // the schema changeset plus ceil(share / 40) transactions, all acknowledged
      long share = i == 1 ? 1001 : 1000;
      assertThat(s.metadata().progress().uploadClientVersion()).isEqualTo(1 + (share + 39) / 40);
    }
    try (LmdbIngestSink sink = LmdbIngestSink.open(data.resolve("server"))) {
      assertThat(sink.countByClass()).containsEntry("Reading", 3001L);
      Set<String> keys = new HashSet<>();
      sink.scan(0, o -> keys.add(o.getPrimaryKey().getObjectIdValue()));
      assertThat(keys).hasSize(3001);
    }
  }

  @Test
  void theProofFailsWhenTheStoreHoldsAnObjectNoDeviceWrote() throws Exception {
    Cli cli = new Cli();
    DemoCommand demo = cli.command("demo");
    String intruder = ObjectId.get().toHexString();
    demo.beforeVerification = server -> {
      IngestedObject extra = IngestedObject.newBuilder()
          .setClassName("Reading")
          .setPrimaryKey(Value.newBuilder().setObjectIdValue(intruder))
          .putFields("_id", Value.newBuilder().setObjectIdValue(intruder).build())
          .putFields("sensor", Value.newBuilder().setStringValue("sensor-1").build())
          .setOriginFileIdent(2)
          .setClientVersion(99)
          .build();
      CommitResult c = server.config().sink().commit(IngestBatch.ofObjects(List.of(extra), List.of(), 0, Map.of()));
      assertThat(c.storedCount()).isEqualTo(1);
    };

    int code = cli.run("demo", "--devices", "2", "--objects", "500", "--batch", "50", "--progress", "none",
        "--data-dir", dir.resolve("demo").toString());

    assertThat(code).as(cli.out() + cli.err()).isEqualTo(1);
    ExactlyOnceCheck.Result r = demo.lastResult;
    assertThat(r.passed()).isFalse();
    assertThat(r.written()).isEqualTo(500);
    assertThat(r.exactlyOnce()).isEqualTo(500);
    assertThat(r.extras()).isEqualTo(1);
    assertThat(r.missing()).isZero();
    assertThat(cli.out())
        .contains("EXACTLY-ONCE CHECK FAILED:")
        .contains("1 objects stored that this run never wrote (first: Reading _id " + intruder)
        .contains("extra (never written) 1")
        .doesNotContain("EXACTLY-ONCE VERIFIED");
  }

  @Test
  void aTemporaryDataDirectoryIsRemovedAndBadOptionsAreUsageErrors() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Cli cli = new Cli();
    DemoCommand demo = cli.command("demo");
    demo.temporaryRoot = tmp;
    assertThat(cli.run("demo", "--devices", "1", "--objects", "10", "--progress", "lines")).as(cli.out() + cli.err())
        .isZero();
    assertThat(cli.out()).contains("EXACTLY-ONCE VERIFIED: 10 of 10").doesNotContain("Data kept in");
    assertThat(demo.lastResult.exactlyOnce()).isEqualTo(10);
    try (var left = Files.list(tmp)) {
      assertThat(left).isEmpty();
    }

    Cli bad = new Cli();
    assertThat(bad.run("demo", "--objects", "10", "--duration", "5s")).isEqualTo(2);
    assertThat(bad.err()).startsWith("tributary demo: --objects and --duration together (expected: one of them)\n")
        .contains("Try 'tributary demo --help'");
    Cli badDuration = new Cli();
    assertThat(badDuration.run("demo", "--duration", "soon")).isEqualTo(2);
    assertThat(badDuration.err()).contains("'soon' (expected: a duration such as 500ms, 10s");
    Cli badDevices = new Cli();
    assertThat(badDevices.run("demo", "--devices", "0")).isEqualTo(2);
    assertThat(badDevices.err()).contains("--devices 0 (expected: 1..1000)");
  }
}
