package io.tributary.server.internal.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.CollectionType;
import io.tributary.protocol.changeset.Instruction;
import io.tributary.protocol.changeset.Payload;
import io.tributary.protocol.changeset.PathElement;
import io.tributary.protocol.changeset.PrimaryKey;
import io.tributary.protocol.changeset.TableType;
import io.tributary.protocol.changeset.ColumnType;
import io.tributary.protocol.changeset.PayloadType;
import io.tributary.server.AppSchema;
import io.tributary.server.Values;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.spi.IngestRecord;
import io.tributary.server.testing.VectorIndex;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChangesetIngestorTest {
  private static final AppSchema READING =
      AppSchema.parse(
          """
          {"classes": [
            {"name": "Reading", "kind": "asymmetric", "primaryKey": "_id",
             "properties": {"_id": "objectId", "sensor": "string", "value": "double", "location": "Location",
                            "tags": "string<>", "codes": "int[]", "attrs": "mixed{}", "any": "mixed"}},
            {"name": "Location", "kind": "embedded", "properties": {"lat": "double", "lon": "double"}},
            {"name": "Device", "kind": "topLevel", "primaryKey": "_id", "properties": {"_id": "int"}}
          ]}""");
  private static final ObjectId OID = ObjectId.fromHex("6560f0a1c3b2a1f0e4d3c2b1");
  private static final PrimaryKey KEY = PrimaryKey.of(OID);

  private final ChangesetIngestor ingestor = new ChangesetIngestor();

  static Stream<VectorIndex.Vector> vectors() {
    return VectorIndex.load().objectVectors().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void shouldBuildTheObjectsRealmCoreCreated(VectorIndex.Vector v) throws Exception {
    ingestor.begin(v.schema(), false);
    List<IngestedObject> out = new ArrayList<>();
    ingest(ByteBuffer.wrap(v.schemaChangeset()), origin(2), out);
    assertThat(out).isEmpty();
    ingest(ByteBuffer.wrap(v.dataChangeset()), origin(3), out);

    assertThat(out).hasSameSizeAs(v.objects());
    for (int i = 0; i < out.size(); i++) {
      IngestedObject o = out.get(i);
      assertThat(o.getClassName()).isEqualTo(v.table());
      assertThat(o.getFieldsMap()).isEqualTo(v.objects().get(i));
      String pk = v.schema().objectClass(v.table()).orElseThrow().primaryKey();
      assertThat(o.getPrimaryKey()).isEqualTo(v.objects().get(i).get(pk));
      assertThat(o.getClientVersion()).isEqualTo(3);
      assertThat(o.getOriginFileIdent()).isEqualTo(7);
      assertThat(o.getOriginTimestampMs()).isEqualTo(283996800000L + Values.REALM_EPOCH_OFFSET_MS);
      assertThat(o.getUserId()).isEqualTo("user-1");
    }
    assertThat(ingestor.schemaChanged()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void developmentModeShouldAdoptExactlyTheClientSchema(VectorIndex.Vector v) throws Exception {
    ingestor.begin(AppSchema.empty(), true);
    List<IngestedObject> out = new ArrayList<>();
    ingest(ByteBuffer.wrap(v.schemaChangeset()), origin(2), out);
    assertThat(ingestor.schemaChanged()).isTrue();
    assertThat(ingestor.schema()).isEqualTo(v.schema());
    ingest(ByteBuffer.wrap(v.dataChangeset()), origin(3), out);
    assertThat(out).extracting(IngestedObject::getFieldsMap).containsExactlyElementsOf(v.objects());

    // the same schema again is an identical repeat: accepted, nothing adopted
    ingestor.begin(ingestor.schema(), true);
    ingest(ByteBuffer.wrap(v.schemaChangeset()), origin(4), out);
    assertThat(ingestor.schemaChanged()).isFalse();
  }

  @Test
  void shouldApplyCollectionsEmbeddedObjectsAndDefaults() throws Exception {
    byte[] cs =
        changeset(
            new Instruction.CreateObject("Reading", KEY),
            update("sensor", List.of(), new Payload.StringValue("t1")),
            update("location", List.of(), Payload.OBJECT_VALUE),
            update("location", List.of(PathElement.key("lat")), Payload.DoubleValue.of(52.1)),
            new Instruction.SetInsert("Reading", KEY, "tags", List.of(), new Payload.StringValue("a")),
            new Instruction.SetInsert("Reading", KEY, "tags", List.of(), new Payload.StringValue("b")),
            new Instruction.SetErase("Reading", KEY, "tags", List.of(), new Payload.StringValue("a")),
            new Instruction.ArrayInsert("Reading", KEY, "codes", List.of(PathElement.index(0)), new Payload.IntValue(7), 0),
            new Instruction.ArrayInsert("Reading", KEY, "codes", List.of(PathElement.index(0)), new Payload.IntValue(6), 1),
            new Instruction.ArrayMove("Reading", KEY, "codes", List.of(PathElement.index(0)), 1, 2),
            update("attrs", List.of(PathElement.key("k")), Payload.LIST),
            new Instruction.ArrayInsert("Reading", KEY, "attrs", List.of(PathElement.key("k"), PathElement.index(0)), new Payload.BoolValue(true), 0),
            update("any", List.of(), new Payload.IntValue(41)),
            new Instruction.AddInteger("Reading", KEY, "any", List.of(), 1));
    ingestor.begin(READING, false);
    List<IngestedObject> out = new ArrayList<>();
    ingest(ByteBuffer.wrap(cs), origin(5), out);

    assertThat(out).hasSize(1);
    IngestedObject o = out.get(0);
    assertThat(o.getFieldsOrThrow("_id")).isEqualTo(Values.objectId(OID));
    assertThat(o.getFieldsOrThrow("sensor").getStringValue()).isEqualTo("t1");
    assertThat(o.getFieldsOrThrow("value").getDoubleValue()).isEqualTo(0.0); // required, never set
    assertThat(o.getFieldsOrThrow("location").getObjectValue().getFieldsMap())
        .containsEntry("lat", Values.of(Payload.DoubleValue.of(52.1)))
        .containsEntry("lon", Values.of(Payload.DoubleValue.of(0.0)));
    assertThat(o.getFieldsOrThrow("tags").getSetValue().getValuesList()).containsExactly(Values.ofString("b"));
    assertThat(o.getFieldsOrThrow("codes").getListValue().getValuesList())
        .containsExactly(Values.ofInt(7), Values.ofInt(6));
    assertThat(o.getFieldsOrThrow("attrs").getDictionaryValue().getEntriesOrThrow("k").getListValue().getValues(0).getBoolValue())
        .isTrue();
    assertThat(o.getFieldsOrThrow("any").getIntValue()).isEqualTo(42);
  }

  @Test
  void shouldRefuseWritesThatAreNotInserts() {
    assertRefused(ProtocolError.BAD_CHANGESET, "object not created in this changeset",
        update("sensor", List.of(), new Payload.StringValue("x")));
    assertRefused(ProtocolError.BAD_CHANGESET, "erasing objects",
        new Instruction.CreateObject("Reading", KEY), new Instruction.EraseObject("Reading", KEY));
    assertRefused(ProtocolError.BAD_CHANGESET, "created twice",
        new Instruction.CreateObject("Reading", KEY), new Instruction.CreateObject("Reading", KEY));
    assertRefused(ProtocolError.BAD_CHANGESET, "write to top-level class Device",
        new Instruction.CreateObject("Device", PrimaryKey.of(1)));
    assertRefused(ProtocolError.BAD_CHANGESET, "embedded class",
        new Instruction.CreateObject("Location", KEY));
    assertRefused(ProtocolError.BAD_CHANGESET, "primary key of type Int",
        new Instruction.CreateObject("Reading", PrimaryKey.of(5)));
    assertRefused(ProtocolError.BAD_CHANGESET, "Null (expected: a string value; the property is required)",
        new Instruction.CreateObject("Reading", KEY), update("sensor", List.of(), Payload.NULL));
    assertRefused(ProtocolError.BAD_CHANGESET, "Int (expected: a string value)",
        new Instruction.CreateObject("Reading", KEY), update("sensor", List.of(), new Payload.IntValue(1)));
    assertRefused(ProtocolError.BAD_CHANGESET, "prior_size 3 (expected: 0",
        new Instruction.CreateObject("Reading", KEY),
        new Instruction.ArrayInsert("Reading", KEY, "codes", List.of(PathElement.index(0)), new Payload.IntValue(1), 3));
    assertRefused(ProtocolError.BAD_CHANGESET, "no embedded object at 'location'",
        new Instruction.CreateObject("Reading", KEY),
        update("location", List.of(PathElement.key("lat")), Payload.DoubleValue.of(1)));
    assertRefused(ProtocolError.BAD_CHANGESET, "has no property 'nope'",
        new Instruction.CreateObject("Reading", KEY), update("nope", List.of(), Payload.NULL));
    assertRefused(ProtocolError.BAD_CHANGESET, "schema removal",
        new Instruction.EraseTable("Reading"));
  }

  @Test
  void nestingIsBoundedSoThatEveryStoredRecordCanBeParsedAgain() throws Exception {
    List<Instruction> list = new ArrayList<>();
    list.add(new Instruction.CreateObject("Reading", KEY));
    list.add(update("any", List.of(), Payload.LIST));
    List<PathElement> path = new ArrayList<>();
    for (int depth = 1; depth <= ChangesetIngestor.MAX_PATH_LENGTH; depth++) {
      path.add(PathElement.index(0));
      list.add(new Instruction.ArrayInsert("Reading", KEY, "any", List.copyOf(path), Payload.LIST, 0));
    }
    ingestor.begin(READING, false);
    List<IngestedObject> out = new ArrayList<>();
    ingest(ByteBuffer.wrap(changeset(list.toArray(new Instruction[0]))), origin(4), out);
    // the deepest accepted value survives a protobuf round trip (parse limit: 100 levels)
    assertThat(IngestedObject.parseFrom(out.get(0).toByteArray())).isEqualTo(out.get(0));
    path.add(PathElement.index(0));
    list.add(new Instruction.ArrayInsert("Reading", KEY, "any", List.copyOf(path), Payload.LIST, 0));
    assertRefused(ProtocolError.BAD_CHANGESET, "path of 31 elements (expected: at most 30", list.toArray(new Instruction[0]));
  }

  @Test
  void shouldRefuseSchemaThatDisagreesWithTheAppSchema() {
    assertRefused(ProtocolError.INVALID_SCHEMA_CHANGE, "AddColumn Reading.value: type=Double nullable=true",
        new Instruction.AddColumn("Reading", "value", ColumnType.DOUBLE, true, CollectionType.SINGLE, null, null));
    assertRefused(ProtocolError.INVALID_SCHEMA_CHANGE, "property not in the app schema",
        new Instruction.AddColumn("Reading", "extra", ColumnType.INT, false, CollectionType.SINGLE, null, null));
    assertRefused(ProtocolError.INVALID_SCHEMA_CHANGE, "class not in the app schema",
        new Instruction.AddTable("Other", TableType.TOP_LEVEL_ASYMMETRIC, "_id", PayloadType.INT, false));
    assertRefused(ProtocolError.INVALID_SCHEMA_CHANGE, "AddTable Reading: type=TopLevel ",
        new Instruction.AddTable("Reading", TableType.TOP_LEVEL, "_id", PayloadType.OBJECT_ID, false));
  }

  @Test
  void shouldReportTheReadersErrorForChangesetsThatDoNotParse() {
    ingestor.begin(READING, false);
    byte[] bad = VectorIndex.file("invalid_unknown_instruction.bin");
    assertThatThrownBy(() -> ingest(ByteBuffer.wrap(bad), origin(9), new ArrayList<>()))
        .isInstanceOfSatisfying(IngestException.class, e -> {
          assertThat(e.error()).isEqualTo(ProtocolError.BAD_CHANGESET);
          assertThat(e.getMessage()).startsWith("changeset 9: does not parse: ").contains("byte offset");
        });
  }

  private void assertRefused(ProtocolError error, String message, Instruction... instructions) {
    ingestor.begin(READING, false);
    List<IngestedObject> out = new ArrayList<>();
    assertThatThrownBy(() -> ingest(ByteBuffer.wrap(changeset(instructions)), origin(4), out))
        .isInstanceOfSatisfying(IngestException.class, e -> {
          assertThat(e.error()).isEqualTo(error);
          assertThat(e.getMessage()).startsWith("changeset 4 at byte ").contains(message);
        });
    assertThat(out).isEmpty();
  }

  private static Instruction update(String field, List<PathElement> path, Payload value) {
    boolean index = !path.isEmpty() && path.get(path.size() - 1) instanceof PathElement.Index;
    return new Instruction.Update("Reading", KEY, field, path, value, false, index ? 0 : -1);
  }

  private static byte[] changeset(Instruction... instructions) {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    for (Instruction i : instructions) {
      w.write(i, null);
    }
    w.finish();
    return sink.toByteArray();
  }

  /**
   * Ingests and parses the records into {@code out}; checks that each record's bytes are exactly
   * protobuf's own encoding of the object they parse to (what the old path, which built message
   * objects and serialised them, stored) and that its class and key match the encoded ones.
   */
  private void ingest(ByteBuffer changeset, ChangesetIngestor.Origin origin, List<IngestedObject> out)
      throws IngestException {
    List<IngestRecord> records = new ArrayList<>();
    ingestor.ingest(changeset, origin, records);
    for (IngestRecord r : records) {
      IngestedObject o = r.parse();
      assertThat(o.toByteArray()).isEqualTo(r.serialized());
      assertThat(o.getClassName()).isEqualTo(r.className());
      assertThat(o.getPrimaryKey()).isEqualTo(r.primaryKey());
      out.add(o);
    }
  }

  private static ChangesetIngestor.Origin origin(long cv) {
    return new ChangesetIngestor.Origin(7, cv, 283996800000L, "user-1");
  }
}
