package io.tributary.benchmarks.e2e;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the threads whose names start with one of a set of prefixes, from {@link
 * ThreadMXBean#getThreadCpuTime}: a snapshot per thread, so a delta counts only the CPU spent
 * between two snapshots (a thread that ended in between is lost; the server's threads live as long
 * as the server). Used to charge the in-process server its own CPU, apart from the client's.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final List<String> prefixes;

  ThreadCpu(List<String> prefixes) {
    this.prefixes = List.copyOf(prefixes);
    if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
  }

  /** Whether the JVM measures per-thread CPU time at all. */
  static boolean supported() {
    return THREADS.isThreadCpuTimeSupported();
  }

  /** CPU nanoseconds so far of every matching live thread, by thread id. */
  Map<Long, Long> snapshot() {
    Map<Long, Long> cpu = new HashMap<>();
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] != null && matches(infos[i].getThreadName())) {
        long t = THREADS.getThreadCpuTime(ids[i]);
        if (t >= 0) {
          cpu.put(ids[i], t);
        }
      }
    }
    return cpu;
  }

  /** CPU nanoseconds spent between two snapshots by the threads of {@code after}. */
  static long delta(Map<Long, Long> before, Map<Long, Long> after) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  /**
   * CPU nanoseconds spent between two snapshots per thread name (digits folded into {@code #}, so
   * the threads of one pool add up), for the progress log.
   */
  static Map<String, Long> deltaByName(Map<Long, Long> before, Map<Long, Long> after) {
    Map<String, Long> byName = new java.util.TreeMap<>();
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      ThreadInfo info = THREADS.getThreadInfo(e.getKey());
      String name = info == null ? "(ended)" : info.getThreadName().replaceAll("[0-9]+", "#");
      byName.merge(name, e.getValue() - before.getOrDefault(e.getKey(), 0L), Long::sum);
    }
    return byName;
  }

  boolean matches(String name) {
    for (String p : prefixes) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** CPU nanoseconds the calling thread has used so far, or -1 if the JVM does not measure it. */
  static long currentThreadCpuNanos() {
    return THREADS.getCurrentThreadCpuTime();
  }

  /** CPU nanoseconds of the whole process so far, or -1 if the JVM does not say. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}
