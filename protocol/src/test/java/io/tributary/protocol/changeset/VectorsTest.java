package io.tributary.protocol.changeset;

import static io.tributary.protocol.changeset.Vectors.list;
import static io.tributary.protocol.changeset.Vectors.map;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every changeset vector produced by realm-core 14.14.0 (index.json): decoding gives exactly
 * realm-core's {@code changeset-dump} lines and the objects index.json describes; re-encoding the
 * decoded content with {@link ChangesetWriter} gives the same bytes, in both realm-core layouts.
 */
class VectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  /** One changeset file: its bytes, realm-core's dump, and the schema it belongs to. */
  static final class Case {
    final String vector;
    final String file;
    final List<String> decoded;
    final String schemaFile;

    Case(String vector, String file, List<String> decoded, String schemaFile) {
      this.vector = vector;
      this.file = file;
      this.decoded = decoded;
      this.schemaFile = schemaFile;
    }

    @Override
    public String toString() {
      return file;
    }
  }

  @SuppressWarnings("unchecked")
  static List<Case> cases() {
    List<Case> out = new ArrayList<>();
    for (Map<String, Object> v : Vectors.changesetVectors()) {
      String name = (String) v.get("name");
      if (v.containsKey("changesets")) {
        List<Object> cs = list(v.get("changesets"));
        String schema = (String) map(cs.get(0)).get("file");
        for (Object c : cs) {
          out.add(new Case(name, (String) map(c).get("file"),
              (List<String>) (List<?>) map(c).get("decoded"), schema));
        }
        continue;
      }
      Map<String, Object> s = map(v.get("schema_changeset"));
      out.add(new Case(name, (String) s.get("file"), (List<String>) (List<?>) s.get("decoded"),
          (String) s.get("file")));
      if (v.containsKey("data_changeset")) {
        Map<String, Object> d = map(v.get("data_changeset"));
        out.add(new Case(name, (String) d.get("file"), (List<String>) (List<?>) d.get("decoded"),
            (String) s.get("file")));
      }
    }
    return out;
  }

  static Stream<Arguments> encoderVariants() {
    List<Arguments> out = new ArrayList<>();
    for (Map<String, Object> v : Vectors.changesetVectors()) {
      if (v.containsKey("encoder_variant")) {
        out.add(Arguments.of(
            map(v.get("encoder_variant")).get("file"),
            map(v.get("data_changeset")).get("file"),
            map(v.get("schema_changeset")).get("file")));
      }
    }
    return out.stream();
  }

  @Test
  void indexCoversEveryKindOfVector() {
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(50);
    assertThat(encoderVariants()).hasSize(4);
    assertThat(Vectors.invalidVectors()).hasSize(14);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void copiedFileIsTheVectorIndexJsonDescribes(Case c) throws Exception {
    byte[] bytes = Vectors.bytes(c.file);
    Map<String, Object> entry = entryFor(c);

    assertThat(bytes.length).isEqualTo(((Number) entry.get("size")).intValue());
    assertThat(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
        .isEqualTo(entry.get("sha256"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decodesToTheInstructionsRealmCoreDumps(Case c) {
    Changeset cs = Changeset.parse(Vectors.bytes(c.file));

    assertThat(cs.dump()).containsExactlyElementsOf(c.decoded);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reencodingTheDecodedContentReproducesTheBytes(Case c) {
    byte[] expected = Vectors.bytes(c.file);
    Changeset cs = Changeset.parse(expected);
    EmbeddedOwners owners = EmbeddedOwners.of(Changeset.parse(Vectors.bytes(c.schemaFile)));

    ArrayByteSink sink = new ArrayByteSink(16);
    ChangesetWriter w = new ChangesetWriter(sink);
    cs.writeTo(w, owners);
    long size = w.finish();

    assertThat(HEX.formatHex(sink.toByteArray())).isEqualTo(HEX.formatHex(expected));
    assertThat(size).isEqualTo(expected.length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reencodingGivesTheSameBytesThroughEverySinkKind(Case c) {
    byte[] expected = Vectors.bytes(c.file);
    Changeset cs = Changeset.parse(expected);
    EmbeddedOwners owners = EmbeddedOwners.of(Changeset.parse(Vectors.bytes(c.schemaFile)));

    // a growable direct buffer (the writer stages and copies), starting tiny so it must grow
    ByteBufferSink direct = ByteBufferSink.allocateDirect(1, 1 << 20);
    ChangesetWriter w = new ChangesetWriter(direct);
    cs.writeTo(w, owners);
    w.finish();
    byte[] fromDirect = new byte[(int) direct.position()];
    direct.written().get(fromDirect);

    // a caller's heap buffer at an offset, exactly as large as needed
    ByteBuffer heap = ByteBuffer.allocate(expected.length + 20).position(7);
    heap.limit(7 + expected.length);
    ByteBuffer slice = heap.slice();
    ChangesetWriter w2 = new ChangesetWriter(ByteBufferSink.wrap(slice));
    cs.writeTo(w2, owners);
    w2.finish();
    byte[] fromHeap = new byte[expected.length];
    heap.get(7, fromHeap);

    // a caller's direct buffer at an offset, exactly as large as needed (the writer's raw stores
    // go to its memory), between guard bytes that must stay untouched
    ByteBuffer parent = ByteBuffer.allocateDirect(expected.length + 40);
    for (int i = 0; i < parent.capacity(); i++) {
      parent.put(i, (byte) 0xA5);
    }
    ByteBuffer directSlice = parent.duplicate().position(11).limit(11 + expected.length).slice();
    ChangesetWriter w3 = new ChangesetWriter(ByteBufferSink.wrap(directSlice));
    cs.writeTo(w3, owners);
    w3.finish();
    byte[] fromDirectSlice = new byte[expected.length];
    parent.get(11, fromDirectSlice);

    assertThat(fromDirect).isEqualTo(expected);
    assertThat(fromHeap).isEqualTo(expected);
    assertThat(slice.remaining()).isZero();
    assertThat(fromDirectSlice).isEqualTo(expected);
    assertThat(directSlice.remaining()).isZero();
    for (int i = 0; i < parent.capacity(); i++) {
      if (i < 11 || i >= 11 + expected.length) {
        assertThat(parent.get(i)).as("guard byte %d", i).isEqualTo((byte) 0xA5);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("encoderVariants")
  void encoderLayoutIsReproducedWithInternStringsFirst(String encoderFile, String dataFile,
      String schemaFile) {
    byte[] expected = Vectors.bytes(encoderFile);
    Changeset data = Changeset.parse(Vectors.bytes(dataFile));
    Changeset encoded = Changeset.parse(expected);
    EmbeddedOwners owners = EmbeddedOwners.of(Changeset.parse(Vectors.bytes(schemaFile)));

    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(ChangesetWriter.Layout.INTERN_STRINGS_FIRST)
        .reset(sink);
    data.writeTo(w, owners);
    w.finish();

    assertThat(encoded.instructions()).isEqualTo(data.instructions());
    assertThat(encoded.internedStrings()).isEqualTo(data.internedStrings());
    assertThat(HEX.formatHex(sink.toByteArray())).isEqualTo(HEX.formatHex(expected));
  }

  @Test
  void withoutEmbeddedOwnersTheUnusedClassNameIsLeftOutAndTheMeaningIsTheSame() {
    byte[] realmCore = Vectors.bytes("embedded_object.bin");
    Changeset cs = Changeset.parse(realmCore);

    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    cs.writeTo(w, EmbeddedOwners.NONE);
    w.finish();
    Changeset ours = Changeset.parse(sink.toByteArray());

    assertThat(ours.instructions()).isEqualTo(cs.instructions());
    assertThat(cs.internedStrings()).contains("Location");
    assertThat(ours.internedStrings()).doesNotContain("Location");
    assertThat(sink.size()).isEqualTo(realmCore.length - 11); // 3F 05 08 "Location"
  }

  // -------------------------------------------------------------------------------------------
  // objects and values

  static Stream<String> objectVectors() {
    return Vectors.changesetVectors().stream()
        .filter(v -> v.containsKey("objects") || v.containsKey("objects_first_3"))
        .map(v -> (String) v.get("name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("objectVectors")
  void decodesToTheObjectsIndexJsonDescribes(String name) {
    Map<String, Object> v = Vectors.all().stream().filter(x -> name.equals(x.get("name")))
        .findFirst().orElseThrow();
    ObjectAssembler model = new ObjectAssembler();
    if (v.containsKey("changesets")) {
      for (Object c : list(v.get("changesets"))) {
        model.apply(Changeset.parse(Vectors.bytes((String) map(c).get("file"))));
      }
    } else {
      model.apply(Changeset.parse(Vectors.bytes((String) map(v.get("data_changeset")).get("file"))));
    }
    List<ObjectAssembler.Obj> objects = new ArrayList<>(model.objects.values());
    List<PrimaryKey> keys = new ArrayList<>(model.objects.keySet());

    List<Object> expected;
    if (v.containsKey("objects")) {
      expected = list(v.get("objects"));
      assertThat(objects).hasSameSizeAs(expected);
    } else {
      int count = ((Number) v.get("object_count")).intValue();
      assertThat(objects).hasSize(count);
      expected = new ArrayList<>(list(v.get("objects_first_3")));
      expected.add(v.get("objects_last"));
      objects = List.of(objects.get(0), objects.get(1), objects.get(2), objects.get(count - 1));
      keys = List.of(keys.get(0), keys.get(1), keys.get(2), keys.get(count - 1));
    }
    assertThat(model.tables).allMatch(t -> t.equals(v.get("table")));
    for (int i = 0; i < expected.size(); i++) {
      Map<String, Object> e = map(expected.get(i));
      assertKey(keys.get(i), map(e.get("_id")));
      ObjectAssembler.Obj o = objects.get(i);
      List<String> props = new ArrayList<>(e.keySet());
      props.remove("_id");
      assertThat(o.keySet()).as("properties of object %d", i).containsExactlyElementsOf(props);
      for (String p : props) {
        assertValue(name + "[" + i + "]." + p, o.get(p), map(e.get(p)));
      }
    }
  }

  private static void assertKey(PrimaryKey key, Map<String, Object> e) {
    switch ((String) e.get("type")) {
      case "objectId":
        assertThat(key).isEqualTo(PrimaryKey.of(ObjectId.fromHex((String) e.get("value"))));
        break;
      case "int":
        assertThat(key).isEqualTo(PrimaryKey.of(((Number) e.get("value")).longValue()));
        break;
      case "string":
        assertThat(key).isEqualTo(PrimaryKey.of((String) e.get("value")));
        break;
      case "uuid":
        assertThat(key).isEqualTo(PrimaryKey.of(UUID.fromString((String) e.get("value"))));
        break;
      default:
        throw new AssertionError("unknown key type " + e);
    }
  }

  private static void assertValue(String where, Object actual, Map<String, Object> e) {
    String type = (String) e.get("type");
    switch (type) {
      case "null":
        assertThat(actual).as(where).isEqualTo(Payload.NULL);
        break;
      case "int":
        assertThat(actual).as(where)
            .isEqualTo(new Payload.IntValue(((Number) e.get("value")).longValue()));
        break;
      case "bool":
        assertThat(actual).as(where).isEqualTo(new Payload.BoolValue((Boolean) e.get("value")));
        break;
      case "string":
        assertThat(actual).as(where).isEqualTo(new Payload.StringValue((String) e.get("value")));
        break;
      case "binary":
        assertThat(actual).as(where)
            .isEqualTo(new Payload.BinaryValue(HEX.parseHex((String) e.get("hex"))));
        break;
      case "float":
        {
          int bits = Integer.reverseBytes(Integer.parseUnsignedInt((String) e.get("bits_le_hex"),
              16));
          assertThat(actual).as(where).isEqualTo(new Payload.FloatValue(bits));
          Object value = e.get("value");
          if (value instanceof Number) {
            assertThat((double) ((Payload.FloatValue) actual).value()).as(where)
                .isEqualTo(((Number) value).doubleValue());
          }
          break;
        }
      case "double":
        {
          long bits = Long.reverseBytes(Long.parseUnsignedLong((String) e.get("bits_le_hex"), 16));
          assertThat(actual).as(where).isEqualTo(new Payload.DoubleValue(bits));
          Object value = e.get("value");
          double d = ((Payload.DoubleValue) actual).value();
          if (value instanceof Number) {
            assertThat(Double.doubleToRawLongBits(d))
                .isEqualTo(Double.doubleToRawLongBits(((Number) value).doubleValue()));
          } else {
            assertThat(Double.toString(d)).as(where).isEqualTo(value);
          }
          break;
        }
      case "timestamp":
        assertThat(actual).as(where).isEqualTo(new Payload.TimestampValue(
            ((Number) e.get("seconds")).longValue(), ((Number) e.get("nanoseconds")).intValue()));
        assertThat(actual.toString()).contains(" = " + e.get("iso"));
        break;
      case "decimal128":
        {
          Payload.DecimalValue d = (Payload.DecimalValue) actual;
          assertThat(String.format("%016x%016x", d.bid128High(), d.bid128Low())).as(where)
              .isEqualTo(e.get("bid128_hex"));
          assertThat(d.toBigDecimal()).as(where).isEqualTo(new BigDecimal((String) e.get("value")));
          assertThat(d).as(where).isEqualTo(
              Payload.DecimalValue.of(new BigDecimal((String) e.get("value"))));
          assertThat(d.toString()).as(where).startsWith("Decimal(" + e.get("canonical") + " ");
          break;
        }
      case "objectId":
        assertThat(actual).as(where).isEqualTo(
            new Payload.ObjectIdValue(ObjectId.fromHex((String) e.get("value"))));
        break;
      case "uuid":
        assertThat(actual).as(where).isEqualTo(
            new Payload.UuidValue(UUID.fromString((String) e.get("value"))));
        break;
      case "list":
      case "set":
        {
          assertThat(actual).as(where).isInstanceOf(
              type.equals("set") ? ObjectAssembler.Bag.class : ArrayList.class);
          List<?> l = (List<?>) actual;
          List<Object> items = list(e.get("items"));
          assertThat(l).as(where).hasSameSizeAs(items);
          for (int i = 0; i < items.size(); i++) {
            assertValue(where + "[" + i + "]", l.get(i), map(items.get(i)));
          }
          break;
        }
      case "list<embedded>":
        {
          List<?> l = (List<?>) actual;
          List<Object> items = list(e.get("items"));
          assertThat(l).as(where).hasSameSizeAs(items);
          for (int i = 0; i < items.size(); i++) {
            assertObject(where + "[" + i + "]", l.get(i), map(items.get(i)));
          }
          break;
        }
      case "dictionary":
        {
          assertThat(actual).as(where).isInstanceOf(ObjectAssembler.Dict.class);
          @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) actual;
          Map<String, Object> entries = map(e.get("entries"));
          assertThat(m.keySet()).as(where).containsExactlyElementsOf(entries.keySet());
          for (String k : entries.keySet()) {
            assertValue(where + "[\"" + k + "\"]", m.get(k), map(entries.get(k)));
          }
          break;
        }
      case "embedded":
        assertObject(where, actual, map(e.get("value")));
        break;
      default:
        throw new AssertionError("unknown value type in index.json: " + type);
    }
  }

  private static void assertObject(String where, Object actual, Map<String, Object> e) {
    assertThat(actual).as(where).isInstanceOf(ObjectAssembler.Obj.class);
    @SuppressWarnings("unchecked") Map<String, Object> o = (Map<String, Object>) actual;
    assertThat(o.keySet()).as(where).containsExactlyElementsOf(e.keySet());
    for (String p : e.keySet()) {
      assertValue(where + "." + p, o.get(p), map(e.get(p)));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> entryFor(Case c) {
    Map<String, Object> v = Vectors.all().stream().filter(x -> c.vector.equals(x.get("name")))
        .findFirst().orElseThrow();
    if (v.containsKey("changesets")) {
      for (Object o : (List<Object>) v.get("changesets")) {
        if (c.file.equals(map(o).get("file"))) {
          return map(o);
        }
      }
    }
    for (String k : List.of("schema_changeset", "data_changeset")) {
      if (v.containsKey(k) && c.file.equals(map(v.get(k)).get("file"))) {
        return map(v.get(k));
      }
    }
    throw new AssertionError("no entry for " + c.file);
  }
}
