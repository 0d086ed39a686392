package io.tributary.benchmarks.server;

import static io.tributary.benchmarks.server.ServerIngestBenchmark.CLASS;
import static io.tributary.benchmarks.server.ServerIngestBenchmark.EMBEDDED;
import static io.tributary.benchmarks.server.ServerIngestBenchmark.LAT;
import static io.tributary.benchmarks.server.ServerIngestBenchmark.LOCATION;
import static io.tributary.benchmarks.server.ServerIngestBenchmark.LON;
import static io.tributary.benchmarks.server.ServerIngestBenchmark.SENSOR;
import static io.tributary.benchmarks.server.ServerIngestBenchmark.TS;
import static io.tributary.benchmarks.server.ServerIngestBenchmark.VALUE;

import io.tributary.benchmarks.e2e.BenchSchema;
import io.tributary.core.spi.Durability;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.internal.ingest.ChangesetIngestor;
import io.tributary.server.internal.ingest.IngestException;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestRecords;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Stat;
import org.lmdbjava.Txn;

/**
 * The LMDB sink alone, fed as the engine feeds it under load from several devices: each commit
 * holds {@code uploads} UPLOADs of 1,000 sensor readings ({@link BenchSchema}), each from one of
 * {@code lanes} devices picked at random, whose ObjectIds are as {@code e2e.BenchDevice}'s (seconds,
 * then the device's index, then a counter): every device's keys form a range ("lane") of their own
 * in {@code pk_index}. Prints per object the commit's wall time, the {@code tributary-sink}
 * thread's CPU time and the bytes the process wrote ({@code /proc/self/io}, Linux), after a third of
 * the commits as warm-up, then the page statistics of {@code objects} and {@code pk_index} (summed
 * over its partitions): lanes that share one B-tree leave its leaves about half full (LMDB splits a
 * page in the middle when a key goes between two lanes), as in stored format 1; format 2 gives
 * these lanes partitions of their own.
 *
 * <pre>
 * java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *     -cp benchmarks/target/benchmarks.jar io.tributary.benchmarks.server.SinkLanes 8 9 300 SYNC [dir]
 * </pre>
 */
public final class SinkLanes {
  private static final int PER_UPLOAD = 1000;

  /** What one run measured; per object over the commits after the warm-up. */
  public record Result(long objects, double commitWallNanos, double sinkCpuNanos, double writtenBytes,
      Pages objectsStat, Pages pkIndexStat) {
    /** {@code pk_index} entries per leaf page. */
    public double pkEntriesPerLeaf() {
      return (double) pkIndexStat.entries() / pkIndexStat.leafPages();
    }
  }

  /** Page statistics of a database, or summed over {@code pk_index}'s partitions (depth: the largest). */
  public record Pages(long entries, long leafPages, long overflowPages, int depth) {
    static Pages of(Stat s) {
      return new Pages(s.entries, s.leafPages, s.overflowPages, s.depth);
    }

    Pages plus(Pages o) {
      return new Pages(entries + o.entries, leafPages + o.leafPages, overflowPages + o.overflowPages,
          Math.max(depth, o.depth));
    }
  }

  private SinkLanes() {}

