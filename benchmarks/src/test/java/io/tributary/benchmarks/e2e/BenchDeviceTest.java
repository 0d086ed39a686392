package io.tributary.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchDeviceTest {
  @Test
  void outsideTellsWhetherACommitFellOutsideTheWindowWithoutOverflowing() {
    long from = Long.MAX_VALUE - 1_000; // nanoTime may be near either end of the long range
    long to = from + 500;
    assertThat(BenchDevice.outside(from - 1, from, to)).isEqualTo(1);
    assertThat(BenchDevice.outside(from, from, to)).isZero();
    assertThat(BenchDevice.outside(to - 1, from, to)).isZero();
    assertThat(BenchDevice.outside(to, from, to)).isEqualTo(1);
    assertThat(BenchDevice.outside(Long.MAX_VALUE, from, to)).isEqualTo(1);
    long f = Long.MIN_VALUE + 10;
    assertThat(BenchDevice.outside(f - 10, f, f + 1)).isEqualTo(1);
    assertThat(BenchDevice.outside(f, f, f + 1)).isZero();
    assertThat(BenchDevice.outside(f + 1, f, f + 1)).isEqualTo(1);
    assertThat(BenchDevice.outside(-5, -10, 10)).isZero();
    assertThat(BenchDevice.outside(10, -10, 10)).isEqualTo(1);
  }
}
