package io.tributary.benchmarks.storage;

import io.tributary.core.spi.Durability;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.storage.lmdb.LmdbStorage;
import io.tributary.storage.memory.MemoryStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Durable appends of sensor-reading changesets to an {@link UploadLog}: one commit per call, each
 * commit a changeset of {@code objectsPerCommit} objects; 1, 4 or 16 writer threads (group commit
 * shares a sync between the writers that arrive while one is running). The primary score is
 * commits/s; the {@code objects} and {@code bytes} counters give objects/s and bytes/s.
 *
 * <p>Like the sync session, each writer acknowledges what it appended every 4 MiB, so the log stays
 * small and LMDB reuses its pages; the ceilings in {@link StorageCeilingBenchmark} do the same.
 *
 * <p>Run, e.g. (durability does not apply to {@code memory}):
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'UploadLogAppendBenchmark' -p storage=lmdb \
 *     -f1 -wi 1 -w 2s -i 3 -r 3s
 * java -jar benchmarks/target/benchmarks.jar 'UploadLogAppendBenchmark.append1$' \
 *     -p objectsPerCommit=1 -prof gc          # allocation per append
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
    })
@OutputTimeUnit(TimeUnit.SECONDS)
public class UploadLogAppendBenchmark {
  private static final long ACK_EVERY_BYTES = 4L << 20;

  @Param({"memory", "lmdb"})
  String storage;

  @Param({"SYNC", "NO_META_SYNC", "OS_FLUSH"})
  Durability durability;

  @Param({"1", "100", "1000"})
  int objectsPerCommit;

  private UploadLog log;
  private Path directory;
  private byte[] changeset;

  @Setup(Level.Trial)
  public void open() {
    changeset = SensorChangesets.changeset(objectsPerCommit);
    UploadLogOptions options =
        UploadLogOptions.newBuilder().durability(durability).maxBytes(1L << 30).build();
    if (storage.equals("memory")) {
      log = MemoryStorage.create().open(options);
    } else {
      directory = SensorChangesets.scratchDirectory("upload-log");
      log = LmdbStorage.at(directory).open(options);
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    log.close();
    SensorChangesets.delete(directory);
  }

  /** Each writer thread's own view of the changeset (positions are never moved). */
  @State(Scope.Thread)
  public static class Writer {
    ByteBuffer changeset;

    @Setup(Level.Trial)
    public void setUp(UploadLogAppendBenchmark benchmark) {
      changeset = ByteBuffer.wrap(benchmark.changeset);
    }
  }

  @Benchmark
  @Threads(1)
  public long append1(Writer writer, ObjectCounters counters) {
    return append(writer, counters);
  }

  @Benchmark
  @Threads(4)
  public long append4(Writer writer, ObjectCounters counters) {
    return append(writer, counters);
  }

  @Benchmark
  @Threads(16)
  public long append16(Writer writer, ObjectCounters counters) {
    return append(writer, counters);
  }

  private long append(Writer writer, ObjectCounters counters) {
    ByteBuffer bytes = writer.changeset;
    long version = log.append(bytes, objectsPerCommit, 0);
    int length = bytes.remaining();
    counters.objects += objectsPerCommit;
    counters.bytes += length;
    counters.bytesSinceAck += length;
    if (counters.bytesSinceAck >= ACK_EVERY_BYTES) {
      counters.bytesSinceAck = 0;
      log.acknowledge(new SyncProgress(0, 0, 0, 0, version, 0));
    }
    return version;
  }
}
