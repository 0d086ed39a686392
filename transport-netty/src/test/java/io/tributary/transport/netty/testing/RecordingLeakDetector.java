package io.tributary.transport.netty.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ResourceLeakDetector} that records every leak report, so tests can fail on them.
 * Installed for the whole test JVM by {@code -Dio.netty.customResourceLeakDetector=} (see this
 * module's pom): Netty creates its ByteBuf detector through this class when the first buffer class
 * loads.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
  private static final List<String> REPORTS = new ArrayList<>();
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
    INSTANCES.incrementAndGet();
  }

  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    this(resourceType, samplingInterval);
  }

  /** How many detectors Netty created through this class (0: not installed). */
  public static int instances() {
    return INSTANCES.get();
  }

  /** Takes and clears the reports recorded so far. */
  public static List<String> drainReports() {
    synchronized (REPORTS) {
      List<String> copy = new ArrayList<>(REPORTS);
      REPORTS.clear();
      return copy;
    }
  }

  private static void record(String report) {
    synchronized (REPORTS) {
      REPORTS.add(report);
    }
  }

  @Override
  protected boolean needReport() {
    return true;
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    record("LEAK: " + resourceType + " was not released" + records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    record("LEAK: " + resourceType + " was not released (no records)");
  }
}
