package io.tributary.benchmarks.changeset;

import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetReader;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.InstructionType;
import io.tributary.protocol.changeset.PayloadType;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Validating a 1 000-object changeset of sensor readings with {@link ChangesetReader}; the score is
 * per object ({@code @OperationsPerInvocation(1000)}).
 *
 * <ul>
 *   <li>{@code validate}: {@link ChangesetReader#skipAll()}, every record decoded and checked
 *       (varint widths, intern indices, UTF-8, timestamps, ...), nothing materialised.
 *   <li>{@code validateAndReadValues}: a {@link ChangesetReader#next()} loop (one call per
 *       instruction, the server ingest's way of reading) that also reads each object's key bytes
 *       and values through the allocation-free accessors.
 * </ul>
 *
 * {@code buffer}: a heap or a direct {@link ByteBuffer}. Target: ≤ 100 ns and 0 B/op per object.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ChangesetDecode -f1 -wi 2 -w 2s -i 3 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChangesetDecodeBenchmark {
  private static final int N = 1000;

  /**
   * heap: array-backed (the server's path since UploadCursor.changesetWithArray); readOnlyHeap: the
   * read-only view UploadCursor.changeset() hands out, which hides the array; direct: off-heap.
   */
  @Param({"heap", "readOnlyHeap", "direct"})
  public String buffer;

  private ByteBuffer changeset;
  private final ChangesetReader reader = new ChangesetReader();
  private final byte[] key = new byte[12];

  @Setup
  public void setUp() {
    Readings readings = new Readings(N);
    ArrayByteSink sink = new ArrayByteSink(1 << 20);
    ChangesetWriter w = new ChangesetWriter(sink);
    for (int i = 0; i < N; i++) {
      readings.write(w, i);
    }
    w.finish();
    ByteBuffer heap = ByteBuffer.wrap(sink.toByteArray());
    changeset = switch (buffer) {
      case "heap" -> heap;
      case "readOnlyHeap" -> heap.asReadOnlyBuffer();
      case "direct" -> ByteBuffer.allocateDirect(heap.remaining()).put(heap).flip();
      default -> throw new IllegalArgumentException("buffer: " + buffer);
    };
    if (reader.reset(changeset).skipAll() != 7 * N) {
      throw new IllegalStateException("expected 7 instructions per object");
    }
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public int validate() {
    return reader.reset(changeset).skipAll();
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public void validateAndReadValues(Blackhole bh) {
    ChangesetReader r = reader.reset(changeset);
    while (r.next()) {
      if (r.instruction() == InstructionType.CREATE_OBJECT) {
        r.copyObjectKeyBytes(key, 0);
        bh.consume(key);
      } else if (r.instruction() == InstructionType.UPDATE) {
        PayloadType t = r.valueType();
        if (t == PayloadType.DOUBLE) {
          bh.consume(r.doubleValue());
        } else if (t == PayloadType.STRING) {
          bh.consume(r.valueLength());
        } else if (t == PayloadType.TIMESTAMP) {
          bh.consume(r.timestampSeconds());
          bh.consume(r.timestampNanos());
        }
      }
    }
  }
}
