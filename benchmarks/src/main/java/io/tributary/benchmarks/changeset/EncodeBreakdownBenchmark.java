package io.tributary.benchmarks.changeset;

import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.FieldPath;
import io.tributary.protocol.changeset.Name;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where {@link ChangesetEncodeBenchmark#transaction1000}'s time per reading goes: the same writer
 * and sink (heap, 1,000 objects per changeset, prepared names), writing only parts of the reading
 * after its CreateObject. Subtract {@code createOnly} from a part to get that part's cost, e.g.
 * {@code (createSixDoubles - createOnly) / 6} is one Update of a top-level double and {@code
 * (createSixKeyDoubles - createOnly) / 6} one Update of a double in the embedded object ({@code
 * key(..).inEmbedded(..)}). Scores are per object ({@code @OperationsPerInvocation(1000)}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar EncodeBreakdown -f1 -wi 2 -w 2s -i 3 -r 2s -bm sample
 * </pre>
 *
 * On a shared machine compare sample-mode minima and medians ({@code p0.00}, {@code p0.50}), not
 * means.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EncodeBreakdownBenchmark {
  private static final int N = 1000;
  private Readings r;
  private ArrayByteSink sink;
  private ChangesetWriter writer;

  /** Inputs, a 1 MiB heap sink and the writer. */
  @Setup
  public void setUp() {
    r = new Readings(N);
    sink = new ArrayByteSink(1 << 20);
    writer = new ChangesetWriter(sink);
  }

  /** CreateObject of each reading only (the loop and the object key). */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createOnly() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
    }
    return w.finish();
  }

  /** CreateObject and six Updates of a top-level double field. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createSixDoubles() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      double v = x.values[i];
      w.update(Readings.N_VALUE).doubleValue(v);
      w.update(Readings.N_VALUE).doubleValue(v);
      w.update(Readings.N_VALUE).doubleValue(v);
      w.update(Readings.N_VALUE).doubleValue(v);
      w.update(Readings.N_VALUE).doubleValue(v);
      w.update(Readings.N_VALUE).doubleValue(v);
    }
    return w.finish();
  }

  /** CreateObject and six Updates of a double in the embedded object. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createSixKeyDoubles() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    Name loc = Readings.N_LOCATION;
    Name lat = Readings.N_LAT;
    Name cls = Readings.N_EMBEDDED;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      double v = x.values[i];
      w.update(loc).key(lat).inEmbedded(cls).doubleValue(v);
      w.update(loc).key(lat).inEmbedded(cls).doubleValue(v);
      w.update(loc).key(lat).inEmbedded(cls).doubleValue(v);
      w.update(loc).key(lat).inEmbedded(cls).doubleValue(v);
      w.update(loc).key(lat).inEmbedded(cls).doubleValue(v);
      w.update(loc).key(lat).inEmbedded(cls).doubleValue(v);
    }
    return w.finish();
  }

  /** CreateObject, the sensor String and the Timestamp. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createStringTs() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      w.update(Readings.N_SENSOR).stringValue(x.sensors[i]);
      w.update(Readings.N_TS).timestampValue(x.times[i]);
    }
    return w.finish();
  }

  /** CreateObject and the sensor String (11 ASCII chars). */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createString() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      w.update(Readings.N_SENSOR).stringValue(x.sensors[i]);
    }
    return w.finish();
  }

  /** CreateObject and the Timestamp (5-byte seconds, 1 to 5-byte nanoseconds). */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createTs() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      w.update(Readings.N_TS).timestampValue(x.times[i]);
    }
    return w.finish();
  }

  /** CreateObject and the ObjectValue Update that creates the embedded object. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createObjectValue() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      w.update(Readings.N_LOCATION).objectValue();
    }
    return w.finish();
  }

  /** The whole reading, as {@link ChangesetEncodeBenchmark#transaction1000} writes it. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long full() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      x.write(w, i);
    }
    return w.finish();
  }

  // the same parts with prepared FieldPaths (one call per Update)

  /** CreateObject and six prepared Updates of a top-level double field. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createSixDoublesPrepared() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    FieldPath p = Readings.P_VALUE;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      double v = x.values[i];
      w.doubleValue(p, v);
      w.doubleValue(p, v);
      w.doubleValue(p, v);
      w.doubleValue(p, v);
      w.doubleValue(p, v);
      w.doubleValue(p, v);
    }
    return w.finish();
  }

  /** CreateObject and six prepared Updates of a double in the embedded object. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createSixKeyDoublesPrepared() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    FieldPath p = Readings.P_LAT;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      double v = x.values[i];
      w.doubleValue(p, v);
      w.doubleValue(p, v);
      w.doubleValue(p, v);
      w.doubleValue(p, v);
      w.doubleValue(p, v);
      w.doubleValue(p, v);
    }
    return w.finish();
  }

  /** CreateObject and the sensor String, prepared. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createStringPrepared() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      w.stringValue(Readings.P_SENSOR, x.sensors[i]);
    }
    return w.finish();
  }

  /** CreateObject and the Timestamp, prepared. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long createTsPrepared() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      w.createObject(Readings.N_CLASS, x.ids[i]);
      w.timestampValue(Readings.P_TS, x.times[i]);
    }
    return w.finish();
  }

  /** The whole reading with prepared paths, as in {@code transaction1000Prepared}. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long fullPrepared() {
    sink.clear();
    ChangesetWriter w = writer.reset();
    Readings x = r;
    for (int i = 0; i < N; i++) {
      x.writePrepared(w, i);
    }
    return w.finish();
  }
}
