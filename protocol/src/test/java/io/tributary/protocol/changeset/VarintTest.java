package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The encodings of spec changeset.md §2.1, verified there against realm-core's encode_int. */
class VarintTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "0, 00",
    "1, 01",
    "13, 0d",
    "63, 3f",
    "64, c000",
    "100, e400",
    "127, ff00",
    "128, 8001",
    "300, ac02",
    "8191, ff3f",
    "8192, 80c000",
    "123456789, 959aef3a",
    "1700000000, 80e2cfaa06",
    "-1, 40",
    "-2, 41",
    "-3, 42",
    "-6, 45",
    "-63, 7e",
    "-64, 7f",
    "-65, c040",
    "-128, ff40",
    "-6176, 9f70",
    "9223372036854775807, ffffffffffffffffff00",
    "-9223372036854775808, ffffffffffffffffff40",
  })
  void shouldEncodeSpecExamples(long value, String hex) {
    byte[] buf = new byte[Varint.MAX_BYTES_64];
    int end = Varint.write(buf, 0, value);

    assertThat(HexFormat.of().formatHex(buf, 0, end)).isEqualTo(hex);
    assertThat(Varint.size(value)).isEqualTo(end);
  }

  @ParameterizedTest(name = "unsigned {0} -> {1}")
  @CsvSource({"-1, ffffffffffffffffff01", "4294967295, ffffffff0f", "0, 00", "64, c000"})
  void shouldEncodeUnsignedSpecExamples(long value, String hex) {
    byte[] buf = new byte[Varint.MAX_BYTES_64];
    int end = Varint.writeUnsigned(buf, 0, value);

    assertThat(HexFormat.of().formatHex(buf, 0, end)).isEqualTo(hex);
  }

  @ParameterizedTest(name = "128-bit {0}:{1} -> {2}")
  @CsvSource({
    "0, 0, 00",
    "0, 63, 3f",
    "0, 64, c000",
    "0, 1234, d209", // spec changeset.md §2.3
    "0, 12345, b9e000", // vectors README: the last byte must be below 64
    "0, -1, ffffffffffffffffff01", // 2^64 - 1
    "1, 0, 80808080808080808002", // 2^64
    "0x1ed09bead87c0, 0x378d8e63ffffffff, ffffffffbfcce3c6b7809feceab7c2f601", // 10^34 - 1
  })
  void shouldEncodeDecimalCoefficients(String high, String low, String hex) {
    byte[] buf = new byte[Varint.MAX_BYTES_128];
    int end = Varint.write128(buf, 0, Long.decode(high), Long.decode(low));

    assertThat(HexFormat.of().formatHex(buf, 0, end)).isEqualTo(hex);
    assertThat(buf[end - 1] & 0xC0).isZero();
  }

  @Property(tries = 2000)
  void encodingIsCanonicalAndSizeMatches(@ForAll long value) {
    byte[] buf = new byte[Varint.MAX_BYTES_64];
    int end = Varint.write(buf, 0, value);

    assertThat(end).isEqualTo(Varint.size(value));
    // only the last byte lacks the continuation bit
    for (int i = 0; i < end - 1; i++) {
      assertThat(buf[i] & 0x80).isEqualTo(0x80);
    }
    assertThat(buf[end - 1] & 0x80).isZero();
    // the sign flag is set exactly for negative values
    assertThat((buf[end - 1] & 0x40) != 0).isEqualTo(value < 0);
    // canonical: a continuation byte is only written while the rest is >= 64, so the last two
    // bytes of a multi-byte encoding cannot both be free of bits at and above 2^6 of their group
    if (end > 1) {
      assertThat((buf[end - 1] & 0x3F) != 0 || (buf[end - 2] & 0x40) != 0).isTrue();
    }
  }

  @Property(tries = 3000)
  void wordWriteTakesTheBytesOfTheLoop(@ForAll long value, @ForAll byte filler) {
    assertWordWriteMatches(value, filler);
  }

  @Property(tries = 3000)
  void fiveByteWriteTakesTheBytesOfTheLoop(
      @ForAll @net.jqwik.api.constraints.LongRange(min = 1L << 27, max = (1L << 34) - 1) long value) {
    assertFiveByteWriteMatches(value);
  }

  @Test
  void fiveByteWriteMatchesAtItsEdges() {
    for (long v : new long[] {Varint.FIVE_MIN, Varint.FIVE_MIN + 1, (1L << 34) - 1, (1L << 34) - 2,
        1_709_296_496L, 0xFFFF_FFFFL, 1L << 32, 0x2_AAAA_AAAAL, 0x1_5555_5555L}) {
      assertFiveByteWriteMatches(v);
    }
    assertThat(Varint.FIVE_MIN + Varint.FIVE_SPAN).isEqualTo(1L << 34);
    assertThat(Varint.size(Varint.FIVE_MIN - 1)).isEqualTo(4);
    assertThat(Varint.size(1L << 34)).isEqualTo(6);
  }

  private static void assertFiveByteWriteMatches(long value) {
    byte[] expected = new byte[Varint.MAX_BYTES_64];
    assertThat(Varint.write(expected, 0, value)).isEqualTo(5);
    byte[] actual = new byte[10];
    java.util.Arrays.fill(actual, (byte) 0x55);
    Varint.writeFive(actual, 1, value);
    assertThat(actual[0]).isEqualTo((byte) 0x55); // nothing before the offset
    assertThat(java.util.Arrays.copyOfRange(actual, 1, 6))
        .isEqualTo(java.util.Arrays.copyOf(expected, 5));
    assertThat(actual[9]).isEqualTo((byte) 0x55); // nothing past 8 bytes
  }

  @Property(tries = 3000)
  void nonNegativeIntWriteTakesTheBytesOfTheLoop(
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = Integer.MAX_VALUE) int value) {
    assertNonNegativeIntWriteMatches(value, (byte) 0x55);
  }

  /** Every bit length of a non-negative int, at the edges of each encoded size (6 + 7k bits). */
  @Test
  void nonNegativeIntWriteMatchesAtEverySizeBoundary() {
    for (int bits = 0; bits < 31; bits++) {
      int p = 1 << bits;
      for (int v : new int[] {p - 1, p, p + 1}) {
        assertNonNegativeIntWriteMatches(v, (byte) 0x55);
        assertNonNegativeIntWriteMatches(v, (byte) -1);
      }
    }
    for (int v : new int[] {0, 63, 64, 8191, 8192, (1 << 20) - 1, 1 << 20, (1 << 27) - 1, 1 << 27,
        999_999_999, Integer.MAX_VALUE}) {
      assertNonNegativeIntWriteMatches(v, (byte) 0);
    }
    assertThat(Varint.writeNonNegativeInt(new byte[8], 0, 999_999_999)).isEqualTo(5);
    assertThat(Varint.writeNonNegativeInt(new byte[8], 0, 63)).isEqualTo(1);
  }

  /** writeNonNegativeInt writes write()'s bytes at an offset, nothing before it or past 8 bytes. */
  private static void assertNonNegativeIntWriteMatches(int value, byte filler) {
    byte[] expected = new byte[3 + 8 + 1];
    java.util.Arrays.fill(expected, filler);
    int expectedEnd = Varint.write(expected, 3, value);
    byte[] actual = new byte[3 + 8 + 1];
    java.util.Arrays.fill(actual, filler);

    int end = Varint.writeNonNegativeInt(actual, 3, value);

    assertThat(end).isEqualTo(expectedEnd);
    assertThat(java.util.Arrays.copyOfRange(actual, 0, end))
        .isEqualTo(java.util.Arrays.copyOfRange(expected, 0, expectedEnd));
    assertThat(actual[11]).isEqualTo(filler); // nothing past 8 bytes
  }

  /** Every bit length and sign, at the edges of each encoded size (6 + 7k bits). */
  @Test
  void wordWriteMatchesAtEverySizeBoundary() {
    for (int bits = 0; bits < 64; bits++) {
      long p = 1L << bits;
      for (long v : new long[] {p - 1, p, p + 1, -p, -p - 1, -p + 1, ~p}) {
        assertWordWriteMatches(v, (byte) 0x55);
        assertWordWriteMatches(v, (byte) -1);
      }
    }
    assertWordWriteMatches(Long.MIN_VALUE, (byte) 0);
    assertWordWriteMatches(Long.MAX_VALUE, (byte) 0);
  }

  /**
   * writeWord writes the bytes of write() at an offset, and nothing before it or past 8 bytes
   * (or the encoding, if longer); the destination ends 8 bytes after the offset for short values.
   */
  private static void assertWordWriteMatches(long value, byte filler) {
    int size = Varint.size(value);
    int room = Math.max(8, size);
    byte[] expected = new byte[3 + room];
    java.util.Arrays.fill(expected, filler);
    int expectedEnd = Varint.write(expected, 3, value);
    byte[] actual = new byte[3 + room];
    java.util.Arrays.fill(actual, filler);

    int end = Varint.writeWord(actual, 3, value);

    assertThat(end).isEqualTo(expectedEnd);
    assertThat(java.util.Arrays.copyOfRange(actual, 0, end))
        .isEqualTo(java.util.Arrays.copyOfRange(expected, 0, expectedEnd));
  }
}
