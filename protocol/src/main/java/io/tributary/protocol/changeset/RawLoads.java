package io.tributary.protocol.changeset;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian loads of bytes and longs from a {@code byte[]} without a range check per load, for
 * the fast paths of {@link ChangesetReader#next()} (the reader's counterpart of the writer's
 * {@link RawStores}, with the same layers and fallback).
 *
 * <h2>Why</h2>
 *
 * A fast CreateObject or Update checks once that enough bytes are left ({@code end - pos >= n}),
 * then makes 2 to 4 word loads. Through {@code byteArrayViewVarHandle} each load carries its own
 * range check, which C2 cannot prove redundant: it does not know that the buffer's limit lies
 * inside its array. Here the loads go through {@code sun.misc.Unsafe} at the array's base offset
 * + index, which is what the {@code VarHandle} does after its check.
 *
 * <h2>The invariant (a wrong index reads outside the array instead of throwing)</h2>
 *
 * Every call loads only bytes of {@code [arrayOffset + pos, arrayOffset + end)} of the reader's
 * heap array, after a check on every path that they lie before {@code end}: {@code end} is the
 * buffer's limit, and a heap {@link java.nio.ByteBuffer} guarantees {@code arrayOffset + limit <=
 * array.length}; {@code pos} never goes below the buffer's position (≥ 0). The array is the one
 * taken at {@code reset}, so it cannot change under the reader. A {@code null} array throws
 * {@link NullPointerException} (and makes the access an ordinary array access for C2, without
 * the memory barriers of an {@code Unsafe} access whose base may be {@code null}).
 *
 * <h2>Fallback</h2>
 *
 * If {@code sun.misc.Unsafe} cannot be obtained, the platform is not x86-64 or AArch64 (little
 * endian, unaligned word loads allowed), a self-test at class initialisation fails, or the system
 * property {@code io.tributary.protocol.rawLoads} is {@code false} (a test runs both layers and
 * compares), {@link #ENABLED} is false and the loads are the checked {@code VarHandle} and array
 * loads. {@link #ENABLED} is a {@code static final}, so C2 folds the choice.
 */
final class RawLoads {
  /** Whether the raw (unchecked) loads are in use. */
  static final boolean ENABLED;

  /** Offset of a {@code byte[]}'s element 0 for {@code Unsafe}; 0 in the fallback. */
  private static final long BYTE_BASE;

  private static final sun.misc.Unsafe UNSAFE;

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  static {
    sun.misc.Unsafe unsafe = RawMemory.unsafe("io.tributary.protocol.rawLoads", RawLoads::selfTest);
    long byteBase = unsafe != null ? unsafe.arrayBaseOffset(byte[].class) : 0;
    UNSAFE = unsafe;
    BYTE_BASE = byteBase;
    ENABLED = unsafe != null;
  }

  private RawLoads() {}

  /** Checks once that the loads see the bytes where and in the order the reader expects. */
  private static boolean selfTest(sun.misc.Unsafe u, long byteBase) {
    byte[] b = new byte[16];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (0x81 + i);
    }
    return u.getLong(b, byteBase + 3) == 0x8B8A_8988_8786_8584L
        && u.getByte(b, byteBase + 15) == (byte) 0x90;
  }

  /**
   * The load offset of {@code b[index]}: {@code at(i) + k} is the offset of {@code b[i + k]}
   * (computed once per record, so that the constant {@code k} folds into each load's address).
   */
  static long at(int index) {
    return BYTE_BASE + index;
  }

  /** The 8 bytes at offset {@link #at}(index), little-endian, unchecked (see the invariant). */
  static long getLong(byte[] b, long offset) {
    if (ENABLED) {
      if (b == null) {
        throw new NullPointerException("array");
      }
      return UNSAFE.getLong(b, offset);
    }
    return (long) LONG_LE.get(b, (int) offset);
  }

  /** The byte at offset {@link #at}(index), 0..255, unchecked (see the invariant). */
  static int getUnsignedByte(byte[] b, long offset) {
    if (ENABLED) {
      if (b == null) {
        throw new NullPointerException("array");
      }
      return UNSAFE.getByte(b, offset) & 0xFF;
    }
    return b[(int) offset] & 0xFF;
  }
}
