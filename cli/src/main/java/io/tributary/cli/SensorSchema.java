package io.tributary.cli;

import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.protocol.ObjectId;
import io.tributary.server.AppSchema;
import java.security.SecureRandom;

/**
 * The sensor-reading schema of {@code demo} and {@code load}, on both sides, and the primary keys
 * the simulated devices give their objects.
 *
 * <p>Keys are real ObjectIds laid out so that a key names its writer: bytes 0-3 the run's start
 * second (as any ObjectId), 4-5 a random salt of the run, 6-7 the device index, 8-11 the device's
 * sequence number. A reader of the store can then tell, for every object, which run and device
 * wrote it and which of that device's writes it is, and so compare the stored set with the written
 * one in memory proportional to the number of writes (one bit each). Immutable, thread safe.
 */
final class SensorSchema {
  /** The asymmetric class. */
  static final String READING = "Reading";
  /** The embedded class. */
  static final String LOCATION = "Location";

  /** The client schema. */
  static final Schema CLIENT = Schema.of(
      ObjectSchema.asymmetric(READING)
          .primaryKey("_id", PropertyType.OBJECT_ID)
          .property("sensor", PropertyType.STRING)
          .property("value", PropertyType.DOUBLE)
          .property("ts", PropertyType.TIMESTAMP)
          .embedded("location", LOCATION),
      ObjectSchema.embedded(LOCATION)
          .property("lat", PropertyType.DOUBLE)
          .property("lon", PropertyType.DOUBLE));

  /** The same schema as the server's app schema. */
  static final AppSchema SERVER = AppSchema.parse("""
      {"classes": [
        {"name": "Reading", "kind": "asymmetric", "primaryKey": "_id",
         "properties": {"_id": "objectId", "sensor": "string", "value": "double", "ts": "date",
                        "location": "Location"}},
        {"name": "Location", "kind": "embedded", "properties": {"lat": "double", "lon": "double"}}
      ]}""");

  /** Largest device index + 1. */
  static final int MAX_DEVICES = 1 << 16;

  private final int epochSeconds;
  private final int salt;

  private SensorSchema(int epochSeconds, int salt) {
    this.epochSeconds = epochSeconds;
    this.salt = salt;
  }

  /** Keys of a new run: this second and a random salt. */
  static SensorSchema newRun() {
    return new SensorSchema((int) (System.currentTimeMillis() / 1000), new SecureRandom().nextInt(1 << 16));
  }

  /** Keys of a run with the given second and salt (0..65535). */
  static SensorSchema run(int epochSeconds, int salt) {
    return new SensorSchema(epochSeconds, salt & 0xFFFF);
  }

  /**
   * The key of a device's {@code sequence}-th object (from 0).
   *
   * @param device 0..65535
   * @param sequence 0..2^32-1
   */
  ObjectId key(int device, long sequence) {
    return ObjectId.of(epochSeconds, ((long) salt << 48) | ((long) device << 32) | (sequence & 0xFFFF_FFFFL));
  }

  /** Whether {@code id} is a key of this run. */
  boolean isOfRun(ObjectId id) {
    return id.high() == epochSeconds && (int) (id.low() >>> 48) == salt;
  }

  /** The device index in a key of this run. */
  static int device(ObjectId id) {
    return (int) (id.low() >>> 32) & 0xFFFF;
  }

  /** The device sequence number in a key of this run. */
  static long sequence(ObjectId id) {
    return id.low() & 0xFFFF_FFFFL;
  }

  /** The sensor name of device {@code index}. */
  static String sensorName(int device) {
    return "sensor-" + (device + 1);
  }

  @Override
  public String toString() {
    return String.format("run %08x-%04x", epochSeconds, salt);
  }
}
