package io.tributary.protocol;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A 12-byte BSON/Realm ObjectId: an immutable value.
 *
 * <pre>
 *   byte  0         4               9        12
 *         +---------+---------------+--------+
 *         | seconds | random value  | counter|
 *         |  (BE)   | (per process) |  (BE)  |
 *         +---------+---------------+--------+
 * </pre>
 *
 * The text form is 24 lower-case hex digits in byte order, and the changeset carries the 12 bytes
 * in that same order (spec changeset.md §3.4): {@code 6560f0a1c3b2a1f0e4d3c2b1} is {@code 65 60 F0
 * A1 C3 B2 A1 F0 E4 D3 C2 B1}. Ordering ({@link #compareTo}) is unsigned byte order, which sorts
 * generated ids by creation second.
 *
 * <p>Instances are thread safe. Null arguments throw {@link NullPointerException}.
 */
public final class ObjectId implements Comparable<ObjectId> {
  /** Length of an ObjectId in bytes. */
  public static final int BYTES = 12;

  private static final int RANDOM_VALUE_HI;
  private static final byte RANDOM_VALUE_LO;
  private static final AtomicInteger COUNTER;

  static {
    SecureRandom random = new SecureRandom();
    RANDOM_VALUE_HI = random.nextInt();
    RANDOM_VALUE_LO = (byte) random.nextInt();
    COUNTER = new AtomicInteger(random.nextInt());
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Bytes 0–3, big-endian. */
  private final int high;
  /** Bytes 4–11, big-endian. */
  private final long low;

  private ObjectId(int high, long low) {
    this.high = high;
    this.low = low;
  }

  /**
   * A new ObjectId from the current time (seconds since the epoch), this process's random value
   * and an incrementing counter, as BSON's {@code ObjectId.get()} makes them. Ids made by one
   * process are distinct for 2^24 ids per second.
   *
   * @return a new ObjectId
   */
  public static ObjectId get() {
    return get(System.currentTimeMillis() / 1000);
  }

  /**
   * A new ObjectId for the given time, this process's random value and an incrementing counter.
   *
   * @param epochSeconds seconds since 1970-01-01T00:00:00Z; stored as an unsigned 32-bit value
   *     (the low 32 bits are used)
   * @return a new ObjectId
   */
  public static ObjectId get(long epochSeconds) {
    int counter = COUNTER.getAndIncrement() & 0xFF_FFFF;
    long low = ((long) RANDOM_VALUE_HI << 32) | ((RANDOM_VALUE_LO & 0xFFL) << 24) | counter;
    return new ObjectId((int) epochSeconds, low);
  }

  /**
   * The ObjectId with the given bytes, as two big-endian numbers.
   *
   * @param high bytes 0–3 (the seconds), big-endian
   * @param low bytes 4–11, big-endian
   * @return the ObjectId
   */
  public static ObjectId of(int high, long low) {
    return new ObjectId(high, low);
  }

  /**
   * Parses the 24-hex-digit text form (either case).
   *
   * @param hex 24 hex digits
   * @return the ObjectId
   * @throws IllegalArgumentException if {@code hex} is not 24 hex digits
   */
  public static ObjectId fromHex(CharSequence hex) {
    if (hex.length() != 2 * BYTES) {
      throw new IllegalArgumentException(
          "ObjectId hex length: " + hex.length() + " (expected: 24 hex digits)");
    }
    int high = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 4) | hexDigit(hex, i);
    }
    long low = 0;
    for (int i = 8; i < 24; i++) {
      low = (low << 4) | hexDigit(hex, i);
    }
    return new ObjectId(high, low);
  }

  private static int hexDigit(CharSequence hex, int index) {
    int d = Character.digit(hex.charAt(index), 16);
    if (d < 0) {
      throw new IllegalArgumentException(
          "ObjectId hex digit at index " + index + ": '" + hex.charAt(index)
              + "' (expected: 0-9, a-f or A-F)");
    }
    return d;
  }

  /**
   * The ObjectId whose bytes are {@code bytes[offset .. offset + 12)}; the array is copied.
   *
   * @param bytes the source, borrowed for the duration of the call
   * @param offset index of the first byte
   * @return the ObjectId
   * @throws IndexOutOfBoundsException if fewer than 12 bytes are available at {@code offset}
   */
  public static ObjectId fromBytes(byte[] bytes, int offset) {
    java.util.Objects.checkFromIndexSize(offset, BYTES, bytes.length);
    int high = 0;
    for (int i = 0; i < 4; i++) {
      high = (high << 8) | (bytes[offset + i] & 0xFF);
    }
    long low = 0;
    for (int i = 4; i < BYTES; i++) {
      low = (low << 8) | (bytes[offset + i] & 0xFF);
    }
    return new ObjectId(high, low);
  }

  /**
   * The ObjectId whose bytes are {@code bytes}, which must be 12 bytes long.
   *
   * @param bytes 12 bytes, copied
   * @return the ObjectId
   * @throws IllegalArgumentException if {@code bytes.length != 12}
   */
  public static ObjectId fromBytes(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException(
          "ObjectId byte length: " + bytes.length + " (expected: 12)");
    }
    return fromBytes(bytes, 0);
  }

  /** Bytes 0–3 as a big-endian int: the seconds since the epoch, unsigned. */
  public int high() {
    return high;
  }

  /** Bytes 4–11 as a big-endian long. */
  public long low() {
    return low;
  }

  /** The creation time in seconds since 1970-01-01T00:00:00Z (bytes 0–3, unsigned). */
  public long epochSeconds() {
    return high & 0xFFFF_FFFFL;
  }

  /**
   * Copies the 12 bytes into {@code dst} at {@code offset}.
   *
   * @param dst the destination, borrowed for the duration of the call
   * @param offset index of the first byte to write
   * @throws IndexOutOfBoundsException if fewer than 12 bytes are available at {@code offset}
   */
  public void copyTo(byte[] dst, int offset) {
    java.util.Objects.checkFromIndexSize(offset, BYTES, dst.length);
    for (int i = 0; i < 4; i++) {
      dst[offset + i] = (byte) (high >>> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++) {
      dst[offset + 4 + i] = (byte) (low >>> (56 - 8 * i));
    }
  }

  /** A new 12-byte array with the bytes of this id. */
  public byte[] toByteArray() {
    byte[] b = new byte[BYTES];
    copyTo(b, 0);
    return b;
  }

  /** The 24 lower-case hex digits. */
  public String toHexString() {
    char[] c = new char[2 * BYTES];
    for (int i = 0; i < 8; i++) {
      c[i] = HEX[(high >>> (28 - 4 * i)) & 0xF];
    }
    for (int i = 0; i < 16; i++) {
      c[8 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xF];
    }
    return new String(c);
  }

  @Override
  public int compareTo(ObjectId other) {
    int c = Integer.compareUnsigned(high, other.high);
    return c != 0 ? c : Long.compareUnsigned(low, other.low);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ObjectId && ((ObjectId) o).high == high && ((ObjectId) o).low == low;
  }

  @Override
  public int hashCode() {
    return 31 * high + Long.hashCode(low);
  }

  /** The 24 lower-case hex digits, as {@link #toHexString()}. */
  @Override
  public String toString() {
    return toHexString();
  }
}
