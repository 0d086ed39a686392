package io.tributary.protocol.changeset;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian stores of bytes, ints and longs at ({@code base}, {@code offset}) for the hot
 * paths of {@link ChangesetWriter}: without a range check per store.
 *
 * <h2>Why</h2>
 *
 * A prepared Update reserves its room once ({@code ChangesetWriter.requireRaw}: {@code pos + n <=
 * limit} of the window), then makes 5 to 8 stores. Through {@code byteArrayViewVarHandle} and
 * {@code b[i] = x} each store carries its own range check, which C2 cannot prove redundant across
 * the reservation; and a direct {@link ByteBuffer} sink could only be written through a staging
 * array and a bulk copy per window. Here the stores go through {@code sun.misc.Unsafe} (module
 * {@code jdk.unsupported}, readable without flags in Java 17), on the array ({@code base} = the
 * {@code byte[]}, {@code offset} = {@link #BYTE_BASE} + index) or on a direct buffer's memory
 * ({@code base} = {@code null}, {@code offset} = {@link #address} + index).
 *
 * <h2>The invariant (a wrong offset corrupts memory instead of throwing)</h2>
 *
 * Every raw store is preceded, on every path, by a reservation in the writer that covers it: the
 * writer only stores to indices in {@code [pos, rawLimit)} of its current window, after {@code
 * rawLimit - pos >= n} was checked for the whole record. A window is a heap array the writer
 * holds, or the memory of a direct buffer between the buffer's position and limit, with the buffer
 * held by the writer while it is written (so its memory stays allocated); every window change
 * (sink growth, a new buffer) reloads base and offset.
 *
 * <h2>Why the type test per store</h2>
 *
 * C2 brackets an {@code Unsafe} access whose base may be {@code null} (on or off heap, not known)
 * with compiler memory barriers, which forbid it to keep the writer's fields in registers across
 * the stores or to move loads past them (the first version, a plain {@code putLong(Object, ..)},
 * was slower than the checked stores on a heap sink). So each store tests {@code base instanceof
 * byte[]}: on heap the access is then typed as a {@code byte[]} access (no barrier, like a {@code
 * VarHandle} array view without its range check), off heap the base is the constant {@code null}.
 * The tests of one record are on the same value, so C2 keeps only the first; a JVM that only
 * sees one kind of window compiles only that branch.
 *
 * <h2>Fallback</h2>
 *
 * If {@code sun.misc.Unsafe} cannot be obtained, the platform is not x86-64 or AArch64 (little
 * endian, unaligned word stores allowed), a self-test at class initialisation fails, or the system
 * property {@code io.tributary.protocol.rawStores} is {@code false} (tests run both layers and
 * compare), {@link #ENABLED} is false: the stores are the checked {@code VarHandle} and array
 * stores (base is then always a {@code byte[]}, {@link #BYTE_BASE} is 0 so the offset is the
 * index), and the writer never opens a window on direct memory (direct sinks go through the
 * staging array as before). {@link #ENABLED} is a {@code static final}, so C2 folds the choice.
 */
final class RawStores {
  /** Whether the raw (unchecked) stores and direct-memory windows are in use. */
  static final boolean ENABLED;

  /** Offset of a {@code byte[]}'s element 0 for the stores; 0 in the fallback. */
  static final long BYTE_BASE;

  private static final sun.misc.Unsafe UNSAFE;
  /** Offset of {@code java.nio.Buffer.address} (a direct buffer's memory), or -1. */
  private static final long ADDRESS;

  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static {
    sun.misc.Unsafe unsafe = null;
    long address = -1;
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
        long a = u.objectFieldOffset(Buffer.class.getDeclaredField("address"));
        long base = u.arrayBaseOffset(byte[].class);
        if (u.arrayIndexScale(byte[].class) == 1 && selfTest(u, a, base)) {
          unsafe = u;
          address = a;
          byteBase = base;
        }
      } catch (Throwable e) { // NOPMD: any failure (security, no such field, ...) -> fallback
        unsafe = null;
      }
    }
    UNSAFE = unsafe;
    ADDRESS = address;
    BYTE_BASE = byteBase;
    ENABLED = unsafe != null;
  }

  private RawStores() {}

  /** Checks once that the address read and the stores do what the writer expects. */
  private static boolean selfTest(sun.misc.Unsafe u, long addressOffset, long byteBase) {
    ByteBuffer d = ByteBuffer.allocateDirect(16);
    ByteBuffer s = d.position(3).slice();
    long a = u.getLong(s, addressOffset);
    if (a == 0 || a != u.getLong(d, addressOffset) + 3) {
      return false;
    }
    u.putLong(null, a, 0x0807_0605_0403_0201L);
    byte[] b = new byte[9];
    u.putLong(b, byteBase + 1, 0x0807_0605_0403_0201L);
    for (int i = 0; i < 8; i++) {
      if (d.get(3 + i) != i + 1 || b[1 + i] != i + 1) {
        return false;
      }
    }
    return d.get(2) == 0 && d.get(11) == 0 && b[0] == 0;
  }

  /**
   * The address of {@code direct}'s element 0 (its memory, a slice's own start).
   *
   * @param direct a direct buffer; only called when {@link #ENABLED}
   */
  static long address(ByteBuffer direct) {
    return UNSAFE.getLong(direct, ADDRESS);
  }

  static void putByte(Object base, long offset, int value) {
    if (ENABLED) {
      if (base instanceof byte[]) {
        UNSAFE.putByte((byte[]) base, offset, (byte) value); // on heap: see the class comment
      } else {
        UNSAFE.putByte(null, offset, (byte) value);
      }
    } else {
      ((byte[]) base)[(int) offset] = (byte) value;
    }
  }

  static void putInt(Object base, long offset, int value) {
    if (ENABLED) {
      if (base instanceof byte[]) {
        UNSAFE.putInt((byte[]) base, offset, value); // on heap: see the class comment
      } else {
        UNSAFE.putInt(null, offset, value);
      }
    } else {
      INT_LE.set((byte[]) base, (int) offset, value);
    }
  }

  static void putLong(Object base, long offset, long value) {
    if (ENABLED) {
      if (base instanceof byte[]) {
        UNSAFE.putLong((byte[]) base, offset, value); // on heap: see the class comment
      } else {
        UNSAFE.putLong(null, offset, value);
      }
    } else {
      LONG_LE.set((byte[]) base, (int) offset, value);
    }
  }
}
