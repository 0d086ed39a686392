package io.tributary.protocol.changeset;

import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Obtains {@code sun.misc.Unsafe} for {@link RawStores} and {@link RawLoads}, each of which then
 * accesses {@code byte[]}s without a range check per access, or says that they must take their
 * checked fallback.
 */
final class RawMemory {
  /** A check, run once, that raw accesses see the bytes where and in the order expected. */
  interface SelfTest {
    /**
     * @param unsafe the instance obtained
     * @param byteBase the offset of a {@code byte[]}'s element 0
     * @return whether the raw accesses behave as their users assume
     */
    boolean passes(sun.misc.Unsafe unsafe, long byteBase);
  }

  private RawMemory() {}

  /**
   * {@code sun.misc.Unsafe}, or null if the system property {@code property} is {@code false},
   * the platform is not x86-64 or AArch64 (little endian, unaligned word accesses are plain
   * accesses), {@code Unsafe} cannot be obtained, a {@code byte[]}'s elements are not one byte
   * apart, or {@code test} fails or throws.
   */
  static sun.misc.Unsafe unsafe(String property, SelfTest test) {
    if ("false".equals(System.getProperty(property))) {
      return null;
    }
    String arch = System.getProperty("os.arch", "");
    boolean platform = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
        && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    if (!platform) {
      return null;
    }
    try {
      Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
      if (u.arrayIndexScale(byte[].class) == 1 && test.passes(u, u.arrayBaseOffset(byte[].class))) {
        return u;
      }
    } catch (Throwable e) { // NOPMD: any failure (security, no such field, ...) -> the fallback
      return null;
    }
    return null;
  }
}
