package io.tributary.benchmarks.memory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A process's memory after garbage collection: heap used ({@link java.lang.management.MemoryMXBean},
 * after {@link System#gc()} several times) and resident set size ({@code VmRSS} of {@code
 * /proc/self/status}, Linux only, -1 elsewhere).
 *
 * @param heapUsedBytes heap in use after the collections
 * @param rssBytes resident set size, or -1 if unknown
 */
record Footprint(long heapUsedBytes, long rssBytes) {
  private static final String PREFIX = "FOOTPRINT ";

  /** Collects garbage a few times (letting reference processing and finalizers run) and measures. */
  static Footprint measure() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100); // not a wait for a condition: gives the cleaner threads a chance to run
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    return new Footprint(heap, rss());
  }

  static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return parseKib(line.substring("VmRSS:".length())) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** "  123456 kB" → 123456. */
  static long parseKib(String value) {
    String v = value.trim();
    if (!v.endsWith("kB")) {
      throw new IllegalArgumentException("VmRSS: '" + value + "' (expected: '<n> kB')");
    }
    return Long.parseLong(v.substring(0, v.length() - 2).trim());
  }

  /** The line a child process prints for its parent. */
  String line() {
    return PREFIX + heapUsedBytes + " " + rssBytes;
  }

  /** Parses {@link #line()}; null if {@code line} is not one. */
  static Footprint parse(String line) {
    if (!line.startsWith(PREFIX)) {
      return null;
    }
    String[] f = line.substring(PREFIX.length()).trim().split(" ");
    if (f.length != 2) {
      throw new IllegalArgumentException("footprint line: '" + line + "' (expected: FOOTPRINT <heap> <rss>)");
    }
    return new Footprint(Long.parseLong(f[0]), Long.parseLong(f[1]));
  }

  static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }
}
