package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The writer's copy of ASCII strings from a compact string's own bytes ({@link
 * RawStores#copyAscii}): the same result and bytes as the char-by-char copy for every length and
 * every position of a non-ASCII char, nothing stored outside the reserved bytes, and the same
 * changesets as a writer whose strings are read char by char ({@code
 * io.tributary.protocol.rawStrings=false}) or whose stores are all checked ({@code
 * io.tributary.protocol.rawStores=false}), each in a class loader of its own.
 */
class RawStringsTest {
  /** Chars around every boundary the copy distinguishes: ASCII, Latin-1, UTF-16, surrogates. */
  private static final char[] ODD_CHARS = {0x7F, 0x80, 0xC3, 0xE9, 0xFF, 0x100, 0x7FF, 0x800,
      0xD800, 0xDC00, 0xFFFF, 0};

  private static Class<?> charsScript;
  private static Class<?> checkedScript;

  @Test
  void compactStringsAreReadWhereTheRawStoresAreOn() {
    // else the differential tests below compare the char-by-char copy with itself; without
    // compact strings (-XX:-CompactStrings) the self-test must turn the raw reads off
    boolean compact = !ManagementFactory.getRuntimeMXBean().getInputArguments()
        .contains("-XX:-CompactStrings");
    assertThat(RawStores.STRINGS).isEqualTo(RawStores.ENABLED && compact);
  }

  @Test
  void theLoadersWithAPropertyOffReallyUseTheirFallback() throws Exception {
    assertThat(chars().getMethod("rawStrings").invoke(null)).isEqualTo(false);
    assertThat(chars().getMethod("rawStores").invoke(null)).isEqualTo(RawStores.ENABLED);
    assertThat(checked().getMethod("rawStrings").invoke(null)).isEqualTo(false);
    assertThat(checked().getMethod("rawStores").invoke(null)).isEqualTo(false);
  }

  /**
   * Every length 0..70 with no odd char or one at every position, for each odd char: the copy
   * says ASCII exactly when it is, the bytes are the chars when it is, and the 16 guard bytes on
   * each side of the reserved {@code n} are untouched.
   */
  @Test
  void copyAsciiAtEveryLengthAndPosition() {
    for (int n = 0; n <= 70; n++) {
      for (int at = -1; at < n; at++) {
        for (char odd : ODD_CHARS) {
          char[] c = new char[n];
          for (int i = 0; i < n; i++) {
            c[i] = (char) (0x20 + (i * 7 + n) % 95);
          }
          if (at >= 0) {
            c[at] = odd;
          }
          String s = new String(c);
          boolean ascii = at < 0 || odd < 0x80;
          for (int variant = 0; variant < 2; variant++) {
            byte[] b = new byte[16 + n + 16];
            Arrays.fill(b, (byte) 0x5A);
            boolean got = variant == 0
                ? RawStores.copyAscii(s, n, b, RawStores.at(16))
                : RawStores.copyAsciiAny(s, n, b, RawStores.at(16));
            String what = "n=" + n + " at=" + at + " odd=" + (int) odd + " variant=" + variant;
            assertThat(got).as(what).isEqualTo(ascii);
            if (ascii) {
              assertThat(Arrays.copyOfRange(b, 16, 16 + n))
                  .as(what)
                  .isEqualTo(s.getBytes(StandardCharsets.US_ASCII));
            }
            for (int i = 0; i < 16; i++) {
              assertThat(b[i]).as("%s guard before %d", what, i).isEqualTo((byte) 0x5A);
              assertThat(b[16 + n + i]).as("%s guard after %d", what, i).isEqualTo((byte) 0x5A);
            }
          }
        }
      }
    }
  }

  @Test
  void aNullStringIsANullPointerExceptionNotARawLoad() {
    byte[] b = new byte[32];
    for (int n : new int[] {0, 3, 8, 11, 16, 20}) {
      assertThatThrownBy(() -> RawStores.copyAscii(null, n, b, RawStores.at(0)))
          .isInstanceOf(NullPointerException.class);
    }
    ChangesetWriter w = new ChangesetWriter(new ArrayByteSink(64));
    w.createObject(Name.of("T"), 1L);
    FieldPath p = FieldPath.of(Name.of("s"));
    assertThatThrownBy(() -> w.stringValue(p, null)).isInstanceOf(NullPointerException.class);
  }

  /** An unpaired surrogate is refused on every route, with the raw copy in front of them. */
  @Test
  void anUnpairedSurrogateIsStillRefused() {
    for (String bad : new String[] {"ab\uD800cdefghij", "\uDC00", "abcdefgh\uD83D"}) {
      ChangesetWriter w = new ChangesetWriter(new ArrayByteSink(64));
      FieldPath p = FieldPath.of(Name.of("s"));
      w.createObject(Name.of("T"), 1L);
      w.stringValue(p, "first"); // the path is remembered: the next call takes the fast route
      assertThatThrownBy(() -> w.stringValue(p, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unpaired surrogate");
    }
  }

  /**
   * Hand-picked strings (empty, 1..17 chars around the 8- and 16-char words, 63/64 around the
   * one-byte length, 1,024/1,025 around the general route's limit, long ones whose pairs cross
   * window boundaries; Latin-1 and non-BMP chars at the start, middle and end): the same bytes in
   * all three class loaders and both sink kinds, and each value's UTF-8 bytes after its length.
   */
  @Test
  void edgeStringsWriteTheSameBytesWithAndWithoutRawStrings() throws Exception {
    List<String> edge = new ArrayList<>();
    for (int n : new int[] {0, 1, 3, 4, 7, 8, 9, 11, 15, 16, 17, 24, 63, 64, 65, 1023, 1024,
        1025, 4100}) {
      String ascii = "abcdefghijklmnopqrstuvwxyz0123456789-_".repeat(200).substring(0, n);
      edge.add(ascii);
      if (n > 0) {
        for (String odd : new String[] {"\u00e9", "\u0080", "\u00ff", "\u0100", "\uD83D\uDE00"}) {
          edge.add(odd + ascii.substring(1));
          edge.add(ascii.substring(0, n / 2) + odd + ascii.substring(n / 2 + 1));
          edge.add(ascii.substring(0, n - 1) + odd);
        }
      }
    }
    String[] values = edge.toArray(new String[0]);
    for (int kind : new int[] {RawStoresScript.HEAP, RawStoresScript.DIRECT_GROWABLE}) {
      for (int window : new int[] {0, 7, 63}) {
        byte[] raw = RawStoresScript.strings(values, kind, window);
        assertThat(raw).isEqualTo(strings(chars(), values, kind, window));
        assertThat(raw).isEqualTo(strings(checked(), values, kind, window));
        Changeset.parse(raw);
        for (String v : values) {
          byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
          byte[] expected = new byte[Varint.size(utf8.length) + utf8.length];
          int q = Varint.write(expected, 0, utf8.length);
          System.arraycopy(utf8, 0, expected, q, utf8.length);
          assertThat(count(raw, expected)).as("\"%s\"", v).isGreaterThanOrEqualTo(5);
        }
      }
    }
  }

  /** Random strings from the odd alphabet, random lengths: the same bytes in all three loaders. */
  @Property(tries = 120)
  void randomStringsWriteTheSameBytesWithAndWithoutRawStrings(
      @ForAll long seed, @ForAll @IntRange(max = 63) int window) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    String[] values = new String[r.nextInt(1, 40)];
    for (int i = 0; i < values.length; i++) {
      int n = r.nextInt(4) == 0 ? r.nextInt(0, 1200) : r.nextInt(0, 24);
      StringBuilder sb = new StringBuilder();
      int odd = r.nextInt(3); // none, Latin-1 only, any
      for (int k = 0; k < n; k++) {
        if (odd > 0 && r.nextInt(8) == 0) {
          sb.appendCodePoint(odd == 1 ? r.nextInt(0x80, 0x100)
              : r.nextBoolean() ? r.nextInt(0x80, 0xD800) : r.nextInt(0x10000, 0x110000));
        } else {
          sb.append((char) r.nextInt(0, 0x80));
        }
      }
      values[i] = sb.toString();
    }
    int kind = r.nextBoolean() ? RawStoresScript.HEAP : RawStoresScript.DIRECT_GROWABLE;
    byte[] raw = RawStoresScript.strings(values, kind, window);
    assertThat(raw).isEqualTo(strings(chars(), values, kind, window));
    assertThat(raw).isEqualTo(strings(checked(), values, kind, window));
    Changeset.parse(raw);
  }

  private static byte[] strings(Class<?> script, String[] values, int kind, int window)
      throws Exception {
    Method m = script.getMethod("strings", String[].class, int.class, int.class);
    return (byte[]) m.invoke(null, values, kind, window);
  }

  private static int count(byte[] haystack, byte[] needle) {
    int found = 0;
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      found++;
    }
    return found;
  }

  private static synchronized Class<?> chars() throws Exception {
    if (charsScript == null) {
      charsScript = RawStoresTest.scriptWithPropertyOff("io.tributary.protocol.rawStrings");
    }
    return charsScript;
  }

  private static synchronized Class<?> checked() throws Exception {
    if (checkedScript == null) {
      checkedScript = RawStoresTest.scriptWithPropertyOff("io.tributary.protocol.rawStores");
    }
    return checkedScript;
  }
}
