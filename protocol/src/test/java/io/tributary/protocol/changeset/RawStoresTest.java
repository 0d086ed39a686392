package io.tributary.protocol.changeset;

import static io.tributary.protocol.changeset.ReadingPaths.SENSOR;
import static io.tributary.protocol.changeset.ReadingPaths.VALUE;
import static io.tributary.protocol.changeset.ReadingPaths.TS;
import static io.tributary.protocol.changeset.ReadingPaths.LOCATION;
import static io.tributary.protocol.changeset.ReadingPaths.LAT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ObjectId;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Instant;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The writer's raw stores ({@link RawStores}): the same bytes as the checked fallback for random
 * changesets in every sink kind, nothing written outside a sink's window (fixed direct buffers,
 * slices at an offset), growth in the middle of a value or an object, read-only buffers refused.
 */
class RawStoresTest {
  private static final Name READING = Name.of("Reading");

  /** The script's class in a class loader whose writer uses the checked fallback stores. */
  private static Class<?> fallbackScript;

  @Test
  void rawStoresAreInUseOnX86AndAarch64() {
    String arch = System.getProperty("os.arch");
    boolean expected = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64");
    // else the differential property below compares the fallback with itself
    assertThat(RawStores.ENABLED).as("RawStores.ENABLED on %s", arch).isEqualTo(expected);
  }

  @Test
  void theFallbackLoaderReallyUsesTheCheckedStores() throws Exception {
    assertThat(fallback().getMethod("rawStores").invoke(null)).isEqualTo(false);
  }

  /**
   * The same random changeset through the raw stores (this class loader) and the checked
   * fallback (a class loader of its own, started with the system property off), in every sink
   * kind: byte for byte the same, and the same as through a heap sink.
   */
  @Property(tries = 150)
  void rawAndCheckedStoresWriteTheSameBytes(
      @ForAll long seed, @ForAll @IntRange(max = RawStoresScript.KINDS - 1) int kind)
      throws Exception {
    byte[] raw = RawStoresScript.run(seed, kind);
    Method run = fallback().getMethod("run", long.class, int.class);
    byte[] checked = (byte[]) run.invoke(null, seed, kind);
    byte[] heap = (byte[]) run.invoke(null, seed, RawStoresScript.HEAP);

    assertThat(raw).isEqualTo(checked);
    assertThat(raw).isEqualTo(heap);
    Changeset.parse(raw); // and it is a valid changeset
  }

  @Test
  void readOnlyBuffersAreRefused() {
    assertThatThrownBy(() -> ByteBufferSink.wrap(ByteBuffer.allocateDirect(64).asReadOnlyBuffer()))
        .isInstanceOf(ReadOnlyBufferException.class);
    assertThatThrownBy(() -> ByteBufferSink.wrap(ByteBuffer.allocate(64).asReadOnlyBuffer()))
        .isInstanceOf(ReadOnlyBufferException.class);
  }

  /**
   * A fixed direct buffer (a slice at an offset of a larger one) that fills up: for every size,
   * the writer throws {@link SinkOverflowException}, the sink holds a prefix of the right bytes,
   * and not one byte outside the slice's {@code [position, limit)} changed.
   */
  @Test
  void aFixedDirectSinkThatFillsUpKeepsAPrefixAndWritesNothingOutsideItsLimit() {
    byte[] expected = readings(new ArrayByteSink(16), 30);
    for (int size = 0; size < expected.length; size += size < 300 ? 1 : 7) {
      int at = 3 + size % 5;
      ByteBuffer parent = ByteBuffer.allocateDirect(at + size + 128);
      for (int i = 0; i < parent.capacity(); i++) {
        parent.put(i, (byte) 0xA5);
      }
      ByteBuffer slice = parent.duplicate().position(at).limit(at + size).slice();
      ByteBufferSink sink = ByteBufferSink.wrap(slice);
      assertThatThrownBy(() -> readings(sink, 30))
          .as("size %d", size).isInstanceOf(SinkOverflowException.class);

      int held = (int) sink.position();
      assertThat(held).isBetween(0, size);
      byte[] prefix = new byte[held];
      slice.duplicate().flip().get(prefix);
      assertThat(prefix).as("size %d", size).isEqualTo(Arrays.copyOf(expected, held));
      for (int i = 0; i < parent.capacity(); i++) {
        if (i < at || i >= at + size) {
          assertThat(parent.get(i)).as("size %d, guard byte %d", size, i).isEqualTo((byte) 0xA5);
        }
      }
    }
  }

