package io.tributary.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.NullValue;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.Payload;
import io.tributary.protocol.changeset.PrimaryKey;
import io.tributary.server.proto.Decimal128;
import io.tributary.server.proto.RealmTimestamp;
import io.tributary.server.proto.Value;
import java.util.UUID;

/**
 * Builds the protobuf {@link Value}s the server stores, e.g. to look an object up with {@link
 * IngestStore#find}: {@code store.find("Reading", Values.objectId("6560f0a1c3b2a1f0e4d3c2b1"))}.
 * Thread safe (stateless).
 */
public final class Values {
  private static final Value NULL = Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();

  /** Milliseconds between the Unix epoch and 2015-01-01T00:00:00Z, realm-core's timestamp origin. */
  public static final long REALM_EPOCH_OFFSET_MS = 1_420_070_400_000L;

  private Values() {}

  /** The null value. */
  public static Value nullValue() {
    return NULL;
  }

  /** An int value. */
  public static Value ofInt(long value) {
    return Value.newBuilder().setIntValue(value).build();
  }

  /** A string value. */
  public static Value ofString(String value) {
    return Value.newBuilder().setStringValue(value).build();
  }

  /**
   * An object id value.
   *
   * @param hex 24 hexadecimal digits (stored lower-case)
   * @throws IllegalArgumentException if {@code hex} is not 24 hexadecimal digits
   */
  public static Value objectId(String hex) {
    return objectId(ObjectId.fromHex(hex));
  }

  /** An object id value. */
  public static Value objectId(ObjectId id) {
    return Value.newBuilder().setObjectIdValue(id.toHexString()).build();
  }

  /** A uuid value. */
  public static Value ofUuid(UUID value) {
    return Value.newBuilder().setUuidValue(value.toString()).build();
  }

  /**
   * The value of a primary key from a changeset.
   *
   * @throws IllegalArgumentException for a GlobalKey (tables without a primary key; never synced)
   */
  public static Value of(PrimaryKey key) {
    if (key instanceof PrimaryKey.NullKey) {
      return NULL;
    } else if (key instanceof PrimaryKey.IntKey k) {
      return ofInt(k.value());
    } else if (key instanceof PrimaryKey.StringKey k) {
      return ofString(k.value());
    } else if (key instanceof PrimaryKey.ObjectIdKey k) {
      return objectId(k.value());
    } else if (key instanceof PrimaryKey.UuidKey k) {
      return ofUuid(k.value());
    }
    throw new IllegalArgumentException("primary key: " + key + " (expected: null, int, string, objectId or uuid)");
  }

  /**
   * The value of a scalar payload (Null, Int, Bool, String, Binary, Timestamp, Float, Double,
   * Decimal, ObjectId, UUID). Float and double keep their bits (NaN payloads included).
   *
   * @throws IllegalArgumentException for a payload without a plain value (ObjectValue, List, Link,
   *     ...)
   */
  public static Value of(Payload payload) {
    Value.Builder b = Value.newBuilder();
    switch (payload.type()) {
      case NULL:
        return NULL;
      case INT:
        return b.setIntValue(((Payload.IntValue) payload).value()).build();
      case BOOL:
        return b.setBoolValue(((Payload.BoolValue) payload).value()).build();
      case STRING:
        return b.setStringValue(((Payload.StringValue) payload).value()).build();
      case BINARY:
        return b.setBinaryValue(ByteString.copyFrom(((Payload.BinaryValue) payload).bytes())).build();
      case TIMESTAMP:
        {
          Payload.TimestampValue t = (Payload.TimestampValue) payload;
          return b.setTimestampValue(RealmTimestamp.newBuilder().setSeconds(t.seconds()).setNanos(t.nanos()))
              .build();
        }
      case FLOAT:
        return b.setFloatValue(Float.intBitsToFloat(((Payload.FloatValue) payload).bits())).build();
      case DOUBLE:
        return b.setDoubleValue(Double.longBitsToDouble(((Payload.DoubleValue) payload).bits())).build();
      case DECIMAL:
        {
          Payload.DecimalValue d = (Payload.DecimalValue) payload;
          return b.setDecimalValue(
                  Decimal128.newBuilder()
                      .setValue(d.toBigDecimal().toString())
                      .setBidHigh(d.bid128High())
                      .setBidLow(d.bid128Low()))
              .build();
        }
      case OBJECT_ID:
        return objectId(((Payload.ObjectIdValue) payload).value());
      case UUID:
        return ofUuid(((Payload.UuidValue) payload).value());
      default:
        throw new IllegalArgumentException("payload: " + payload.type().dumpName() + " (expected: a scalar value)");
    }
  }
}
