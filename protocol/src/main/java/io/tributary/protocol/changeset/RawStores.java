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

  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static {
    sun.misc.Unsafe unsafe = null;
    long byteBase = 0;
    boolean wanted = !"false".equals(System.getProperty("io.tributary.protocol.rawStores"));
    String arch = System.getProperty("os.arch", "");
    // little-endian, and unaligned word stores are plain stores (the writer's are unaligned)
    boolean platform = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
        && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    if (wanted && platform) {
      try {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
        long base = u.arrayBaseOffset(byte[].class);
        if (u.arrayIndexScale(byte[].class) == 1 && selfTest(u, base)) {
          unsafe = u;
          byteBase = base;
        }
      } catch (Throwable e) { // NOPMD: any failure (security, no such field, ...) -> fallback
        unsafe = null;
      }
    }
    UNSAFE = unsafe;
    BYTE_BASE = byteBase;
    ENABLED = unsafe != null;
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
