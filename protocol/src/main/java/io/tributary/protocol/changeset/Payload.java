package io.tributary.protocol.changeset;

import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * A materialised value of an Update, ArrayInsert, SetInsert or SetErase (spec changeset.md §5.1).
 * {@code toString()} prints it as realm-core's {@code changeset-dump} does, for example {@code
 * Double(21.5 bits=0000000000803540)} or {@code Timestamp(seconds=0, nanoseconds=0 =
 * 1970-01-01T00:00:00.000000000Z)}.
 *
 * <p>Float and double values are kept as raw bits, so NaN payloads survive a round trip and
 * {@code equals} compares bits.
 */
public sealed interface Payload {

  /** The wire type. */
  PayloadType type();

  /** Null. */
  Payload NULL = new Marker(PayloadType.NULL);
  /** ObjectValue: create an embedded object here. */
  Payload OBJECT_VALUE = new Marker(PayloadType.OBJECT_VALUE);
  /** List: make a Mixed position an empty list. */
  Payload LIST = new Marker(PayloadType.LIST);
  /** Dictionary: make a Mixed position an empty dictionary. */
  Payload DICTIONARY = new Marker(PayloadType.DICTIONARY);
  /** Set: make a Mixed position an empty set. */
  Payload SET = new Marker(PayloadType.SET);
  /** Erased: erase a dictionary key. */
  Payload ERASED = new Marker(PayloadType.ERASED);

  /**
   * The marker payload of a type without data.
   *
   * @param type NULL, OBJECT_VALUE, LIST, DICTIONARY, SET or ERASED
   * @return the payload
   * @throws IllegalArgumentException for a type with data
   */
  static Payload marker(PayloadType type) {
    switch (type) {
      case NULL:
        return NULL;
      case OBJECT_VALUE:
        return OBJECT_VALUE;
      case LIST:
        return LIST;
      case DICTIONARY:
        return DICTIONARY;
      case SET:
        return SET;
      case ERASED:
        return ERASED;
      default:
        throw new IllegalArgumentException(
            "marker type: " + type + " (expected: a type without data)");
    }
  }

  /**
   * A payload without data (Null, ObjectValue, List, Dictionary, Set, Erased).
   *
   * @param type the type
   */
  record Marker(PayloadType type) implements Payload {
    @Override
    public String toString() {
      return type.dumpName();
    }
  }

  /**
   * An Int value.
   *
   * @param value the value
   */
  record IntValue(long value) implements Payload {
    @Override
    public PayloadType type() {
      return PayloadType.INT;
    }

    @Override
    public String toString() {
      return "Int(" + value + ")";
    }
  }

  /**
   * A Bool value.
   *
   * @param value the value
   */
  record BoolValue(boolean value) implements Payload {
    @Override
    public PayloadType type() {
      return PayloadType.BOOL;
    }

    @Override
    public String toString() {
      return "Bool(" + value + ")";
    }
  }

  /**
   * A String value (inline, not interned).
   *
   * @param value the value
   */
  record StringValue(String value) implements Payload {
    /** Checks the component. */
    public StringValue {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public PayloadType type() {
      return PayloadType.STRING;
    }

    @Override
    public String toString() {
      return "String(\"" + value + "\")";
    }
  }

  /**
   * A Binary value. The array is copied in and out; {@code equals} compares content.
   *
   * @param bytes the value
   */
  record BinaryValue(byte[] bytes) implements Payload {
    /** Copies the array. */
    public BinaryValue {
      bytes = bytes.clone();
    }

    /** A copy of the bytes. */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** The number of bytes. */
    public int length() {
      return bytes.length;
    }

    @Override
    public PayloadType type() {
      return PayloadType.BINARY;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BinaryValue && Arrays.equals(bytes, ((BinaryValue) o).bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Binary(" + bytes.length + " bytes: " + HexFormat.of().formatHex(bytes) + ")";
    }
  }

  /**
   * A Timestamp value, truncated toward zero (spec changeset.md §3.5).
   *
   * @param seconds seconds since 1970-01-01T00:00:00Z
   * @param nanos nanoseconds, same sign as seconds, |nanos| &lt; 10^9
   */
  record TimestampValue(long seconds, int nanos) implements Payload {
    /** Checks the pair. */
    public TimestampValue {
      if (nanos <= -1_000_000_000 || nanos >= 1_000_000_000
          || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
        throw new IllegalArgumentException(
            "timestamp: (" + seconds + " s, " + nanos + " ns) (expected: |nanos| < 10^9 and"
                + " seconds and nanos of the same sign)");
      }
    }

    /**
     * The value of an instant (truncated toward zero).
     *
     * @param instant the instant
     * @return the value
     */
    public static TimestampValue of(Instant instant) {
      long s = instant.getEpochSecond();
      int n = instant.getNano();
      if (s < 0 && n > 0) {
        s += 1;
        n -= 1_000_000_000;
      }
      return new TimestampValue(s, n);
    }

    /**
     * The instant.
     *
     * @return the instant
     * @throws java.time.DateTimeException if it is outside {@link Instant}'s range
     */
    public Instant toInstant() {
      return Instant.ofEpochSecond(seconds, nanos);
    }

