package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Property(tries = 500)
  void everyValueLiesBelowItsBucketBoundWithinOneEighth(@ForAll @LongRange(min = 1024, max = 1L << 46) long nanos) {
    long bound = LatencyHistogram.upperBound(LatencyHistogram.index(nanos));
    assertThat(bound).isGreaterThan(nanos);
    assertThat((double) bound).isLessThanOrEqualTo(nanos * 1.125 + 1);
  }

  @Test
  void quantilesOfAKnownDistribution() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.quantile(0.5)).isZero();
    for (int ms = 1; ms <= 100; ms++) {
      h.record(ms * 1_000_000L);
    }
    assertThat(h.count()).isEqualTo(100);
    // the bucket bound is above the exact value by less than 12.5%
    assertThat(h.quantile(0.5)).isBetween(50_000_000L, 56_250_000L);
    assertThat(h.quantile(0.99)).isBetween(99_000_000L, 111_375_000L);
    assertThat(h.quantile(1.0)).isBetween(100_000_000L, 112_500_000L);
    assertThat(h.quantile(0.0)).isBetween(1_000_000L, 1_125_000L);
  }

  @Test
  void extremesAndMerging() {
    LatencyHistogram a = new LatencyHistogram();
    a.record(-5);
    a.record(0);
    a.record(Long.MAX_VALUE);
    assertThat(a.count()).isEqualTo(3);
    assertThat(a.quantile(0.5)).isLessThanOrEqualTo(1152);
    assertThat(a.quantile(1.0)).isGreaterThan(1L << 47);
    LatencyHistogram b = new LatencyHistogram();
    b.record(2_000_000);
    b.add(a);
    assertThat(b.count()).isEqualTo(4);
  }
}
