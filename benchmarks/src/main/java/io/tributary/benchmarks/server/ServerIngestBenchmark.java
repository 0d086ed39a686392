package io.tributary.benchmarks.server;

import io.tributary.benchmarks.e2e.BenchSchema;
import io.tributary.core.spi.Durability;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetReader;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.Name;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.internal.ingest.ChangesetIngestor;
import io.tributary.server.internal.ingest.IngestException;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server's ingest path without the client or the network, stage by stage, for one UPLOAD's
 * worth of changesets: one changeset of 1,000 sensor readings ({@link BenchSchema}; ObjectId key,
 * string, double, timestamp, an embedded location of two doubles) in the bytes realm-core's client
 * writes (the instruction order of {@code changeset/Readings}). Scores are per object
 * ({@code @OperationsPerInvocation(1000)}).
 *
 * <ul>
 *   <li>{@code decode}: {@link ChangesetReader} validates every instruction, nothing is built (the
 *       floor of any ingest).
 *   <li>{@code ingest}: what the ingest thread does per changeset, the same call as {@code
 *       IngestEngine}: {@link ChangesetIngestor#ingest} decodes, checks against the app schema and
 *       serialises one {@code IngestedObject} per object into one reused {@link IngestRecords}.
 *   <li>{@code ingestAndCommit}: the same, then {@link LmdbIngestSink#commit} of those records in
 *       one transaction (pk_index de-dup, objects, counters, a client-file record), on one store
 *       per trial in {@code target/bench-data} (it grows by about 250 bytes per object). The keys are new for every invocation
 *       (the ObjectIds' seconds bytes are rewritten in place), so every object is stored, none is
 *       a duplicate; the benchmark fails if one is.
 * </ul>
 *
 * <p>{@code durability} applies to the sink only ({@code OS_FLUSH}: {@code MDB_NOSYNC}, the figure
 * for CPU; {@code SYNC}: an fsync per commit). The sink runs on its storage thread, as in the
 * server: the time of {@code ingestAndCommit} includes the hand-over and waiting for it.
 *
 * <pre>
 * java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *     -jar benchmarks/target/benchmarks.jar ServerIngest -f1 -wi 3 -w 2s -i 5 -r 2s -prof gc \
 *     -prof io.tributary.benchmarks.server.CpuTimeProfiler   # process CPU per object, see there
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
    })
public class ServerIngestBenchmark {
  static final int N = 1000;
  private static final String[] SENSORS = {"sensor-0001", "sensor-0002", "sensor-0003", "sensor-0004"};
  private static final int SECONDS = 1_709_296_496;
  private static final long PROCESS = 0xA1B2C3D4E5L;
  static final Name CLASS = Name.of(BenchSchema.READING);
  static final Name EMBEDDED = Name.of("Location");
  static final Name SENSOR = Name.of("sensor");
  static final Name VALUE = Name.of("value");
  static final Name TS = Name.of("ts");
  static final Name LOCATION = Name.of("location");
  static final Name LAT = Name.of("lat");
  static final Name LON = Name.of("lon");

  private final ChangesetReader reader = new ChangesetReader();
  private final ChangesetIngestor ingestor = new ChangesetIngestor();
  private final IngestRecords records = new IngestRecords(N, 1 << 19);
  private final ChangesetIngestor.Origin origin =
      new ChangesetIngestor.Origin(2, 7, 3_000_000L, "user-0123456789abcdef");
  private ByteBuffer changeset;

  /**
   * One changeset of {@code N} readings whose ObjectIds carry {@code round} (new keys per round),
   * array-backed, as {@code UploadCursor.changesetWithArray()} hands it to the ingestor.
   */
  static ByteBuffer changeset(ChangesetWriter writer, ArrayByteSink bytes, SplittableRandom random, long round) {
    bytes.clear();
    writer.reset(bytes);
    for (int i = 0; i < N; i++) {
      // as a device's ObjectIds: seconds, then 5 random bytes fixed per process and a counter;
      // increasing from round to round, as a device's keys are
      writer.createObject(CLASS, ObjectId.of(SECONDS + (int) round, PROCESS << 24 | i));
      writer.update(SENSOR).stringValue(SENSORS[i % SENSORS.length]);
      writer.update(VALUE).doubleValue(random.nextDouble() * 40);
      writer.update(TS).timestampValue(1_709_296_496L + i, random.nextInt(1_000_000_000));
      writer.update(LOCATION).objectValue();
      writer.update(LOCATION).key(LAT).inEmbedded(EMBEDDED).doubleValue(50 + random.nextDouble());
      writer.update(LOCATION).key(LON).inEmbedded(EMBEDDED).doubleValue(4 + random.nextDouble());
    }
    writer.finish();
    return ByteBuffer.wrap(bytes.toByteArray());
  }

  @Setup(Level.Trial)
  public void setUp() throws IngestException {
    ArrayByteSink bytes = new ArrayByteSink(1 << 20);
    changeset = changeset(new ChangesetWriter(bytes), bytes, new SplittableRandom(0), 0);
    if (reader.reset(changeset).skipAll() != 7 * N) {
      throw new IllegalStateException("expected 7 instructions per object");
    }
    if (ingest(changeset).size() != N) {
      throw new IllegalStateException("records: " + records.size() + " (expected: " + N + ")");
    }
  }

  /**
   * The sink and the changeset of {@code ingestAndCommit}: one store for the trial, as a server
   * keeps one (a fresh store per iteration spent its first commits growing the map and the file),
   * new keys per invocation: the changeset's ObjectIds get new seconds bytes in place (7,000
   * four-byte writes, a few ns per object, timed).
   */
  @State(Scope.Thread)
  public static class Store {
    /** Sink durability. */
    @Param({"OS_FLUSH"})
    public Durability durability;

    private Path directory;
    private long round;
    private byte[] array;
    private int[] keyOffsets; // where each ObjectId's 4 seconds bytes are, 7 per object
    LmdbIngestSink sink;
    ByteBuffer changeset;
    ClientFileRecord file;

    @Setup(Level.Trial)
    public void prepare() {
      ArrayByteSink bytes = new ArrayByteSink(1 << 20);
      changeset = changeset(new ChangesetWriter(bytes), bytes, new SplittableRandom(1), 0);
      array = changeset.array();
      keyOffsets = new int[7 * N];
      int found = 0;
      // seconds (1_709_296_496 big-endian) then the 5 process bytes: an object key, nothing else
      for (int p = 0; p + ObjectId.BYTES <= array.length; p++) {
        if (beInt(p) == SECONDS && (beLong(p + 4) >>> 24) == PROCESS) {
          if (found == keyOffsets.length) {
            throw new IllegalStateException("more than " + keyOffsets.length + " object keys");
          }
          keyOffsets[found++] = p;
        }
      }
      if (found != keyOffsets.length) {
        throw new IllegalStateException("object keys: " + found + " (expected: " + keyOffsets.length + ")");
      }
    }

    private int beInt(int p) {
      return (array[p] & 0xFF) << 24 | (array[p + 1] & 0xFF) << 16 | (array[p + 2] & 0xFF) << 8 | array[p + 3] & 0xFF;
    }

    private long beLong(int p) {
      return (long) beInt(p) << 32 | beInt(p + 4) & 0xFFFFFFFFL;
    }

    @Setup(Level.Trial)
    public void open() {
      try {
        Path base = Path.of(System.getProperty("tributary.bench.dir", "target/bench-data"));
        Files.createDirectories(base);
        directory = Files.createTempDirectory(base, "server-ingest");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      sink = LmdbIngestSink.open(directory, durability, Clock.systemUTC());
    }

    /** New keys, increasing (as a device's), and the client file's progress for them. */
    void next() {
      int seconds = SECONDS + (int) ++round;
      for (int p : keyOffsets) {
        array[p] = (byte) (seconds >>> 24);
        array[p + 1] = (byte) (seconds >>> 16);
        array[p + 2] = (byte) (seconds >>> 8);
        array[p + 3] = (byte) seconds;
      }
      file = ClientFileRecord.newBuilder().setIdent(2).setSalt(12345).setUserId("user-0123456789abcdef")
          .setServerVersion(round).setIntegratedClientVersion(round).setUploadClientVersion(round)
          .setBootstrappedQueryVersion(-1).setCreatedAtMs(1_700_000_000_000L).build();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      sink.close();
      try (Stream<Path> paths = Files.walk(directory)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private IngestRecords ingest(ByteBuffer input) throws IngestException {
    records.clear();
    ingestor.begin(BenchSchema.SERVER, false);
    ingestor.ingest(input, origin, records);
    return records;
  }

  /** Validation only. */
  @Benchmark
  @OperationsPerInvocation(N)
  public int decode() {
    return reader.reset(changeset).skipAll();
  }

  /** Decode, check against the schema, build the records. */
  @Benchmark
  @OperationsPerInvocation(N)
  public IngestRecords ingest() throws IngestException {
    return ingest(changeset);
  }

  /** {@link #ingest}, then one sink commit of its records and the client file's record. */
  @Benchmark
  @OperationsPerInvocation(N)
  public CommitResult ingestAndCommit(Store store) throws IngestException {
    store.next();
    IngestRecords r = ingest(store.changeset);
    CommitResult result = store.sink.commit(IngestBatch.of(r, List.of(store.file), 2, Map.of()));
    if (result.storedCount() != N) {
      throw new IllegalStateException("commit: " + result + " (expected: " + N + " new objects)");
    }
    return result;
  }
}