    @Override
    public PayloadType type() {
      return PayloadType.TIMESTAMP;
    }

    @Override
    public String toString() {
      return "Timestamp(seconds=" + seconds + ", nanoseconds=" + nanos + " = "
          + DumpFormat.iso(seconds, nanos) + ")";
    }
  }

  /**
   * A Float value as raw IEEE 754 bits.
   *
   * @param bits {@link Float#floatToRawIntBits}
   */
  record FloatValue(int bits) implements Payload {
    /**
     * The value {@code f} (raw bits kept).
     *
     * @param f the value
     * @return the payload
     */
    public static FloatValue of(float f) {
      return new FloatValue(Float.floatToRawIntBits(f));
    }

    /** The value. */
    public float value() {
      return Float.intBitsToFloat(bits);
    }

    @Override
    public PayloadType type() {
      return PayloadType.FLOAT;
    }

    @Override
    public String toString() {
      return "Float(" + DumpFormat.g(value(), 9) + " bits=" + DumpFormat.leHex(bits, 4) + ")";
    }
  }

  /**
   * A Double value as raw IEEE 754 bits.
   *
   * @param bits {@link Double#doubleToRawLongBits}
   */
  record DoubleValue(long bits) implements Payload {
    /**
     * The value {@code d} (raw bits kept).
     *
     * @param d the value
     * @return the payload
     */
    public static DoubleValue of(double d) {
      return new DoubleValue(Double.doubleToRawLongBits(d));
    }

    /** The value. */
    public double value() {
      return Double.longBitsToDouble(bits);
    }

    @Override
    public PayloadType type() {
      return PayloadType.DOUBLE;
    }

    @Override
    public String toString() {
      return "Double(" + DumpFormat.g(value(), 17) + " bits=" + DumpFormat.leHex(bits, 8) + ")";
    }
  }

  /**
   * A Decimal128 value as (coefficient, exponent, sign) (spec changeset.md §3.6).
   *
   * @param coefficientHigh high 64 bits of the unsigned coefficient
   * @param coefficientLow low 64 bits of the unsigned coefficient
   * @param exponent −6176 … 6111
   * @param negative the sign
   */
  record DecimalValue(long coefficientHigh, long coefficientLow, int exponent, boolean negative)
      implements Payload {
    /** Checks the ranges. */
    public DecimalValue {
      Decimals.check(coefficientHigh, coefficientLow, exponent);
    }

    /**
     * The exact Decimal128 form of {@code value} (see {@link
     * ChangesetWriter#decimalValue(BigDecimal)}).
     *
     * @param value the value
     * @return the payload
     * @throws IllegalArgumentException if {@code value} has no exact Decimal128 form
     */
    public static DecimalValue of(BigDecimal value) {
      long[] p = Decimals.fromBigDecimal(value);
      return new DecimalValue(p[0], p[1], (int) p[2], p[3] != 0);
    }

    /** The value as a {@link BigDecimal} (−0 becomes 0). */
    public BigDecimal toBigDecimal() {
      return Decimals.toBigDecimal(coefficientHigh, coefficientLow, exponent, negative);
    }

    /** The high 64 bits of the IEEE 754-2008 BID encoding realm-core stores. */
    public long bid128High() {
      return Decimals.bidHigh(coefficientHigh, exponent, negative);
    }

    /** The low 64 bits of the BID encoding (the coefficient's low bits). */
    public long bid128Low() {
      return coefficientLow;
    }

    @Override
    public PayloadType type() {
      return PayloadType.DECIMAL;
    }

    @Override
    public String toString() {
      return "Decimal(" + Decimals.toRealmString(coefficientHigh, coefficientLow, exponent, negative)
          + " bid128=0x" + String.format("%016x%016x", bid128High(), bid128Low()) + ")";
    }
  }

  /**
   * An ObjectId value.
   *
   * @param value the id
   */
  record ObjectIdValue(ObjectId value) implements Payload {
    /** Checks the component. */
    public ObjectIdValue {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public PayloadType type() {
      return PayloadType.OBJECT_ID;
    }

    @Override
    public String toString() {
      return "ObjectId(" + value.toHexString() + ")";
    }
  }

  /**
   * A UUID value.
   *
   * @param value the UUID
   */
  record UuidValue(UUID value) implements Payload {
    /** Checks the component. */
    public UuidValue {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public PayloadType type() {
      return PayloadType.UUID;
    }

    @Override
    public String toString() {
      return "UUID(" + value + ")";
    }
  }

  /**
   * A link to a top-level object.
   *
   * @param targetTable the target class
   * @param key the target's primary key
   */
  record LinkValue(String targetTable, PrimaryKey key) implements Payload {
    /** Checks the components. */
    public LinkValue {
      Objects.requireNonNull(targetTable, "targetTable");
      Objects.requireNonNull(key, "key");
    }

    @Override
    public PayloadType type() {
      return PayloadType.LINK;
    }

    @Override
    public String toString() {
      return "Link(target=\"" + targetTable + "\", pk=" + key + ")";
    }
  }
}
