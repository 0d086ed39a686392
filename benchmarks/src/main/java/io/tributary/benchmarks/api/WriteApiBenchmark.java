package io.tributary.benchmarks.api;

import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.Transaction;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.Name;
import io.tributary.storage.memory.MemoryStorage;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The public write API ({@link IngestRealm#write}) for the sensor reading of DESIGN.md: {@code
 * Reading {_id: objectId, sensor: string, value: double, ts: date, location: Location {lat, lon}}},
 * committed to a {@link MemoryStorage} log (no I/O), so the score is the API and encoding cost plus
 * one in-memory append per transaction. Scores are per object.
 *
 * <ul>
 *   <li>{@code oneReadingPerTransaction}: {@code write} with one object (the worst case: the
 *       transaction setup, 8 interned names and one append are paid by one object).
 *   <li>{@code hundredReadingsPerTransaction}: {@code write} with 100 objects
 *       ({@code @OperationsPerInvocation(100)}).
 *   <li>{@code hundredReadingsRawWriter}: the same 100 objects written with the protocol's
 *       {@link ChangesetWriter} and prepared names, appended the same way: the floor the API
 *       adds its checks to.
 * </ul>
 *
 * Inputs (ObjectIds, sensor strings, instants) are prepared in {@code @Setup}; the log is
 * acknowledged every 1 000 transactions so it stays small. Target (issue 10 T2): at most 150
 * ns and 16 B per object ({@code gc.alloc.rate.norm}).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'WriteApiBenchmark' -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WriteApiBenchmark {
  private static final int INPUTS = 4096; // a power of two
  private static final int ACK_EVERY = 1000;

  private IngestRealm realm;
  private UploadLog log;
  private ObjectId[] ids;
  private String[] sensors;
  private Instant[] times;
  private double[] values;
  private int next;
  private long lastVersion;
  private int sinceAck;
  private Consumer<Transaction> one;
  private Consumer<Transaction> hundred;

  // the raw-writer floor
  private ArrayByteSink rawSink;
  private ChangesetWriter rawWriter;
  private Name reading;
  private Name sensor;
  private Name value;
  private Name ts;
  private Name location;
  private Name locationClass;
  private Name lat;
  private Name lon;

  @Setup(Level.Trial)
  public void setUp() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("Reading")
                .primaryKey("_id", PropertyType.OBJECT_ID)
                .property("sensor", PropertyType.STRING)
                .property("value", PropertyType.DOUBLE)
                .property("ts", PropertyType.TIMESTAMP)
                .embedded("location", "Location"),
            ObjectSchema.embedded("Location")
                .property("lat", PropertyType.DOUBLE)
                .property("lon", PropertyType.DOUBLE));
    MemoryStorage memory = MemoryStorage.create();
    realm =
        IngestRealm.open(
            IngestConfig.builder(schema)
                .storage(
                    options -> {
                      log = memory.open(options);
                      return log;
                    })
                .logOptions(UploadLogOptions.newBuilder().maxBytes(1L << 30).build())
                .build());
    ids = new ObjectId[INPUTS];
    sensors = new String[INPUTS];
    times = new Instant[INPUTS];
    values = new double[INPUTS];
    for (int i = 0; i < INPUTS; i++) {
      ids[i] = ObjectId.of(0x65f1a2b3, 1_000_000L + i);
      sensors[i] = "sensor-" + (i % 16);
      times[i] = Instant.ofEpochSecond(1_709_296_496L + i, i * 1_000_000L);
      values[i] = i * 0.25;
    }
    one = tx -> reading(tx, next++ & (INPUTS - 1));
    hundred =
        tx -> {
          for (int k = 0; k < 100; k++) {
            reading(tx, next++ & (INPUTS - 1));
          }
        };
    rawSink = new ArrayByteSink(1 << 16);
    rawWriter = new ChangesetWriter(rawSink);
    reading = Name.of("Reading");
    sensor = Name.of("sensor");
    value = Name.of("value");
    ts = Name.of("ts");
    location = Name.of("location");
    locationClass = Name.of("Location");
    lat = Name.of("lat");
    lon = Name.of("lon");
  }

  private void reading(Transaction tx, int i) {
    tx.create("Reading", ids[i])
        .set("sensor", sensors[i])
        .set("value", values[i])
        .set("ts", times[i])
        .embedded("location")
        .set("lat", 52.1)
        .set("lon", 4.3);
  }

  private void committed(long version) {
    lastVersion = version;
    if (++sinceAck == ACK_EVERY) {
      sinceAck = 0;
      log.acknowledge(new SyncProgress(0, 0, 0, 0, lastVersion, 0));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    realm.close();
  }

  @Benchmark
  public long oneReadingPerTransaction() {
    long v = realm.write(one);
    committed(v);
    return v;
  }

  @Benchmark
  @OperationsPerInvocation(100)
  public long hundredReadingsPerTransaction() {
    long v = realm.write(hundred);
    committed(v);
    return v;
  }

  @Benchmark
  @OperationsPerInvocation(100)
  public long hundredReadingsRawWriter() {
    rawSink.clear();
    ChangesetWriter w = rawWriter.reset();
    for (int k = 0; k < 100; k++) {
      int i = next++ & (INPUTS - 1);
      w.createObject(reading, ids[i]);
      w.update(sensor).stringValue(sensors[i]);
      w.update(value).doubleValue(values[i]);
      w.update(ts).timestampValue(times[i]);
      w.update(location).objectValue();
      w.update(location).key(lat).inEmbedded(locationClass).doubleValue(52.1);
      w.update(location).key(lon).inEmbedded(locationClass).doubleValue(4.3);
    }
    w.finish();
    long v = log.append(rawSink.asByteBuffer(), 100, 0);
    committed(v);
    return v;
  }
}
