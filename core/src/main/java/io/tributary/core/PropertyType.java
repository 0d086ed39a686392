package io.tributary.core;

/**
 * The type of a property, or of the elements of a collection property (spec changeset.md §7.2).
 *
 * <p>{@link #realmName()} is the name Realm's schema notation uses ({@code "date"} for {@link
 * #TIMESTAMP}, {@code "data"} for {@link #BINARY}); {@link Property#toString()} prints it.
 */
public enum PropertyType {
  /** 64-bit signed integer. Java {@code long} (or {@code int}, widened). */
  INT("int"),
  /** Boolean. */
  BOOL("bool"),
  /** UTF-8 string, at most 16 777 199 bytes. */
  STRING("string"),
  /** Byte array. */
  BINARY("data"),
  /** IEEE 754 binary32. */
  FLOAT("float"),
  /** IEEE 754 binary64. */
  DOUBLE("double"),
  /** A point in time with nanosecond precision. Java {@link java.time.Instant}. */
  TIMESTAMP("date"),
  /** IEEE 754-2008 decimal128. Java {@link java.math.BigDecimal} (at most 34 digits). */
  DECIMAL128("decimal128"),
  /** A 12-byte MongoDB ObjectId. Java {@link io.tributary.protocol.ObjectId}. */
  OBJECT_ID("objectId"),
  /** A 16-byte UUID. Java {@link java.util.UUID}. */
  UUID("uuid"),
  /** Any of the scalar types above, or null. Mixed properties are always nullable. */
  MIXED("mixed"),
  /**
   * A link to an object of another class. In an ingest realm the target is always an embedded
   * class; declare such properties with {@link ObjectSchema#embedded(String, String)}, {@link
   * ObjectSchema#embeddedList} and {@link ObjectSchema#embeddedDictionary}.
   */
  OBJECT("object");

  private final String realmName;

  PropertyType(String realmName) {
    this.realmName = realmName;
  }

  /** The name in Realm's schema notation, e.g. {@code "objectId"}, {@code "date"}. */
  public String realmName() {
    return realmName;
  }

  /** Whether a primary key may have this type: {@link #INT}, {@link #STRING}, {@link #OBJECT_ID}, {@link #UUID}. */
  public boolean isPrimaryKeyType() {
    return this == INT || this == STRING || this == OBJECT_ID || this == UUID;
  }
}
