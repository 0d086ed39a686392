package io.tributary.server.spi;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.NullValue;
import io.tributary.protocol.ObjectId;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import java.util.Objects;
import java.util.UUID;

/**
 * One new object of an {@link IngestBatch}, already serialised: its class and primary key (what a
 * sink needs to detect duplicates) and the protobuf encoding of its {@link IngestedObject}
 * without {@code sequence} and {@code ingested_at_ms}, which the sink appends when it stores the
 * object (a protobuf parser keeps the last value of a repeated scalar field, so appended fields
 * also replace any set earlier). The ingest server builds these straight from the changeset,
 * without building message objects. Immutable by contract.
 *
 * <p>Buffer ownership: {@link #serialized()} is transferred to the record at construction and
 * lent to every reader; neither side may modify it afterwards (no defensive copies, this is the
 * hot path).
 *
 * <p>The primary key is kept either as a {@link Value} (the constructor) or as numbers and a
 * string (the {@code of...Key} factories, which the server's hot path uses so that it builds no
 * {@code Value} or hex {@code String} per object); {@link #primaryKey()} builds the {@code Value}
 * on demand, and {@link #primaryKeyKind()}, {@link #primaryKeyHigh()}, {@link #primaryKeyLow()}
 * and {@link #primaryKeyString()} read it without building one.
 */
public final class IngestRecord {
  private final String className;
  private final Value primaryKey; // null when built by an of...Key factory
  private final Value.KindCase keyKind;
  private final long keyHigh;
  private final long keyLow;
  private final String keyString;
  private final byte[] serialized;

  /**
   * A record from its parts.
   *
   * @param className the class name, equal to the encoded {@code class_name}
   * @param primaryKey the primary key, equal to the encoded {@code primary_key}
   * @param serialized an encoded {@link IngestedObject}; transferred (not copied). Not parsed
   *     here: a sink may store it as is, so bytes that are not an encoding are the caller's bug
   */
  public IngestRecord(String className, Value primaryKey, byte[] serialized) {
    this.className = Objects.requireNonNull(className, "className");
    this.primaryKey = Objects.requireNonNull(primaryKey, "primaryKey");
    this.serialized = Objects.requireNonNull(serialized, "serialized");
    this.keyKind = primaryKey.getKindCase();
    this.keyHigh = keyKind == Value.KindCase.INT_VALUE ? primaryKey.getIntValue() : 0;
    this.keyLow = 0;
    this.keyString = keyKind == Value.KindCase.STRING_VALUE ? primaryKey.getStringValue() : null;
  }

  private IngestRecord(
      String className, Value.KindCase kind, long high, long low, String string, byte[] serialized) {
    this.className = Objects.requireNonNull(className, "className");
    this.primaryKey = null;
    this.keyKind = kind;
    this.keyHigh = high;
    this.keyLow = low;
    this.keyString = string;
    this.serialized = Objects.requireNonNull(serialized, "serialized");
  }

  /**
   * A record whose primary key is an int.
   *
   * @param className the class name, equal to the encoded {@code class_name}
   * @param key the primary key, equal to the encoded {@code primary_key}
   * @param serialized an encoded {@link IngestedObject}; transferred (not copied), not parsed
   * @return the record
   */
  public static IngestRecord ofIntKey(String className, long key, byte[] serialized) {
    return new IngestRecord(className, Value.KindCase.INT_VALUE, key, 0, null, serialized);
  }

  /**
   * A record whose primary key is a string.
   *
   * @param className the class name, equal to the encoded {@code class_name}
   * @param key the primary key, equal to the encoded {@code primary_key}
   * @param serialized an encoded {@link IngestedObject}; transferred (not copied), not parsed
   * @return the record
   */
  public static IngestRecord ofStringKey(String className, String key, byte[] serialized) {
    Objects.requireNonNull(key, "key");
    return new IngestRecord(className, Value.KindCase.STRING_VALUE, 0, 0, key, serialized);
  }

  /**
   * A record whose primary key is an object id, given as {@link ObjectId#high()} and {@link
   * ObjectId#low()}.
   *
   * @param className the class name, equal to the encoded {@code class_name}
   * @param high the object id's bytes 0–3, big-endian
   * @param low the object id's bytes 4–11, big-endian
   * @param serialized an encoded {@link IngestedObject} whose {@code primary_key} is this object
   *     id in lower-case hex; transferred (not copied), not parsed
   * @return the record
   */
  public static IngestRecord ofObjectIdKey(String className, int high, long low, byte[] serialized) {
    return new IngestRecord(className, Value.KindCase.OBJECT_ID_VALUE, high, low, null, serialized);
  }

