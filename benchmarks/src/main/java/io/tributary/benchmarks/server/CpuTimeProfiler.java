package io.tributary.benchmarks.server;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the benchmark process's CPU time per operation ({@code
 * cpu.time.norm}, ns/op): every thread of the forked JVM (benchmark thread, the LMDB storage
 * thread a sink hands its commit to, GC, JIT) over each iteration, divided by the iteration's
 * operations (with {@code @OperationsPerInvocation}, per object). On a machine shared with other
 * work the time scores follow the share of the cores this process gets; CPU time per operation
 * does much less, so it is the figure to compare old and new code on a busy machine.
 *
 * <pre>
 * java -jar benchmarks.jar ServerIngest -prof io.tributary.benchmarks.server.CpuTimeProfiler
 * </pre>
 *
 * <p>Not API: a measuring aid of this module. Needs a JVM whose {@code OperatingSystemMXBean} is
 * {@code com.sun.management.OperatingSystemMXBean} (HotSpot); elsewhere it reports nothing.
 */
public final class CpuTimeProfiler implements InternalProfiler {
  private long cpuBefore;

  /** Created by JMH. */
  public CpuTimeProfiler() {}

  @Override
  public String getDescription() {
    return "process CPU time per operation (all threads)";
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    cpuBefore = processCpuNanos();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long after = processCpuNanos();
    long ops = result.getMetadata().getAllOps();
    if (after < 0 || cpuBefore < 0 || ops <= 0) {
      return List.of();
    }
    return List.of(
        new ScalarResult("cpu.time.norm", (double) (after - cpuBefore) / ops, "ns/op", AggregationPolicy.AVG));
  }
}
