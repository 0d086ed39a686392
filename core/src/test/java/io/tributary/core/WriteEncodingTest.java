package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.testing.ListUploadLog;
import io.tributary.core.testing.RealmCoreVectors;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.Changeset;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the write API encodes beyond the vectors: the spec's worked examples byte for byte,
 * collections inside embedded objects, mixed collections, writers used out of call order, empty
 * transactions, origin timestamps and the commit listener seam. Runs against an in-test list log.
 */
class WriteEncodingTest {
  private static final HexFormat HEX = HexFormat.of();

  private final ListUploadLog log = new ListUploadLog();

  private IngestRealm open(Schema schema) {
    return open(schema, WriteVectorsTest.VECTOR_CLOCK);
  }

  private IngestRealm open(Schema schema, Clock clock) {
    return IngestRealm.open(IngestConfig.builder(schema).storage(log.storage()).clock(clock)
        .build());
  }

  private byte[] entry(int i) {
    return log.entries().get(i).changeset();
  }

  private List<String> dump(int i) {
    return Changeset.parse(entry(i)).dump();
  }

  private static byte[] hex(String spaced) {
    return HEX.parseHex(spaced.replace(" ", "").replace("\n", ""));
  }

  @Test
  void propertyNamesInAnyOrderAndNotInternedEncodeLikeLiteralsInDeclarationOrder() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("Reading")
                .primaryKey("_id", PropertyType.INT)
                .property("a", PropertyType.INT)
                .property("b", PropertyType.DOUBLE)
                .optional("c", PropertyType.STRING)
                .embedded("loc", "Loc"),
            ObjectSchema.embedded("Loc")
                .property("lat", PropertyType.DOUBLE)
                .property("lon", PropertyType.DOUBLE));
    String built = new StringBuilder("Read").append("ing").toString(); // equal, not identical
    try (IngestRealm realm = open(schema)) {
      realm.write(tx -> {
        tx.create("Reading", 1).set("a", 1).set("b", 2.0).set("c", "x")
            .embedded("loc").set("lat", 3.0).set("lon", 4.0);
        tx.create("Reading", 2).set("a", 5).set("b", 6.0).set("c", "y")
            .embedded("loc").set("lat", 7.0).set("lon", 8.0);
      });
      realm.write(tx -> {
        // the lookup's guess (the next declared property, by identity) misses on every call here
        tx.create("Reading", 1).set("c", "x").set(new String("b".toCharArray()), 2.0).set("a", 1)
            .embedded("loc").set("lat", 3.0).set(new String("lon".toCharArray()), 4.0);
        tx.create(built, 2).set("a", 5).set("b", 6.0).set("c", "y")
            .embedded("loc").set("lat", 7.0).set("lon", 8.0);
      });
    }
    // entry 0 is the schema's changeset
    List<String> declared = dump(1);
    List<String> shuffled = dump(2);
    assertThat(declared).hasSize(14);
    // the same instructions; only the order of the first object's updates differs
    assertThat(shuffled).containsExactlyInAnyOrderElementsOf(declared);
    assertThat(shuffled.subList(shuffled.size() / 2, shuffled.size()))
        .isEqualTo(declared.subList(declared.size() / 2, declared.size()));
  }

  @Test
  void repeatedObjectsWithEmbeddedObjectsEncodeLikeTheFluentWriter() {
    // the write API takes the writer's prepared-path route (FieldPath) for root properties and
    // for embedded objects right below them; from the second object on it is the fast route
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("Reading")
                .primaryKey("_id", PropertyType.INT)
                .property("sensor", PropertyType.STRING)
                .property("value", PropertyType.DOUBLE)
                .property("n", PropertyType.INT)
                .property("ok", PropertyType.BOOL)
                .property("f", PropertyType.FLOAT)
                .property("ts", PropertyType.TIMESTAMP)
                .property("oid", PropertyType.OBJECT_ID)
                .embedded("loc", "Loc"),
            ObjectSchema.embedded("Loc")
                .property("lat", PropertyType.DOUBLE)
                .property("name", PropertyType.STRING)
                .embedded("inner", "Inner"),
            ObjectSchema.embedded("Inner").property("x", PropertyType.DOUBLE));
    ObjectId oid = ObjectId.fromHex("6560f0a1c3b2a1f0e4d3c2b1");
    Instant ts = Instant.parse("2023-11-14T22:13:20.123Z");
    try (IngestRealm realm = open(schema)) {
      realm.write(tx -> {
        for (int i = 0; i < 3; i++) {
          ObjectWriter inner = tx.create("Reading", i).set("sensor", "s" + i).set("value", i / 3.0)
              .set("n", -i).set("ok", i % 2 == 0).set("f", 1.5f * i).set("ts", ts.plusSeconds(i))
              .set("oid", oid)
              .embedded("loc").set("lat", 50.0 + i).set("name", "é" + i).embedded("inner");
          inner.set("x", i * 2.0);
        }
      });
    }
    io.tributary.protocol.changeset.ArrayByteSink sink =
        new io.tributary.protocol.changeset.ArrayByteSink();
    io.tributary.protocol.changeset.ChangesetWriter w =
        new io.tributary.protocol.changeset.ChangesetWriter(sink);
    for (int i = 0; i < 3; i++) {
      w.createObject("Reading", i);
      w.update("sensor").stringValue("s" + i);
      w.update("value").doubleValue(i / 3.0);
      w.update("n").intValue(-i);
      w.update("ok").boolValue(i % 2 == 0);
      w.update("f").floatValue(1.5f * i);
      w.update("ts").timestampValue(ts.plusSeconds(i));
      w.update("oid").objectIdValue(oid);
      w.update("loc").objectValue();
      w.update("loc").key("lat").inEmbedded("Loc").doubleValue(50.0 + i);
      w.update("loc").key("name").inEmbedded("Loc").stringValue("é" + i);
      w.update("loc").key("inner").inEmbedded("Loc").objectValue();
      w.update("loc").key("inner").key("x").inEmbedded("Inner").doubleValue(i * 2.0);
    }
    w.finish();
    assertThat(entry(1)).isEqualTo(sink.toByteArray());
  }

  @Test
  void firstAndLaterObjectsOfEachClassEncodeLikeTheFluentWriterAcrossTransactions() {
    // prepared paths (root and embedded) over several transactions on one writer: the classes
    // come in a different order in each transaction (so the names' intern indices differ between
    // changesets), a property may first be set on a later object, and values without a prepared
    // terminal (null, binary, decimal, uuid) take the fluent route in between
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("A")
                .primaryKey("_id", PropertyType.INT)
                .property("x", PropertyType.DOUBLE)
                .optional("s", PropertyType.STRING)
                .optional("bin", PropertyType.BINARY)
                .optional("dec", PropertyType.DECIMAL128)
                .optional("u", PropertyType.UUID)
                .embedded("e", "E"),
            ObjectSchema.asymmetric("B")
                .primaryKey("_id", PropertyType.STRING)
                .optional("t", PropertyType.TIMESTAMP)
                .property("n", PropertyType.INT)
                .embedded("e", "E"),
            ObjectSchema.embedded("E")
                .property("v", PropertyType.DOUBLE)
                .property("w", PropertyType.INT));
    Instant ts = Instant.parse("2024-03-01T12:34:56.789Z");
    UUID uuid = UUID.fromString("3b241101-e2bb-4255-8caf-4136c566a962");
    try (IngestRealm realm = open(schema)) {
      for (int round = 0; round < 3; round++) {
        int r = round;
        realm.write(tx -> {
          for (int i = 0; i < 4; i++) {
            boolean aFirst = (r + i) % 2 == 0;
            if (aFirst) {
              writeA(tx, r, i, uuid);
            }
            ObjectWriter b = tx.create("B", "b" + r + "-" + i);
            if (i > 0) {
              b.set("t", ts.plusSeconds(i)); // never on the first B of a transaction
            }
            b.set("n", 10L * r + i).embedded("e").set("v", i / 4.0).set("w", r);
            if (!aFirst) {
              writeA(tx, r, i, uuid);
            }
          }
        });
      }
    }
    io.tributary.protocol.changeset.ArrayByteSink sink =
        new io.tributary.protocol.changeset.ArrayByteSink();
    io.tributary.protocol.changeset.ChangesetWriter w =
        new io.tributary.protocol.changeset.ChangesetWriter();
    for (int r = 0; r < 3; r++) {
      sink.clear();
      w.reset(sink);
      for (int i = 0; i < 4; i++) {
        boolean aFirst = (r + i) % 2 == 0;
        if (aFirst) {
          fluentA(w, r, i, uuid);
        }
        w.createObject("B", "b" + r + "-" + i);
        if (i > 0) {
          w.update("t").timestampValue(ts.plusSeconds(i));
        }
        w.update("n").intValue(10L * r + i);
        w.update("e").objectValue();
        w.update("e").key("v").inEmbedded("E").doubleValue(i / 4.0);
        w.update("e").key("w").inEmbedded("E").intValue(r);
        if (!aFirst) {
          fluentA(w, r, i, uuid);
        }
      }
      w.finish();
      assertThat(entry(1 + r)).as("transaction %d", r).isEqualTo(sink.toByteArray());
    }
  }

  private static void writeA(Transaction tx, int r, int i, UUID uuid) {
    ObjectWriter a = tx.create("A", 100L * r + i).set("x", i * 1.5);
    if (i % 2 == 1) {
      a.set("s", "s" + i).set("bin", new byte[] {(byte) i}).set("dec", BigDecimal.valueOf(i, 1))
          .set("u", uuid);
    } else {
      a.setNull("s").set("bin", (byte[]) null);
    }
    a.embedded("e").set("w", i).set("v", -1.0 * i);
  }

  private static void fluentA(
      io.tributary.protocol.changeset.ChangesetWriter w, int r, int i, UUID uuid) {
    w.createObject("A", 100L * r + i);
    w.update("x").doubleValue(i * 1.5);
    if (i % 2 == 1) {
      w.update("s").stringValue("s" + i);
      w.update("bin").binaryValue(new byte[] {(byte) i});
      w.update("dec").decimalValue(BigDecimal.valueOf(i, 1));
      w.update("u").uuidValue(uuid);
    } else {
      w.update("s").nullValue();
      w.update("bin").nullValue();
    }
    w.update("e").objectValue();
    w.update("e").key("w").inEmbedded("E").intValue(i);
    w.update("e").key("v").inEmbedded("E").doubleValue(-1.0 * i);
  }

  // ---------------------------------------------------------------------------------------------
  // the spec's examples

  @Test
  void pingExamplesOfSpecSections12Point1And12Point2() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("Ping")
                .primaryKey("_id", PropertyType.INT)
                .optional("note", PropertyType.STRING));
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx -> {
            tx.create("Ping", 5).set("note", "hi");
            tx.create("Ping", -1); // note left out: no Update
          });
    }
    assertThat(entry(0))
        .isEqualTo(
            hex("3F 00 04 50 69 6E 67 3F 01 03 5F 69 64 00 00 02 01 01 00 3F 02 04 6E 6F 74 65 3F"
                + " 03 00 06 00 02 03 01 00"));
    assertThat(entry(1))
        .isEqualTo(
            hex("3F 00 04 50 69 6E 67 02 00 01 05 3F 01 04 6E 6F 74 65 04 00 01 05 01 00 03 02 68"
                + " 69 00 02 00 01 40"));
  }

  @Test
  void eventOfSpecSection12Point4WithEveryCollectionKindMatchesRealmCore() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("Event")
                .primaryKey("_id", PropertyType.STRING)
                .optional("n", PropertyType.INT)
                .property("flag", PropertyType.BOOL)
                .property("f", PropertyType.FLOAT)
                .property("data", PropertyType.BINARY)
                .property("amount", PropertyType.DECIMAL128)
                .property("uid", PropertyType.UUID)
                .property("any", PropertyType.MIXED)
                .list("codes", PropertyType.INT)
                .set("tags", PropertyType.STRING)
                .dictionary("attrs", PropertyType.DOUBLE)
                .embeddedList("parts", "Part")
                .embeddedDictionary("partmap", "Part"),
            ObjectSchema.embedded("Part").property("name", PropertyType.STRING));
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx ->
              tx.create("Event", "e1")
                  .setNull("n")
                  .set("flag", true)
                  .set("f", 1.5f)
                  .set("data", new byte[] {1, 2})
                  .set("amount", new BigDecimal("12.34"))
                  .set("uid", UUID.fromString("0123e456-e89b-12d3-a456-426614174000"))
                  .set("any", -2)
                  .list("codes").add(7).add(300).parent()
                  .set("tags").add("a").parent()
                  .dictionary("attrs").put("k", 0.5).parent()
                  .list("parts").addEmbedded().set("name", "p0").parent()
                  .dictionary("partmap").putEmbedded("x").set("name", "px"));
    }
    String k = "03 01 ";
    byte[] expected =
        hex("3F 00 05 45 76 65 6E 74 3F 01 02 65 31 02 00 03 01"
            + " 3F 02 01 6E 04 00 " + k + "02 00 00 00"
            + " 3F 03 04 66 6C 61 67 04 00 " + k + "03 00 02 01 00"
            + " 3F 04 01 66 04 00 " + k + "04 00 06 00 00 C0 3F 00"
            + " 3F 05 04 64 61 74 61 04 00 " + k + "05 00 04 02 01 02 00"
            + " 3F 06 06 61 6D 6F 75 6E 74 04 00 " + k + "06 00 08 D2 09 41 00 00"
            + " 3F 07 03 75 69 64 04 00 " + k
            + "07 00 0B 01 23 E4 56 E8 9B 12 D3 A4 56 42 66 14 17 40 00 00"
            + " 3F 08 03 61 6E 79 04 00 " + k + "08 00 01 41 00"
            + " 3F 09 05 63 6F 64 65 73 08 00 " + k + "09 01 00 01 07 00"
            + " 08 00 " + k + "09 01 01 01 AC 02 01"
            + " 3F 0A 04 74 61 67 73 0C 00 " + k + "0A 00 03 01 61"
            + " 3F 0B 05 61 74 74 72 73 3F 0C 01 6B 04 00 " + k
            + "0B 01 40 0C 07 00 00 00 00 00 00 E0 3F 00"
            + " 3F 0D 05 70 61 72 74 73 08 00 " + k + "0D 01 00 41 00"
            + " 3F 0E 04 50 61 72 74"
            + " 3F 0F 04 6E 61 6D 65 04 00 " + k + "0D 02 00 40 0F 03 02 70 30 00"
            + " 3F 10 07 70 61 72 74 6D 61 70 3F 11 01 78 04 00 " + k + "10 01 40 11 41 00"
            + " 04 00 " + k + "10 02 40 11 40 0F 03 02 70 78 00");
    assertThat(expected).hasSize(304); // the captured size (spec changeset.md §12.4)
    assertThat(HEX.formatHex(entry(1))).isEqualTo(HEX.formatHex(expected));
  }

  @Test
  void mixedCollectionsAndANullKeyAsInSpecSection12Point5() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("Misc")
                .primaryKey("_id", PropertyType.UUID, true)
                .property("m1", PropertyType.MIXED)
                .property("m2", PropertyType.MIXED)
                .list("mlist", PropertyType.MIXED)
                .property("old", PropertyType.TIMESTAMP)
                .optional("opt", PropertyType.TIMESTAMP)
                .optional("oid", PropertyType.OBJECT_ID)
                .property("neg", PropertyType.DECIMAL128));
    UUID u = UUID.fromString("3b241101-e2bb-4255-8caf-4136c566a962");
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx -> {
            ObjectWriter w = tx.create("Misc", u);
            w.mixedList("m1").add(1).add("x");
            w.mixedDictionary("m2").put("k", true);
            w.list("mlist").addNull().add(2.5);
            w.set("old", Instant.parse("1969-12-31T23:59:58.9Z"))
                .set("opt", (Instant) null)
                .setNull("oid")
                .set("neg", new BigDecimal("-0.001"));
            tx.createWithNullKey("Misc")
                .set("old", Instant.EPOCH)
                .set("neg", new BigDecimal("1E+10"));
          });
    }
    String uh = "0B 3B 24 11 01 E2 BB 42 55 8C AF 41 36 C5 66 A9 62";
    String all = HEX.formatHex(entry(1));
    // the records the spec shows (each must appear, in this order)
    String[] records = {
      "04 00 " + uh + " 01 00 44 00", // .m1 = List
      "0B 00 " + uh + " 01 00 01", // Clear .m1 (List)
      "08 00 " + uh + " 01 01 00 01 01 00", // .m1[0] = 1
      "08 00 " + uh + " 01 01 01 03 01 78 01", // .m1[1] = "x"
      "04 00 " + uh + " 02 00 42 00", // .m2 = Dictionary
      "0B 00 " + uh + " 02 00 02", // Clear .m2 (Dictionary)
      "04 00 " + uh + " 02 01 40 03 02 01 00", // .m2["k"] = true
      "08 00 " + uh + " 04 01 00 00 00", // .mlist[0] = null
      "04 00 " + uh + " 05 00 05 40 FF C1 D7 6F 00", // .old = (-1 s, -100 000 000 ns)
      "04 00 " + uh + " 06 00 00 00", // .opt = null
      "04 00 " + uh + " 08 00 08 01 42 01 00", // .neg = -0.001
      "02 00 00", // CreateObject Misc[null]
      "04 00 00 08 00 08 01 0A 00 00" // [null].neg = 1E10
    };
    int from = 0;
    for (String r : records) {
      String h = HEX.formatHex(hex(r));
      int at = all.indexOf(h, from);
      assertThat(at).as("record %s after %d", r, from).isGreaterThanOrEqualTo(0);
      from = at + h.length();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // shapes of the API

  private static Schema embeddedObjectSchema() {
    return RealmCoreVectors.schema(RealmCoreVectors.vector("embedded_object"));
  }

  @Test
  void embeddedObjectsCanBeWrittenWithParentOrWithALambda() {
    ObjectId id = ObjectId.fromHex("65f1a2b3c4d5e6f708192a3b");
    Instant ts = Instant.parse("2024-03-01T12:34:56.789Z");
    try (IngestRealm realm = open(embeddedObjectSchema())) {
      realm.write(
          tx ->
              tx.create("Reading", id)
                  .set("sensor", "t1")
                  .set("value", 21.5)
                  .set("ts", ts)
                  .embedded("location").set("lat", 52.1).set("lon", 4.3));
      realm.write(
          tx ->
              tx.create("Reading", id)
                  .set("sensor", "t1")
                  .set("value", 21.5)
                  .set("ts", ts)
                  .embedded("location", l -> l.set("lat", 52.1).set("lon", 4.3)));
      realm.write(
          tx -> {
            ObjectWriter r = tx.create("Reading", id).set("sensor", "t1").set("value", 21.5);
            r.set("ts", ts).embedded("location").set("lat", 52.1).set("lon", 4.3).parent();
          });
    }
    byte[] expected = RealmCoreVectors.bytes("embedded_object.bin");
    assertThat(entry(1)).isEqualTo(expected);
    assertThat(entry(2)).isEqualTo(expected);
    assertThat(entry(3)).isEqualTo(expected);
  }

  @Test
  void instructionsFollowCallOrderAndAnEarlierObjectIsSelectedAgain() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("A")
                .primaryKey("_id", PropertyType.INT)
                .property("x", PropertyType.INT)
                .property("y", PropertyType.INT));
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx -> {
            ObjectWriter a = tx.create("A", 1).set("y", 10);
            ObjectWriter b = tx.create("A", 2).set("x", 20);
            a.set("x", 11); // back to A after B: addresses A[1] again
            b.set("y", 21).set("y", 22); // set twice: two Updates, the last wins
          });
    }
    assertThat(dump(1))
        .containsExactly(
            "CreateObject table=\"A\" pk=Int(1)",
            "Update table=\"A\" pk=Int(1) field=\"y\" path=[] value=Int(10) is_default=false",
            "CreateObject table=\"A\" pk=Int(2)",
            "Update table=\"A\" pk=Int(2) field=\"x\" path=[] value=Int(20) is_default=false",
            "Update table=\"A\" pk=Int(1) field=\"x\" path=[] value=Int(11) is_default=false",
            "Update table=\"A\" pk=Int(2) field=\"y\" path=[] value=Int(21) is_default=false",
            "Update table=\"A\" pk=Int(2) field=\"y\" path=[] value=Int(22) is_default=false");
  }

  @Test
  void objectIdUuidAndStringKeysAreSelectedAgainFromPooledWritersOfAnyKeyKind() {
    // pooled writers keep ObjectId and UUID keys as longs (no reference stored per object, for
    // G1's card marks): going back to an earlier object must rebuild exactly its key, also when
    // the writer at that pool position held another key kind in the previous transaction
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("O")
                .primaryKey("_id", PropertyType.OBJECT_ID)
                .property("x", PropertyType.INT),
            ObjectSchema.asymmetric("U")
                .primaryKey("_id", PropertyType.UUID)
                .property("x", PropertyType.INT),
            ObjectSchema.asymmetric("S")
                .primaryKey("_id", PropertyType.STRING)
                .property("x", PropertyType.INT));
    ObjectId oid = ObjectId.fromHex("f5f1a2b3c4d5e6f708192a3b");
    UUID uuid = UUID.fromString("f3241101-e2bb-4255-8caf-4136c566a962");
    List<String> described = new ArrayList<>();
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx -> {
            ObjectWriter o = tx.create("O", oid).set("x", 1);
            ObjectWriter u = tx.create("U", uuid).set("x", 2);
            o.set("x", 3);
            u.set("x", 4);
            described.add(o.toString());
            described.add(u.toString());
          });
      realm.write(
          tx -> {
            ObjectWriter u = tx.create("U", uuid).set("x", 5);
            ObjectWriter s = tx.create("S", "k").set("x", 6);
            ObjectWriter o = tx.create("O", oid).set("x", 7);
            u.set("x", 8);
            s.set("x", 9);
            o.set("x", 10);
            described.add(u.toString());
            described.add(o.toString());
          });
    }
    assertThat(described)
        .containsExactly(
            "ObjectWriter{O[f5f1a2b3c4d5e6f708192a3b]}",
            "ObjectWriter{U[f3241101-e2bb-4255-8caf-4136c566a962]}",
            "ObjectWriter{U[f3241101-e2bb-4255-8caf-4136c566a962]}",
            "ObjectWriter{O[f5f1a2b3c4d5e6f708192a3b]}");
    List<String> first = dump(1);
    List<String> second = dump(2);
    String o = "table=\"O\" pk=ObjectId(f5f1a2b3c4d5e6f708192a3b)";
    assertThat(first.get(4)).startsWith("Update " + o + " field=\"x\"").contains("Int(3)");
    assertThat(first.get(5)).startsWith("Update table=\"U\" pk=").contains("Int(4)")
        .isEqualTo(first.get(3).replace("Int(2)", "Int(4)"));
    assertThat(second.get(6)).startsWith("Update table=\"U\" pk=").contains("Int(8)")
        .isEqualTo(second.get(1).replace("Int(5)", "Int(8)"));
    assertThat(second.get(7))
        .isEqualTo("Update table=\"S\" pk=String(\"k\") field=\"x\" path=[] value=Int(9)"
            + " is_default=false");
    assertThat(second.get(8)).isEqualTo("Update " + o + " field=\"x\" path=[] value=Int(10)"
        + " is_default=false");
  }

  @Test
  void collectionsInsideEmbeddedObjectsAddressThemThroughThePath() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("Trip")
                .primaryKey("_id", PropertyType.INT)
                .embeddedList("legs", "Leg"),
            ObjectSchema.embedded("Leg")
                .list("stops", PropertyType.STRING)
                .set("modes", PropertyType.INT)
                .dictionary("notes", PropertyType.STRING, true)
                .embedded("end", "Point"),
            ObjectSchema.embedded("Point").property("x", PropertyType.DOUBLE));
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx -> {
            ObjectWriter trip = tx.create("Trip", 7);
            ListWriter legs = trip.list("legs");
            ObjectWriter leg0 = legs.addEmbedded();
            ObjectWriter leg1 = legs.addEmbedded();
            leg1.list("stops").add("b");
            leg0.list("stops").add("a0").add("a1");
            leg0.set("modes").add(3);
            leg0.dictionary("notes").put("k", "v").putNull("z");
            leg1.embedded("end").set("x", 1.5);
            leg1.list("stops").add("c"); // the list continues where it was
          });
    }
    String p = "table=\"Trip\" pk=Int(7) field=\"legs\" ";
    assertThat(dump(1))
        .containsExactly(
            "CreateObject table=\"Trip\" pk=Int(7)",
            "ArrayInsert " + p + "path=[0] value=ObjectValue prior_size=0",
            "ArrayInsert " + p + "path=[1] value=ObjectValue prior_size=1",
            "ArrayInsert " + p + "path=[1, \"stops\", 0] value=String(\"b\") prior_size=0",
            "ArrayInsert " + p + "path=[0, \"stops\", 0] value=String(\"a0\") prior_size=0",
            "ArrayInsert " + p + "path=[0, \"stops\", 1] value=String(\"a1\") prior_size=1",
            "SetInsert " + p + "path=[0, \"modes\"] value=Int(3)",
            "Update " + p + "path=[0, \"notes\", \"k\"] value=String(\"v\") is_default=false",
            "Update " + p + "path=[0, \"notes\", \"z\"] value=Null is_default=false",
            "Update " + p + "path=[1, \"end\"] value=ObjectValue is_default=false",
            "Update " + p + "path=[1, \"end\", \"x\"] value=Double(1.5 bits=000000000000f83f)"
                + " is_default=false",
            "ArrayInsert " + p + "path=[1, \"stops\", 1] value=String(\"c\") prior_size=1");
    // realm-core interns each embedded class name before its first property instruction
    assertThat(Changeset.parse(entry(1)).internedStrings())
        .containsSubsequence("legs", "Leg", "stops", "Point", "x");
  }

  @Test
  void requiredPropertiesThatAreNeverSetWriteNothingAsInRealmCore() {
    // decision (spec changeset.md §9.2 item 3, §11.2): allowed; the server stores zero values
    try (IngestRealm realm = open(embeddedObjectSchema())) {
      realm.write(tx -> tx.create("Reading", ObjectId.fromHex("65f1a2b3c4d5e6f708192a3b")));
    }
    assertThat(dump(1))
        .containsExactly("CreateObject table=\"Reading\" pk=ObjectId(65f1a2b3c4d5e6f708192a3b)");
  }

  @Test
  void aFreshObjectStartsWithEmptyCollections() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("A").primaryKey("_id", PropertyType.INT)
                .list("xs", PropertyType.INT));
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx -> {
            tx.create("A", 1).list("xs").add(1).add(2);
            assertThat(tx.create("A", 2).list("xs").add(3).size()).isEqualTo(1);
          });
    }
    assertThat(dump(1))
        .contains(
            "ArrayInsert table=\"A\" pk=Int(2) field=\"xs\" path=[0] value=Int(3) prior_size=0");
  }

  @Test
  void pooledWritersServeWhateverClassComesAtTheirPosition() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("A")
                .primaryKey("_id", PropertyType.INT)
                .list("xs", PropertyType.INT)
                .embedded("e", "E"),
            ObjectSchema.asymmetric("B")
                .primaryKey("_id", PropertyType.INT)
                .property("p", PropertyType.INT)
                .property("q", PropertyType.INT)
                .list("ys", PropertyType.STRING)
                .set("zs", PropertyType.INT)
                .embedded("e", "E"),
            ObjectSchema.embedded("E").property("v", PropertyType.INT));
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx -> {
            tx.create("A", 1).list("xs").add(1).parent().embedded("e").set("v", 1);
            tx.create("B", 2).list("ys").add("y").parent().set("zs").add(2);
          });
      realm.write(
          tx -> {
            tx.create("B", 3).list("ys").add("y3").parent().set("zs").add(3).parent()
                .embedded("e").set("v", 3);
            tx.create("A", 4).list("xs").add(4);
          });
    }
    assertThat(dump(2))
        .containsExactly(
            "CreateObject table=\"B\" pk=Int(3)",
            "ArrayInsert table=\"B\" pk=Int(3) field=\"ys\" path=[0] value=String(\"y3\")"
                + " prior_size=0",
            "SetInsert table=\"B\" pk=Int(3) field=\"zs\" path=[] value=Int(3)",
            "Update table=\"B\" pk=Int(3) field=\"e\" path=[] value=ObjectValue"
                + " is_default=false",
            "Update table=\"B\" pk=Int(3) field=\"e\" path=[\"v\"] value=Int(3)"
                + " is_default=false",
            "CreateObject table=\"A\" pk=Int(4)",
            "ArrayInsert table=\"A\" pk=Int(4) field=\"xs\" path=[0] value=Int(4) prior_size=0");
  }

  @Test
  void embeddedPropertiesOfOneClassKeepTheirOwnFieldWhereverTheWriterIsPooled() {
    // the prepared Update targets of an embedded object belong to the property that holds it:
    // two properties of one embedded class, and list elements of it (which take the fluent route)
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("A")
                .primaryKey("_id", PropertyType.INT)
                .embedded("e", "E")
                .embedded("f", "E")
                .embeddedList("es", "E"),
            ObjectSchema.embedded("E")
                .property("v", PropertyType.INT)
                .property("w", PropertyType.STRING));
    try (IngestRealm realm = open(schema)) {
      for (int k = 0; k < 2; k++) {
        int base = 10 * k;
        realm.write(
            tx -> {
              ObjectWriter a = tx.create("A", base + 1);
              a.embedded("e").set("v", base + 1).set("w", "e");
              ListWriter es = a.list("es");
              es.addEmbedded().set("v", base + 2);
              es.addEmbedded().set("w", "l");
              a.embedded("f").set("w", "f").set("v", base + 3);
              tx.create("A", base + 2).embedded("f").set("v", base + 4);
            });
      }
    }
    for (int k = 0; k < 2; k++) {
      String a1 = "table=\"A\" pk=Int(" + (10 * k + 1) + ")";
      String a2 = "table=\"A\" pk=Int(" + (10 * k + 2) + ")";
      assertThat(dump(k + 1))
          .containsExactly(
              "CreateObject " + a1,
              "Update " + a1 + " field=\"e\" path=[] value=ObjectValue is_default=false",
              "Update " + a1 + " field=\"e\" path=[\"v\"] value=Int(" + (10 * k + 1)
                  + ") is_default=false",
              "Update " + a1 + " field=\"e\" path=[\"w\"] value=String(\"e\") is_default=false",
              "ArrayInsert " + a1 + " field=\"es\" path=[0] value=ObjectValue prior_size=0",
              "Update " + a1 + " field=\"es\" path=[0, \"v\"] value=Int(" + (10 * k + 2)
                  + ") is_default=false",
              "ArrayInsert " + a1 + " field=\"es\" path=[1] value=ObjectValue prior_size=1",
              "Update " + a1 + " field=\"es\" path=[1, \"w\"] value=String(\"l\")"
                  + " is_default=false",
              "Update " + a1 + " field=\"f\" path=[] value=ObjectValue is_default=false",
              "Update " + a1 + " field=\"f\" path=[\"w\"] value=String(\"f\") is_default=false",
              "Update " + a1 + " field=\"f\" path=[\"v\"] value=Int(" + (10 * k + 3)
                  + ") is_default=false",
              "CreateObject " + a2,
              "Update " + a2 + " field=\"f\" path=[] value=ObjectValue is_default=false",
              "Update " + a2 + " field=\"f\" path=[\"v\"] value=Int(" + (10 * k + 4)
                  + ") is_default=false");
    }
  }

  @Test
  void setMixedMapsJavaTypes() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("M")
                .primaryKey("_id", PropertyType.INT)
                .property("a", PropertyType.MIXED)
                .property("b", PropertyType.MIXED)
                .property("c", PropertyType.MIXED)
                .property("d", PropertyType.DOUBLE));
    try (IngestRealm realm = open(schema)) {
      realm.write(
          tx ->
              tx.create("M", 1)
                  .setMixed("a", (short) 3)
                  .setMixed("b", null)
                  .setMixed("c", 2.5f)
                  .setMixed("d", 1.25));
    }
    assertThat(dump(1))
        .containsExactly(
            "CreateObject table=\"M\" pk=Int(1)",
            "Update table=\"M\" pk=Int(1) field=\"a\" path=[] value=Int(3) is_default=false",
            "Update table=\"M\" pk=Int(1) field=\"b\" path=[] value=Null is_default=false",
            "Update table=\"M\" pk=Int(1) field=\"c\" path=[] value=Float(2.5 bits=00002040)"
                + " is_default=false",
            "Update table=\"M\" pk=Int(1) field=\"d\" path=[] value=Double(1.25"
                + " bits=000000000000f43f) is_default=false");
  }

  // ---------------------------------------------------------------------------------------------
  // commits

  @Test
  void aTransactionThatCreatesNothingAppendsNothing() {
    try (IngestRealm realm = open(embeddedObjectSchema())) {
      assertThat(realm.write(tx -> {})).isZero();
    }
    assertThat(log.entries()).hasSize(1); // the schema changeset only
  }

  @Test
  void originTimestampsComeFromTheInjectedClockInMillisecondsSince2015() {
    Clock clock = Clock.fixed(Instant.parse("2015-01-01T00:00:01.234Z"), ZoneOffset.UTC);
    try (IngestRealm realm = open(embeddedObjectSchema(), clock)) {
      realm.write(tx -> tx.create("Reading", ObjectId.get()));
    }
    assertThat(log.entries().get(1).originTimestamp()).isEqualTo(1234);

    ListUploadLog early = new ListUploadLog();
    Clock before2015 = Clock.fixed(Instant.parse("2014-12-31T00:00:00Z"), ZoneOffset.UTC);
    IngestRealm.open(
            IngestConfig.builder(embeddedObjectSchema()).storage(early.storage())
                .clock(before2015).build())
        .close();
    assertThat(early.entries().get(0).originTimestamp()).isZero();
  }

  @Test
  void commitListenersHearOfEveryCommitAfterTheAppend() {
    List<long[]> heard = new ArrayList<>();
    try (IngestRealm realm = open(embeddedObjectSchema())) {
      realm.committer().addListener((v, n, bytes) -> heard.add(new long[] {v, n, bytes,
          log.appends()}));
      realm.committer().addListener((v, n, bytes) -> {
        throw new IllegalStateException("a broken listener does not fail the commit");
      });
      long v1 = realm.write(tx -> tx.create("Reading", ObjectId.get()));
      long v2 = realm.write(tx -> {
        tx.create("Reading", ObjectId.get());
        tx.create("Reading", ObjectId.get());
      });
      assertThat(v1).isEqualTo(2);
      assertThat(v2).isEqualTo(3);
    }
    assertThat(heard).hasSize(2);
    assertThat(heard.get(0)).containsExactly(2, 1, entry(1).length, 2);
    assertThat(heard.get(1)).containsExactly(3, 2, entry(2).length, 3);
  }
}