  /**
   * Growable sinks starting at every small capacity, so that the first growth falls at every
   * byte of the first objects (in the middle of a value, of an object): the same bytes.
   */
  @Test
  void growthAnywhereInAnObjectGivesTheSameBytes() {
    byte[] expected = readings(new ArrayByteSink(1 << 16), 20);
    for (int initial = 0; initial <= 400; initial++) {
      ByteBufferSink direct = ByteBufferSink.allocateDirect(initial, 1 << 20);
      readings(direct, 20);
      byte[] fromDirect = new byte[(int) direct.position()];
      direct.written().get(fromDirect);
      assertThat(fromDirect).as("direct, initial capacity %d", initial).isEqualTo(expected);

      ArrayByteSink heap = new ArrayByteSink(initial);
      assertThat(readings(heap, 20)).as("heap, initial capacity %d", initial)
          .isEqualTo(expected);
    }
  }

  /** A direct sink that is exactly large enough: everything fits, nothing beyond it changes. */
  @Test
  void anExactDirectSliceTakesTheWholeChangesetAndNothingMore() {
    byte[] expected = readings(new ArrayByteSink(16), 50);
    ByteBuffer parent = ByteBuffer.allocateDirect(expected.length + 200);
    for (int i = 0; i < parent.capacity(); i++) {
      parent.put(i, (byte) 0x5A);
    }
    ByteBuffer slice = parent.duplicate().position(100).limit(100 + expected.length).slice();
    readings(ByteBufferSink.wrap(slice), 50);

    assertThat(slice.remaining()).isZero();
    byte[] got = new byte[expected.length];
    parent.get(100, got);
    assertThat(got).isEqualTo(expected);
    for (int i = 0; i < parent.capacity(); i++) {
      if (i < 100 || i >= 100 + expected.length) {
        assertThat(parent.get(i)).as("guard byte %d", i).isEqualTo((byte) 0x5A);
      }
    }
  }

  /**
   * A sink that breaks the {@link ByteSink} contract (a window past its array's end, or smaller
   * than requested) is refused with a typed error before anything is stored into it.
   */
  @Test
  void aSinkWhoseWindowIsNotInsideItsArrayIsRefused() {
    for (int[] window : new int[][] {{0, 300}, {-1, 100}, {90, 100}}) {
      byte[] array = new byte[200];
      ByteSink broken = new ByteSink() {
        @Override
        public long position() {
          return 0;
        }

        @Override
        public void write(byte[] src, int offset, int length) {
          throw new AssertionError("not used");
        }

        @Override
        public byte[] reserveArray(int minBytes) {
          return array;
        }

        @Override
        public int arrayPosition() {
          return window[0];
        }

        @Override
        public int arrayLimit() {
          return window[1];
        }
      };
      assertThatThrownBy(() -> readings(broken, 3))
          .as("window %s", Arrays.toString(window))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("reserveArray(")
          .hasMessageContaining("-byte array");
      assertThat(array).as("window %s", Arrays.toString(window)).containsOnly(0);
    }
  }

  /** {@code n} sensor readings (CreateObject and six prepared Updates) in one changeset. */
  private static byte[] readings(ByteSink sink, int n) {
    ChangesetWriter w = new ChangesetWriter(sink);
    for (int i = 0; i < n; i++) {
      w.createObject(READING, ObjectId.of(0x65f1a2b3 + i, i * 0x1_0001L));
      w.stringValue(SENSOR, "sensor-" + (1000 + i));
      w.doubleValue(VALUE, 20.5 + i);
      w.timestampValue(TS, Instant.ofEpochSecond(1_700_000_000L + i, i * 1_000_003));
      w.objectValue(LOCATION);
      w.doubleValue(LAT, 52.1 + i);
    }
    w.finish();
    if (sink instanceof ArrayByteSink) {
      return ((ArrayByteSink) sink).toByteArray();
    }
    return null;
  }

  private static synchronized Class<?> fallback() throws Exception {
    if (fallbackScript == null) {
      fallbackScript = scriptWithPropertyOff("io.tributary.protocol.rawStores");
    }
    return fallbackScript;
  }

  /**
   * {@link RawStoresScript} in a class loader of its own whose {@link RawStores} read the system
   * property {@code key} as {@code false} when it initialised.
   */
  static Class<?> scriptWithPropertyOff(String key) throws Exception {
    URL main = RawStores.class.getProtectionDomain().getCodeSource().getLocation();
    URL test = RawStoresScript.class.getProtectionDomain().getCodeSource().getLocation();
    // no parent delegation for the project's classes: the platform loader does not see them
    URLClassLoader loader =
        new URLClassLoader(new URL[] {main, test}, ClassLoader.getPlatformClassLoader());
    synchronized (RawStoresTest.class) {
      String before = System.getProperty(key);
      System.setProperty(key, "false");
      try {
        Class.forName(RawStores.class.getName(), true, loader); // reads the property now
        return Class.forName(RawStoresScript.class.getName(), true, loader);
      } finally {
        if (before == null) {
          System.clearProperty(key);
        } else {
          System.setProperty(key, before);
        }
      }
    }
  }
}
