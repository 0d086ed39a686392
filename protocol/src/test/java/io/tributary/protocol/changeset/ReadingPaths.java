package io.tributary.protocol.changeset;

/**
 * The prepared paths of the sensor reading ({@code Reading {sensor, value, ts, location: Location
 * {lat, lon}}}) that several tests write with the prepared terminals.
 */
final class ReadingPaths {
  static final FieldPath SENSOR = FieldPath.of(Name.of("sensor"));
  static final FieldPath VALUE = FieldPath.of(Name.of("value"));
  static final FieldPath TS = FieldPath.of(Name.of("ts"));
  static final FieldPath LOCATION = FieldPath.of(Name.of("location"));
  static final FieldPath LAT = FieldPath.ofEmbedded(Name.of("location"), Name.of("lat"), Name.of("Location"));
  static final FieldPath LON = FieldPath.ofEmbedded(Name.of("location"), Name.of("lon"), Name.of("Location"));

  private ReadingPaths() {}
}
