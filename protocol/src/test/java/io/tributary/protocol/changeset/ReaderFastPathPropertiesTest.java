package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The reader's fast paths (heap arrays only) decide exactly as the exact parser (which a direct
 * buffer always takes): for Update records with Timestamp payloads of random, extreme and invalid
 * (seconds, nanoseconds) pairs, canonical and padded (non-shortest) varints, at every distance from
 * the end of the changeset, and for sensor-reading changesets with random bytes overwritten and
 * random truncation, heap, offset heap and direct buffers give the same instructions or the same
 * error (reason, field, offset, message); and {@link ChangesetReader#skipAll()} agrees with a
 * {@link ChangesetReader#next()} loop (count, bytes read, interned strings, or the same error).
 */
class ReaderFastPathPropertiesTest {

  @Property(tries = 1000)
  void timestampsReadTheSameOnHeapAndDirectBuffers(
      @ForAll("seconds") long seconds, @ForAll("nanos") long nanos,
      @ForAll @IntRange(max = 3) int secondsPadding, @ForAll @IntRange(max = 3) int nanosPadding,
      @ForAll @IntRange(max = 2) int followers) {
    byte[] bytes = changeset(seconds, nanos, secondsPadding, nanosPadding, followers);

    List<String> heap = read(ByteBuffer.wrap(bytes));
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    List<String> exact = read(direct);

    byte[] shifted = new byte[bytes.length + 5];
    System.arraycopy(bytes, 0, shifted, 3, bytes.length);
    List<String> heapWithOffset = read(ByteBuffer.wrap(shifted, 3, bytes.length).slice());

    assertThat(heap).isEqualTo(exact);
    assertThat(heapWithOffset).isEqualTo(exact);
    boolean valid = nanos > -1_000_000_000 && nanos < 1_000_000_000
        && !(seconds > 0 && nanos < 0) && !(seconds < 0 && nanos > 0)
        && Varint.size(seconds) + secondsPadding <= Varint.MAX_BYTES_64
        && Varint.size(nanos) + nanosPadding <= Varint.MAX_BYTES_64;
    assertThat(heap.get(heap.size() - 1))
        .startsWith(valid ? "end" : "error");
    if (valid) {
      assertThat(heap).contains("Update " + seconds + " s " + nanos + " ns");
    }
  }

  /**
   * The fast String path tests ASCII 8 bytes at a time (two overlapping words from 8 bytes up):
   * a non-ASCII byte at any position of a string of any length up to past the fast limit (63),
   * valid UTF-8 or not, reads as the exact parser reads it.
   */
  @Property(tries = 2000)
  void stringsReadTheSameOnHeapAndDirectBuffers(
      @ForAll @IntRange(max = 72) int length, @ForAll("stringBytes") List<Byte> odd,
      @ForAll("positions") List<Integer> at, @ForAll @IntRange(max = 2) int followers) {
    byte[] value = new byte[length];
    for (int i = 0; i < length; i++) {
      value[i] = (byte) ('a' + i % 26);
    }
    for (int i = 0; i < Math.min(odd.size(), at.size()) && length > 0; i++) {
      value[at.get(i) % length] = odd.get(i);
    }
    byte[] bytes = stringChangeset(value, followers);

    List<String> exact = readStrings(direct(bytes));

    assertThat(readStrings(ByteBuffer.wrap(bytes))).isEqualTo(exact);
    byte[] shifted = new byte[bytes.length + 5];
    System.arraycopy(bytes, 0, shifted, 3, bytes.length);
    assertThat(readStrings(ByteBuffer.wrap(shifted, 3, bytes.length).slice())).isEqualTo(exact);
    boolean ascii = true;
    for (byte b : value) {
      ascii &= b >= 0;
    }
    if (ascii) {
      assertThat(exact).contains("String " + new String(value, StandardCharsets.US_ASCII));
    }
  }

  @Provide
  Arbitrary<List<Byte>> stringBytes() {
    return Arbitraries.oneOf(Arbitraries.bytes(),
        Arbitraries.of((byte) 0x7F, (byte) 0x80, (byte) 0xC2, (byte) 0xC3, (byte) 0xE2,
            (byte) 0xF0, (byte) 0xFF, (byte) 0x00))
        .list().ofMaxSize(3);
  }

  /** As {@link #changeset} with an Update of the raw String bytes {@code value}. */
  private static byte[] stringChangeset(byte[] value, int followers) {
    ArrayByteSink sink = new ArrayByteSink(64);
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("T", 1L);
    w.update("f").intValue(7);
    int field = w.internedCount() - 1;
    w.finish();
    byte[] head = sink.toByteArray();
    byte[] record = new byte[value.length + 32];
    int p = 0;
    record[p++] = 4; // Update
    record[p++] = 0; // table "T"
    record[p++] = 1; // key type Int
    record[p++] = 1; // key 1
    record[p++] = (byte) field;
    record[p++] = 0; // empty path
    record[p++] = 3; // String
    p = Varint.write(record, p, value.length);
    System.arraycopy(value, 0, record, p, value.length);
    p += value.length;
    record[p++] = 0; // is_default
    return withFollowers(head, record, p, field, followers);
  }

  private static List<String> readStrings(ByteBuffer buffer) {
    List<String> out = new ArrayList<>();
    ChangesetReader r = new ChangesetReader().reset(buffer);
    try {
      while (r.next()) {
        if (r.instruction() == InstructionType.UPDATE && r.valueType() == PayloadType.STRING) {
          out.add("String at " + r.offset() + ".." + r.bytesRead() + " length " + r.valueLength()
              + " default " + r.isDefault());
          out.add("String " + r.stringValue());
        } else {
          out.add(r.offset() + ".." + r.bytesRead() + " " + r.toInstruction());
        }
      }
      out.add("end " + r.bytesRead());
    } catch (ChangesetFormatException e) {
      out.add("error " + e.reason() + " " + e.field() + " " + e.offset() + " " + e.getMessage());
    }
    return out;
  }

  @Property(tries = 3000)
  void loopFreeVarintDecodeMatchesTheEncoder(
      @ForAll long raw, @ForAll @IntRange(max = 63) int shift,
      @ForAll @IntRange(max = 3) int padding, @ForAll long garbage) {
    long value = raw >> shift; // every magnitude, both signs
    byte[] b = new byte[24];
    int end = padded(b, 0, value, padding);
    for (int i = end; i < b.length; i++) {
      b[i] = (byte) (garbage >>> (8 * (i % 8))); // whatever follows must not matter
    }
    long x = 0;
    for (int i = 7; i >= 0; i--) {
      x = x << 8 | (b[i] & 0xFF);
    }

    int k = ChangesetReader.varintLastByte(x);

    if (end <= 8) {
      assertThat(k).isEqualTo(end - 1);
      assertThat(ChangesetReader.varint8(x, k)).isEqualTo(value);
    } else {
      assertThat(k).isEqualTo(8); // no final byte among the first 8: the exact parser
    }
  }

  @Property(tries = 1500)
  void mutatedReadingsReadTheSameOnHeapAndDirectBuffers(
      @ForAll @IntRange(min = 1, max = 6) int objects,
      @ForAll("positions") List<Integer> positions, @ForAll("bytes") List<Byte> values,
      @ForAll @IntRange(min = 0, max = 100) int keepPercent) {
    byte[] bytes = readings(objects);
    for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
      bytes[positions.get(i) % bytes.length] = values.get(i);
    }
    if (keepPercent < 30) {
      bytes = Arrays.copyOf(bytes, bytes.length * keepPercent / 30);
    }

    List<String> exact = materialise(direct(bytes));

    assertThat(materialise(ByteBuffer.wrap(bytes))).isEqualTo(exact);
    byte[] shifted = new byte[bytes.length + 5];
    System.arraycopy(bytes, 0, shifted, 3, bytes.length);
    assertThat(materialise(ByteBuffer.wrap(shifted, 3, bytes.length).slice())).isEqualTo(exact);
  }

  @Property(tries = 1000)
  void skipAllAgreesWithNextOnMutatedReadings(
      @ForAll @IntRange(min = 1, max = 6) int objects,
      @ForAll("positions") List<Integer> positions, @ForAll("bytes") List<Byte> values,
      @ForAll @IntRange(min = 0, max = 100) int keepPercent, @ForAll boolean heap) {
    byte[] bytes = readings(objects);
    for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
      bytes[positions.get(i) % bytes.length] = values.get(i);
    }
    if (keepPercent < 30) {
      bytes = Arrays.copyOf(bytes, bytes.length * keepPercent / 30);
    }
    ByteBuffer buffer = heap ? ByteBuffer.wrap(bytes) : direct(bytes);

    String viaNext;
    ChangesetReader r = new ChangesetReader().reset(buffer);
    int n = 0;
    try {
      while (r.next()) {
        n++;
      }
      viaNext = "end " + n + " " + r.bytesRead() + " " + r.internedCount();
    } catch (ChangesetFormatException e) {
      viaNext = "error " + e.reason() + " " + e.field() + " " + e.offset() + " " + e.getMessage();
    }
    String viaSkipAll;
    ChangesetReader s = new ChangesetReader().reset(buffer);
    try {
      int m = s.skipAll();
      viaSkipAll = "end " + m + " " + s.bytesRead() + " " + s.internedCount();
    } catch (ChangesetFormatException e) {
      viaSkipAll = "error " + e.reason() + " " + e.field() + " " + e.offset() + " " + e.getMessage();
    }

    assertThat(viaSkipAll).isEqualTo(viaNext);
  }

  /**
   * Readings as the benchmark writes them, plus Int keys, a Bool, an Int, a null, a list element
   * (a path ending with an index, so prior_size instead of is_default) and a default String.
   */
  private static byte[] readings(int objects) {
    ArrayByteSink sink = new ArrayByteSink(256);
    ChangesetWriter w = new ChangesetWriter(sink);
    for (int i = 0; i < objects; i++) {
      if (i % 2 == 0) {
        w.createObject("Reading", ObjectId.of(0x65f1a2b3 + i, 42L * i));
      } else {
        w.createObject("Reading", (long) i * 1000);
      }
      w.update("sensor").stringValue("sensor-000" + i);
      w.update("value").doubleValue(i * 0.25);
      w.update("ts").timestampValue(Instant.ofEpochSecond(1_709_296_496L - i * 1_000_000_000L,
          i * 123_456_789));
      w.update("location").objectValue();
      w.update("location").key("lat").inEmbedded("Location").doubleValue(52.1);
      w.update("ok").boolValue(i % 2 == 0);
      w.update("n").intValue(i - 3);
      w.update("note").nullValue();
      w.update("list").index(i).priorSize(i + 3).doubleValue(1.5); // prior_size, not is_default
      w.update("unit").isDefault(true).stringValue("celsius-degrees"); // is_default 1, 15 bytes
    }
    w.finish();
    return sink.toByteArray();
  }

  private static ByteBuffer direct(byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  private static List<String> materialise(ByteBuffer buffer) {
    List<String> out = new ArrayList<>();
    ChangesetReader r = new ChangesetReader().reset(buffer);
    try {
      while (r.next()) {
        out.add(r.offset() + ".." + r.bytesRead() + " " + r.toInstruction());
      }
      out.add("end " + r.bytesRead());
    } catch (ChangesetFormatException e) {
      out.add("error " + e.reason() + " " + e.field() + " " + e.offset() + " " + e.getMessage());
    }
    return out;
  }

  @Provide
  Arbitrary<List<Integer>> positions() {
    return Arbitraries.integers().between(0, 1 << 20).list().ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<Byte>> bytes() {
    return Arbitraries.oneOf(Arbitraries.bytes(),
        Arbitraries.of((byte) 0, (byte) 1, (byte) 2, (byte) 0x3F, (byte) 0x40, (byte) 0x41,
            (byte) 0x7F, (byte) 0x80, (byte) 0xC0, (byte) 0xFF, (byte) 5, (byte) 7, (byte) 10))
        .list().ofMaxSize(3);
  }

  /**
   * An object, an Int update that interns the field, then the raw Timestamp Update and {@code
   * followers} more Int updates (so the Timestamp is read near or far from the end).
   */
  private static byte[] changeset(long seconds, long nanos, int secondsPadding, int nanosPadding,
      int followers) {
    ArrayByteSink sink = new ArrayByteSink(64);
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("T", 1L);
    w.update("f").intValue(7);
    int field = w.internedCount() - 1;
    w.finish();
    byte[] head = sink.toByteArray();
    byte[] record = new byte[64];
    int p = 0;
    record[p++] = 4; // Update
    record[p++] = 0; // table "T"
    record[p++] = 1; // key type Int
    record[p++] = 1; // key 1
    record[p++] = (byte) field;
    record[p++] = 0; // empty path
    record[p++] = 5; // Timestamp
    p = padded(record, p, seconds, secondsPadding);
    p = padded(record, p, nanos, nanosPadding);
    record[p++] = 0; // is_default
    return withFollowers(head, record, p, field, followers);
  }

  /**
   * {@code head}, the first {@code length} bytes of {@code record}, then {@code followers} Updates
   * of {@code field} to the Int 9 (records after the one under test).
   */
  private static byte[] withFollowers(byte[] head, byte[] record, int length, int field, int followers) {
    byte[] follower = {4, 0, 1, 1, (byte) field, 0, 1, 9, 0};
    byte[] out = new byte[head.length + length + followers * follower.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(record, 0, out, head.length, length);
    for (int i = 0; i < followers; i++) {
      System.arraycopy(follower, 0, out, head.length + length + i * follower.length, follower.length);
    }
    return out;
  }

  /** The varint of {@code v} with {@code padding} extra continuation bytes of zero value bits. */
  private static int padded(byte[] b, int p, long v, int padding) {
    int end = Varint.write(b, p, v);
    if (padding == 0) {
      return end;
    }
    byte last = b[end - 1]; // 0svvvvvv: its 6 value bits, then zero groups, then the sign
    b[end - 1] = (byte) (0x80 | (last & 0x3F));
    int q = end;
    for (int i = 1; i < padding; i++) {
      b[q++] = (byte) 0x80;
    }
    b[q++] = (byte) (last & 0x40);
    return q;
  }

  private static List<String> read(ByteBuffer buffer) {
    List<String> out = new ArrayList<>();
    ChangesetReader r = new ChangesetReader().reset(buffer);
    try {
      while (r.next()) {
        if (r.instruction() == InstructionType.UPDATE
            && r.valueType() == PayloadType.TIMESTAMP) {
          out.add("Update " + r.timestampSeconds() + " s " + r.timestampNanos() + " ns at "
              + r.offset() + ".." + r.bytesRead() + " default " + r.isDefault());
          out.add("Update " + r.timestampSeconds() + " s " + r.timestampNanos() + " ns");
        } else {
          out.add(r.instruction() + " at " + r.offset() + ".." + r.bytesRead());
        }
      }
      out.add("end " + r.bytesRead());
    } catch (ChangesetFormatException e) {
      out.add("error " + e.reason() + " " + e.field() + " " + e.offset() + " " + e.getMessage());
    }
    return out;
  }

  @Provide
  Arbitrary<Long> seconds() {
    return Arbitraries.oneOf(
        Arbitraries.longs(),
        Arbitraries.longs().between(-(1L << 35), 1L << 35),
        Arbitraries.longs().between(-(1L << 56), 1L << 56),
        Arbitraries.of(0L, 1L, -1L, 63L, 64L, -64L, -65L, 1_709_296_496L, -1_709_296_496L,
            (1L << 34) - 1, 1L << 34, -(1L << 34), -(1L << 34) - 1, (1L << 55) - 1, 1L << 55,
            -(1L << 55), -(1L << 55) - 1, Long.MAX_VALUE, Long.MIN_VALUE));
  }

  @Provide
  Arbitrary<Long> nanos() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(-999_999_999L, 999_999_999L),
        Arbitraries.of(0L, 1L, -1L, 999_999_999L, -999_999_999L, 1_000_000_000L,
            -1_000_000_000L, (long) Integer.MAX_VALUE, (long) Integer.MAX_VALUE + 1,
            (1L << 34) - 1, 1L << 34, Long.MAX_VALUE, Long.MIN_VALUE));
  }
}
