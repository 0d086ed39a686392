package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChangesetWriterTest {
  private static final HexFormat HEX = HexFormat.of();

  private final ArrayByteSink sink = new ArrayByteSink();
  private final ChangesetWriter w = new ChangesetWriter(sink);

  private static String payloadHex(java.util.function.Consumer<ChangesetWriter> value) {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("T", 0);
    w.update("f").intValue(0);
    int start = (int) w.flush().size();
    value.accept(w.update("f"));
    w.finish();
    // Update header: 04 table 00, pk Int 0 (01 00), field #1, path 0 = "04 00 01 00 01 00"
    String all = HEX.formatHex(sink.array(), start, sink.size());
    assertThat(all).startsWith("040001000100");
    return all.substring(12, all.length() - 2); // without the trailing is_default 00
  }

  @Test
  void shouldInternEachNameOnceRightBeforeItsFirstUse() {
    w.createObject("A", 1).update("x").intValue(1);
    w.createObject("A", 2).update("x").intValue(2).update("y").intValue(3);
    w.finish();

    Changeset cs = Changeset.parse(sink.toByteArray());
    assertThat(cs.internedStrings()).containsExactly("A", "x", "y");
    assertThat(HEX.formatHex(sink.toByteArray())).isEqualTo(
        "3f000141" + "02000101" + "3f010178" + "040001010100010100"
            + "02000102" + "040001020100010200" + "3f010179".replace("3f01", "3f02")
            + "040001020200010300");
  }

  @Test
  void shouldNotConfuseEqualStringsFromDifferentInstances() {
    String a = new String("Reading");
    String b = new String("Reading");
    w.createObject(a, 1).createObject(b, 2);
    w.finish();

    assertThat(Changeset.parse(sink.toByteArray()).internedStrings()).containsExactly("Reading");
  }

  @Test
  void shouldWriteTimestampsTruncatedTowardZero() {
    assertThat(payloadHex(u -> u.timestampValue(Instant.ofEpochSecond(-2, 900_000_000))))
        .isEqualTo("0540ffc1d76f"); // -1.1 s = (-1, -100 000 000)
    assertThat(payloadHex(u -> u.timestampValue(Instant.ofEpochSecond(-1, 500_000_000))))
        .isEqualTo(payloadHex(u -> u.timestampValue(0, -500_000_000)));
  }

  @ParameterizedTest
  @CsvSource({"1, -1", "-1, 1", "0, 1000000000", "0, -1000000000"})
  void shouldRefuseTimestampsThatAreNotNormalized(long seconds, int nanos) {
    w.createObject("T", 0);
    assertThatThrownBy(() -> w.update("f").timestampValue(seconds, nanos))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timestamp: (" + seconds + " s, " + nanos + " ns) (expected: |nanos| < 10^9"
            + " and seconds and nanos of the same sign)");
  }

  @ParameterizedTest
  @CsvSource({
    "12.34, 08d2094100",
    "-0.001, 08014201",
    "1E+10, 08010a00",
    "0, 08000000",
    "0E-7000, 08009f7000",
    "1E+6112, 080adf2f00",
    "9999999999999999999999999999999999, 08ffffffffbfcce3c6b7809feceab7c2f6010000",
    "10000000000000000000000000000000000, 0880808080a0e1d6e0b8a6b6a4e4b8d3180100",
  })
  void shouldWriteDecimalsExactly(String value, String hex) {
    assertThat(payloadHex(u -> u.decimalValue(new BigDecimal(value)))).isEqualTo(hex);
  }

  @ParameterizedTest
  @CsvSource({
    "1E-6177, 'decimal: 1E-6177 needs exponent -6177 (expected: -6176..6111 for an exact Decimal128)'",
    "12345678901234567890123456789012345, 'decimal: 12345678901234567890123456789012345 has 35"
        + " significant digits (expected: at most 34)'",
    "1E+6146, 'decimal: 1E+6146 needs exponent 6113 (expected: -6176..6111 for an exact Decimal128)'",
  })
  void shouldRefuseDecimalsWithoutAnExactForm(String value, String message) {
    w.createObject("T", 0);
    assertThatThrownBy(() -> w.update("f").decimalValue(new BigDecimal(value)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void shouldRefuseNanAndInfinityDecimals() {
    w.createObject("T", 0);
    assertThatThrownBy(() -> w.update("f").decimalBid128Value(0x7C00_0000_0000_0000L, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("decimal: NaN (expected: a finite value");
    assertThatThrownBy(() -> w.update("f").decimalBid128Value(0xF800_0000_0000_0000L, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("decimal: Infinity (expected: a finite value");
  }

  @Test
  void shouldWriteBid128BitsAsTheirParts() {
    // 123.45 = 0x303c...3039 (index.json value_decimal128)
    assertThat(payloadHex(u -> u.decimalBid128Value(0x303c000000000000L, 0x3039L)))
        .isEqualTo(payloadHex(u -> u.decimalValue(new BigDecimal("123.45"))));
    assertThat(payloadHex(u -> u.decimalBid128Value(0xb03a000000000000L, 1)))
        .isEqualTo("08014201");
  }

  @Test
  void shouldKeepNanPayloadsAndNegativeZero() {
    assertThat(payloadHex(u -> u.doubleValue(Double.longBitsToDouble(0x7ff8000000000001L))))
        .isEqualTo("07010000000000f87f");
    assertThat(payloadHex(u -> u.doubleValue(-0.0))).isEqualTo("070000000000000080");
    assertThat(payloadHex(u -> u.floatValue(Float.intBitsToFloat(0x7fc00001))))
        .isEqualTo("060100c07f");
  }

  @Test
  void shouldEncodeStringsAsUtf8() {
    assertThat(payloadHex(u -> u.stringValue("grüß ✓ 😀")))
        .isEqualTo("030f" + "6772c3bcc39f20e29c9320f09f9880");
    assertThat(payloadHex(u -> u.stringValue(""))).isEqualTo("0300");
  }

  @Test
  void shouldRefuseUnpairedSurrogates() {
    w.createObject("T", 0);
    assertThatThrownBy(() -> w.update("f").stringValue("a\uD83Db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("string value: unpaired surrogate U+D83D at char index 1 (expected:"
            + " well-formed UTF-16, which has a UTF-8 form)");
  }

  @Test
  void shouldEncodeLongStringsAcrossWindowsAndSinkKinds() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      sb.append(i % 7 == 0 ? "😀" : i % 5 == 0 ? "é" : "a");
    }
    String s = sb.toString();
    for (ByteSink target : List.of(new ArrayByteSink(1), ByteBufferSink.allocateDirect(1, 1 << 20),
        ByteBufferSink.wrap(ByteBuffer.allocate(1 << 20)))) {
      ChangesetWriter writer = new ChangesetWriter(target);
      writer.createObject("T", s).update(s.substring(0, 10)).stringValue(s);
      writer.finish();
      byte[] bytes = bytesOf(target);
      Instruction.Update u = (Instruction.Update) Changeset.parse(bytes).instructions().get(1);
      assertThat(u.value()).isEqualTo(new Payload.StringValue(s));
      assertThat(u.key()).isEqualTo(PrimaryKey.of(s));
    }
  }

  private static byte[] bytesOf(ByteSink s) {
    if (s instanceof ArrayByteSink) {
      return ((ArrayByteSink) s).toByteArray();
    }
    ByteBuffer b = ((ByteBufferSink) s).written();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void shouldWriteStringsWhateverTheirLengthAndContent() {
    StringBuilder sb = new StringBuilder();
    for (int len : new int[] {0, 1, 63, 64, 100, 1023, 1024, 1025, 5000}) {
      for (int nonAscii : new int[] {-1, 0, len / 2, len - 1}) {
        sb.setLength(0);
        for (int i = 0; i < len; i++) {
          sb.append(i == nonAscii ? 'é' : (char) ('a' + i % 26));
        }
        String v = sb.toString();
        ArrayByteSink s = new ArrayByteSink(8);
        ChangesetWriter writer = new ChangesetWriter(s);
        writer.createObject("T", 1).update("f").key("k").stringValue(v);
        writer.update("g").stringValue(v);
        writer.finish();
        List<Instruction> read = Changeset.parse(s.toByteArray()).instructions();
        assertThat(((Instruction.Update) read.get(1)).value())
            .isEqualTo(new Payload.StringValue(v));
        assertThat(((Instruction.Update) read.get(2)).value())
            .isEqualTo(new Payload.StringValue(v));
      }
    }
  }

  @Test
  void aNonAsciiStringWithAnUnpairedSurrogateLeavesNothingBehind() {
    w.createObject("T", 1).update("f").stringValue("abc");
    long size = w.flush().size();
    assertThatThrownBy(() -> w.update("f").stringValue("ab\uD800c"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(w.size()).isEqualTo(size);
    w.update("f").stringValue("é");
    w.finish();
    assertThat(Changeset.parse(sink.toByteArray()).instructions()).hasSize(3);
  }

  @Test
  void shouldEnforceNameAndStringLimits() {
    String class57 = "C".repeat(57);
    String prop63 = "p".repeat(63);
    w.createObject(class57, 1).update(prop63).intValue(1);

    assertThatThrownBy(() -> w.createObject("C".repeat(58), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("table 'CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC...': 58 UTF-8 bytes"
            + " (expected: at most 57)");
    assertThatThrownBy(() -> w.update("p".repeat(64)).intValue(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(": 64 UTF-8 bytes (expected: at most 63)");
    // 2-byte characters count as two bytes
    assertThatThrownBy(() -> w.addEmbeddedTable("é".repeat(29)))
        .hasMessageEndingWith(": 58 UTF-8 bytes (expected: at most 57)");
    // a name interned as a string key is still checked when used as a class name
    w.update("d").key("K".repeat(60)).intValue(1);
    assertThatThrownBy(() -> w.createObject("K".repeat(60), 1))
        .hasMessageEndingWith(": 60 UTF-8 bytes (expected: at most 57)");
    w.finish();
    // the failures left the changeset valid
    assertThat(Changeset.parse(sink.toByteArray()).instructions()).hasSize(3);
  }

  @Test
  void shouldEnforceTheStringLimitOfRealmCore() {
    String max = "x".repeat(ChangesetWriter.MAX_STRING_BYTES);
    w.createObject("T", 0).update("s").stringValue(max);
    assertThatThrownBy(() -> w.update("s").stringValue(max + "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(": 16777200 UTF-8 bytes (expected: at most 16777199)");
    String euros = "€".repeat(5_592_400); // 16 777 200 bytes in 5.6 M chars
    assertThatThrownBy(() -> w.update("s").stringValue(euros))
        .hasMessageEndingWith(": 16777200 UTF-8 bytes (expected: at most 16777199)");
    w.finish();
    assertThat(sink.size()).isGreaterThan(ChangesetWriter.MAX_STRING_BYTES);
  }

  @Test
  void shouldRefuseCallsOutOfOrder() {
    assertThatThrownBy(() -> w.update("f"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no object selected (expected: createObject(..) or object(..) before Update)");
    assertThatThrownBy(() -> w.doubleValue(1))
        .hasMessage("no open instruction (expected: update(field), arrayInsert(field), ... first)");
    w.createObject("T", 0).arrayInsert("l").index(0);
    assertThatThrownBy(() -> w.intValue(1)).hasMessage("ArrayInsert on field 'l' needs priorSize(..)");
    assertThatThrownBy(() -> w.createObject("T", 1)).hasMessage(
        "instruction ArrayInsert on field 'l' was opened but not written (expected: a terminal"
            + " such as doubleValue(..))");
    assertThatThrownBy(() -> w.amount(1))
        .hasMessage("amount(..) writes AddInteger, but the open instruction is ArrayInsert");
    assertThatThrownBy(w::finish).isInstanceOf(IllegalStateException.class);
    w.priorSize(0).intValue(1);
    w.arrayInsert("l").key("k").priorSize(0);
    assertThatThrownBy(() -> w.intValue(1)).hasMessage(
        "ArrayInsert on field 'l': path must end with an index (expected: index(..) last)");
    w.reset();
    w.createObject("T", 0).update("l").index(3);
    assertThatThrownBy(() -> w.intValue(1))
        .hasMessage("Update of a list element (path ends with an index) needs priorSize(..)");
    assertThatThrownBy(() -> w.index(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path index: -1 (expected: 0..4294967295)");
    assertThatThrownBy(() -> w.priorSize(1L << 32)).isInstanceOf(IllegalArgumentException.class);
    w.priorSize(4).intValue(9);
    w.finish();
    assertThatThrownBy(() -> w.createObject("T", 2)).hasMessage(
        "changeset finished (expected: reset() before writing another)");
    assertThatThrownBy(() -> new ChangesetWriter().createObject("T", 1))
        .hasMessage("no sink (expected: reset(ByteSink) first)");
    assertThat(Changeset.parse(sink.toByteArray()).dump()).containsExactly(
        "CreateObject table=\"T\" pk=Int(0)",
        "Update table=\"T\" pk=Int(0) field=\"l\" path=[3] value=Int(9) prior_size=4");
  }

  @Test
  void shouldCheckAddColumnArguments() {
    assertThatThrownBy(() -> w.addColumn("T", "f", ColumnType.LINK, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("addColumn linkTarget: null (expected: a class name exactly when type is LINK,"
            + " here LINK)");
    assertThatThrownBy(() -> w.addColumn("T", "f", ColumnType.INT, false, CollectionType.LIST,
        null, ColumnType.STRING)).hasMessage(
            "addColumn keyType: STRING (expected: null unless collection is DICTIONARY)");
    assertThatThrownBy(() -> w.addTable("T", TableType.EMBEDDED, "_id", PayloadType.INT, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.addTable("T", TableType.TOP_LEVEL, "_id", PayloadType.DOUBLE,
        false)).hasMessage("addTable pkType: DOUBLE (expected: INT, STRING, OBJECT_ID, UUID or"
            + " GLOBAL_KEY)");
  }

  @Test
  void resetStartsAnIndependentChangeset() {
    w.createObject("A", 1).update("x").intValue(1);
    w.finish();
    byte[] first = sink.toByteArray();
    sink.clear();
    w.reset();
    w.createObject("A", 1).update("x").intValue(1);
    w.finish();

    assertThat(sink.toByteArray()).isEqualTo(first);
  }

  @Test
  void twoChangesetsCanFollowEachOtherInOneSink() {
    w.createObject("A", 1);
    long first = w.finish();
    w.reset().createObject("B", 2);
    long second = w.finish();

    assertThat(first + second).isEqualTo(sink.size());
    ByteBuffer b = sink.asByteBuffer();
    assertThat(Changeset.parse(b.slice(0, (int) first)).dump())
        .containsExactly("CreateObject table=\"A\" pk=Int(1)");
    assertThat(Changeset.parse(b.slice((int) first, (int) second)).dump())
        .containsExactly("CreateObject table=\"B\" pk=Int(2)");
  }

  @Test
  void internStringsFirstLayoutPutsEveryRecordFirst() {
    ArrayByteSink s = new ArrayByteSink();
    ChangesetWriter writer =
        new ChangesetWriter(ChangesetWriter.Layout.INTERN_STRINGS_FIRST).reset(s);
    writer.createObject("A", "k").update("x").stringValue("v");
    assertThat(writer.size()).isEqualTo(26);
    writer.finish();

    assertThat(HEX.formatHex(s.toByteArray())).isEqualTo(
        "3f000141" + "3f01016b" + "3f010178".replace("3f01", "3f02")
            + "02000301" + "0400030102000301760" + "0");
  }

  @Test
  void aFixedSinkThatIsTooSmallOverflowsWithATypedException() {
    ByteBuffer small = ByteBuffer.allocate(20);
    ChangesetWriter writer = new ChangesetWriter(ByteBufferSink.wrap(small));
    writer.createObject("Reading", 1);

    assertThatThrownBy(() -> writer.update("sensor").stringValue("0123456789").finish())
        .isInstanceOf(SinkOverflowException.class)
        .hasMessageStartingWith("sink capacity: ");
  }

  @Test
  void aSinkOfExactlyTheRightSizeIsEnough() {
    w.createObject("Reading", ObjectId.fromHex("65f1a2b3c4d5e6f708192a3b"));
    w.update("sensor").stringValue("t1");
    int size = (int) w.finish();
    for (ByteBuffer exact : List.of(ByteBuffer.allocate(size), ByteBuffer.allocateDirect(size))) {
      ChangesetWriter writer = new ChangesetWriter(ByteBufferSink.wrap(exact));
      writer.createObject("Reading", ObjectId.fromHex("65f1a2b3c4d5e6f708192a3b"));
      writer.update("sensor").stringValue("t1");
      assertThat(writer.finish()).isEqualTo(size);
      assertThat(exact.remaining()).isZero();
      assertThat(exact.flip()).isEqualTo(sink.asByteBuffer());
    }
  }

  @Test
  void encodingAnObjectAllocatesNothingAfterWarmUp() {
    ObjectId[] ids = new ObjectId[1000];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = ObjectId.get(1_700_000_000 + i);
    }
    Instant ts = Instant.parse("2024-03-01T12:34:56.789Z");
    ArrayByteSink s = new ArrayByteSink(1 << 20);
    ChangesetWriter writer = new ChangesetWriter(s);
    for (int round = 0; round < 30; round++) {
      s.clear();
      writer.reset();
      encodeReadings(writer, ids, ts);
      writer.finish();
    }
    long overhead = Allocations.overhead();
    long before = Allocations.allocatedBytes();
    for (int round = 0; round < 10; round++) {
      s.clear();
      writer.reset();
      encodeReadings(writer, ids, ts);
      writer.finish();
    }
    long allocated = Allocations.allocatedBytes() - before - overhead;

    assertThat(allocated).as("bytes allocated for 10 000 objects").isLessThanOrEqualTo(256);
  }

  static void encodeReadings(ChangesetWriter w, ObjectId[] ids, Instant ts) {
    for (ObjectId id : ids) {
      w.createObject("Reading", id);
      w.update("sensor").stringValue("sensor-0001");
      w.update("value").doubleValue(21.5);
      w.update("ts").timestampValue(ts);
      w.update("location").objectValue();
      w.update("location").key("lat").inEmbedded("Location").doubleValue(52.1);
      w.update("location").key("lon").inEmbedded("Location").doubleValue(4.3);
    }
  }
}
