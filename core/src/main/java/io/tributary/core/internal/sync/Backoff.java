package io.tributary.core.internal.sync;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * realm-core's reconnect and resumption delays (spec protocol.md §3.6): the first delay is {@code
 * initial}, and it is multiplied by {@code multiplier} (up to {@code max}) each time the same
 * reason repeats; a different reason starts again at {@code initial}. Each delay handed out is
 * reduced by a random fraction in [0, {@code jitter}].
 *
 * <p>A reason may bring its own parameters (a JSON_ERROR's {@code backoffIntervalSec}, {@code
 * backoffMaxDelaySec}, {@code backoffMultiplier}, §5.10). Not thread safe: owned by the session
 * thread.
 */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final long multiplier;
  private final double jitter;
  private final RandomGenerator random;

  private Object lastReason;
  private long current;

  /**
   * @param initialNanos first delay, > 0
   * @param maxNanos largest delay, >= initial
   * @param multiplier growth factor, >= 1
   * @param jitter 0..1
   * @param random jitter source
   */
  Backoff(long initialNanos, long maxNanos, long multiplier, double jitter, RandomGenerator random) {
    this.initialNanos = initialNanos;
    this.maxNanos = maxNanos;
    this.multiplier = multiplier;
    this.jitter = jitter;
    this.random = Objects.requireNonNull(random, "random");
  }

  /** The next delay for {@code reason} with the default parameters, in nanoseconds. */
  long next(Object reason) {
    return next(reason, initialNanos, maxNanos, multiplier);
  }

  /** The next delay for {@code reason} with its own parameters, in nanoseconds. */
  long next(Object reason, long initial, long max, long mult) {
    if (current > 0 && reason.equals(lastReason)) {
      current = Math.min(max, multiplyCapped(current, Math.max(1, mult)));
    } else {
      current = Math.min(Math.max(1, initial), Math.max(1, max));
    }
    lastReason = reason;
    return jittered(current);
  }

  /** The delay {@code base} reduced by a random fraction in [0, jitter]. */
  long jittered(long base) {
    if (jitter == 0 || base <= 0) {
      return base;
    }
    return base - (long) (random.nextDouble() * jitter * base);
  }

  /** Forgets the last reason: the next delay is the initial one. */
  void reset() {
    lastReason = null;
    current = 0;
  }

  private static long multiplyCapped(long a, long b) {
    long r = a * b;
    return (a != 0 && (r / a != b || r < 0)) ? Long.MAX_VALUE : r;
  }
}
