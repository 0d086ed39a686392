package io.tributary.core;

/**
 * A monotonic time source in nanoseconds, for the sync session's timers (ping period, pong
 * timeout, reconnect backoff, close timeout). Inject one in {@link SyncOptions.Builder#ticker} to
 * drive the timers in tests; the default is {@link #system()}.
 *
 * <p>Implementations are thread safe. Only differences between two readings mean anything.
 */
@FunctionalInterface
public interface Ticker {

  /**
   * The current reading.
   *
   * @return nanoseconds from an arbitrary origin; never decreases
   */
  long read();

  /**
   * The JVM's monotonic clock ({@link System#nanoTime()}).
   *
   * @return the system ticker (a singleton)
   */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}

/** {@link Ticker#system()}: a named singleton so that the session can recognize it. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long read() {
    return System.nanoTime();
  }

  @Override
  public String toString() {
    return "Ticker.system()";
  }
}
