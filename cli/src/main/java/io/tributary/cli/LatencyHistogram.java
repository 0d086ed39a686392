package io.tributary.cli;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A log-bucketed histogram of durations in nanoseconds: 8 buckets per power of two (relative
 * error below 9%), from 1 µs to about 10^5 s; smaller values go to the first bucket, larger ones to
 * the last. Recording is wait-free and allocation-free; quantiles read a moving target without
 * locking (exact once recording has stopped). Thread safe.
 */
final class LatencyHistogram {
  private static final int SUB_BUCKET_BITS = 3;
  private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
  /** Values below 2^10 ns (about 1 µs) share bucket 0. */
  private static final int MIN_EXPONENT = 10;
  /** 2^47 ns is about 39 hours. */
  private static final int MAX_EXPONENT = 47;
  private static final int BUCKETS = (MAX_EXPONENT - MIN_EXPONENT + 1) * SUB_BUCKETS;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  /** Records one duration; negative values count as 0. */
  void record(long nanos) {
    counts.incrementAndGet(index(nanos));
  }

  /** Adds every count of {@code other} to this one. */
  void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      long c = other.counts.get(i);
      if (c != 0) {
        counts.addAndGet(i, c);
      }
    }
  }

  /** The number of recorded durations. */
  long count() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /**
   * The upper bound of the bucket holding the {@code q} quantile, in nanoseconds, or 0 if nothing
   * was recorded.
   *
   * @param q in 0..1
   */
  long quantile(double q) {
    long total = count();
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return upperBound(i);
      }
    }
    return upperBound(BUCKETS - 1);
  }

  static int index(long nanos) {
    if (nanos < (1L << MIN_EXPONENT)) {
      return 0;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(nanos);
    if (exponent > MAX_EXPONENT) {
      return BUCKETS - 1;
    }
    int sub = (int) (nanos >>> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1);
    return (exponent - MIN_EXPONENT) * SUB_BUCKETS + sub;
  }

  /** The smallest value above every value of bucket {@code i}. */
  static long upperBound(int i) {
    int exponent = i / SUB_BUCKETS + MIN_EXPONENT;
    int sub = i % SUB_BUCKETS;
    return (1L << exponent) + ((long) (sub + 1) << (exponent - SUB_BUCKET_BITS));
  }
}
