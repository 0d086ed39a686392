package io.tributary.benchmarks.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.Durability;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkLanesTest {
  @TempDir Path dir;

  @Test
  void eightDevicesFillPkIndexPagesAsOneDoes() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

    SinkLanes.Result one = SinkLanes.run(1, 3, 12, Durability.OS_FLUSH, dir, out);
    SinkLanes.Result eight = SinkLanes.run(8, 3, 12, Durability.OS_FLUSH, dir, out);

    assertThat(one.pkIndexStat().entries()).isEqualTo(36_000);
    assertThat(eight.pkIndexStat().entries()).isEqualTo(36_000);
    assertThat(one.objectsStat().entries()).as("chunks of up to 64 KiB, a few per commit").isBetween(12L, 360L);
    assertThat(one.objects()).as("after a third as warm-up").isEqualTo(24_000);
    assertThat(one.pkEntriesPerLeaf()).as("appends fill pages").isGreaterThan(90);
    // in one B-tree, lanes split pages in the middle (about 55 % full, stored format 1); format 2
    // puts these 8 devices' ObjectIds into pk_index partitions of their own
    assertThat(eight.pkEntriesPerLeaf()).as("a partition per lane").isGreaterThan(0.9 * one.pkEntriesPerLeaf());
    assertThat(eight.commitWallNanos()).isPositive();
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("lanes=1 uploads/commit=3 OS_FLUSH")
        .contains("lanes=8 uploads/commit=3 OS_FLUSH").contains("per leaf");
    try (var left = Files.list(dir)) {
      assertThat(left).as("scratch stores deleted").isEmpty();
    }
  }

  @Test
  void refusesCountsBelowOne() {
    assertThatThrownBy(() -> SinkLanes.run(0, 1, 1, Durability.OS_FLUSH, dir, System.out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lanes 0");
  }
}
