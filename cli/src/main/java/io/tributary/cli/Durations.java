package io.tributary.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Durations on the command line, and durations for people. Stateless. */
final class Durations {
  private Durations() {}

  /**
   * Parses {@code 250ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code
   * PT30S}).
   *
   * @throws CommandLine.TypeConversionException if the text is none of these or negative
   */
  static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Duration d = null;
    try {
      if (t.startsWith("p")) {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } else if (t.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.length() > 1) {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        switch (t.charAt(t.length() - 1)) {
          case 's' -> d = Duration.ofSeconds(n);
          case 'm' -> d = Duration.ofMinutes(n);
          case 'h' -> d = Duration.ofHours(n);
          case 'd' -> d = Duration.ofDays(n);
          default -> d = null;
        }
      }
    } catch (RuntimeException e) {
      d = null;
    }
    if (d == null || d.isNegative()) {
      throw new CommandLine.TypeConversionException(
          "'" + text + "' (expected: a duration such as 500ms, 10s, 5m, 2h, 1d or PT30S)");
    }
    return d;
  }

  /** {@code 850 ms}, {@code 12.3 s}, {@code 4 min 05 s}. */
  static String human(long nanos) {
    if (nanos < 1_000_000_000L) {
      return String.format(Locale.ROOT, "%d ms", nanos / 1_000_000);
    }
    if (nanos < 60_000_000_000L) {
      return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
    long s = nanos / 1_000_000_000L;
    return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
  }

  /** Milliseconds with a precision that suits the value: {@code 0.42 ms}, {@code 3.1 ms}, {@code 120 ms}. */
  static String millis(long nanos) {
    double ms = nanos / 1e6;
    if (ms < 1) {
      return String.format(Locale.ROOT, "%.2f ms", ms);
    }
    if (ms < 100) {
      return String.format(Locale.ROOT, "%.1f ms", ms);
    }
    return String.format(Locale.ROOT, "%.0f ms", ms);
  }
}
