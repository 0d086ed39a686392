package io.tributary.benchmarks.e2e;

import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.server.AppSchema;

/** The sensor-reading schema of the end-to-end benchmark, client and server side (as {@code tributary demo}). */
public final class BenchSchema {
  /** The asymmetric class. */
  public static final String READING = "Reading";

  /** The client schema: Reading (ObjectId key, sensor, value, ts, embedded Location of lat and lon). */
  public static final Schema CLIENT = Schema.of(
      ObjectSchema.asymmetric(READING)
          .primaryKey("_id", PropertyType.OBJECT_ID)
          .property("sensor", PropertyType.STRING)
          .property("value", PropertyType.DOUBLE)
          .property("ts", PropertyType.TIMESTAMP)
          .embedded("location", "Location"),
      ObjectSchema.embedded("Location")
          .property("lat", PropertyType.DOUBLE)
          .property("lon", PropertyType.DOUBLE));

  /** The same schema as the server's app schema. */
  public static final AppSchema SERVER = AppSchema.parse("""
      {"classes": [
        {"name": "Reading", "kind": "asymmetric", "primaryKey": "_id",
         "properties": {"_id": "objectId", "sensor": "string", "value": "double", "ts": "date",
                        "location": "Location"}},
        {"name": "Location", "kind": "embedded", "properties": {"lat": "double", "lon": "double"}}
      ]}""");

  private BenchSchema() {}
}
