package io.tributary.transport.netty.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension that fails a test when Netty reports a leaked {@code ByteBuf}.
 *
 * <p>After each test it runs a few GC cycles, waits (with a timeout) until the JVM has enqueued
 * the references the GC cleared, then allocates tracked buffers so Netty's detector polls its
 * queue and reports what was collected without being released; any report fails the test. A leak
 * found after a test may have been made by an earlier test of the same JVM: the report's access
 * records say where the buffer was touched.
 */
public class LeakCheck implements BeforeAllCallback, AfterEachCallback {

  /**
   * The same check once after all tests of a class, for classes of many fast unit tests where a
   * few GC cycles per test would dominate the run time.
   */
  public static final class PerClass extends LeakCheck implements AfterAllCallback {
    @Override
    public void afterEach(ExtensionContext context) {}

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
      super.afterEach(context);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    assertThat(ResourceLeakDetector.getLevel())
        .as("surefire must run with -Dio.netty.leakDetection.level=paranoid")
        .isEqualTo(ResourceLeakDetector.Level.PARANOID);
    // make sure Netty's ByteBuf detector exists, then that it is ours
    ByteBufAllocator.DEFAULT.buffer(1).release();
    assertThat(RecordingLeakDetector.instances())
        .as("-Dio.netty.customResourceLeakDetector must name RecordingLeakDetector")
        .isPositive();
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    List<String> leaks = collectLeaks();
    assertThat(leaks).as("ByteBuf leaks reported by Netty's paranoid leak detector").isEmpty();
  }

  /** Collects garbage, lets Netty's detectors report, and returns (and clears) every report. */
  public static List<String> collectLeaks() throws InterruptedException {
    for (int round = 0; round < 2; round++) {
      ReferenceQueue<Object> queue = new ReferenceQueue<>();
      PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
      System.gc();
      // the reference handler enqueues what one GC cleared together; once our sentinel is in,
      // Netty's weak references from the same cycle are in its queue too
      queue.remove(2_000);
      sentinel.clear();
      for (int i = 0; i < 4; i++) {
        ByteBufAllocator.DEFAULT.buffer(8).release();
        ByteBufAllocator.DEFAULT.directBuffer(8).release();
        UnpooledByteBufAllocator.DEFAULT.heapBuffer(8).release();
      }
    }
    return RecordingLeakDetector.drainReports();
  }
}
