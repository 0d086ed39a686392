package io.tributary.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatencySamplesTest {
  @Test
  void nearestRankQuantilesOfOneToHundred() {
    LatencySamples s = new LatencySamples();
    for (int i = 100; i >= 1; i--) { // unsorted input
      s.record(i);
    }
    assertThat(s.count()).isEqualTo(100);
    assertThat(s.quantile(0)).isEqualTo(1);
    assertThat(s.quantile(0.5)).isEqualTo(50);
    assertThat(s.quantile(0.99)).isEqualTo(99);
    assertThat(s.quantile(0.995)).isEqualTo(100);
    assertThat(s.quantile(1)).isEqualTo(100);
  }

  @Test
  void p99OfFewSamplesIsTheMaximum() {
    LatencySamples s = new LatencySamples();
    s.record(5);
    s.record(7);
    s.record(-3); // clamped
    assertThat(s.quantile(0.99)).isEqualTo(7);
    assertThat(s.quantile(0.01)).isEqualTo(0);
  }

  @Test
  void mergesAndGrowsPastTheInitialCapacity() {
    LatencySamples a = new LatencySamples();
    LatencySamples b = new LatencySamples();
    for (int i = 0; i < 3000; i++) {
      a.record(i);
      b.record(10_000 + i);
    }
    a.addAll(b);
    assertThat(a.count()).isEqualTo(6000);
    assertThat(a.quantile(0.5)).isEqualTo(2999);
    assertThat(a.quantile(1)).isEqualTo(12_999);
  }

  @Test
  void clearForgetsTheSamplesRecordedBefore() {
    LatencySamples s = new LatencySamples();
    for (int i = 0; i < 2000; i++) {
      s.record(1_000_000 + i); // the warm-up's
    }
    s.quantile(0.5); // sorted
    s.clear();
    assertThat(s.count()).isZero();
    assertThat(s.dropped()).isZero();
    assertThatThrownBy(() -> s.quantile(0.5)).isInstanceOf(IllegalStateException.class);
    s.record(9);
    s.record(3);
    assertThat(s.count()).isEqualTo(2);
    assertThat(s.quantile(0)).isEqualTo(3);
    assertThat(s.quantile(1)).isEqualTo(9);
  }

  @Test
  void refusesBadQuantilesAndEmptySets() {
    LatencySamples s = new LatencySamples();
    assertThatThrownBy(() -> s.quantile(0.5)).isInstanceOf(IllegalStateException.class);
    s.record(1);
    assertThatThrownBy(() -> s.quantile(1.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> s.quantile(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
