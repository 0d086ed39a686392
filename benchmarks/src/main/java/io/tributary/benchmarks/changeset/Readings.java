package io.tributary.benchmarks.changeset;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.FieldPath;
import io.tributary.protocol.changeset.Name;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The sensor reading of DESIGN.md, {@code Reading {_id: objectId, sensor: string, value: double,
 * ts: date, location: Location {lat: double, lon: double}}}: seeded inputs and the encoding as
 * realm-core's client writes it (embedded class named, so the bytes match realm-core's).
 */
final class Readings {
  static final String CLASS = "Reading";
  static final String EMBEDDED = "Location";
  static final String[] SENSORS = {"sensor-0001", "sensor-0002", "sensor-0003", "sensor-0004"};

  // the schema's names, prepared once (what the core write API holds per schema)
  static final Name N_CLASS = Name.of(CLASS);
  static final Name N_EMBEDDED = Name.of(EMBEDDED);
  static final Name N_SENSOR = Name.of("sensor");
  static final Name N_VALUE = Name.of("value");
  static final Name N_TS = Name.of("ts");
  static final Name N_LOCATION = Name.of("location");
  static final Name N_LAT = Name.of("lat");
  static final Name N_LON = Name.of("lon");

  // the same as prepared paths: one call per Update
  static final FieldPath P_SENSOR = FieldPath.of(N_SENSOR);
  static final FieldPath P_VALUE = FieldPath.of(N_VALUE);
  static final FieldPath P_TS = FieldPath.of(N_TS);
  static final FieldPath P_LOCATION = FieldPath.of(N_LOCATION);
  static final FieldPath P_LAT = FieldPath.ofEmbedded(N_LOCATION, N_LAT, N_EMBEDDED);
  static final FieldPath P_LON = FieldPath.ofEmbedded(N_LOCATION, N_LON, N_EMBEDDED);

  final ObjectId[] ids;
  final String[] sensors;
  final double[] values;
  final Instant[] times;
  final double[] lats;
  final double[] lons;

  /** {@code n} readings from a fixed seed; the inputs are never mutated by a benchmark. */
  Readings(int n) {
    SplittableRandom random = new SplittableRandom(0);
    ids = new ObjectId[n];
    sensors = new String[n];
    values = new double[n];
    times = new Instant[n];
    lats = new double[n];
    lons = new double[n];
    for (int i = 0; i < n; i++) {
      ids[i] = ObjectId.of(1_709_296_496 + i, random.nextLong());
      sensors[i] = SENSORS[i % SENSORS.length];
      values[i] = random.nextDouble() * 40;
      times[i] = Instant.ofEpochSecond(1_709_296_496L + i, random.nextInt(1_000_000_000));
      lats[i] = 50 + random.nextDouble();
      lons[i] = 4 + random.nextDouble();
    }
  }

  /**
   * Writes reading {@code i} with prepared names: CreateObject, three Updates, an ObjectValue
   * Update and two Updates inside the embedded object.
   */
  void write(ChangesetWriter w, int i) {
    w.createObject(N_CLASS, ids[i]);
    w.update(N_SENSOR).stringValue(sensors[i]);
    w.update(N_VALUE).doubleValue(values[i]);
    w.update(N_TS).timestampValue(times[i]);
    w.update(N_LOCATION).objectValue();
    w.update(N_LOCATION).key(N_LAT).inEmbedded(N_EMBEDDED).doubleValue(lats[i]);
    w.update(N_LOCATION).key(N_LON).inEmbedded(N_EMBEDDED).doubleValue(lons[i]);
  }

  /** The same bytes as {@link #write}, with prepared {@link FieldPath}s: one call per Update. */
  void writePrepared(ChangesetWriter w, int i) {
    w.createObject(N_CLASS, ids[i]);
    w.stringValue(P_SENSOR, sensors[i]);
    w.doubleValue(P_VALUE, values[i]);
    w.timestampValue(P_TS, times[i]);
    w.objectValue(P_LOCATION);
    w.doubleValue(P_LAT, lats[i]);
    w.doubleValue(P_LON, lons[i]);
  }

  /** The same as {@link #write} with plain String names (a hash lookup per name). */
  void writeWithStrings(ChangesetWriter w, int i) {
    w.createObject(CLASS, ids[i]);
    w.update("sensor").stringValue(sensors[i]);
    w.update("value").doubleValue(values[i]);
    w.update("ts").timestampValue(times[i]);
    w.update("location").objectValue();
    w.update("location").key("lat").inEmbedded(EMBEDDED).doubleValue(lats[i]);
    w.update("location").key("lon").inEmbedded(EMBEDDED).doubleValue(lons[i]);
  }
}
