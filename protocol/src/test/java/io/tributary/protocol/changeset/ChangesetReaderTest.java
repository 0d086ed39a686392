package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetFormatException.Reason;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChangesetReaderTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Interns "T" (#0) and "f" (#1). */
  private static final String NAMES = "3f000154" + "3f010166";
  /** Update T[Int 0].f, empty path: the payload follows. */
  private static final String UPDATE = NAMES + "040001000100";

  private static List<String> dump(String hex) {
    return Changeset.parse(HEX.parseHex(hex.replace(" ", ""))).dump();
  }

  private static ChangesetFormatException reject(String hex) {
    try {
      Changeset.parse(HEX.parseHex(hex.replace(" ", "")));
    } catch (ChangesetFormatException e) {
      return e;
    }
    throw new AssertionError("accepted: " + hex);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // bool fields are u8 (2 bytes max) and Tributary accepts only 0 and 1
    "bool overlong 0 accepted,   02 8000 00,                  Bool(false)",
    "int max,                    01 ffffffffffffffffff00 00,  Int(9223372036854775807)",
    "int min,                    01 ffffffffffffffffff40 00,  Int(-9223372036854775808)",
    "int overlong -1,            01 8040 00,                  Int(-1)",
    "timestamp 0 s -5 ns,        05 00 44 00,                 'Timestamp(seconds=0, nanoseconds=-5 = 1969-12-31T23:59:59.999999995Z)'",
    "decimal largest,            08 ffffffffbfcce3c6b7809feceab7c2f601 9f70 01 00, 'Decimal(-9999999999999999999999999999999999E-6176 bid128=0x8001ed09bead87c0378d8e63ffffffff)'",
    "4-byte UTF-8,               03 04 f09f9880 00,           String(\"😀\")",
    "Set marker,                 45 00,                       Set",
    "Erased marker,              43 00,                       Erased",
  })
  void acceptsWhatRealmCoreAccepts(String name, String payload, String value) {
    assertThat(dump(UPDATE + payload)).last().asString().endsWith("value=" + value
        + " is_default=false");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "bool 2,                     02 02 00,                         INVALID_BOOL,          Update.value",
    "bool 3 bytes,               02 808000 00,                     BAD_INTEGER,           Update.value",
    "bool 256,                   02 8004 00,                       BAD_INTEGER,           Update.value",
    "is_default 2,               01 00 02,                         INVALID_BOOL,          Update.is_default",
    "int 2^63,                   01 ffffffffffffffffff01 00,       BAD_INTEGER,           Update.value",
    "int 11 bytes,               01 ffffffffffffffffffff00 00,     BAD_INTEGER,           Update.value",
    "int cut,                    01 ff,                            TRUNCATED,             Update.value",
    "string length sign bit,     03 40,                            BAD_INTEGER,           Update.value.length",
    "string length 2^64-1,       03 ffffffffffffffffff01,          STRING_TOO_LONG,       Update.value.length",
    "string beyond the end,      03 05 6161,                       TRUNCATED,             Update.value",
    "binary length 2^64-1,       04 ffffffffffffffffff01,          TRUNCATED,             Update.value.length",
    "timestamp signs differ,     05 01 40 00,                      INVALID_TIMESTAMP,     Update.value.nanoseconds",
    "timestamp 1e9 ns,           05 00 8094ebdc03 00,              INVALID_TIMESTAMP,     Update.value.nanoseconds",
    "timestamp -1 s +5 ns,       05 40 05 00,                      INVALID_TIMESTAMP,     Update.value.nanoseconds",
    "decimal exponent 6112,      08 01 e02f 00 00,                 INVALID_DECIMAL,       Update.value.exponent",
    "decimal coefficient 10^34,  08 80808080c0cce3c6b7809feceab7c2f601 00 00 00, INVALID_DECIMAL, Update.value.coefficient",
    "decimal sign 2,             08 01 00 02 00,                   INVALID_DECIMAL,       Update.value.sign",
    "decimal 18 bytes,           08 ffffffffffffffffffffffffffffffffff00 00 00 00, BAD_INTEGER, Update.value.coefficient",
    "GlobalKey value,            40 00 00,                         BAD_PAYLOAD_TYPE,      Update.value.type",
    "payload type -7,            46 00,                            BAD_DATA_TYPE,         Update.value.type",
    "float cut,                  06 0000,                          TRUNCATED,             Update.value",
    "UTF-8 overlong,             03 02 c080 00,                    INVALID_UTF8,          Update.value",
    "UTF-8 surrogate,            03 03 eda080 00,                  INVALID_UTF8,          Update.value",
    "UTF-8 above U+10FFFF,       03 04 f4908080 00,                INVALID_UTF8,          Update.value",
    "UTF-8 lone continuation,    03 01 80 00,                      INVALID_UTF8,          Update.value",
    "UTF-8 cut sequence,         03 02 e282 00,                    INVALID_UTF8,          Update.value",
    "UTF-8 bad continuation,     03 02 c341 00,                    INVALID_UTF8,          Update.value",
  })
  void rejectsBadPayloads(String name, String payload, Reason reason, String field) {
    ChangesetFormatException e = reject(UPDATE + payload);

    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.offset()).isBetween(14L, 14L + payload.replace(" ", "").length() / 2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "record type sign bit,       40,                               BAD_INTEGER,           record type",
    "record type 64,             c000,                             UNKNOWN_INSTRUCTION,   record type",
    "intern index sign bit,      0240 0100,                        BAD_INTEGER,           CreateObject.table",
    "intern index 2^32-1,        02ffffffff0f 0100,                UNDEFINED_INTERN_STRING, CreateObject.table",
    "intern index 2^32,          028080808010 0100,                BAD_INTEGER,           CreateObject.table",
    "path length beyond the end, 04 00 0100 01 3f,                 TRUNCATED,             Update.path.length",
    "path element -2,            04 00 0100 01 01 41 00 00,        INVALID_PATH_ELEMENT,  Update.path",
    "path index 2^32,            04 00 0100 01 01 8080808010 00 00, INVALID_PATH_ELEMENT, Update.path",
    "path key undefined,         04 00 0100 01 01 4005 00 00,      UNDEFINED_INTERN_STRING, Update.path",
    "path length 2^32,           04 00 0100 01 8080808010,         BAD_INTEGER,           Update.path.length",
    "ArrayMove without index,    09 00 0100 01 00 00 00,           MISSING_ARRAY_INDEX,   ArrayMove.path",
    "ArrayErase without index,   0a 00 0100 01 01 4001 00,         MISSING_ARRAY_INDEX,   ArrayErase.path",
    "prior_size sign bit,        0a 00 0100 01 01 00 40,           BAD_INTEGER,           ArrayErase.prior_size",
    "Clear collection 4,         0b 00 0100 01 00 04,              BAD_COLLECTION_TYPE,   Clear.collection_type",
    "AddColumn type -2,          06 00 01 41 00 00,                INVALID_COLUMN_TYPE,   AddColumn.type",
    "AddColumn type 12,          06 00 01 0c 00 00,                BAD_DATA_TYPE,         AddColumn.type",
    "AddColumn nullable 7,       06 00 01 01 07 00,                INVALID_BOOL,          AddColumn.nullable",
    "dictionary key type -1,     06 00 01 03 00 02 40,             INVALID_COLUMN_TYPE,   AddColumn.key_type",
    "link target undefined,      06 00 01 09 01 00 07,             UNDEFINED_INTERN_STRING, AddColumn.link_target_table",
    "AddTable pk Null,           00 00 00 01 00 00,                BAD_TABLE_PRIMARY_KEY_TYPE, AddTable.pk_type",
    "AddTable pk_nullable 2,     00 00 02 01 01 02,                INVALID_BOOL,          AddTable.pk_nullable",
    "object key Bool,            02 00 02 01,                      BAD_PRIMARY_KEY_TYPE,  CreateObject.object.type",
    "object key UUID cut,        02 00 0b 0102030405,              TRUNCATED,             CreateObject.object",
    "GlobalKey hi sign bit,      02 00 40 40 00,                   BAD_INTEGER,           CreateObject.object",
    "link key Double,            04 00 0100 01 00 09 00 07 00,     BAD_PRIMARY_KEY_TYPE,  Update.value.key.type",
    "intern UTF-8,               3f02 02 c0af,                     INVALID_UTF8,          InternString.bytes",
    "intern string cut,          3f02 05 61,                       TRUNCATED,             InternString.bytes",
  })
  void rejectsBadRecords(String name, String record, Reason reason, String field) {
    ChangesetFormatException e = reject(NAMES + record);

    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.field()).isEqualTo(field);
  }

  @Test
  void acceptsOverlongVarintsWithinTheFieldWidthAsRealmCoreDoes() {
    // CreateObject (82 00 = 2), table 80 00 (= 0), pk type Int 81 00, value 80 80 80 05
    assertThat(dump(NAMES + "8200 8000 8100 80808005"))
        .containsExactly("CreateObject table=\"T\" pk=Int(10485760)");
  }

  @Test
  void acceptsEmptyChangesetsAndUnusedInternedStrings() {
    ChangesetReader r = new ChangesetReader();
    assertThat(r.reset(ByteBuffer.allocate(0)).next()).isFalse();
    assertThat(r.reset(ByteBuffer.wrap(HEX.parseHex(NAMES))).next()).isFalse();
    assertThat(r.internedCount()).isEqualTo(2);
    assertThat(r.internedString(1)).isEqualTo("f");
    assertThat(r.instruction()).isNull();
  }

  @Test
  void refusesToContinueAfterAnErrorUntilReset() {
    ChangesetReader r = new ChangesetReader().reset(ByteBuffer.wrap(HEX.parseHex("0e")));
    assertThatThrownBy(r::next).isInstanceOf(ChangesetFormatException.class)
        .hasMessage("record type: 14 (expected: 0..13 or 63) at byte offset 0");
    assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class)
        .hasMessage("next: an earlier call failed (expected: reset(buffer) before reading again)");
    r.reset(ByteBuffer.wrap(HEX.parseHex(NAMES + "02000107")));
    assertThat(r.next()).isTrue();
    assertThat(r.objectKeyInt()).isEqualTo(7);
  }

  @Test
  void refusesToContinueAfterAnErrorOfNextOrSkipAllEvenWhenAFastPathRecordFollows() {
    // the error leaves the position after the bad record type, where a valid CreateObject and a
    // valid Update follow: next() must still refuse instead of reading them on a fast path
    String createObject = "02000a" + "65f1a2b3000000000000002a";
    String update = "0400" + "0a" + "65f1a2b3000000000000002a" + "0100" + "07" + "0000000000000040" + "00";
    ChangesetReader r = new ChangesetReader()
        .reset(ByteBuffer.wrap(HEX.parseHex(NAMES + "0e" + createObject + update)));
    assertThatThrownBy(r::next).isInstanceOf(ChangesetFormatException.class)
        .hasMessage("record type: 14 (expected: 0..13 or 63) at byte offset 8");
    assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class)
        .hasMessage("next: an earlier call failed (expected: reset(buffer) before reading again)");
    assertThat(r.instruction()).isNull();

    r.reset(ByteBuffer.wrap(HEX.parseHex(NAMES + "0e" + createObject + update)));
    assertThatThrownBy(r::skipAll).isInstanceOf(ChangesetFormatException.class);
    assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class)
        .hasMessage("next: an earlier call failed (expected: reset(buffer) before reading again)");

    r.reset(ByteBuffer.wrap(HEX.parseHex(NAMES + createObject + update)));
    assertThat(r.next()).isTrue();
    assertThat(r.instruction()).isEqualTo(InstructionType.CREATE_OBJECT);
    assertThat(r.next()).isTrue();
    assertThat(r.instruction()).isEqualTo(InstructionType.UPDATE);
    assertThat(r.doubleValue()).isEqualTo(2.0);
    assertThat(r.isDefault()).isFalse();
    assertThat(r.next()).isFalse();
  }

  @Test
  void skipAllCountsLikeNextAndRefusesToContinueAfterAnError() {
    ChangesetReader r = new ChangesetReader();
    ByteBuffer valid = ByteBuffer.wrap(HEX.parseHex(NAMES + "02000107" + "3f020167" + "02000108"));
    assertThat(r.reset(valid).skipAll()).isEqualTo(2);
    assertThat(r.instruction()).isNull();
    assertThat(r.internedCount()).isEqualTo(3);
    assertThat(r.skipAll()).isZero();

    ByteBuffer bad = ByteBuffer.wrap(HEX.parseHex(NAMES + "02000107" + "0e"));
    assertThatThrownBy(() -> r.reset(bad).skipAll()).isInstanceOf(ChangesetFormatException.class)
        .hasMessage("record type: 14 (expected: 0..13 or 63) at byte offset 12");
    assertThat(r.instruction()).isNull();
    assertThatThrownBy(r::skipAll).isInstanceOf(IllegalStateException.class)
        .hasMessage("skipAll: an earlier call failed (expected: reset(buffer) before reading again)");
    assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class);
    assertThat(r.reset(valid).skipAll()).isEqualTo(2);
  }

  @Test
  void readsAnyBufferFromItsPositionToItsLimitWithoutMovingIt() {
    byte[] vector = Vectors.bytes("embedded_object.bin");
    List<String> expected = Changeset.parse(vector).dump();
    for (ByteBuffer b : List.of(ByteBuffer.allocateDirect(vector.length + 9),
        ByteBuffer.allocate(vector.length + 9), ByteBuffer.allocate(vector.length + 9)
            .asReadOnlyBuffer())) {
      ByteBuffer target = b.isReadOnly() ? ByteBuffer.allocate(vector.length + 9) : b;
      target.put(new byte[] {0x3f, 0x3f, 0x3f, 0x3f, 0x3f}).put(vector).put(new byte[] {0x0e});
      ByteBuffer in = b.isReadOnly() ? target.asReadOnlyBuffer() : target;
      in.limit(5 + vector.length).position(5);

      assertThat(Changeset.parse(in).dump()).isEqualTo(expected);
      assertThat(in.position()).isEqualTo(5);
      assertThat(in.limit()).isEqualTo(5 + vector.length);
    }
  }

  @Test
  void offersSkipViewCopyAndStringForNamesAndValues() {
    ChangesetReader r = new ChangesetReader().reset(ByteBuffer.wrap(
        Vectors.bytes("embedded_object.bin")));
    assertThat(r.next()).isTrue();
    assertThat(r.instruction()).isEqualTo(InstructionType.CREATE_OBJECT);
    assertThat(r.internedEquals(r.table(), "Reading".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(r.internedEquals(r.table(), "Readinf".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(r.objectKeyObjectId()).isEqualTo(ObjectId.fromHex("65f1a2b3c4d5e6f708192a3b"));
    byte[] oid = new byte[12];
    assertThat(r.copyObjectKeyBytes(oid, 0)).isEqualTo(12);
    assertThat(HEX.formatHex(oid)).isEqualTo("65f1a2b3c4d5e6f708192a3b");

    assertThat(r.next()).isTrue(); // Update .sensor = "t1"
    assertThat(r.fieldName()).isEqualTo("sensor");
    assertThat(r.valueType()).isEqualTo(PayloadType.STRING);
    assertThat(r.valueLength()).isEqualTo(2);
    byte[] dst = new byte[4];
    assertThat(r.copyValue(dst, 2)).isEqualTo(2);
    assertThat(new String(dst, 2, 2, StandardCharsets.US_ASCII)).isEqualTo("t1");
    ByteBuffer view = r.valueView();
    assertThat(view.remaining()).isEqualTo(2);
    assertThat(view.isReadOnly()).isTrue();
    assertThat(r.stringValue()).isEqualTo("t1");
    byte[] name = new byte[r.internedLength(r.field())];
    r.copyInterned(r.field(), name, 0);
    assertThat(new String(name, StandardCharsets.UTF_8)).isEqualTo("sensor");
    assertThat(StandardCharsets.UTF_8.decode(r.internedView(r.field())).toString())
        .isEqualTo("sensor");
    assertThat(r.internedString(r.field())).isSameAs(r.fieldName());
    assertThat(r.isDefault()).isFalse();

    r.next(); // value
    assertThat(r.doubleValue()).isEqualTo(21.5);
    r.next(); // ts
    assertThat(r.timestampSeconds()).isEqualTo(1709296496L);
    assertThat(r.timestampNanos()).isEqualTo(789_000_000);
    r.next(); // location = ObjectValue
    assertThat(r.valueType()).isEqualTo(PayloadType.OBJECT_VALUE);
    r.next(); // location.lat
    assertThat(r.pathLength()).isEqualTo(1);
    assertThat(r.isPathIndex(0)).isFalse();
    assertThat(r.internedString(r.pathKey(0))).isEqualTo("lat");
    assertThat(r.internedCount()).isEqualTo(7); // "Location" was interned, unused
    assertThat(r.bytesRead()).isLessThan(236);
    r.next();
    assertThat(r.next()).isFalse();
    assertThat(r.bytesRead()).isEqualTo(236);
  }

  @Test
  void refusesAccessorsThatDoNotBelongToTheInstruction() {
    ChangesetReader r = new ChangesetReader().reset(ByteBuffer.wrap(
        Vectors.bytes("pk_int.bin")));
    r.next(); // CreateObject
    assertThatThrownBy(r::valueType).isInstanceOf(IllegalStateException.class)
        .hasMessage("valueType: not a field of the current instruction CreateObject");
    assertThatThrownBy(r::objectKeyString).isInstanceOf(IllegalStateException.class);
    r.next(); // Update with a String
    assertThatThrownBy(r::doubleValue).isInstanceOf(IllegalStateException.class)
        .hasMessage("doubleValue: not a field of the current instruction Update");
    assertThatThrownBy(() -> r.pathIndex(0)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> r.internedString(99)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void readsObjectIdAndUuidKeysAndObjectIdValuesAsTwoLongs() {
    ObjectId id = ObjectId.fromHex("f5f1a2b3c4d5e6f708192a3b"); // high byte set: a negative high()
    UUID uuid = UUID.fromString("f0112233-4455-6677-8899-aabbccddeeff");
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("T", id);
    w.update("o").objectIdValue(id);
    w.createObject("T", uuid);
    w.update("n").intValue(1);
    w.createObject("T", 7L);
    w.finish();
    ChangesetReader r = new ChangesetReader().reset(ByteBuffer.wrap(sink.toByteArray()));

    assertThat(r.next()).isTrue(); // CreateObject ObjectId
    assertThat(r.objectKeyHigh()).isEqualTo(id.high()).isNegative();
    assertThat(r.objectKeyLow()).isEqualTo(id.low());
    assertThat(r.next()).isTrue(); // Update .o = ObjectId
    assertThat(r.objectKeyHigh()).isEqualTo(id.high());
    assertThat(r.objectIdValueHigh()).isEqualTo(id.high());
    assertThat(r.objectIdValueLow()).isEqualTo(id.low());
    assertThat(r.next()).isTrue(); // CreateObject UUID
    assertThat(r.objectKeyHigh()).isEqualTo(uuid.getMostSignificantBits());
    assertThat(r.objectKeyLow()).isEqualTo(uuid.getLeastSignificantBits());
    assertThat(r.next()).isTrue(); // Update .n = 1
    assertThatThrownBy(r::objectIdValueHigh).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("objectIdValueHigh");
    assertThatThrownBy(r::objectIdValueLow).isInstanceOf(IllegalStateException.class);
    assertThat(r.next()).isTrue(); // CreateObject Int
    assertThatThrownBy(r::objectKeyHigh).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("objectKeyHigh");
    assertThatThrownBy(r::objectKeyLow).isInstanceOf(IllegalStateException.class);
  }

  /** Every case of objectKeyMatches, each answer pinned, on a heap and a direct buffer. */
  @ParameterizedTest(name = "direct={0}")
  @CsvSource({"false", "true"})
  void objectKeyMatchesComparesTableKeyTypeAndKeyWords(boolean direct) {
    ObjectId id = ObjectId.fromHex("f102030405060708090a0b0c"); // negative high()
    UUID u = UUID.fromString("f0112233-4455-6677-8899-aabbccddeeff");
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("T", id); // T #0
    w.object("U", id).update("a").intValue(1); // U #1 (a #2)
    w.createObject("U", u);
    w.object("U", 5L).eraseObject();
    w.object("U", "s").update("a").intValue(2); // s #3
    w.objectWithNullKey("U").update("a").intValue(3);
    w.objectWithGlobalKey("U", 1, 2).update("a").intValue(4);
    w.eraseTable("U");
    w.finish();
    byte[] bytes = sink.toByteArray();
    ByteBuffer in = direct ? ByteBuffer.allocateDirect(bytes.length).put(bytes).flip()
        : ByteBuffer.wrap(bytes);
    ChangesetReader r = new ChangesetReader().reset(in);
    PayloadType oid = PayloadType.OBJECT_ID;
    assertThat(r.objectKeyMatches(0, oid, id.high(), id.low())).as("before the first").isFalse();

    assertThat(r.next()).isTrue(); // CreateObject T[id]
    assertThat(r.objectKeyMatches(0, oid, id.high(), id.low())).isTrue();
    assertThat(r.objectKeyMatches(1, oid, id.high(), id.low())).as("other table").isFalse();
    assertThat(r.objectKeyMatches(0, oid, id.high(), id.low() ^ 1)).as("last byte").isFalse();
    assertThat(r.objectKeyMatches(0, oid, id.high() ^ 1L << 31, id.low())).as("first").isFalse();
    assertThat(r.objectKeyMatches(0, oid, id.high() & 0xffffffffL, id.low()))
        .as("high not sign-extended").isFalse();
    assertThat(r.objectKeyMatches(0, PayloadType.UUID, id.high(), id.low())).as("type").isFalse();

    assertThat(r.next()).isTrue(); // Update U[id].a: other table, same key bytes
    assertThat(r.objectKeyMatches(1, oid, id.high(), id.low())).isTrue();
    assertThat(r.objectKeyMatches(0, oid, id.high(), id.low())).isFalse();

    assertThat(r.next()).isTrue(); // CreateObject U[u]
    long hi = u.getMostSignificantBits();
    long lo = u.getLeastSignificantBits();
    assertThat(r.objectKeyMatches(1, PayloadType.UUID, hi, lo)).isTrue();
    assertThat(r.objectKeyMatches(1, PayloadType.UUID, hi, lo ^ 1)).isFalse();
    assertThat(r.objectKeyMatches(1, PayloadType.UUID, hi ^ 1L << 63, lo)).isFalse();
    assertThat(r.objectKeyMatches(1, oid, hi, lo)).isFalse();

    assertThat(r.next()).isTrue(); // EraseObject U[5]
    assertThat(r.objectKeyMatches(1, PayloadType.INT, 5, 99)).as("b ignored").isTrue();
    assertThat(r.objectKeyMatches(1, PayloadType.INT, 6, 0)).isFalse();
    assertThat(r.objectKeyMatches(1, PayloadType.STRING, 5, 0)).isFalse();

    assertThat(r.next()).isTrue(); // Update U["s"].a
    assertThat(r.objectKeyMatches(1, PayloadType.STRING, 3, 0)).isTrue();
    assertThat(r.objectKeyMatches(1, PayloadType.STRING, 2, 0)).isFalse();
    assertThat(r.objectKeyMatches(1, PayloadType.INT, 3, 0)).isFalse();

    assertThat(r.next()).isTrue(); // Update U[null].a
    assertThat(r.objectKeyMatches(1, PayloadType.NULL, 7, 8)).isTrue();
    assertThat(r.objectKeyMatches(0, PayloadType.NULL, 0, 0)).isFalse();
    assertThat(r.objectKeyMatches(1, PayloadType.INT, 0, 0)).isFalse();

    assertThat(r.next()).isTrue(); // Update U[GlobalKey{1, 2}].a
    assertThat(r.objectKeyMatches(1, PayloadType.GLOBAL_KEY, 1, 2)).isTrue();
    assertThat(r.objectKeyMatches(1, PayloadType.GLOBAL_KEY, 1, 3)).isFalse();
    assertThat(r.objectKeyMatches(1, PayloadType.GLOBAL_KEY, 4, 2)).isFalse();

    assertThat(r.next()).isTrue(); // EraseTable U: no object (the stale key must not match)
    assertThat(r.objectKeyMatches(1, PayloadType.GLOBAL_KEY, 1, 2)).isFalse();
    assertThat(r.next()).isFalse();
    assertThat(r.objectKeyMatches(1, PayloadType.GLOBAL_KEY, 1, 2)).as("after the last").isFalse();
  }

  @Test
  void objectKeyMatchesIsFalseAfterAFailure() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("T", 5L);
    w.update("a").intValue(1);
    w.finish();
    byte[] ok = sink.toByteArray();
    byte[] bad = java.util.Arrays.copyOf(ok, ok.length + 1);
    bad[ok.length] = 0x3e; // not a record type
    ChangesetReader r = new ChangesetReader().reset(ByteBuffer.wrap(bad));
    assertThat(r.next()).isTrue();
    assertThat(r.next()).isTrue();
    assertThat(r.objectKeyMatches(0, PayloadType.INT, 5, 0)).isTrue();
    assertThatThrownBy(r::next).isInstanceOf(ChangesetFormatException.class);
    assertThat(r.objectKeyMatches(0, PayloadType.INT, 5, 0)).isFalse();
    assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class);
    assertThat(r.objectKeyMatches(0, PayloadType.INT, 5, 0)).isFalse();
  }

  @Test
  void objectCodesMatchTheInstructionTypes() {
    for (int code = -1; code < 70; code++) {
      InstructionType t = InstructionType.ofCode(code);
      boolean addresses = t != null && (t.isPathInstruction()
          || t == InstructionType.CREATE_OBJECT || t == InstructionType.ERASE_OBJECT);
      assertThat(ChangesetReader.addressesObject(code)).as("code %d", code).isEqualTo(addresses);
    }
  }

  @Test
  void instructionAndPayloadCodeSetsMatchTheirTypes() {
    for (int code = -40; code < 70; code++) {
      InstructionType t = InstructionType.ofCode(code);
      String what = "code " + code;
      assertThat(ChangesetReader.hasCode(ChangesetReader.INSTRUCTION_CODES, code)).as(what).isEqualTo(t != null);
      assertThat(ChangesetReader.hasCode(ChangesetReader.PATH_CODES, code)).as(what)
          .isEqualTo(t != null && t.isPathInstruction());
      assertThat(ChangesetReader.hasCode(ChangesetReader.PAYLOAD_CODES, code)).as(what)
          .isEqualTo(t == InstructionType.UPDATE || t == InstructionType.ARRAY_INSERT
              || t == InstructionType.SET_INSERT || t == InstructionType.SET_ERASE);
      assertThat(ChangesetReader.hasCode(ChangesetReader.FIELD_CODES, code)).as(what)
          .isEqualTo(t != null && (t.isPathInstruction() || t == InstructionType.ADD_COLUMN
              || t == InstructionType.ERASE_COLUMN || t == InstructionType.ADD_TABLE));
      PayloadType p = PayloadType.ofCode(code);
      assertThat(ChangesetReader.hasCode(ChangesetReader.BYTES_VALUE_CODES, code)).as(what)
          .isEqualTo(p == PayloadType.STRING || p == PayloadType.BINARY || p == PayloadType.OBJECT_ID
              || p == PayloadType.UUID || p == PayloadType.FLOAT || p == PayloadType.DOUBLE);
    }
  }

  /**
   * The accessors' one-load tables agree with the enums' lookups on every code the reader stores:
   * −1 and 0..13 for the instruction, each payload type code and NO_VALUE for the payload.
   */
  @Test
  void theAccessorTablesMatchTheEnumLookups() {
    for (int code = -1; code <= 13; code++) {
      assertThat(ChangesetReader.typeOfCode(code)).as("code %d", code)
          .isSameAs(InstructionType.ofCode(code));
    }
    assertThat(ChangesetReader.typeOfCode(-1)).isNull();
    for (int code = PayloadType.MIN_CODE; code <= PayloadType.MAX_CODE; code++) {
      assertThat(ChangesetReader.valueTypeOfCode(code)).as("code %d", code)
          .isSameAs(PayloadType.ofCode(code)).isNotNull();
    }
    assertThat(ChangesetReader.valueTypeOfCode(ChangesetReader.NO_VALUE)).isNull();
    assertThat(PayloadType.MAX_CODE - PayloadType.MIN_CODE + 2).isLessThanOrEqualTo(32);
  }

  /**
   * copyObjectKeyBytes (two word loads on heap arrays): ObjectId and UUID keys of CreateObject
   * and Update, from heap (at an array offset), read-only and direct buffers, at an offset into
   * the destination; nothing outside the key's bytes written; a short destination throws first.
   */
  @Test
  void copiesObjectKeyBytesFromEveryBufferKind() {
    ObjectId oid = ObjectId.fromHex("65f1a2b3c4d5e6f708192a3b");
    UUID uuid = UUID.fromString("f0112233-4455-6677-8899-aabbccddeeff");
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("A", oid);
    w.update("x").intValue(1);
    w.createObject("B", uuid);
    w.update("y").intValue(2);
    w.finish();
    byte[] bytes = sink.toByteArray();
    byte[] padded = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, padded, 3, bytes.length);
    ByteBuffer heapAtOffset = ByteBuffer.wrap(padded, 3, bytes.length).slice();
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    String oidHex = "65f1a2b3c4d5e6f708192a3b";
    String uuidHex = "f0112233445566778899aabbccddeeff";
    for (ByteBuffer b : List.of(ByteBuffer.wrap(bytes), heapAtOffset,
        ByteBuffer.wrap(bytes).asReadOnlyBuffer(), direct)) {
      ChangesetReader r = new ChangesetReader().reset(b);
      for (String hex : List.of(oidHex, oidHex, uuidHex, uuidHex)) {
        assertThat(r.next()).isTrue();
        int n = hex.length() / 2;
        byte[] dst = new byte[n + 5];
        java.util.Arrays.fill(dst, (byte) 0x5A);
        assertThat(r.copyObjectKeyBytes(dst, 2)).as("%s %s", b, r.instruction()).isEqualTo(n);
        assertThat(HEX.formatHex(dst)).isEqualTo("5a5a" + hex + "5a5a5a");
        byte[] small = new byte[n + 1];
        assertThatThrownBy(() -> r.copyObjectKeyBytes(small, 2))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(small).containsOnly(0);
      }
      assertThat(r.next()).isFalse();
    }
  }

  @Test
  void readsEveryInstructionAndPayloadKindTheWriterWrites() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.addTable("Top", TableType.TOP_LEVEL, "_id", PayloadType.GLOBAL_KEY, false)
        .addColumn("Top", "d", ColumnType.MIXED, true, CollectionType.DICTIONARY, null, null)
        .eraseColumn("Top", "d")
        .eraseTable("Top");
    w.objectWithGlobalKey("Top", -1L, 5).eraseObject();
    w.object("Top", UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"));
    w.addInteger("n").amount(-3);
    w.arrayMove("l").index(2).priorSize(4).moveTo(0);
    w.arrayErase("l").index(1).priorSize(4).erase();
    w.clear("s").collection(CollectionType.SET);
    w.setErase("s").decimalValue(new BigDecimal("-1.5"));
    w.update("l").index(0).priorSize(3).linkValue("Other", PrimaryKey.of("k"));
    w.update("m").linkValue("Other", new PrimaryKey.GlobalKey(1, 2));
    w.update("m").key("x").isDefault(true).erasedValue();
    w.setInsert("s").setValue();
    w.update("u").uuidValue(UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"));
    w.update("b").binaryValue(ByteBuffer.wrap(new byte[] {9, 8, 7}));
    w.finish();
    String u = "UUID(00112233-4455-6677-8899-aabbccddeeff)";

    assertThat(Changeset.parse(sink.toByteArray()).dump()).containsExactly(
        "AddTable table=\"Top\" type=TopLevel pk_field=\"_id\" pk_type=GlobalKey pk_nullable=false",
        "AddColumn table=\"Top\" field=\"d\" type=Mixed nullable=true collection=Dictionary"
            + " key_type=String",
        "EraseColumn table=\"Top\" field=\"d\"",
        "EraseTable table=\"Top\"",
        "EraseObject table=\"Top\" pk=GlobalKey{18446744073709551615, 5}",
        "AddInteger table=\"Top\" pk=" + u + " field=\"n\" path=[] value=-3",
        "ArrayMove table=\"Top\" pk=" + u + " field=\"l\" path=[2] ndx_2=0 prior_size=4",
        "ArrayErase table=\"Top\" pk=" + u + " field=\"l\" path=[1] prior_size=4",
        "Clear table=\"Top\" pk=" + u + " field=\"s\" path=[] collection_type=Set",
        "SetErase table=\"Top\" pk=" + u + " field=\"s\" path=[] value=Decimal(-1.5"
            + " bid128=0xb03e000000000000000000000000000f)",
        "Update table=\"Top\" pk=" + u + " field=\"l\" path=[0] value=Link(target=\"Other\","
            + " pk=String(\"k\")) prior_size=3",
        "Update table=\"Top\" pk=" + u + " field=\"m\" path=[] value=Link(target=\"Other\","
            + " pk=GlobalKey{1, 2}) is_default=false",
        "Update table=\"Top\" pk=" + u + " field=\"m\" path=[\"x\"] value=Erased is_default=true",
        "SetInsert table=\"Top\" pk=" + u + " field=\"s\" path=[] value=Set",
        "Update table=\"Top\" pk=" + u + " field=\"u\" path=[] value=" + u + " is_default=false",
        "Update table=\"Top\" pk=" + u + " field=\"b\" path=[] value=Binary(3 bytes: 090807)"
            + " is_default=false");
  }

  @Test
  void validatingAChangesetAllocatesNothingAfterWarmUp() {
    ByteBuffer heap = ByteBuffer.wrap(Vectors.bytes("transaction_100_objects.bin"));
    ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
    ChangesetReader r = new ChangesetReader();
    for (int i = 0; i < 3000; i++) {
      r.reset(i % 2 == 0 ? heap : direct).skipAll();
    }
    long overhead = Allocations.overhead();
    long before = Allocations.allocatedBytes();
    int n = 0;
    for (int i = 0; i < 200; i++) {
      n += r.reset(i % 2 == 0 ? heap : direct).skipAll();
    }
    long allocated = Allocations.allocatedBytes() - before - overhead;

    assertThat(n).isEqualTo(200 * 400);
    assertThat(allocated).as("bytes allocated validating 20 000 objects").isLessThanOrEqualTo(256);
  }

  @Test
  void hugeDeclaredLengthsAreRejectedWithoutAllocating() {
    ChangesetReader r = new ChangesetReader();
    List<String> inputs = List.of(
        UPDATE + "04 ffffffffffffffffff00", // binary of 2^63-1 bytes
        UPDATE + "03 fefffe07", // string just below the limit, 4 bytes present
        NAMES + "04 00 0100 01 ffffffff0f", // path of 2^32-1 elements
        "3f00 eeffff07"); // intern string just below the limit
    for (String hex : inputs) {
      ByteBuffer b = ByteBuffer.wrap(HEX.parseHex(hex.replace(" ", "")));
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> r.reset(b).skipAll()).isInstanceOf(
            ChangesetFormatException.class);
      }
      long before = Allocations.allocatedBytes();
      assertThatThrownBy(() -> r.reset(b).skipAll())
          .isInstanceOfSatisfying(ChangesetFormatException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
      long allocated = Allocations.allocatedBytes() - before;
      assertThat(allocated).as(hex).isLessThan(64 * 1024); // the exception and its message only
    }
  }
}
