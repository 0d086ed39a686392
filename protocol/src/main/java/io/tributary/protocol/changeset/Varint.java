package io.tributary.protocol.changeset;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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

  /**
   * Writes {@code value} like {@link #write}, but a value of at most 8 encoded bytes (magnitude
   * below 2^55) as one 8-byte store built without a loop or data-dependent branch; the bytes after
   * the encoding, up to 8 in all, are overwritten with garbage. For the writer's hot paths, whose
   * reservation covers the 8 bytes.
   *
   * @param dst destination; needs 8 bytes (or {@link #MAX_BYTES_64} for larger values) at index
   * @param index where the encoding starts
   * @param value any 64-bit value
   * @return the index after the encoding
   */
  static int writeWord(byte[] dst, int index, long value) {
    int k = wordSize(value);
    if (k > 8) {
      return writeLong(dst, index, value);
    }
    LONG_LE.set(dst, index, word(value, k));
    return index + k;
  }

  /** The number of bytes of {@code value}'s varint, 1 … 10, computed without a loop. */
  static int wordSize(long value) {
    long n = value ^ (value >> 63); // the magnitude: ~value if negative
    // bytes = bit length / 7 + 1 (6 bits in the final byte, 7 in each other); x * 37 >>> 8 is
    // x / 7 for 0 <= x <= 64
    return ((64 - Long.numberOfLeadingZeros(n)) * 37 >>> 8) + 1;
  }

  /**
   * The varint of {@code value} in the low {@code k} bytes of a little-endian word (the bytes
   * above are garbage), for {@code k} = {@link #wordSize}(value) ≤ 8.
   */
  static long word(long value, int k) {
    long sign = value >> 63; // 0, or -1 for a negative value
    long n = value ^ sign; // the magnitude: ~value if negative
    // spread the 7-bit groups into bytes, least significant first, in three halving steps:
    // 28-bit halves into 32-bit lanes, 14-bit quarters into 16-bit lanes, 7-bit groups into bytes
    long w = n & 0x0FFF_FFFFL | (n & 0xFF_FFFF_F000_0000L) << 4;
    w = w & 0x0000_3FFF_0000_3FFFL | (w & 0x0FFF_C000_0FFF_C000L) << 2;
    w = w & 0x007F_007F_007F_007FL | (w & 0x3F80_3F80_3F80_3F80L) << 1;
    int last = 8 * (k - 1); // bit offset of the final byte
    w |= 0x8080_8080_8080_8080L & ((1L << last) - 1); // continuation bits before it
    w |= (sign & 0x40) << last; // the sign bit in it
    return w;
  }

  /** Least value of {@link #writeFive}: the smallest that needs 5 bytes (2^27). */
  static final long FIVE_MIN = 1L << 27;

  /** Number of values {@link #writeFive} takes: 2^34 − 2^27. */
  static final long FIVE_SPAN = (1L << 34) - FIVE_MIN;

  /**
   * Writes a value of exactly 5 encoded bytes, {@link #FIVE_MIN} ≤ {@code value} < 2^34 (as
   * seconds since 1970: 1974 to 2514), as one 8-byte store; the 3 bytes after it are garbage.
   * Same bytes as {@link #write}; the caller checks the range.
   */
  static void writeFive(byte[] dst, int index, long value) {
    LONG_LE.set(dst, index, fiveWord(value));
  }

  /** {@link #writeFive}'s bytes in the low 5 bytes of a little-endian word (the rest 0). */
  static long fiveWord(long value) {
    long v = value;
    long w = v & 0x7F | (v & 0x3F80) << 1 | (v & 0x1F_C000) << 2 | (v & 0xFE0_0000) << 3
        | (v & 0x3_F000_0000L) << 4;
    return w | 0x8080_8080L; // continuation bits in the first four bytes
  }

  /**
   * Writes a non-negative int ({@code 0 ≤ value}, at most 5 encoded bytes) like {@link #write},
   * as one 8-byte store built without a loop or data-dependent branch; the bytes after the
   * encoding, up to 8 in all, are garbage. No sign to handle, so cheaper than {@link #writeWord}:
   * for a timestamp's nanoseconds after 1970. The caller checks the sign.
   *
   * @param dst destination; needs 8 bytes at index
   * @param index where the encoding starts
   * @param value 0 … 2^31 − 1
   * @return the index after the encoding
   */
  static int writeNonNegativeInt(byte[] dst, int index, int value) {
    LONG_LE.set(dst, index, nonNegativeIntWord(value));
    return index + nonNegativeIntSize(value);
  }

  /** The number of bytes of the varint of {@code value} ≥ 0: 1 … 5. */
  static int nonNegativeIntSize(int value) {
    // bytes = bit length / 7 + 1, as in writeWord
    return ((32 - Integer.numberOfLeadingZeros(value)) * 37 >>> 8) + 1;
  }

  /** {@link #writeNonNegativeInt}'s bytes in the low bytes of a little-endian word (rest 0). */
  static long nonNegativeIntWord(int value) {
    long v = value;
    long w = v & 0x7F | (v & 0x3F80) << 1 | (v & 0x1F_C000) << 2 | (v & 0xFE0_0000) << 3
        | (v & 0x7000_0000L) << 4;
    int k = nonNegativeIntSize(value);
    return w | 0x8080_8080L & ((1L << 8 * (k - 1)) - 1); // continuation bits before the last
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
