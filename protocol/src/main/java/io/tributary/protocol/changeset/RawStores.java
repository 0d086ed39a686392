package io.tributary.protocol.changeset;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Little-endian stores of bytes, ints and longs into a {@code byte[]} without a range check per
 * store, for the hot paths of {@link ChangesetWriter} (CreateObject and the prepared Updates).
 *
 * <h2>Why</h2>
 *
 * A prepared Update reserves its room once ({@code ChangesetWriter.require(n)}: {@code pos + n <=
 * limit} of the window, and the window lies inside its array), then makes 5 to 8 stores. Through
 * {@code byteArrayViewVarHandle} and {@code b[i] = x} each store carries its own range check,
 * which C2 cannot prove redundant across the reservation. Here the stores go through {@code
 * sun.misc.Unsafe} (module {@code jdk.unsupported}, readable without flags in Java 17) at the
 * array's base offset + index, which is what the {@code VarHandle} does after its check. A record
 * computes {@link #at}{@code (pos)} once and stores at {@code at(pos) + k}: a {@code long} sum
 * with a constant folds into the store's address, an {@code int} index converted per store does
 * not (measured: the int-index form gave back most of the gain).
 *
 * <h2>The invariant (a wrong index corrupts the heap instead of throwing)</h2>
 *
 * Every call is preceded, on every path, by a reservation in the writer that covers it: the
 * writer only stores to indices in {@code [pos, pos + n)} of its current window array after
 * {@code limit - pos >= n} was checked for the whole record, and {@code limit} is at most the
 * array's length (the sink's {@code arrayLimit()}, or the writer's own staging array's length).
 * The window's array is re-read from the writer's field after every reservation, so growth (a new
 * array) never leaves a stale one. A {@code null} array throws {@link NullPointerException}.
 *
 * <h2>Heap only</h2>
 *
 * These stores never write off-heap memory. Writing a direct buffer's memory this way (base
 * {@code null}, the buffer's address) was tried and measured slower than staging plus a bulk
 * copy: C2 brackets an {@code Unsafe} access whose base may be {@code null} with compiler memory
 * barriers, so the writer's and the caller's fields are reloaded around every store (see
 * docs/benchmarks.md, 2026-12-07 15:45). For the same reason the array parameter is
 * null-checked here: a non-null {@code byte[]} base makes the access an ordinary array access for
 * C2, without barriers (the checks of one record are on the same array, so C2 keeps the first).
 *
 * <h2>Strings</h2>
 *
 * {@link #copyAscii} copies an ASCII string's chars as bytes. For a compact string (Java 9+
 * strings whose chars are all at most U+00FF hold one byte per char, {@code coder} 0) it reads the
 * string's own {@code byte[]} ({@code String.value}, at its field offset through {@code Unsafe}, no
 * access check or module opening needed) 8 bytes at a time and checks ASCII on the words; any
 * other string is copied char by char as before. Loads stay inside the string's array (its length
 * is checked against {@code s.length()}), stores inside the caller's reservation. The fields are
 * looked up and checked by a second self-test at class initialisation (a Latin-1 string built at
 * run time must have coder 0 and its chars as bytes, a wider one another coder); if that fails,
 * the JVM runs without compact strings ({@code -XX:-CompactStrings}), the raw stores are off, or
 * {@code io.tributary.protocol.rawStrings} is {@code false}, {@link #STRINGS} is false and every
 * string is copied char by char. Either way the bytes are the same (the exact UTF-8 route takes
 * every string that is not ASCII).
 *
 * <h2>Fallback</h2>
 *
 * If {@code sun.misc.Unsafe} cannot be obtained, the platform is not x86-64 or AArch64 (little
 * endian, unaligned word stores allowed), a self-test at class initialisation fails, or the
 * system property {@code io.tributary.protocol.rawStores} is {@code false} (tests run both layers
 * and compare), {@link #ENABLED} is false and the stores are the checked {@code VarHandle} and
 * array stores. {@link #ENABLED} is a {@code static final}, so C2 folds the choice.
 */
final class RawStores {
  /** Whether the raw (unchecked) stores are in use. */
  static final boolean ENABLED;

  /** Offset of a {@code byte[]}'s element 0 for {@code Unsafe}; 0 in the fallback. */
  private static final long BYTE_BASE;

  private static final sun.misc.Unsafe UNSAFE;

  /**
   * Whether {@link #copyAscii} reads a compact (Latin-1) string's own bytes instead of its chars;
   * see that method.
   */
  static final boolean STRINGS;

  /** Field offsets of {@code String.value} and {@code String.coder}; 0 when {@link #STRINGS} is off. */
  private static final long STRING_VALUE;

  private static final long STRING_CODER;

  /** Eight bytes each with its high bit: any byte of a word above 0x7F. */
  private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static {
    sun.misc.Unsafe unsafe = RawMemory.unsafe("io.tributary.protocol.rawStores", RawStores::selfTest);
    long byteBase = unsafe != null ? unsafe.arrayBaseOffset(byte[].class) : 0;
    UNSAFE = unsafe;
    BYTE_BASE = byteBase;
    ENABLED = unsafe != null;
    long valueOffset = 0;
    long coderOffset = 0;
    boolean strings = false;
    if (unsafe != null
        && !"false".equals(System.getProperty("io.tributary.protocol.rawStrings"))) {
      try {
        Field value = String.class.getDeclaredField("value");
        Field coder = String.class.getDeclaredField("coder");
        if (value.getType() == byte[].class && coder.getType() == byte.class) {
          valueOffset = unsafe.objectFieldOffset(value);
          coderOffset = unsafe.objectFieldOffset(coder);
          strings = stringSelfTest(unsafe, byteBase, valueOffset, coderOffset);
        }
      } catch (Throwable e) { // NOPMD: another String layout (or none visible) -> the chars
        strings = false;
      }
    }
    STRINGS = strings;
    STRING_VALUE = strings ? valueOffset : 0;
    STRING_CODER = strings ? coderOffset : 0;
  }

  private RawStores() {}

  /** Checks once that the stores put the bytes where and in the order the writer expects. */
  private static boolean selfTest(sun.misc.Unsafe u, long byteBase) {
    byte[] b = new byte[16];
    u.putLong(b, byteBase + 1, 0x0807_0605_0403_0201L);
    u.putInt(b, byteBase + 10, 0x0C0B_0A09);
    u.putByte(b, byteBase + 14, (byte) 13);
    for (int i = 0; i < 8; i++) {
      if (b[1 + i] != i + 1) {
        return false;
      }
    }
    return b[0] == 0 && b[9] == 0 && b[10] == 9 && b[13] == 12 && b[14] == 13 && b[15] == 0;
  }

  /**
   * Checks once that a string built at run time from Latin-1 chars has coder 0 and its chars as
   * its bytes (so Java 9+ compact strings are on and laid out as {@link #copyAscii} assumes), and
   * that a string with a char above U+00FF does not have coder 0.
   */
  private static boolean stringSelfTest(
      sun.misc.Unsafe u, long byteBase, long valueOffset, long coderOffset) {
    char[] chars = {'a', 'B', '7', '~', 0x7F, 0xE9, '-', 'x', 'y', 'Z'};
    String latin1 = new String(chars);
    String wide = new String(new char[] {'a', 0x100});
    if (u.getByte(latin1, coderOffset) != 0 || u.getByte(wide, coderOffset) == 0) {
      return false;
    }
    Object v = u.getObject(latin1, valueOffset);
    if (!(v instanceof byte[]) || ((byte[]) v).length != chars.length) {
      return false;
    }
    byte[] bytes = (byte[]) v;
    for (int i = 0; i < chars.length; i++) {
      if ((bytes[i] & 0xFF) != chars[i] || u.getByte(bytes, byteBase + i) != (byte) chars[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies the {@code n} chars of {@code s} ({@code n == s.length()}) to {@code b} at offset
   * {@code a} (from {@link #at}) as one byte each, while they are ASCII; {@code n} bytes are
   * reserved there.
   *
   * <p>With {@link #STRINGS} on and {@code s} a compact (Latin-1) string, its own {@code byte[]}
   * (one byte per char, exactly {@code n} long) is read and stored 8 (or 4) bytes at a time,
   * the words overlapping at the end instead of a byte tail, and ASCII is checked on the words
   * (no byte above 0x7F). Every load lies inside the string's array and every store inside
   * {@code [a, a + n)}. Otherwise (a UTF-16 string, {@link #STRINGS} off) char by char.
   *
   * <p>8 to 16 chars (two words) are handled here, small enough for C2 to inline into the
   * writer's terminals; other lengths call {@link #copyAsciiAny}.
   *
   * @return whether every char was ASCII (else the bytes written are garbage, and the caller
   *     takes its exact UTF-8 route)
   */
  static boolean copyAscii(String s, int n, byte[] b, long a) {
    if (STRINGS && n - 8 <= 8 && n >= 8) {
      byte[] v = latin1(s);
      if (b == null) {
        throw new NullPointerException("array");
      }
      if (v != null && v.length == n) { // always n, for a compact string; the loads rely on it
        long x = UNSAFE.getLong(v, BYTE_BASE);
        long y = UNSAFE.getLong(v, BYTE_BASE + n - 8);
        UNSAFE.putLong(b, a, x);
        UNSAFE.putLong(b, a + n - 8, y);
        return ((x | y) & HIGH_BITS) == 0;
      }
    }
    return copyAsciiAny(s, n, b, a);
  }

  /** {@code s}'s own bytes if it is a compact (Latin-1) string, else {@code null}. */
  private static byte[] latin1(String s) {
    if (s == null) { // before a raw load from it
      throw new NullPointerException("string");
    }
    return UNSAFE.getByte(s, STRING_CODER) == 0 ? (byte[]) UNSAFE.getObject(s, STRING_VALUE) : null;
  }

  /** {@link #copyAscii} for any length. */
  static boolean copyAsciiAny(String s, int n, byte[] b, long a) {
    if (STRINGS) {
      byte[] v = latin1(s);
      if (b == null) {
        throw new NullPointerException("array");
      }
      if (v != null && v.length == n) {
        long src = BYTE_BASE;
        if (n >= 8) {
          long or = 0;
          int i = 0;
          for (; i < n - 8; i += 8) {
            long x = UNSAFE.getLong(v, src + i);
            or |= x;
            UNSAFE.putLong(b, a + i, x);
          }
          long x = UNSAFE.getLong(v, src + n - 8);
          UNSAFE.putLong(b, a + n - 8, x);
          return ((or | x) & HIGH_BITS) == 0;
        }
        if (n >= 4) {
          int x = UNSAFE.getInt(v, src);
          int y = UNSAFE.getInt(v, src + n - 4);
          UNSAFE.putInt(b, a, x);
          UNSAFE.putInt(b, a + n - 4, y);
          return ((x | y) & (int) HIGH_BITS) == 0;
        }
        int or = 0;
        for (int i = 0; i < n; i++) {
          byte x = UNSAFE.getByte(v, src + i);
          or |= x;
          UNSAFE.putByte(b, a + i, x);
        }
        return or >= 0;
      }
    }
    return copyAsciiChars(s, n, b, a);
  }

  private static boolean copyAsciiChars(String s, int n, byte[] b, long a) {
    if (s == null) { // as with the raw reads, also for n = 0
      throw new NullPointerException("string");
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return false;
      }
      putByte(b, a + i, c);
    }
    return true;
  }

  /**
   * The store offset of {@code b[index]}: {@code at(i) + k} is the offset of {@code b[i + k]}
   * (computed once per record, so that the constant {@code k} folds into each store's address).
   */
  static long at(int index) {
    return BYTE_BASE + index;
  }

  /** {@code b[index] = (byte) value} at offset {@link #at}(index), unchecked (reserved). */
  static void putByte(byte[] b, long offset, int value) {
    if (ENABLED) {
      if (b == null) {
        throw new NullPointerException("array");
      }
      UNSAFE.putByte(b, offset, (byte) value);
    } else {
      b[(int) offset] = (byte) value;
    }
  }

  /** {@code value} little-endian at offset {@link #at}(index), 4 bytes, unchecked (reserved). */
  static void putInt(byte[] b, long offset, int value) {
    if (ENABLED) {
      if (b == null) {
        throw new NullPointerException("array");
      }
      UNSAFE.putInt(b, offset, value);
    } else {
      INT_LE.set(b, (int) offset, value);
    }
  }

  /** {@code value} little-endian at offset {@link #at}(index), 8 bytes, unchecked (reserved). */
  static void putLong(byte[] b, long offset, long value) {
    if (ENABLED) {
      if (b == null) {
        throw new NullPointerException("array");
      }
      UNSAFE.putLong(b, offset, value);
    } else {
      LONG_LE.set(b, (int) offset, value);
    }
  }
}
