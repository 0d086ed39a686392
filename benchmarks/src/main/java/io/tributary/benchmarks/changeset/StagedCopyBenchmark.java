package io.tributary.benchmarks.changeset;

import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ByteBufferSink;
import io.tributary.protocol.changeset.ByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The part of {@link ChangesetEncodeBenchmark#transaction1000Prepared}'s {@code direct} score that
 * is the copy alone: a sink without a heap array (a direct {@link java.nio.ByteBuffer}) gets the
 * writer's bytes staged in a heap window and copied with one {@link ByteSink#write} per window
 * (spec of {@link ByteSink}). This copies as many bytes as a 1,000-reading changeset has (the
 * prepared readings, encoded once at setup) from a {@code window}-byte staging array into the
 * sink, window by window, as the writer's commit does, without encoding anything: the staging
 * array holds the changeset's first window and stays in the L1 cache, as the writer's does. Score
 * per reading ({@code @OperationsPerInvocation}).
 *
 * <p>{@code sink=direct} is the writer's direct-sink copy; {@code sink=heap} the same copies into
 * an {@link ArrayByteSink} for contrast (the writer never does those: it writes straight into a
 * heap sink's array). On the 2-core development machine the direct copy costs about as much as
 * the difference between the encode benchmark's {@code direct} and {@code heap} scores, so that
 * difference is the copy, not the encoding.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar StagedCopy -f1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StagedCopyBenchmark {
  private static final int N = 1000;

  @Param({"direct", "heap"})
  public String sink;

  /** The writer's staging window is 4 KiB. */
  @Param({"4096"})
  public int window;

  private int changesetBytes;
  private byte[] staging;
  private ArrayByteSink heapSink;
  private ByteBufferSink directSink;
  private ByteSink target;
  private boolean heap;

  /** Encodes the readings once (prepared paths, as the encode benchmark) and sizes the sinks. */
  @Setup
  public void setUp() {
    Readings readings = new Readings(N);
    ArrayByteSink encoded = new ArrayByteSink(1 << 20);
    ChangesetWriter w = new ChangesetWriter(encoded);
    for (int i = 0; i < N; i++) {
      readings.writePrepared(w, i);
    }
    w.finish();
    changesetBytes = encoded.size();
    staging = Arrays.copyOf(encoded.array(), window);
    heapSink = new ArrayByteSink(1 << 20);
    directSink = ByteBufferSink.allocateDirect(1 << 20, 1 << 24);
    heap = sink.equals("heap");
    target = heap ? heapSink : directSink;
  }

  /** Writes the changeset's number of bytes to the sink, one {@code write} per full window. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long copyInWindows() {
    if (heap) {
      heapSink.clear();
    } else {
      directSink.clear();
    }
    byte[] stage = staging;
    ByteSink t = target;
    int w = stage.length;
    int total = changesetBytes;
    for (int off = 0; off < total; off += w) {
      t.write(stage, 0, Math.min(w, total - off));
    }
    return t.position();
  }
}
