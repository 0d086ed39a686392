package io.tributary.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.Durability;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real load generator (server, Netty, LMDB on both ends) for about two seconds. */
class EndToEndSmokeTest {
  @TempDir Path dir;

  @Test
  void pacedRunOfTwoDevicesVerifiesExactlyOnce() throws Exception {
    EndToEnd.Options o = EndToEnd.Options.parse(new String[] {
        "--devices", "2", "--batch", "10", "--durability", "NO_META_SYNC", "--compression", "off",
        "--rate", "2000", "--warmup", "0.3s", "--duration", "1s", "--log-max-mib", "8", "--dir", dir.toString()});
    assertThat(o.warmup()).isEqualTo(Duration.ofMillis(300));
    assertThat(o.pageCacheTrim()).as("the store's default for NO_META_SYNC").isTrue();
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    EndToEnd.Result r = EndToEnd.run(o, new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(r.check().problems()).isEmpty();
    assertThat(r.check().written()).isGreaterThan(0);
    assertThat(r.check().stored()).isEqualTo(r.check().written());
    // not the window's rate: acknowledgements may all fall outside a 1 s window on a busy machine
    assertThat(r.runObjectsPerSecond()).isPositive();
    assertThat(r.transactions()).isGreaterThan(0);
    assertThat(r.p50Nanos()).isPositive().isLessThanOrEqualTo(r.p99Nanos());
    assertThat(r.serverCpuNanosPerObject()).isPositive();
    assertThat(r.clientCpuNanosPerObject()).as("writers, sessions and client I/O threads").isPositive();
    assertThat(r.clientCpuNanosPerObject() + r.serverCpuNanosPerObject())
        .isLessThanOrEqualTo(r.processCpuNanosPerObject() * 1.05); // disjoint thread sets
    assertThat(r.row()).startsWith("| 2 | 10 | NO_META_SYNC | off | 2,000 |").contains("yes (");
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("exactly once", "page-cache trim on");
    try (var left = Files.list(dir)) {
      assertThat(left).as("scratch directories deleted").isEmpty();
    }
  }

  @Test
  void closedLoopRunKeepsAtMostTheWindowUnacknowledged() throws Exception {
    EndToEnd.Options o = EndToEnd.Options.parse(new String[] {
        "--devices", "2", "--batch", "10", "--durability", "OS_FLUSH", "--compression", "off", "--window", "2",
        "--warmup", "0.2s", "--duration", "0.8s", "--log-max-mib", "8", "--dir", dir.toString()});
    assertThat(o.window()).isEqualTo(2);
    assertThat(o.pageCacheTrim()).as("the store's default for OS_FLUSH").isTrue();
    assertThat(o.rate()).as("unpaced: only the window holds the writers back").isZero();
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    EndToEnd.Result r = EndToEnd.run(o, new PrintStream(log, true, StandardCharsets.UTF_8));

    assertThat(r.check().problems()).isEmpty();
    assertThat(r.check().written()).isGreaterThan(20);
    assertThat(r.row()).startsWith("| 2 | 10 | OS_FLUSH | off | max, window 2 |");
    // unbounded writers would have hundreds of 10-object transactions in each log
    assertThat(log.toString(StandardCharsets.UTF_8))
        .containsPattern("at most [12] transactions of one device waited for their acknowledgement at once");
  }

  @Test
  void thePageCacheTrimCanBeChosenForAnyDurability() {
    assertThat(EndToEnd.Options.parse(new String[] {"--durability", "SYNC", "--page-cache-trim", "on"}).pageCacheTrim())
        .isTrue();
    assertThat(EndToEnd.Options.parse(new String[] {"--durability", "OS_FLUSH", "--page-cache-trim", "off"})
        .pageCacheTrim()).isFalse();
    assertThatThrownBy(() -> EndToEnd.Options.parse(new String[] {"--page-cache-trim", "yes"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--page-cache-trim: yes (expected: on or off)");
  }

  @Test
  void negativeWindowIsRefused() {
    assertThatThrownBy(() -> EndToEnd.Options.parse(new String[] {"--window", "-1"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--window: -1 (expected: >= 0, 0 for no bound)");
  }

  @Test
  void compressedRunOfOneDeviceWithLargeTransactions() throws Exception {
    EndToEnd.Result r = EndToEnd.run(EndToEnd.Options.parse(new String[] {
        "--devices", "1", "--batch", "1000", "--durability", "OS_FLUSH", "--compression", "on", "--rate", "5000",
        "--warmup", "0.2s", "--duration", "0.8s", "--log-max-mib", "8", "--dir", dir.toString()}), System.err);
    assertThat(r.check().problems()).isEmpty();
    assertThat(r.check().written()).isPositive();
    assertThat(r.check().written() % 1000).as("whole transactions").isZero();
    assertThat(r.runObjectsPerSecond()).isPositive();
  }
}
