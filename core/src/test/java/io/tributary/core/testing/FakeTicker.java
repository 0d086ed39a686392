package io.tributary.core.testing;

import io.tributary.core.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Ticker} that moves only when told to. Thread safe. */
public final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long read() {
    return nanos.get();
  }

  /** Moves the time forward. */
  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  /** Moves the time forward by {@code n} nanoseconds. */
  public void advanceNanos(long n) {
    nanos.addAndGet(n);
  }

  @Override
  public String toString() {
    return "FakeTicker{" + nanos.get() + "}";
  }
}
