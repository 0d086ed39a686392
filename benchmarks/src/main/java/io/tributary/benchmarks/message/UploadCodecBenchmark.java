package io.tributary.benchmarks.message;

import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.MessageBuffer;
import io.tributary.protocol.message.UploadBuilder;
import io.tributary.protocol.message.UploadCursor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The UPLOAD hot path (spec protocol.md §5.5): the client building an UPLOAD of {@code entries}
 * changesets from pre-made changeset buffers with {@link UploadBuilder}, and the server parsing
 * one with {@link UploadCursor} (header, inflation if compressed, entry scan, then iteration over
 * every changeset view). Both reuse their buffers, so the target is 0 B/op after warm-up apart
 * from zlib's fixed costs.
 *
 * <p>Changesets are seeded (Random(0)) and shaped like realm-core data changesets: interned names
 * and object ids that repeat, random values; they compress about 3:1, so with {@code
 * compressed=true} every message above 1 KiB is deflated (level 1) and, when parsed, inflated.
 * Direct buffers stand in for an LMDB log's memory map.
 *
 * <p>Run (allocation is the figure to read, {@code gc.alloc.rate.norm} in B/op):
 *
 * <pre>
 * mvn -B -ntp -q package -pl benchmarks -am -DskipTests
 * java -jar benchmarks/target/benchmarks.jar 'message' -f1 -wi 2 -w 2s -i 3 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class UploadCodecBenchmark {
  /** Changesets per UPLOAD. */
  @Param({"1", "16", "128"})
  public int entries;

  /** Changeset size in bytes. */
  @Param({"400"})
  public int changesetSize;

  /** Whether bodies above 1 KiB are compressed (realm-core's rule) or never. */
  @Param({"false", "true"})
  public boolean compressed;

  private ByteBuffer[] changesets;
  private UploadBuilder builder;
  private UploadCursor cursor;
  private MessageBuffer out;
  private ByteBuffer message;

  @Setup
  public void setUp() {
    CodecConfig config = CodecConfig.newBuilder().compressionEnabled(compressed).build();
    Random random = new Random(0);
    changesets = new ByteBuffer[entries];
    for (int i = 0; i < entries; i++) {
      byte[] cs = changeset(random, changesetSize);
      changesets[i] = ByteBuffer.allocateDirect(cs.length).put(cs).flip();
    }
    builder = new UploadBuilder(config);
    cursor = new UploadCursor(config);
    out = new MessageBuffer();
    // the message the parse benchmark reads: built once, copied into its own buffer
    MessageBuffer tmp = new MessageBuffer();
    ByteBuffer built = build(new UploadBuilder(config), tmp);
    message = ByteBuffer.allocate(built.remaining()).put(built).flip();
    if (compressed != cursor.wrap(message).isBodyCompressed() && entries * changesetSize > 1024) {
      throw new IllegalStateException("compression setting not reflected in the message");
    }
  }

  @TearDown
  public void tearDown() {
    builder.close();
    cursor.close();
  }

  /** Client: build one UPLOAD of {@code entries} changesets. Returns the message length. */
  @Benchmark
  public int buildUpload() {
    return build(builder, out).remaining();
  }

  /** Server: parse one UPLOAD and visit every changeset. */
  @Benchmark
  public long parseUpload(Blackhole bh) {
    cursor.wrap(message);
    long sum = 0;
    while (cursor.next()) {
      sum += cursor.clientVersion() + cursor.originTimestamp();
      bh.consume(cursor.changeset());
    }
    return sum;
  }

  private ByteBuffer build(UploadBuilder b, MessageBuffer buffer) {
    b.begin(buffer);
    long version = 10;
    for (ByteBuffer cs : changesets) {
      b.addEntry(version, 0, 375353770272L + version, 0, cs);
      version += 2;
    }
    return b.finish(1, version, 0, 0);
  }

  /** Bytes shaped like a data changeset: repeated intern strings and ids, random values. */
  static byte[] changeset(Random random, int size) {
    byte[] out = new byte[size];
    byte[][] words = {
      "Reading".getBytes(StandardCharsets.US_ASCII),
      "sensor".getBytes(StandardCharsets.US_ASCII),
      "value".getBytes(StandardCharsets.US_ASCII),
      "ts".getBytes(StandardCharsets.US_ASCII),
      {0x02, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x02},
      {0x04, 0x00, 0x0a}
    };
    int i = 0;
    while (i < size) {
      if (random.nextInt(3) == 0) {
        out[i++] = (byte) random.nextInt(256);
      } else {
        byte[] w = words[random.nextInt(words.length)];
        for (int j = 0; j < w.length && i < size; j++) {
          out[i++] = w[j];
        }
      }
    }
    return out;
  }
}
