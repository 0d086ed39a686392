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

  /**
   * CPU milliseconds so far of the JVM's own threads, from {@code /proc/self/task/<tid>/stat}
   * (Linux; clock ticks of 10 ms): "JIT" (compiler threads), "GC" (GC and G1 threads), "VM" (the
   * rest that is not a Java thread of the application, by name). Empty where /proc is missing.
   * Threads that end between two readings are lost.
   */
  static Map<String, Long> jvmThreadMillis() {
    Map<String, Long> byKind = new java.util.TreeMap<>();
    java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
    if (!java.nio.file.Files.isDirectory(tasks)) {
      return byKind;
    }
    long tickMillis = 10; // USER_HZ is 100 on Linux
    try (java.util.stream.Stream<java.nio.file.Path> dirs = java.nio.file.Files.list(tasks)) {
      for (java.nio.file.Path dir : (Iterable<java.nio.file.Path>) dirs::iterator) {
        String stat;
        try {
          stat = java.nio.file.Files.readString(dir.resolve("stat"));
        } catch (java.io.IOException e) {
          continue; // the thread ended
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
          continue;
        }
        String comm = stat.substring(open + 1, close);
        String kind = comm.contains("CompilerThre") ? "JIT"
            : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "GC"
            : comm.equals("VM Thread") || comm.startsWith("VM ") ? "VM" : null;
        if (kind == null) {
          continue;
        }
        String[] f = stat.substring(close + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        byKind.merge(kind, ticks * tickMillis, Long::sum);
      }
    } catch (java.io.IOException | RuntimeException e) {
      return new java.util.TreeMap<>();
    }
    return byKind;
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
