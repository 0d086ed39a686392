package io.tributary.protocol.changeset;

/**
 * The integer encoding of Realm sync changesets (spec changeset.md §2.1). It is <b>not</b> LEB128
 * and not zig-zag: sign and magnitude are kept apart.
 *
 * <pre>
 *   continuation byte:  1vvvvvvv   7 value bits, least significant group first
 *   final byte:         0svvvvvv   6 value bits, s = sign (value was negative)
 *   negative v is stored as its magnitude n = -(v + 1) = ~v, with s set
 * </pre>
 *
 * Examples: 0 = {@code 00}, -1 = {@code 40}, 63 = {@code 3F}, 64 = {@code C0 00}, -65 = {@code C0
 * 40}. This class only encodes into byte arrays; decoding is done by the changeset reader, which
 * validates against the field's width.
 */
public final class Varint {
  /** Longest encoding of a 64-bit value: 9 continuation bytes and a final byte. */
  public static final int MAX_BYTES_64 = 10;

  /** Longest encoding of a 128-bit Decimal128 coefficient that realm-core reads (§2.3). */
  public static final int MAX_BYTES_128 = 17;

  private Varint() {}

  /** Number of bytes {@link #write} produces for {@code value}. */
  public static int size(long value) {
    long n = value < 0 ? ~value : value;
    int size = 1;
    while ((n >>> 6) != 0) {
      n >>>= 7;
      size++;
    }
    return size;
  }

  /**
   * Writes the canonical (shortest) encoding of {@code value} at {@code index}.
   *
   * @return the index after the last byte written
   * @throws ArrayIndexOutOfBoundsException if {@code dst} has fewer than {@link #size(long)} bytes
   *     from {@code index}
   */
  public static int write(byte[] dst, int index, long value) {
    if ((value >>> 6) == 0) {
      dst[index] = (byte) value; // 0..63: one byte, the common case
      return index + 1;
    }
    return writeLong(dst, index, value);
  }

  private static int writeLong(byte[] dst, int index, long value) {
    long n = value;
    int sign = 0;
    if (n < 0) {
      n = ~n;
      sign = 0x40;
    }
    while ((n >>> 6) != 0) {
      dst[index++] = (byte) (0x80 | (n & 0x7F));
      n >>>= 7;
    }
    dst[index++] = (byte) (n | sign);
    return index;
  }

  /**
   * Writes an unsigned 64-bit value (interpreting {@code value} as unsigned, so 2^64-1 is {@code
   * -1L}); used for fields realm-core reads as {@code uint64_t}.
   *
   * @return the index after the last byte written
   */
  public static int writeUnsigned(byte[] dst, int index, long value) {
    if ((value >>> 6) == 0) {
      dst[index] = (byte) value;
      return index + 1;
    }
    long n = value;
    while ((n >>> 6) != 0) {
      dst[index++] = (byte) (0x80 | (n & 0x7F));
      n >>>= 7;
    }
    dst[index++] = (byte) n;
    return index;
  }

  /**
   * Writes the unsigned 128-bit value {@code high:low} as the Decimal128 coefficient varint of spec
   * changeset.md §2.3: 7 value bits per continuation byte, and a final byte below 64 (its bit
   * {@code 0x40} is a value bit only in theory: the loop stops before it could be set). 1234 is
   * {@code D2 09}.
   *
   * @return the index after the last byte written
   */
  public static int write128(byte[] dst, int index, long high, long low) {
    long h = high;
    long l = low;
    while (h != 0 || (l >>> 6) != 0) {
      dst[index++] = (byte) (0x80 | (l & 0x7F));
      l = (l >>> 7) | (h << 57);
      h >>>= 7;
    }
    dst[index++] = (byte) l;
    return index;
  }
}
