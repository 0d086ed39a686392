package io.tributary.server.spi;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import java.util.Objects;

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
 */
public final class IngestRecord {
  private final String className;
  private final Value primaryKey;
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

  /** The primary key. */
  public Value primaryKey() {
    return primaryKey;
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
