package io.tributary.benchmarks.changeset;

import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetReader;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.InstructionType;
import io.tributary.protocol.changeset.PayloadType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@link ChangesetDecodeBenchmark}'s two loops timed by the thread's CPU time instead of wall time,
 * which a loaded machine disturbs less: for comparing two builds by alternating JVMs (old, new,
 * old, new, ...) with the same arguments.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.tributary.benchmarks.changeset.ChangesetDecodeCpu \
 *     next|skipAll [samples=15] [heap|readOnlyHeap|direct]
 * </pre>
 *
 * Warms up for 5 s of CPU, then prints the median, fastest and slowest of {@code samples} samples
 * of 2,000 passes over a 1,000-reading changeset, in ns of CPU per object.
 */
public final class ChangesetDecodeCpu {
  private static final int N = 1000;
  private static final int PASSES = 2000;

  private final byte[] key = new byte[12];

  private ChangesetDecodeCpu() {}

  /** The validateAndReadValues loop; returns a sum of what it read (so nothing is dead code). */
  private long nextLoop(ChangesetReader reader, ByteBuffer changeset) {
    long acc = 0;
    ChangesetReader r = reader.reset(changeset);
    while (r.next()) {
      if (r.instruction() == InstructionType.CREATE_OBJECT) {
        r.copyObjectKeyBytes(key, 0);
        acc += key[11];
      } else if (r.instruction() == InstructionType.UPDATE) {
        PayloadType t = r.valueType();
        if (t == PayloadType.DOUBLE) {
          acc += Double.doubleToRawLongBits(r.doubleValue());
        } else if (t == PayloadType.STRING) {
          acc += r.valueLength();
        } else if (t == PayloadType.TIMESTAMP) {
          acc += r.timestampSeconds() + r.timestampNanos();
        }
      }
    }
    return acc;
  }

  private long pass(boolean next, ChangesetReader reader, ByteBuffer changeset) {
    return next ? nextLoop(reader, changeset) : reader.reset(changeset).skipAll();
  }

  public static void main(String[] args) {
    if (args.length < 1 || !(args[0].equals("next") || args[0].equals("skipAll"))) {
      throw new IllegalArgumentException("usage: next|skipAll [samples] [heap|readOnlyHeap|direct]");
    }
    boolean next = args[0].equals("next");
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    String buffer = args.length > 2 ? args[2] : "heap";
    Readings readings = new Readings(N);
    ArrayByteSink sink = new ArrayByteSink(1 << 20);
    ChangesetWriter w = new ChangesetWriter(sink);
    for (int i = 0; i < N; i++) {
      readings.write(w, i);
    }
    w.finish();
    ByteBuffer heap = ByteBuffer.wrap(sink.toByteArray());
    ByteBuffer changeset = switch (buffer) {
      case "heap" -> heap;
      case "readOnlyHeap" -> heap.asReadOnlyBuffer();
      case "direct" -> ByteBuffer.allocateDirect(heap.remaining()).put(heap).flip();
      default -> throw new IllegalArgumentException("buffer: " + buffer);
    };
    ChangesetReader reader = new ChangesetReader();
    if (reader.reset(changeset).skipAll() != 7 * N) {
      throw new IllegalStateException("expected 7 instructions per object");
    }
    ChangesetDecodeCpu bench = new ChangesetDecodeCpu();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long acc = 0;
    long warmEnd = threads.getCurrentThreadCpuTime() + 5_000_000_000L;
    while (threads.getCurrentThreadCpuTime() < warmEnd) {
      for (int i = 0; i < 200; i++) {
        acc += bench.pass(next, reader, changeset);
      }
    }
    double[] perObject = new double[samples];
    for (int k = 0; k < samples; k++) {
      long t0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < PASSES; i++) {
        acc += bench.pass(next, reader, changeset);
      }
      perObject[k] = (threads.getCurrentThreadCpuTime() - t0) / (double) PASSES / N;
    }
    Arrays.sort(perObject);
    System.out.printf("%s %s: median %.1f, fastest %.1f, slowest %.1f ns of CPU per object"
        + " (checksum %d)%n", args[0], buffer, perObject[samples / 2], perObject[0],
        perObject[samples - 1], acc & 0xFF);
  }
}