  /**
   * A record whose primary key is a uuid.
   *
   * @param className the class name, equal to the encoded {@code class_name}
   * @param mostSignificantBits the uuid's {@link UUID#getMostSignificantBits()}
   * @param leastSignificantBits the uuid's {@link UUID#getLeastSignificantBits()}
   * @param serialized an encoded {@link IngestedObject} whose {@code primary_key} is this uuid in
   *     its lower-case string form; transferred (not copied), not parsed
   * @return the record
   */
  public static IngestRecord ofUuidKey(
      String className, long mostSignificantBits, long leastSignificantBits, byte[] serialized) {
    return new IngestRecord(
        className, Value.KindCase.UUID_VALUE, mostSignificantBits, leastSignificantBits, null, serialized);
  }

  /**
   * A record of a message object (tests, tools; the server does not build message objects).
   *
   * @param object the object; its sequence and ingested-at fields, if set, are encoded too but
   *     replaced by the sink's
   * @return a record of {@code object}'s encoding
   */
  public static IngestRecord of(IngestedObject object) {
    return new IngestRecord(object.getClassName(), object.getPrimaryKey(), object.toByteArray());
  }

  /** The Realm class name. */
  public String className() {
    return className;
  }

  /**
   * The primary key. Built on each call for a record of an {@code of...Key} factory (not for hot
   * paths: use {@link #primaryKeyKind()} and the accessors it names).
   */
  public Value primaryKey() {
    if (primaryKey != null) {
      return primaryKey;
    }
    switch (keyKind) {
      case INT_VALUE:
        return Value.newBuilder().setIntValue(keyHigh).build();
      case STRING_VALUE:
        return Value.newBuilder().setStringValue(keyString).build();
      case OBJECT_ID_VALUE:
        return Value.newBuilder().setObjectIdValue(ObjectId.of((int) keyHigh, keyLow).toHexString()).build();
      case UUID_VALUE:
        return Value.newBuilder().setUuidValue(new UUID(keyHigh, keyLow).toString()).build();
      default:
        return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
  }

  /**
   * Whether {@link #primaryKeyHigh()} and {@link #primaryKeyLow()} hold the key's bits: true for
   * records of {@link #ofObjectIdKey} and {@link #ofUuidKey}; false for records of the
   * constructor, whose object id or uuid is only in {@link #primaryKey()}'s text.
   *
   * @return whether the bits of an object id or uuid key are at hand
   */
  public boolean hasPrimaryKeyBits() {
    return primaryKey == null;
  }

  /**
   * The kind of the primary key, without building a {@link Value}: {@code INT_VALUE} ({@link
   * #primaryKeyHigh()}), {@code STRING_VALUE} ({@link #primaryKeyString()}), {@code
   * OBJECT_ID_VALUE} or {@code UUID_VALUE} (both accessors, when {@link #hasPrimaryKeyBits()}),
   * {@code NULL_VALUE}, or any other kind a constructor's {@code Value} had.
   *
   * @return the kind
   */
  public Value.KindCase primaryKeyKind() {
    return keyKind;
  }

  /**
   * The int key, an object id's bytes 0–3 (sign-extended int) or a uuid's most significant bits;
   * 0 otherwise (and for an object id or uuid key without {@link #hasPrimaryKeyBits()}).
   *
   * @return the high bits
   */
  public long primaryKeyHigh() {
    return keyHigh;
  }

  /**
   * An object id's bytes 4–11 or a uuid's least significant bits; 0 otherwise (and without {@link
   * #hasPrimaryKeyBits()}).
   *
   * @return the low bits
   */
  public long primaryKeyLow() {
    return keyLow;
  }

  /**
   * The string key, or null if the key is not a string.
   *
   * @return the string key or null
   */
  public String primaryKeyString() {
    return keyString;
  }

  /** The encoded {@link IngestedObject}; lent: do not modify. */
  public byte[] serialized() {
    return serialized;
  }

  /**
   * Parses {@link #serialized()}.
   *
   * @return the object, without sequence and ingested-at time unless the encoding had them
   * @throws IllegalStateException if the bytes are not an {@code IngestedObject}
   */
  public IngestedObject parse() {
    try {
      return IngestedObject.parseFrom(serialized);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "ingest record of class " + className + ": " + serialized.length
              + " bytes do not parse as an IngestedObject: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "IngestRecord{class=" + className + ", bytes=" + serialized.length + '}';
  }
}
