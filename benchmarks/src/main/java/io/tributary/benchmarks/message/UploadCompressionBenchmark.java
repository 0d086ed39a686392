package io.tributary.benchmarks.message;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.Name;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.MessageBuffer;
import io.tributary.protocol.message.UploadBuilder;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
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

/**
 * What zlib settings cost on real UPLOAD bodies of sensor readings (issue 10: zlib level 1 was
 * about 1.1 µs of the client's 1.7–2.2 µs per object end to end): deflating one body with each
 * setting, and inflating the result (the server's side of the trade-off). The score is per body;
 * divide by {@code objects} for ns/object. The compressed size of each setting is printed by
 * {@code @Setup} ("compressed: ... bytes").
 *
 * <p>Bodies are built with {@link UploadBuilder} (compression off, so the bytes are the real body
 * a realm-core server inflates): one changeset of {@code objects} readings, encoded exactly as the
 * public write API encodes them. {@code data}:
 *
 * <ul>
 *   <li>{@code device}: the end-to-end benchmark's device ({@code e2e.BenchDevice}): one sensor
 *       name, increasing ObjectIds, values on a 0.01 grid, one timestamp per transaction, a fixed
 *       latitude.
 *   <li>{@code random}: every value random (distinct timestamps, doubles with full mantissas):
 *       the hard case for compression.
 * </ul>
 *
 * {@code setting}: {@code LEVEL1} (realm-core's level 1, default strategy), {@code HUFFMAN}
 * ({@link Deflater#HUFFMAN_ONLY}: entropy coding without string matching), {@code FILTERED1}
 * (level 1, {@link Deflater#FILTERED}), {@code LEVEL6} (zlib's default level, for scale).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'UploadCompressionBenchmark' -f1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class UploadCompressionBenchmark {
  /** Readings per body (one changeset). 1000 is the end-to-end benchmark's transaction. */
  @Param({"1000", "100", "10"})
  public int objects;

  @Param({"device", "random"})
  public String data;

  @Param({"LEVEL1", "HUFFMAN", "FILTERED1", "LEVEL6"})
  public String setting;

  private byte[] body;
  private byte[] out;
  private byte[] inflated;
  private int compressedLength;
  private Deflater deflater;
  private Inflater inflater;

  @Setup
  public void setUp() throws DataFormatException {
    body = body(objects, data.equals("random"));
    switch (setting) {
      case "LEVEL1":
        deflater = new Deflater(1);
        break;
      case "HUFFMAN":
        deflater = new Deflater(1);
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        break;
      case "FILTERED1":
        deflater = new Deflater(1);
        deflater.setStrategy(Deflater.FILTERED);
        break;
      case "LEVEL6":
        deflater = new Deflater(6);
        break;
      default:
        throw new IllegalArgumentException("setting: " + setting);
    }
    inflater = new Inflater();
    out = new byte[body.length + 1024];
    inflated = new byte[body.length];
    compressedLength = deflate();
    if (inflate() != body.length || !java.util.Arrays.equals(inflated, body)) {
      throw new IllegalStateException("round trip changed the body");
    }
    System.out.printf(
        "%ncompressed: %s %s objects=%d: %d of %d bytes (%.1f%%, %.1f bytes/object)%n",
        setting, data, objects, compressedLength, body.length,
        100.0 * compressedLength / body.length, (double) compressedLength / objects);
  }

  @TearDown
  public void tearDown() {
    deflater.end();
    inflater.end();
  }

  /** Client: deflate one body (what {@code BodyFramer} does per UPLOAD). */
  @Benchmark
  public int deflate() {
    Deflater d = deflater;
    d.reset();
    d.setInput(body);
    d.finish();
    int n = 0;
    while (!d.finished()) {
      n += d.deflate(out, n, out.length - n);
    }
    return n;
  }

  /** Server: inflate it again. */
  @Benchmark
  public int inflate() throws DataFormatException {
    Inflater inf = inflater;
    inf.reset();
    inf.setInput(out, 0, compressedLength);
    int n = 0;
    while (!inf.finished()) {
      n += inf.inflate(inflated, n, inflated.length - n);
    }
    return n;
  }

  /** An UPLOAD body (uncompressed) of one changeset of {@code n} readings. */
  static byte[] body(int n, boolean random) {
    Name reading = Name.of("Reading");
    Name location = Name.of("Location");
    Name sensor = Name.of("sensor");
    Name value = Name.of("value");
    Name ts = Name.of("ts");
    Name loc = Name.of("location");
    Name lat = Name.of("lat");
    Name lon = Name.of("lon");
    SplittableRandom r = new SplittableRandom(0);
    ArrayByteSink sink = new ArrayByteSink(1 << 16);
    ChangesetWriter w = new ChangesetWriter(sink);
    int keyHigh = 1_763_900_000;
    long keyLow = (0x1234L << 48) | (3L << 32);
    Instant now = Instant.ofEpochSecond(1_763_900_000L, 123_456_789);
    for (int seq = 0; seq < n; seq++) {
      if (random) {
        w.createObject(reading, ObjectId.of(keyHigh + seq, r.nextLong()));
        w.update(sensor).stringValue("sensor-" + r.nextInt(1000));
        w.update(value).doubleValue(r.nextDouble() * 40);
        w.update(ts).timestampValue(now.plusNanos(r.nextLong(1_000_000_000_000L)));
        w.update(loc).objectValue();
        w.update(loc).key(lat).inEmbedded(location).doubleValue(50 + r.nextDouble());
        w.update(loc).key(lon).inEmbedded(location).doubleValue(4 + r.nextDouble());
      } else {
        // as e2e.BenchDevice writes them
        w.createObject(reading, ObjectId.of(keyHigh, keyLow | seq));
        w.update(sensor).stringValue("sensor-4");
        w.update(value).doubleValue(20.0 + (seq % 1000) * 0.01);
        w.update(ts).timestampValue(now);
        w.update(loc).objectValue();
        w.update(loc).key(lat).inEmbedded(location).doubleValue(52.0 + 3 * 0.01);
        w.update(loc).key(lon).inEmbedded(location).doubleValue(4.3 + (seq % 100) * 1e-5);
      }
    }
    w.finish();
    ByteBuffer changeset = sink.asByteBuffer();
    try (UploadBuilder b =
        new UploadBuilder(CodecConfig.newBuilder().compressionEnabled(false).build())) {
      MessageBuffer buffer = new MessageBuffer();
      b.begin(buffer);
      b.addEntry(2, 0, 375_353_770_272L, 0, changeset);
      ByteBuffer message = b.finish(1, 2, 0, 0);
      // the body is what follows the header line
      int start = message.position();
      while (message.get(start) != '\n') {
        start++;
      }
      byte[] bytes = new byte[message.limit() - start - 1];
      message.position(start + 1);
      message.get(bytes);
      return bytes;
    }
  }
}
