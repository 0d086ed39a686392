package io.tributary.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live progress of a set of devices on standard error: objects written, acknowledged and
 * pending, and the rates of the last interval. On a terminal one line is rewritten in place
 * ({@code \r}) four times a second; otherwise a line is printed per interval. Runs on its own
 * daemon thread between {@link #start()} and {@link #close()}.
 */
final class ProgressDisplay implements AutoCloseable {
  /** How progress is shown. */
  enum Mode {
    /** {@code live} on a terminal, {@code lines} otherwise. */
    AUTO,
    /** One line, rewritten in place. */
    LIVE,
    /** A new line per interval. */
    LINES,
    /** Nothing. */
    NONE
  }

  private final PrintWriter err;
  private final List<SensorDevice> devices;
  private final boolean live;
  private final long intervalNanos;
  private final boolean withLatency;
  private final ScheduledExecutorService timer;
  private final long startNanos = System.nanoTime();
  private long lastNanos = startNanos;
  private long lastWritten;
  private long lastAcked;
  private int lastWidth;
  private boolean closed;

  private ProgressDisplay(PrintWriter err, List<SensorDevice> devices, boolean live, long intervalNanos,
      boolean withLatency) {
    this.err = err;
    this.devices = devices;
    this.live = live;
    this.intervalNanos = intervalNanos;
    this.withLatency = withLatency;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tributary-progress");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A display, or null for {@link Mode#NONE}.
   *
   * @param interval the period of printed lines (a live line is refreshed every 250 ms and its
   *     rates cover the last second)
   * @param withLatency whether lines show the acknowledgement latency percentiles so far
   */
  static ProgressDisplay create(Mode mode, PrintWriter err, List<SensorDevice> devices, long intervalNanos,
      boolean withLatency) {
    boolean live = switch (mode) {
      case NONE -> false;
      case LIVE -> true;
      case LINES -> false;
      case AUTO -> System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    };
    if (mode == Mode.NONE) {
      return null;
    }
    return new ProgressDisplay(err, devices, live, intervalNanos, withLatency);
  }

  /** Starts printing. */
  ProgressDisplay start() {
    long period = live ? TimeUnit.MILLISECONDS.toNanos(250) : intervalNanos;
    timer.scheduleAtFixedRate(this::tick, period, period, TimeUnit.NANOSECONDS);
    return this;
  }

  private synchronized void tick() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    // a live line's rates cover about the last second, printed lines their interval
    if (live && now - lastNanos < TimeUnit.MILLISECONDS.toNanos(900) && lastWidth > 0) {
      print(line(now, false));
      return;
    }
    print(line(now, true));
  }

  private String line(long now, boolean advance) {
    long written = 0;
    long acked = 0;
    long reconnects = 0;
    LatencyHistogram latency = withLatency ? new LatencyHistogram() : null;
    for (SensorDevice d : devices) {
      written += d.written();
      acked += d.acknowledged();
      reconnects += d.reconnects();
      if (latency != null) {
        latency.add(d.latency());
      }
    }
    double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
    String line = String.format(Locale.ROOT,
        "%6.1f s  written %,d  acknowledged %,d  pending %,d  rate %,.0f/s written, %,.0f/s acknowledged",
        (now - startNanos) / 1e9, written, acked, Math.max(0, written - acked),
        advance ? (written - lastWritten) / seconds : rateSoFar(written, lastWritten, seconds),
        advance ? (acked - lastAcked) / seconds : rateSoFar(acked, lastAcked, seconds));
    if (latency != null && latency.count() > 0) {
      line += "  latency p50 " + Durations.millis(latency.quantile(0.5))
          + " p99 " + Durations.millis(latency.quantile(0.99));
    }
    if (reconnects > 0) {
      line += "  reconnects " + reconnects;
    }
    if (advance) {
      lastNanos = now;
      lastWritten = written;
      lastAcked = acked;
    }
    return line;
  }

  private static double rateSoFar(long now, long before, double seconds) {
    return (now - before) / seconds;
  }

  private void print(String line) {
    if (live) {
      int pad = Math.max(0, lastWidth - line.length());
      err.print("\r" + line + " ".repeat(pad));
      lastWidth = line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** Prints a last update and stops; a live line is ended with a newline. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    timer.shutdownNow();
    if (live && lastWidth > 0) {
      print(line(System.nanoTime(), true));
      err.println();
      err.flush();
    }
  }
}
