package io.tributary.protocol.changeset;

import java.lang.management.ManagementFactory;

/** Bytes allocated by the current thread (HotSpot's per-thread TLAB accounting). */
final class Allocations {
  private static final com.sun.management.ThreadMXBean BEAN =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  static long allocatedBytes() {
    return BEAN.getCurrentThreadAllocatedBytes();
  }

  /** What measuring itself costs (the bean may allocate a little). */
  static long overhead() {
    long a = allocatedBytes();
    long b = allocatedBytes();
    return b - a;
  }
}
