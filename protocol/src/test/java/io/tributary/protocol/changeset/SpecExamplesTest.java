package io.tributary.protocol.changeset;

import static io.tributary.protocol.changeset.ReadingPaths.SENSOR;
import static io.tributary.protocol.changeset.ReadingPaths.VALUE;
import static io.tributary.protocol.changeset.ReadingPaths.TS;
import static io.tributary.protocol.changeset.ReadingPaths.LOCATION;
import static io.tributary.protocol.changeset.ReadingPaths.LAT;
import static io.tributary.protocol.changeset.ReadingPaths.LON;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of spec changeset.md §12 (realm-core output or hand-derived and verified
 * against realm-core), written with the {@link ChangesetWriter} API as an application would, and
 * read back.
 */
class SpecExamplesTest {
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

  private static String hex(ArrayByteSink sink) {
    return HEX.formatHex(sink.toByteArray());
  }

  private static byte[] bytes(String spacedHex) {
    return HEX.parseHex(spacedHex.replaceAll("\\s+", " ").trim());
  }

  @Test
  void section12_1_schemaOfOneAsymmetricClass() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);

    w.addTable("Ping", TableType.TOP_LEVEL_ASYMMETRIC, "_id", PayloadType.INT, false)
        .addColumn("Ping", "note", ColumnType.STRING, true);
    w.finish();

    assertThat(hex(sink)).isEqualTo(
        "3F 00 04 50 69 6E 67 3F 01 03 5F 69 64 00 00 02 01 01 00 3F 02 04 6E 6F 74 65 3F 03 00"
            + " 06 00 02 03 01 00");
  }

  @Test
  void section12_2_twoObjectsWithIntKeys() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);

    w.createObject("Ping", 5).update("note").stringValue("hi");
    w.createObject("Ping", -1);
    w.finish();

    assertThat(hex(sink)).isEqualTo(
        "3F 00 04 50 69 6E 67 02 00 01 05 3F 01 04 6E 6F 74 65 04 00 01 05 01 00 03 02 68 69 00"
            + " 02 00 01 40");
    assertThat(Changeset.parse(sink.toByteArray()).dump()).containsExactly(
        "CreateObject table=\"Ping\" pk=Int(5)",
        "Update table=\"Ping\" pk=Int(5) field=\"note\" path=[] value=String(\"hi\") is_default=false",
        "CreateObject table=\"Ping\" pk=Int(-1)");
  }

  private static void writeReading(ChangesetWriter w, boolean likeRealmCore) {
    ObjectId id = ObjectId.fromHex("6560f0a1c3b2a1f0e4d3c2b1");
    w.createObject("Reading", id);
    w.update("sensor").stringValue("t1");
    w.update("value").doubleValue(21.5);
    w.update("ts").timestampValue(Instant.parse("2023-11-14T22:13:20.123Z"));
    w.update("location").objectValue();
    w.update("location").key("lat");
    if (likeRealmCore) {
      w.inEmbedded("Location");
    }
    w.doubleValue(52.1);
    w.update("location").key("lon");
    if (likeRealmCore) {
      w.inEmbedded("Location");
    }
    w.doubleValue(4.3);
  }

  @Test
  void section12_3_handDerivedReadingWithoutUnusedStrings() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    writeReading(w, false);
    w.finish();

    String oid = "0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1";
    assertThat(hex(sink)).isEqualTo(String.join(" ",
        "3F 00 07 52 65 61 64 69 6E 67", "02 00 " + oid,
        "3F 01 06 73 65 6E 73 6F 72", "04 00 " + oid + " 01 00 03 02 74 31 00",
        "3F 02 05 76 61 6C 75 65", "04 00 " + oid + " 02 00 07 00 00 00 00 00 80 35 40 00",
        "3F 03 02 74 73", "04 00 " + oid + " 03 00 05 80 E2 CF AA 06 C0 A9 D3 3A 00",
        "3F 04 08 6C 6F 63 61 74 69 6F 6E", "04 00 " + oid + " 04 00 41 00",
        "3F 05 03 6C 61 74", "04 00 " + oid + " 04 01 40 05 07 CD CC CC CC CC 0C 4A 40 00",
        "3F 06 03 6C 6F 6E", "04 00 " + oid + " 04 01 40 06 07 33 33 33 33 33 33 11 40 00"));
    assertThat(sink.size()).isEqualTo(224);
  }

  @Test
  void section12_3_realmCoreReadingWithTheEmbeddedClassName() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    writeReading(w, true);
    w.finish();

    assertThat(sink.toByteArray()).isEqualTo(bytes(
        "3F 00 07 52 65 61 64 69 6E 67 02 00 0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1 3F 01 06 73 65 6E 73"
            + " 6F 72 04 00 0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1 01 00 03 02 74 31 00 3F 02 05 76 61 6C 75 65"
            + " 04 00 0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1 02 00 07 00 00 00 00 00 80 35 40 00 3F 03 02 74 73"
            + " 04 00 0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1 03 00 05 80 E2 CF AA 06 C0 A9 D3 3A 00 3F 04 08 6C"
            + " 6F 63 61 74 69 6F 6E 04 00 0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1 04 00 41 00 3F 05 08 4C 6F 63"
            + " 61 74 69 6F 6E 3F 06 03 6C 61 74 04 00 0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1 04 01 40 06 07 CD"
            + " CC CC CC CC 0C 4A 40 00 3F 07 03 6C 6F 6E 04 00 0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1 04 01 40"
            + " 07 07 33 33 33 33 33 33 11 40 00"));
    assertThat(sink.size()).isEqualTo(235);
  }

  @Test
  void section12_3_realmCoreReadingWithFieldPaths() {
    // the same changeset through prepared paths: byte for byte realm-core's (first use of each
    // path in a changeset takes the fluent route)
    ArrayByteSink fluent = new ArrayByteSink();
    ChangesetWriter f = new ChangesetWriter(fluent);
    writeReading(f, true);
    f.finish();
    assertThat(fluent.size()).isEqualTo(235);

    ArrayByteSink prepared = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(prepared);
    writeReadingWithFieldPaths(w);
    w.finish();

    assertThat(prepared.toByteArray()).isEqualTo(fluent.toByteArray());
  }

  @Test
  void section12_3_secondReadingTakesTheFastRouteWithTheSameBytes() {
    // the second reading in a changeset: every path is cached, so this is the fast route
    ArrayByteSink fluent = new ArrayByteSink();
    ChangesetWriter f = new ChangesetWriter(fluent);
    writeReading(f, true);
    writeReading(f, true);
    f.finish();

    ArrayByteSink prepared = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(prepared);
    writeReadingWithFieldPaths(w);
    writeReadingWithFieldPaths(w);
    w.finish();

    byte[] expected = fluent.toByteArray();
    assertThat(prepared.toByteArray()).isEqualTo(expected);
    // the second reading is the first one without InternString records: 235 - 8 records
    assertThat(expected.length).isEqualTo(235 + 235 - 10 - 9 - 8 - 5 - 11 - 11 - 6 - 6);
  }


  private static void writeReadingWithFieldPaths(ChangesetWriter w) {
    w.createObject(Name.of("Reading"), ObjectId.fromHex("6560f0a1c3b2a1f0e4d3c2b1"));
    w.stringValue(SENSOR, "t1");
    w.doubleValue(VALUE, 21.5);
    w.timestampValue(TS, Instant.parse("2023-11-14T22:13:20.123Z"));
    w.objectValue(LOCATION);
    w.doubleValue(LAT, 52.1);
    w.doubleValue(LON, 4.3);
  }

  @Test
  void section12_3_schemaOfReadingAndLocation() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);

    // classes sorted by name: Location before Reading; then columns class by class
    w.addEmbeddedTable("Location")
        .addTable("Reading", TableType.TOP_LEVEL_ASYMMETRIC, "_id", PayloadType.OBJECT_ID, false)
        .addColumn("Location", "lat", ColumnType.DOUBLE, false)
        .addColumn("Location", "lon", ColumnType.DOUBLE, false)
        .addColumn("Reading", "sensor", ColumnType.STRING, false)
        .addColumn("Reading", "value", ColumnType.DOUBLE, false)
        .addColumn("Reading", "ts", ColumnType.TIMESTAMP, false)
        .addColumn("Reading", "location", ColumnType.LINK, true, CollectionType.SINGLE,
            "Location", null);
    w.finish();

    assertThat(hex(sink)).isEqualTo(String.join(" ",
        "3F 00 08 4C 6F 63 61 74 69 6F 6E", "00 00 01",
        "3F 01 07 52 65 61 64 69 6E 67", "3F 02 03 5F 69 64", "00 01 02 02 0A 00",
        "3F 03 03 6C 61 74", "3F 04 00", "06 00 03 07 00 00",
        "3F 05 03 6C 6F 6E", "06 00 05 07 00 00",
        "3F 06 06 73 65 6E 73 6F 72", "06 01 06 03 00 00",
        "3F 07 05 76 61 6C 75 65", "06 01 07 07 00 00",
        "3F 08 02 74 73", "06 01 08 05 00 00",
        "3F 09 08 6C 6F 63 61 74 69 6F 6E", "06 01 09 09 01 00 00"));
    assertThat(sink.size()).isEqualTo(121);
    assertThat(sink.toByteArray()).isEqualTo(Vectors.bytes("embedded_object.schema.bin"));
  }

  private static final String K = "03 01";

  /** §12.4: every row of the table, in order (realm-core output, 304 bytes). */
  private static final String EVENT = String.join(" ",
      "3F 00 05 45 76 65 6E 74", "3F 01 02 65 31",
      "02 00 03 01",
      "3F 02 01 6E", "04 00 " + K + " 02 00 00 00",
      "3F 03 04 66 6C 61 67", "04 00 " + K + " 03 00 02 01 00",
      "3F 04 01 66", "04 00 " + K + " 04 00 06 00 00 C0 3F 00",
      "3F 05 04 64 61 74 61", "04 00 " + K + " 05 00 04 02 01 02 00",
      "3F 06 06 61 6D 6F 75 6E 74", "04 00 " + K + " 06 00 08 D2 09 41 00 00",
      "3F 07 03 75 69 64",
      "04 00 " + K + " 07 00 0B 01 23 E4 56 E8 9B 12 D3 A4 56 42 66 14 17 40 00 00",
      "3F 08 03 61 6E 79", "04 00 " + K + " 08 00 01 41 00",
      "3F 09 05 63 6F 64 65 73", "08 00 " + K + " 09 01 00 01 07 00",
      "08 00 " + K + " 09 01 01 01 AC 02 01",
      "3F 0A 04 74 61 67 73", "0C 00 " + K + " 0A 00 03 01 61",
      "3F 0B 05 61 74 74 72 73", "3F 0C 01 6B",
      "04 00 " + K + " 0B 01 40 0C 07 00 00 00 00 00 00 E0 3F 00",
      "3F 0D 05 70 61 72 74 73", "08 00 " + K + " 0D 01 00 41 00",
      "3F 0E 04 50 61 72 74",
      "3F 0F 04 6E 61 6D 65", "04 00 " + K + " 0D 02 00 40 0F 03 02 70 30 00",
      "3F 10 07 70 61 72 74 6D 61 70", "3F 11 01 78", "04 00 " + K + " 10 01 40 11 41 00",
      "04 00 " + K + " 10 02 40 11 40 0F 03 02 70 78 00");

  @Test
  void section12_4_stringKeyAndEveryCollectionKind() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);

    w.createObject("Event", "e1");
    w.update("n").nullValue();
    w.update("flag").boolValue(true);
    w.update("f").floatValue(1.5f);
    w.update("data").binaryValue(new byte[] {1, 2});
    w.update("amount").decimalValue(new BigDecimal("12.34"));
    w.update("uid").uuidValue(UUID.fromString("0123e456-e89b-12d3-a456-426614174000"));
    w.update("any").intValue(-2);
    w.arrayInsert("codes").index(0).priorSize(0).intValue(7);
    w.arrayInsert("codes").index(1).priorSize(1).intValue(300);
    w.setInsert("tags").stringValue("a");
    w.update("attrs").key("k").doubleValue(0.5);
    w.arrayInsert("parts").index(0).priorSize(0).objectValue();
    w.update("parts").index(0).key("name").inEmbedded("Part").stringValue("p0");
    w.update("partmap").key("x").objectValue();
    w.update("partmap").key("x").key("name").inEmbedded("Part").stringValue("px");
    w.finish();

    assertThat(hex(sink)).isEqualTo(EVENT);
    assertThat(sink.size()).isEqualTo(304);
  }

  @Test
  void section12_4_schemaWithEveryCollectionKind() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);

    w.addTable("Event", TableType.TOP_LEVEL_ASYMMETRIC, "_id", PayloadType.STRING, false)
        .addEmbeddedTable("Part")
        .addColumn("Event", "n", ColumnType.INT, true)
        .addColumn("Event", "flag", ColumnType.BOOL, false)
        .addColumn("Event", "f", ColumnType.FLOAT, false)
        .addColumn("Event", "data", ColumnType.BINARY, false)
        .addColumn("Event", "amount", ColumnType.DECIMAL, false)
        .addColumn("Event", "uid", ColumnType.UUID, false)
        .addColumn("Event", "any", ColumnType.MIXED, true)
        .addColumn("Event", "codes", ColumnType.INT, false, CollectionType.LIST, null, null)
        .addColumn("Event", "tags", ColumnType.STRING, false, CollectionType.SET, null, null)
        .addColumn("Event", "attrs", ColumnType.DOUBLE, false, CollectionType.DICTIONARY, null,
            ColumnType.STRING)
        .addColumn("Event", "parts", ColumnType.LINK, false, CollectionType.LIST, "Part", null)
        .addColumn("Event", "partmap", ColumnType.LINK, true, CollectionType.DICTIONARY, "Part",
            null)
        .addColumn("Part", "name", ColumnType.STRING, false);
    w.finish();
    String hex = hex(sink);

    assertThat(sink.size()).isEqualTo(206);
    assertThat(hex).contains("06 00 0B 01 00 01", "06 00 0C 03 00 03", "06 00 0D 07 00 02 03",
        "06 00 0E 09 00 01 02", "06 00 0F 09 01 02 02 03", "06 00 0A 00 01 00", "00 02 01");
    // the data changeset resolves against it: "Part" is the class of parts[0] and partmap["x"]
    EmbeddedOwners owners = EmbeddedOwners.of(Changeset.parse(sink.toByteArray()));
    ArrayByteSink again = new ArrayByteSink();
    ChangesetWriter w2 = new ChangesetWriter(again);
    Changeset.parse(bytes(EVENT)).writeTo(w2, owners);
    w2.finish();
    assertThat(hex(again)).isEqualTo(EVENT);
  }

  @Test
  void section12_5_mixedCollectionsNegativeTimestampDecimalsNullableUuidKey() {
    ArrayByteSink schemaSink = new ArrayByteSink();
    new ChangesetWriter(schemaSink)
        .addTable("Misc", TableType.TOP_LEVEL_ASYMMETRIC, "_id", PayloadType.UUID, true)
        .finish();
    assertThat(hex(schemaSink)).contains("00 00 02 01 0B 01");

    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("Misc", UUID.fromString("3b241101-e2bb-4255-8caf-4136c566a962"));
    w.update("m1").listValue();
    w.clear("m1").collection(CollectionType.LIST);
    w.arrayInsert("m1").index(0).priorSize(0).intValue(1);
    w.arrayInsert("m1").index(1).priorSize(1).stringValue("x");
    w.update("m2").dictionaryValue();
    w.clear("m2").collection(CollectionType.DICTIONARY);
    w.update("m2").key("k").boolValue(true);
    w.arrayInsert("mlist").index(0).priorSize(0).nullValue();
    w.arrayInsert("mlist").index(1).priorSize(1).doubleValue(2.5);
    w.update("old").timestampValue(Instant.parse("1969-12-31T23:59:58.9Z"));
    w.update("opt").nullValue();
    w.update("oid").nullValue();
    w.update("neg").decimalValue(new BigDecimal("-0.001"));
    w.createObjectWithNullKey("Misc");
    w.update("old").timestampValue(Instant.EPOCH);
    w.update("neg").decimalValue(new BigDecimal("1E+10"));
    w.finish();
    String hex = hex(sink);

    String u = "0B 3B 24 11 01 E2 BB 42 55 8C AF 41 36 C5 66 A9 62";
    assertThat(hex).contains(
        "04 00 " + u + " 01 00 44 00",
        "0B 00 " + u + " 01 00 01",
        "08 00 " + u + " 01 01 00 01 01 00",
        "08 00 " + u + " 01 01 01 03 01 78 01",
        "04 00 " + u + " 02 00 42 00",
        "0B 00 " + u + " 02 00 02",
        "04 00 " + u + " 02 01 40 03 02 01 00",
        "08 00 " + u + " 04 01 00 00 00",
        "04 00 " + u + " 05 00 05 40 FF C1 D7 6F 00",
        "04 00 " + u + " 06 00 00 00",
        "04 00 " + u + " 08 00 08 01 42 01 00",
        "02 00 00",
        "04 00 00 08 00 08 01 0A 00 00");
    assertThat(Changeset.parse(sink.toByteArray()).dump()).contains(
        "Clear table=\"Misc\" pk=UUID(3b241101-e2bb-4255-8caf-4136c566a962) field=\"m1\" path=[]"
            + " collection_type=List",
        "Update table=\"Misc\" pk=UUID(3b241101-e2bb-4255-8caf-4136c566a962) field=\"old\""
            + " path=[] value=Timestamp(seconds=-1, nanoseconds=-100000000 ="
            + " 1969-12-31T23:59:58.900000000Z) is_default=false",
        "CreateObject table=\"Misc\" pk=Null");
  }

  @Test
  void section3_primitiveEncodings() {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject("T", 0);
    int start = (int) w.flush().size();
    w.update("f").floatValue(1.5f);
    w.update("f").doubleValue(52.1);
    w.update("f").timestampValue(Instant.parse("2023-11-14T22:13:20.123Z"));
    w.update("f").timestampValue(Instant.ofEpochSecond(-2, 900_000_000)); // -1.1 s
    w.update("f").timestampValue(0, 0);
    w.update("f").decimalValue(new BigDecimal("12.34"));
    w.update("f").decimalValue(new BigDecimal("-0.001"));
    w.update("f").decimalValue(new BigDecimal("1E+10"));
    w.update("f").decimalValue(new BigDecimal("123.45"));
    w.update("f").objectIdValue(ObjectId.fromHex("6560f0a1c3b2a1f0e4d3c2b1"));
    w.update("f").uuidValue(UUID.fromString("0123e456-e89b-12d3-a456-426614174000"));
    w.finish();
    String[] updates = HEX.formatHex(sink.toByteArray(), start, sink.size())
        .split("04 00 01 00 01 00 ");

    assertThat(updates).containsExactly(
        "3F 01 01 66 ",
        "06 00 00 C0 3F 00 ",
        "07 CD CC CC CC CC 0C 4A 40 00 ",
        "05 80 E2 CF AA 06 C0 A9 D3 3A 00 ",
        "05 40 FF C1 D7 6F 00 ",
        "05 00 00 00 ",
        "08 D2 09 41 00 00 ",
        "08 01 42 01 00 ",
        "08 01 0A 00 00 ",
        "08 B9 E0 00 41 00 00 ",
        "0A 65 60 F0 A1 C3 B2 A1 F0 E4 D3 C2 B1 00 ",
        "0B 01 23 E4 56 E8 9B 12 D3 A4 56 42 66 14 17 40 00 00");
  }
}
