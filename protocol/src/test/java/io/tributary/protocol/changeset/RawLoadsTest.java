package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The reader's raw loads ({@link RawLoads}): the same values as the checked loads at every index
 * of random arrays, in this class loader and in one whose {@code RawLoads} uses the fallback. The
 * reader's results on mutated input are covered by ReaderFastPathPropertiesTest (heap fast paths
 * against the exact parser on direct buffers) and MalformedInputPropertiesTest.
 */
class RawLoadsTest {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  @Test
  void rawLoadsAreInUseOnX86AndAarch64() {
    String arch = System.getProperty("os.arch");
    boolean expected = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64");
    assertThat(RawLoads.ENABLED).as("RawLoads.ENABLED on %s", arch).isEqualTo(expected);
  }

  @Property(tries = 200)
  void rawLoadsReadWhatTheCheckedLoadsRead(@ForAll long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] b = new byte[r.nextInt(8, 64)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) r.nextInt();
    }
    Class<?> fallback = fallbackRawLoads();
    Method at = accessible(fallback.getDeclaredMethod("at", int.class));
    Method getLong = accessible(fallback.getDeclaredMethod("getLong", byte[].class, long.class));
    Method getByte =
        accessible(fallback.getDeclaredMethod("getUnsignedByte", byte[].class, long.class));
    for (int i = 0; i < b.length; i++) {
      long o = RawLoads.at(i);
      long fo = (long) at.invoke(null, i);
      assertThat(RawLoads.getUnsignedByte(b, o)).isEqualTo(b[i] & 0xFF);
      assertThat(getByte.invoke(null, b, fo)).isEqualTo(b[i] & 0xFF);
      if (i + 8 <= b.length) {
        long expected = (long) LONG_LE.get(b, i);
        assertThat(RawLoads.getLong(b, o)).isEqualTo(expected);
        assertThat(RawLoads.getLong(b, RawLoads.at(0) + i)).isEqualTo(expected);
        assertThat(getLong.invoke(null, b, fo)).isEqualTo(expected);
      }
    }
  }

  @Test
  void aNullArrayThrows() {
    assertThatThrownBy(() -> RawLoads.getLong(null, RawLoads.at(0)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> RawLoads.getUnsignedByte(null, RawLoads.at(0)))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void theFallbackLoaderReallyUsesTheCheckedLoads() throws Exception {
    Field enabled = accessible(fallbackRawLoads().getDeclaredField("ENABLED"));
    assertThat(enabled.getBoolean(null)).isFalse();
  }

  private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
    member.setAccessible(true);
    return member;
  }

  private static Class<?> fallback;

  /** RawLoads in a class loader of its own, initialised with the system property off. */
  private static synchronized Class<?> fallbackRawLoads() throws Exception {
    if (fallback == null) {
      URL main = RawLoads.class.getProtectionDomain().getCodeSource().getLocation();
      URLClassLoader loader =
          new URLClassLoader(new URL[] {main}, ClassLoader.getPlatformClassLoader());
      String key = "io.tributary.protocol.rawLoads";
      String before = System.getProperty(key);
      System.setProperty(key, "false");
      try {
        fallback = Class.forName(RawLoads.class.getName(), true, loader);
      } finally {
        if (before == null) {
          System.clearProperty(key);
        } else {
          System.setProperty(key, before);
        }
      }
    }
    return fallback;
  }
}
