package io.tributary.benchmarks.changeset;

import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ByteBufferSink;
import io.tributary.protocol.changeset.ByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
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
 * Encoding sensor readings with {@link ChangesetWriter} (spec changeset.md §12.3 shape, 235 bytes
 * per object as realm-core writes them).
 *
 * <ul>
 *   <li>{@code transaction1000}: one changeset of 1 000 objects; the score is per object
 *       ({@code @OperationsPerInvocation(1000)}). Names are interned once per changeset, as in a
 *       real transaction.
 *   <li>{@code transaction1000Prepared}: the same bytes with prepared {@link
 *       io.tributary.protocol.changeset.FieldPath}s, one writer call per Update.
 *   <li>{@code transaction1000StringNames}: the same with plain String names instead of prepared
 *       {@link io.tributary.protocol.changeset.Name}s (a hash lookup per name use).
 *   <li>{@code oneObjectChangeset}: a changeset holding a single object (reset, 8 interned names,
 *       the object, finish): the worst case of one object per transaction.
 *   <li>{@code wideTransaction1000} and {@code wideOneObjectChangeset}: the same for a wide object
 *       with one property of every value type ({@link WideObjects}: 13 instructions per object).
 * </ul>
 *
 * {@code sink}: {@code heap} writes straight into a growable array ({@link ArrayByteSink});
 * {@code direct} into a direct {@link java.nio.ByteBuffer} (the writer stages 4 KiB windows and
 * copies them; {@link StagedCopyBenchmark} prices that copy alone). Target: ≤ 60 ns and 0 B/op per
 * object ({@code gc.alloc.rate.norm}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ChangesetEncode -f1 -wi 2 -w 2s -i 3 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChangesetEncodeBenchmark {
  private static final int N = 1000;

  @Param({"heap", "direct"})
  public String sink;

  private Readings readings;
  private WideObjects wide;
  private ArrayByteSink heapSink;
  private ByteBufferSink directSink;
  private ChangesetWriter writer;
  private int next;
  private boolean heap;

  @Setup
  public void setUp() {
    readings = new Readings(N);
    wide = new WideObjects(N);
    heapSink = new ArrayByteSink(1 << 20);
    directSink = ByteBufferSink.allocateDirect(1 << 20, 1 << 24);
    heap = sink.equals("heap");
    ByteSink target = heap ? heapSink : directSink;
    writer = new ChangesetWriter(target);
  }

  private void clearSink() {
    if (heap) {
      heapSink.clear();
    } else {
      directSink.clear();
    }
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public long transaction1000() {
    clearSink();
    ChangesetWriter w = writer.reset();
    Readings r = readings;
    for (int i = 0; i < N; i++) {
      r.write(w, i);
    }
    return w.finish();
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public long transaction1000Prepared() {
    clearSink();
    ChangesetWriter w = writer.reset();
    Readings r = readings;
    for (int i = 0; i < N; i++) {
      r.writePrepared(w, i);
    }
    return w.finish();
  }

  @Benchmark
  public long oneObjectChangesetPrepared() {
    clearSink();
    ChangesetWriter w = writer.reset();
    int i = next;
    next = i + 1 == N ? 0 : i + 1;
    readings.writePrepared(w, i);
    return w.finish();
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public long transaction1000StringNames() {
    clearSink();
    ChangesetWriter w = writer.reset();
    Readings r = readings;
    for (int i = 0; i < N; i++) {
      r.writeWithStrings(w, i);
    }
    return w.finish();
  }

  @Benchmark
  public long oneObjectChangeset() {
    clearSink();
    ChangesetWriter w = writer.reset();
    int i = next;
    next = i + 1 == N ? 0 : i + 1;
    readings.write(w, i);
    return w.finish();
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public long wideTransaction1000() {
    clearSink();
    ChangesetWriter w = writer.reset();
    WideObjects o = wide;
    for (int i = 0; i < N; i++) {
      o.write(w, i);
    }
    return w.finish();
  }

  @Benchmark
  public long wideOneObjectChangeset() {
    clearSink();
    ChangesetWriter w = writer.reset();
    int i = next;
    next = i + 1 == N ? 0 : i + 1;
    wide.write(w, i);
    return w.finish();
  }
}
