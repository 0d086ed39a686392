package io.tributary.benchmarks.storage;

import io.tributary.core.spi.Durability;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;
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
 * The ceilings {@link UploadLogAppendBenchmark} is measured against, single-threaded:
 *
 * <ul>
 *   <li>{@code rawLmdbPutLoop}: plain lmdbjava on the calling thread, one write transaction per
 *       commit, {@code MDB_APPEND} with big-endian sequential keys, the same sync mode. Shape
 *       {@code ONE_VALUE} puts the commit's whole changeset as one value (what the upload log
 *       stores); {@code VALUE_PER_OBJECT} puts one 102-byte value per object (the reference
 *       loop). Every 4 MiB it deletes what it wrote, as the upload log's acknowledgements do.
 *   <li>{@code arraycopy}: {@link System#arraycopy} of the same bytes into a preallocated array.
 * </ul>
 *
 * Scores are commits/s, with objects/s and bytes/s in the {@code objects} and {@code bytes}
 * counters.
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
@Threads(1)
public class StorageCeilingBenchmark {
  private static final long DELETE_EVERY_BYTES = 4L << 20;
  private static final PutFlags[] APPEND = {PutFlags.MDB_APPEND};

  /** How the raw loop stores a commit. */
  public enum Shape {
    ONE_VALUE,
    VALUE_PER_OBJECT
  }

  @Param({"SYNC", "NO_META_SYNC", "OS_FLUSH"})
  Durability durability;

  @Param({"1", "100", "1000"})
  int objectsPerCommit;

  @Param({"ONE_VALUE", "VALUE_PER_OBJECT"})
  Shape shape;

  private Path directory;
  private Env<ByteBuffer> env;
  private Dbi<ByteBuffer> dbi;
  private ByteBuffer key;
  private ByteBuffer changesetValue;
  private ByteBuffer objectValue;
  private long nextKey = 1;
  private long firstKey = 1;
  private byte[] source;
  private byte[] target;

  @Setup(Level.Trial)
  public void open() {
    directory = SensorChangesets.scratchDirectory("raw-lmdb");
    env =
        Env.create()
            .setMapSize(4L << 30)
            .setMaxDbs(2)
            .open(directory.toFile(), SensorChangesets.flags(durability));
    dbi = env.openDbi("raw", DbiFlags.MDB_CREATE);
    key = ByteBuffer.allocateDirect(8);
    source = SensorChangesets.changeset(objectsPerCommit);
    target = new byte[source.length];
    changesetValue = ByteBuffer.allocateDirect(source.length);
    changesetValue.put(source).flip();
    objectValue = ByteBuffer.allocateDirect(SensorChangesets.BYTES_PER_OBJECT);
    objectValue.put(source, 0, SensorChangesets.BYTES_PER_OBJECT).flip();
  }

  @TearDown(Level.Trial)
  public void close() {
    env.close();
    SensorChangesets.delete(directory);
  }

  @Benchmark
  public long rawLmdbPutLoop(ObjectCounters counters) {
    int bytes;
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      if (shape == Shape.ONE_VALUE) {
        key.putLong(0, nextKey++);
        dbi.put(txn, key, changesetValue, APPEND);
        bytes = changesetValue.remaining();
      } else {
        for (int i = 0; i < objectsPerCommit; i++) {
          key.putLong(0, nextKey++);
          dbi.put(txn, key, objectValue, APPEND);
        }
        bytes = objectsPerCommit * SensorChangesets.BYTES_PER_OBJECT;
      }
      txn.commit();
    }
    counters.objects += objectsPerCommit;
    counters.bytes += bytes;
    counters.bytesSinceAck += bytes;
    if (counters.bytesSinceAck >= DELETE_EVERY_BYTES) {
      counters.bytesSinceAck = 0;
      deleteWritten();
    }
    return nextKey;
  }

  private void deleteWritten() {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      try (Cursor<ByteBuffer> cursor = dbi.openCursor(txn)) {
        while (firstKey < nextKey && cursor.first()) {
          cursor.delete();
          firstKey++;
        }
      }
      txn.commit(); // after the cursor closed: LMDB frees a write cursor at commit
    }
  }

  @Benchmark
  public byte[] arraycopy(ObjectCounters counters) {
    System.arraycopy(source, 0, target, 0, source.length);
    counters.objects += objectsPerCommit;
    counters.bytes += source.length;
    return target;
  }
}