  /** Arguments: lanes, uploads per commit, commits, durability, [directory for the scratch store]. */
  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: SinkLanes <lanes> <uploads per commit> <commits> <SYNC|NO_META_SYNC|OS_FLUSH> [dir]");
      System.exit(2);
    }
    Path base = Path.of(args.length > 4 ? args[4] : System.getProperty("tributary.bench.dir", "target/bench-data"));
    run(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
        Durability.valueOf(args[3]), base, System.out);
  }

  /**
   * One run on a new store in a temporary directory under {@code base} (deleted afterwards).
   *
   * @throws IllegalArgumentException if a count is not positive
   */
  public static Result run(int lanes, int uploads, int commits, Durability durability, Path base, PrintStream out)
      throws IOException, IngestException {
    if (lanes < 1 || uploads < 1 || commits < 1) {
      throw new IllegalArgumentException(
          "lanes " + lanes + ", uploads " + uploads + ", commits " + commits + " (expected: all >= 1)");
    }
    Files.createDirectories(base);
    Path dir = Files.createTempDirectory(base, "sink-lanes");
    try {
      Result r = measure(lanes, uploads, commits, durability, dir);
      out.printf("lanes=%d uploads/commit=%d %s: commit wall %.3f us/object, sink CPU %.3f us/object, written %.1f B/object%n",
          lanes, uploads, durability, r.commitWallNanos() / 1e3, r.sinkCpuNanos() / 1e3, r.writtenBytes());
      out.printf("  objects: %d entries (chunks of a commit), %d leaf pages, %d overflow pages, depth %d; pk_index: %d entries, %d leaf pages (%.1f per leaf), depth %d%n",
          r.objectsStat().entries(), r.objectsStat().leafPages(), r.objectsStat().overflowPages(), r.objectsStat().depth(),
          r.pkIndexStat().entries(), r.pkIndexStat().leafPages(), r.pkEntriesPerLeaf(), r.pkIndexStat().depth());
      return r;
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static Result measure(int lanes, int uploads, int commits, Durability durability, Path dir)
      throws IOException, IngestException {
    ArrayByteSink bytes = new ArrayByteSink(1 << 20);
    ChangesetWriter writer = new ChangesetWriter(bytes);
    ChangesetIngestor ingestor = new ChangesetIngestor();
    IngestRecords records = new IngestRecords(1024, 1 << 18);
    long[] next = new long[lanes];
    int seconds = (int) (System.currentTimeMillis() / 1000);
    SplittableRandom random = new SplittableRandom(1);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int warmUp = commits / 3;
    long wall = 0;
    long cpu = 0;
    long objects = 0;
    long written0 = 0;
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir, durability, Clock.systemUTC())) {
      long sinkThread = -1;
      for (int round = 0; round < commits; round++) {
        records.clear();
        ingestor.begin(BenchSchema.SERVER, false);
        for (int u = 0; u < uploads; u++) {
          int lane = random.nextInt(lanes);
          bytes.clear();
          writer.reset(bytes);
          for (int i = 0; i < PER_UPLOAD; i++) {
            long seq = next[lane]++;
            writer.createObject(CLASS, ObjectId.of(seconds, 0x1234L << 48 | (long) lane << 32 | seq & 0xFFFF_FFFFL));
            writer.update(SENSOR).stringValue("sensor-" + (lane + 1));
            writer.update(VALUE).doubleValue(20.0 + (seq % 1000) * 0.01);
            writer.update(TS).timestampValue(1_709_296_496L + seq / 1000, 0);
            writer.update(LOCATION).objectValue();
            writer.update(LOCATION).key(LAT).inEmbedded(EMBEDDED).doubleValue(52.0 + lane * 0.01);
            writer.update(LOCATION).key(LON).inEmbedded(EMBEDDED).doubleValue(4.3 + (seq % 100) * 1e-5);
          }
          writer.finish();
          ingestor.ingest(ByteBuffer.wrap(bytes.toByteArray()),
              new ChangesetIngestor.Origin(2 + lane, round + 1L, 3_000_000L + round, "user-" + lane), records);
        }
        List<ClientFileRecord> files = new ArrayList<>(lanes);
        for (int l = 0; l < lanes; l++) {
          files.add(ClientFileRecord.newBuilder().setIdent(2 + l).setSalt(12345).setUserId("user-" + l)
              .setServerVersion(round + 1L).setIntegratedClientVersion(round + 1L).setUploadClientVersion(round + 1L)
              .setBootstrappedQueryVersion(-1).setCreatedAtMs(1_700_000_000_000L).build());
        }
        if (sinkThread < 0) {
          sinkThread = sinkThreadId(threads);
        }
        if (round == warmUp) {
          written0 = writtenBytes();
        }
        long c0 = sinkThread < 0 ? 0 : threads.getThreadCpuTime(sinkThread);
        long t0 = System.nanoTime();
        CommitResult result = sink.commit(IngestBatch.of(records, files, 1L + lanes, Map.of()));
        long t1 = System.nanoTime();
        long c1 = sinkThread < 0 ? 0 : threads.getThreadCpuTime(sinkThread);
        if (result.storedCount() != records.size() || result.duplicateCount() != 0) {
          throw new IllegalStateException("commit: " + result + " (expected: " + records.size() + " new objects)");
        }
        if (round >= warmUp) {
          wall += t1 - t0;
          cpu += c1 - c0;
          objects += records.size();
        }
      }
    }
    long written = writtenBytes() - written0;
    Pages objectsStat;
    Pages pkStat = null;
    try (Env<ByteBuffer> env = Env.create().setMaxDbs(64).setMapSize(Files.size(dir.resolve("data.mdb")) + (1 << 20))
        .open(dir.toFile())) {
      // handles first: a read transaction begun before a handle was opened cannot use it
      Dbi<ByteBuffer> o = env.openDbi("objects");
      List<Dbi<ByteBuffer>> pk = new ArrayList<>();
      for (byte[] name : env.getDbiNames()) {
        if (new String(name, StandardCharsets.US_ASCII).startsWith("pk_index")) { // format 2: partitions
          pk.add(env.openDbi(name));
        }
      }
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        objectsStat = Pages.of(o.stat(txn));
        for (Dbi<ByteBuffer> d : pk) {
          Pages p = Pages.of(d.stat(txn));
          pkStat = pkStat == null ? p : pkStat.plus(p);
        }
      }
    }
    return new Result(objects, (double) wall / objects, (double) cpu / objects, (double) written / objects,
        objectsStat, pkStat);
  }

  private static long sinkThreadId(ThreadMXBean threads) {
    for (ThreadInfo t : threads.dumpAllThreads(false, false)) {
      if (t.getThreadName().startsWith("tributary-sink")) {
        return t.getThreadId();
      }
    }
    return -1;
  }

  /** Bytes this process caused to be written to storage so far, or 0 where /proc/self/io is missing. */
  private static long writtenBytes() throws IOException {
    Path io = Path.of("/proc/self/io");
    if (!Files.isReadable(io)) {
      return 0;
    }
    for (String line : Files.readAllLines(io)) {
      if (line.startsWith("write_bytes:")) {
        return Long.parseLong(line.substring("write_bytes:".length()).trim());
      }
    }
    return 0;
  }
}
