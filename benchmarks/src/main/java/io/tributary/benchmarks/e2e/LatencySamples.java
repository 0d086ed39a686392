package io.tributary.benchmarks.e2e;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds, kept exactly (a growable {@code long[]}) and sorted once for the
 * percentiles. A run records at most a few million samples (one per acknowledged transaction), so
 * exact samples cost at most tens of MiB and need no bucketing error to be explained.
 *
 * <p>Not thread safe: one recording thread, or external locking; {@link #addAll} merges.
 */
final class LatencySamples {
  /** Recording stops (and {@link #dropped()} counts) beyond this many samples: 64 MiB of longs. */
  static final int MAX_SAMPLES = 8 << 20;

  private long[] samples = new long[1024];
  private int count;
  private long dropped;
  private boolean sorted = true;

  /** Records one latency; negative values are clamped to 0 (clock granularity). */
  void record(long nanos) {
    if (count == MAX_SAMPLES) {
      dropped++;
      return;
    }
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, Math.min(MAX_SAMPLES, count * 2));
    }
    samples[count++] = Math.max(0, nanos);
    sorted = false;
  }

  /** Forgets every sample and the dropped count (keeps the array). */
  void clear() {
    count = 0;
    dropped = 0;
    sorted = true;
  }

  /** Adds every sample of {@code other}. */
  void addAll(LatencySamples other) {
    for (int i = 0; i < other.count; i++) {
      record(other.samples[i]);
    }
    dropped += other.dropped;
  }

  /** Samples recorded. */
  int count() {
    return count;
  }

  /** Samples not recorded because {@link #MAX_SAMPLES} was reached. */
  long dropped() {
    return dropped;
  }

  /**
   * The {@code q}-quantile by the nearest-rank method: the smallest sample such that at least
   * {@code q * count} samples are at or below it; {@code q == 0} gives the minimum, 1 the maximum.
   *
   * @param q 0..1
   * @return nanoseconds
   * @throws IllegalArgumentException if q is outside 0..1
   * @throws IllegalStateException if there are no samples
   */
  long quantile(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile: " + q + " (expected: 0..1)");
    }
    if (count == 0) {
      throw new IllegalStateException("quantile of no samples");
    }
    if (!sorted) {
      Arrays.sort(samples, 0, count);
      sorted = true;
    }
    int rank = (int) Math.ceil(q * count); // 1-based
    return samples[Math.max(0, rank - 1)];
  }
}
