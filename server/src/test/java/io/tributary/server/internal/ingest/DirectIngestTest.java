package io.tributary.server.internal.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.Instruction;
import io.tributary.protocol.changeset.Payload;
import io.tributary.protocol.changeset.PathElement;
import io.tributary.protocol.changeset.PrimaryKey;
import io.tributary.server.AppSchema;
import io.tributary.server.AppSchema.ClassKind;
import io.tributary.server.AppSchema.CollectionKind;
import io.tributary.server.AppSchema.ObjectClass;
import io.tributary.server.AppSchema.Property;
import io.tributary.server.AppSchema.PropertyType;
import io.tributary.server.spi.IngestRecord;
import io.tributary.server.spi.IngestRecords;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.ForAll;
import org.junit.jupiter.api.Test;

/**
 * The direct path against the general path: random schemas, values and instruction orders
 * (realm-core's usual order, and orders and values the direct path hands over or the general path
 * refuses). Both must store the same bytes, or refuse with the same error.
 */
class DirectIngestTest {
  private static final PropertyType[] SCALARS = {
    PropertyType.INT, PropertyType.BOOL, PropertyType.STRING, PropertyType.DATA, PropertyType.DATE,
    PropertyType.FLOAT, PropertyType.DOUBLE, PropertyType.DECIMAL, PropertyType.OBJECT_ID,
    PropertyType.UUID, PropertyType.MIXED
  };
  private static final PropertyType[] KEYS = {
    PropertyType.INT, PropertyType.STRING, PropertyType.OBJECT_ID, PropertyType.UUID
  };

  @net.jqwik.api.Property(tries = 300)
  void directPathStoresTheGeneralPathsBytesOrRefusesAlike(@ForAll long seed) {
    compare(seed);
  }

  @Test
  void directPathHandlesRealmCoresOrderAndHandsTheRestOver() {
    int direct = 0;
    int refused = 0;
    int general = 0;
    for (long seed = 0; seed < 400; seed++) {
      Outcome o = compare(seed);
      if (o.direct) {
        direct++;
      } else if (o.error != null) {
        refused++;
      } else {
        general++;
      }
    }
    // every kind of outcome is exercised, the direct one most
    assertThat(direct).isGreaterThan(100);
    assertThat(refused).isGreaterThan(20);
    assertThat(general).isGreaterThan(20);
  }

  @Test
  void aChangesetOfReadingsTakesTheDirectPath() throws Exception {
    Random r = new Random(1);
    Case c = new Case(r, false, Order.ANY);
    ChangesetIngestor ingestor = new ChangesetIngestor();
    ingestor.begin(c.schema, false);
    List<IngestRecord> out = new ArrayList<>();
    ingestor.ingest(ByteBuffer.wrap(c.changeset), origin(), out);
    assertThat(ingestor.directChangesets()).isEqualTo(1);
    assertThat(out).hasSize(c.objects);
  }

  /**
   * Keys that ascend need no duplicate table until one does not: a key created again after an
   * ascending run (right after it, or further back), or among keys in no order, is refused with
   * the general path's error; distinct keys in any order are stored as the general path stores
   * them.
   */
  @Test
  void aKeyCreatedAgainAfterAscendingKeysIsRefusedAsOnTheGeneralPath() throws Exception {
    AppSchema schema = AppSchema.of(new ObjectClass("Obj", ClassKind.ASYMMETRIC, "_id",
        List.of(Property.of("_id", PropertyType.INT, false), Property.of("v", PropertyType.INT, false))));
    long[][] orders = {
      {1, 2, 3, 3}, {1, 2, 3, 2}, {1, 2, 3, 1}, {-5, 0, 7, 9, 4, -5}, {5, 3, 9, 1, 3},
      {1, 2, 3, 4}, {4, 3, 2, 1}, {1, 5, 2, 6, 3, 7}, {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE, Long.MIN_VALUE}
    };
    for (long[] keys : orders) {
      // many objects after the first out-of-order key: the duplicate table grows past its first size
      long[] all = Arrays.copyOf(keys, keys.length + 1500);
      for (int i = keys.length; i < all.length; i++) {
        all[i] = 1_000_000L + (i * 7919L) % 1500; // distinct, in no order
      }
      for (long[] ks : new long[][] {keys, all}) {
        ArrayByteSink sink = new ArrayByteSink();
        ChangesetWriter w = new ChangesetWriter(sink);
        for (long k : ks) {
          w.write(new Instruction.CreateObject("Obj", PrimaryKey.of(k)), null);
          w.write(new Instruction.Update("Obj", PrimaryKey.of(k), "v", List.of(), new Payload.IntValue(k), false, -1), null);
        }
        w.finish();
        byte[] changeset = sink.toByteArray();
        boolean duplicate = Arrays.stream(ks).distinct().count() != ks.length;
        Outcome[] outcomes = new Outcome[2];
        for (int d = 0; d < 2; d++) {
          ChangesetIngestor ingestor = new ChangesetIngestor(d == 1);
          ingestor.begin(schema, false);
          // the same ingestor twice: the second changeset finds the table as the first left it
          for (int round = 0; round < 2; round++) {
            List<IngestRecord> out = new ArrayList<>();
            try {
              ingestor.ingest(ByteBuffer.wrap(changeset), origin(), out);
              outcomes[d] = new Outcome(out, null, false, ingestor.streamedChangesets() == round + 1);
            } catch (IngestException e) {
              outcomes[d] = new Outcome(out, e, false, false);
            }
          }
        }
        String what = Arrays.toString(keys) + " of " + ks.length;
        if (duplicate) {
          assertThat(outcomes[0].error()).as(what).isNotNull();
          assertThat(outcomes[1].error()).as(what).isNotNull();
          assertThat(outcomes[1].error().getMessage()).as(what).isEqualTo(outcomes[0].error().getMessage())
              .contains("created twice in one changeset");
        } else {
          assertThat(outcomes[1].error()).as(what).isNull();
          assertThat(outcomes[1].streamed()).as(what).isTrue();
          assertThat(outcomes[1].records()).as(what).hasSize(ks.length);
          for (int i = 0; i < ks.length; i++) {
            assertThat(outcomes[1].records().get(i).serialized()).as(what)
                .isEqualTo(outcomes[0].records().get(i).serialized());
          }
        }
      }
    }
  }

  /** A round's records past their byte limit: a typed 212 naming the limit, nothing half kept. */
  @Test
  void objectsPastTheRecordsLimitAreATypedErrorOnBothPaths() throws Exception {
    Case c = new Case(new Random(1), false, Order.ANY);
    for (boolean useDirect : new boolean[] {false, true}) {
      ChangesetIngestor ingestor = new ChangesetIngestor(useDirect);
      ingestor.begin(c.schema, false);
      IngestRecords unlimited = new IngestRecords();
      ingestor.ingest(ByteBuffer.wrap(c.changeset), origin(), unlimited);
      int bytes = unlimited.end();
      assertThat(bytes).isGreaterThan(1);
      // room for the changeset's objects once, not twice
      IngestRecords out = new IngestRecords(1, 16, 2 * bytes - 1);
      ingestor.ingest(ByteBuffer.wrap(c.changeset), origin(), out);
      assertThat(out.size()).isEqualTo(c.objects);
      IngestException e = org.junit.jupiter.api.Assertions.assertThrows(IngestException.class,
          () -> ingestor.ingest(ByteBuffer.wrap(c.changeset), origin(), out));
      assertThat(e.error()).isEqualTo(io.tributary.protocol.ProtocolError.BAD_CHANGESET);
      assertThat(e.getMessage()).as("direct %s", useDirect).startsWith("changeset 3: its objects do not fit")
          .contains("(expected: at most " + (2 * bytes - 1) + " in all)");
      assertThat(out.size()).as("the failed changeset's objects are taken back").isEqualTo(c.objects);
      assertThat(out.end()).isEqualTo(bytes);
      assertThat(ingestor.directChangesets()).isEqualTo(useDirect ? 2 : 0);
    }
  }

  @Test
  void realmCoresChangesetsGiveTheGeneralPathsBytes() throws Exception {
    int direct = 0;
    int streamed = 0;
    List<io.tributary.server.testing.VectorIndex.Vector> vectors =
        io.tributary.server.testing.VectorIndex.load().objectVectors();
    for (io.tributary.server.testing.VectorIndex.Vector v : vectors) {
      List<List<IngestRecord>> results = new ArrayList<>();
      long handled = 0;
      long wroteAsRead = 0;
      for (boolean useDirect : new boolean[] {false, true}) {
        ChangesetIngestor ingestor = new ChangesetIngestor(useDirect);
        ingestor.begin(v.schema(), false);
        List<IngestRecord> out = new ArrayList<>();
        ingestor.ingest(ByteBuffer.wrap(v.schemaChangeset()), origin(), out);
        ingestor.ingest(ByteBuffer.wrap(v.dataChangeset()), origin(), out);
        results.add(out);
        handled = ingestor.directChangesets();
        wroteAsRead = ingestor.streamedChangesets();
      }
      assertThat(results.get(1)).as(v.name()).hasSameSizeAs(results.get(0));
      for (int i = 0; i < results.get(0).size(); i++) {
        assertThat(results.get(1).get(i).serialized()).as(v.name()).isEqualTo(results.get(0).get(i).serialized());
        assertThat(results.get(1).get(i).primaryKey()).as(v.name()).isEqualTo(results.get(0).get(i).primaryKey());
      }
      direct += (int) handled; // the schema changeset always takes the general path
      streamed += (int) wroteAsRead;
    }

    // realm-core's own data changesets of plain values and embedded objects take the direct path
    // (21 of the 26 vectors today); those with lists, sets and dictionaries do not
    assertThat(direct).isGreaterThanOrEqualTo(20);
    // and all of them (22 today) set properties in schema order: written as read, no arena
    assertThat(streamed).isEqualTo(direct);
  }

  /**
   * Properties set in schema order (embedded objects' right after their ObjectValue, some left
   * unset, embedded objects of sizes whose lengths take one or two bytes): the records are
   * written as the instructions come, no arena.
   */
  @net.jqwik.api.Property(tries = 300)
  void propertiesInSchemaOrderAreStreamedIntoTheRecords(@ForAll long seed) {
    Outcome o = compare(seed, Order.SCHEMA);
    assertThat(o.error).isNull();
    assertThat(o.direct).isTrue();
    assertThat(o.streamed).as("seed %s", seed).isTrue();
  }

  /** Objects in schema order, one of them then out of it: the arena path takes the changeset over. */
  @Test
  void aPropertyOutOfSchemaOrderHandsTheChangesetToTheArena() {
    int streamed = 0;
    int arena = 0;
    for (long seed = 0; seed < 300; seed++) {
      Outcome o = compare(seed, Order.SCHEMA_THEN_ANY);
      if (o.streamed) {
        streamed++;
      } else if (o.direct) {
        arena++;
      }
    }
    assertThat(streamed).isGreaterThan(30);
    assertThat(arena).isGreaterThan(30);
  }

  /**
   * Several changesets into one round's records, as the engine ingests them: a changeset that
   * streams some objects, then hands over to the arena (or is refused), takes back only its own
   * objects, and the records are those of the general path.
   */
  @Test
  void aHandOverKeepsTheRecordsOfEarlierChangesetsInTheRound() throws Exception {
    int handedOver = 0;
    for (long seed = 0; seed < 60; seed++) {
      Random r = new Random(seed);
      Case first = new Case(r, false, Order.SCHEMA);
      Case second = new Case(new Random(seed + 1000), false, Order.SCHEMA_THEN_ANY);
      List<IngestRecords> results = new ArrayList<>();
      for (boolean useDirect : new boolean[] {false, true}) {
        ChangesetIngestor ingestor = new ChangesetIngestor(useDirect);
        IngestRecords out = new IngestRecords();
        ingestor.begin(first.schema, false);
        ingestor.ingest(ByteBuffer.wrap(first.changeset), origin(), out);
        int kept = out.size();
        int end = out.end();
        ingestor.begin(second.schema, false);
        try {
          ingestor.ingest(ByteBuffer.wrap(second.changeset), origin(), out);
        } catch (IngestException e) {
          assertThat(out.size()).isEqualTo(kept);
          assertThat(out.end()).isEqualTo(end);
        }
        if (useDirect && ingestor.directChangesets() == 2 && ingestor.streamedChangesets() == 1) {
          handedOver++;
        }
        results.add(out);
      }
      IngestRecords expected = results.get(0);
      IngestRecords actual = results.get(1);
      assertThat(actual.size()).as("seed %s", seed).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertThat(actual.record(i).serialized()).as("seed %s", seed).isEqualTo(expected.record(i).serialized());
        assertThat(actual.record(i).primaryKey()).as("seed %s", seed).isEqualTo(expected.record(i).primaryKey());
      }
    }
    assertThat(handedOver).isGreaterThan(5);
  }

  /** Records of embedded objects whose lengths change width (1 and 2 bytes) between objects. */
  @Test
  void embeddedObjectsGrowingAndShrinkingPastOneByteLengthsAreStreamedExactly() {
    int shifts = 0;
    for (long seed = 0; seed < 200; seed++) {
      Outcome o = compare(seed, Order.SCHEMA);
      assertThat(o.streamed).isTrue();
      int small = 0;
      int large = 0;
      for (IngestRecord record : o.records) {
        io.tributary.server.proto.Value emb = record.parse().getFieldsOrThrow("emb");
        if (emb.hasObjectValue()) {
          if (emb.getObjectValue().getSerializedSize() < 128) {
            small++;
          } else {
            large++;
          }
        }
      }
      if (small > 0 && large > 0) {
        shifts++;
      }
    }
    assertThat(shifts).isGreaterThan(10);
  }

  private record Outcome(List<IngestRecord> records, IngestException error, boolean direct, boolean streamed) {}

  /** How a case's Updates are ordered. */
  private enum Order {
    /** Random properties, realm-core's order or (half the cases) anything. */
    ANY,
    /** Each object's properties in schema order, some left unset. */
    SCHEMA,
    /** As SCHEMA, with Updates of random properties after some objects. */
    SCHEMA_THEN_ANY
  }

  private static Outcome compare(long seed) {
    return compare(seed, Order.ANY);
  }

  private static Outcome compare(long seed, Order order) {
    Random r = new Random(seed);
    Case c = new Case(r, order == Order.ANY, order);
    Outcome expected = run(new ChangesetIngestor(false), c);
    Outcome actual = run(new ChangesetIngestor(true), c);
    String what = "seed " + seed + ": " + c.instructions;
    if (expected.error != null) {
      assertThat(actual.error).as(what).isNotNull();
      assertThat(actual.error.error()).as(what).isEqualTo(expected.error.error());
      assertThat(actual.error.getMessage()).as(what).isEqualTo(expected.error.getMessage());
      assertThat(actual.direct).isFalse();
      return actual;
    }
    assertThat(actual.error).as(what).isNull();
    assertThat(actual.records).as(what).hasSameSizeAs(expected.records);
    for (int i = 0; i < expected.records.size(); i++) {
      IngestRecord e = expected.records.get(i);
      IngestRecord a = actual.records.get(i);
      assertThat(a.className()).as(what).isEqualTo(e.className());
      assertThat(a.primaryKey()).as(what).isEqualTo(e.primaryKey());
      assertThat(a.serialized()).as(what + "\n" + e.parse() + "\n" + a.parse()).isEqualTo(e.serialized());
      assertThat(a.parse().toByteArray()).as(what).isEqualTo(a.serialized()); // protobuf's own encoding
    }
    return actual;
  }

  private static Outcome run(ChangesetIngestor ingestor, Case c) {
    ingestor.begin(c.schema, false);
    List<IngestRecord> out = new ArrayList<>();
    try {
      ingestor.ingest(ByteBuffer.wrap(c.changeset), origin(), out);
      return new Outcome(out, null, ingestor.directChangesets() == 1, ingestor.streamedChangesets() == 1);
    } catch (IngestException e) {
      assertThat(out).isEmpty();
      return new Outcome(out, e, false, false);
    }
  }

  private static ChangesetIngestor.Origin origin() {
    return new ChangesetIngestor.Origin(7, 3, 283996800000L, "user-1");
  }

  /** A random schema and a changeset for it. */
  private static final class Case {
    final AppSchema schema;
    final List<Instruction> instructions = new ArrayList<>();
    final byte[] changeset;
    final int objects;
    private final Random r;
    private final boolean unusual;
    private final List<Property> props = new ArrayList<>();
    private final List<Property> scalars = new ArrayList<>();
    private final List<Property> embProps = new ArrayList<>();
    private final List<Property> innerProps = new ArrayList<>();
    private final PropertyType keyType;
    private final List<PrimaryKey> keys = new ArrayList<>();
    private boolean embSet; // of the object being written
    private boolean innerSet;

    Case(Random r, boolean unusual, Order order) {
      this.r = r;
      this.unusual = unusual && r.nextBoolean(); // half the cases: realm-core's order only
      keyType = KEYS[r.nextInt(KEYS.length)];
      props.add(Property.of("_id", keyType, false));
      int n = 1 + r.nextInt(8);
      for (int i = 0; i < n; i++) {
        scalars.add(Property.of("p" + i + "é", SCALARS[r.nextInt(SCALARS.length)], r.nextBoolean()));
      }
      props.addAll(scalars);
      props.add(new Property("emb", PropertyType.OBJECT, CollectionKind.SINGLE, true, "Emb"));
      props.add(new Property("codes", PropertyType.INT, CollectionKind.LIST, false, null));
      props.add(new Property("top", PropertyType.OBJECT, CollectionKind.SINGLE, true, "Top"));
      if (r.nextBoolean()) { // a scalar after the embedded object
        Property last = Property.of("z", SCALARS[r.nextInt(SCALARS.length)], r.nextBoolean());
        scalars.add(last);
        props.add(last);
      }
      for (int i = 0; i < 1 + r.nextInt(4); i++) {
        embProps.add(Property.of("e" + i, SCALARS[r.nextInt(SCALARS.length)], r.nextBoolean()));
      }
      // anywhere among the embedded object's properties
      embProps.add(r.nextInt(embProps.size() + 1),
          new Property("inner", PropertyType.OBJECT, CollectionKind.SINGLE, true, "Inner"));
      for (int i = 0; i < 1 + r.nextInt(3); i++) {
        innerProps.add(Property.of("i" + i, SCALARS[r.nextInt(SCALARS.length)], r.nextBoolean()));
      }
      schema =
          AppSchema.of(
              new ObjectClass("Obj", ClassKind.ASYMMETRIC, "_id", props),
              new ObjectClass("Emb", ClassKind.EMBEDDED, null, embProps),
              new ObjectClass("Inner", ClassKind.EMBEDDED, null, innerProps),
              new ObjectClass("Top", ClassKind.TOP_LEVEL, "_id", List.of(Property.of("_id", PropertyType.INT, false))));
      objects = 1 + r.nextInt(6);
      for (int o = 0; o < objects; o++) {
        PrimaryKey key = unusual && !keys.isEmpty() && r.nextInt(40) == 0 ? keys.get(r.nextInt(keys.size())) : key();
        while (order != Order.ANY && keys.contains(key)) { // no duplicates: those are refused
          key = key();
        }
        keys.add(key);
        instructions.add(new Instruction.CreateObject("Obj", key));
        embSet = false;
        innerSet = false;
        if (order == Order.ANY) {
          int updates = r.nextInt(12);
          for (int u = 0; u < updates; u++) {
            instructions.add(update(key));
          }
        } else {
          inSchemaOrder(key);
          if (order == Order.SCHEMA_THEN_ANY && r.nextInt(3) == 0) {
            instructions.add(update(key));
          }
        }
      }
      ArrayByteSink sink = new ArrayByteSink();
      ChangesetWriter w = new ChangesetWriter(sink);
      for (Instruction i : instructions) {
        w.write(i, null);
      }
      w.finish();
      changeset = sink.toByteArray();
    }

    private PrimaryKey key() {
      switch (keyType) {
        case INT:
          return PrimaryKey.of(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(1000) - 500);
        case STRING:
          return PrimaryKey.of(string());
        case OBJECT_ID:
          {
            byte[] b = new byte[12];
            r.nextBytes(b);
            return PrimaryKey.of(ObjectId.fromBytes(b));
          }
        default:
          return PrimaryKey.of(new UUID(r.nextLong(), r.nextLong()));
      }
    }

    /** Updates of some of the object's properties, each embedded object's right after it, in schema order. */
    private void inSchemaOrder(PrimaryKey key) {
      for (Property p : props) {
        if (p.name().equals("emb")) {
          int e = r.nextInt(5);
          if (e == 1) {
            instructions.add(set(key, "emb", List.of(), Payload.NULL));
          } else if (e > 1) {
            instructions.add(set(key, "emb", List.of(), Payload.OBJECT_VALUE));
            for (Property q : embProps) {
              if (q.name().equals("inner")) {
                if (r.nextInt(3) != 0) {
                  instructions.add(set(key, "emb", List.of(PathElement.key("inner")), Payload.OBJECT_VALUE));
                  for (Property i : innerProps) {
                    if (r.nextInt(4) != 0) {
                      instructions.add(set(key, "emb", List.of(PathElement.key("inner"), PathElement.key(i.name())),
                          value(i.type(), i.optional())));
                    }
                  }
                }
              } else if (r.nextInt(4) != 0) {
                instructions.add(set(key, "emb", List.of(PathElement.key(q.name())), value(q.type(), q.optional())));
              }
            }
          }
        } else if (scalars.contains(p) && r.nextInt(4) != 0) {
          instructions.add(set(key, p.name(), List.of(), value(p.type(), p.optional())));
        }
      }
    }

    private Instruction update(PrimaryKey key) {
      int pick = r.nextInt(240);
      if (unusual && pick < 12) {
        switch (pick) {
          case 0: // the primary key
            return set(key, "_id", List.of(), value(keyType, false));
          case 1: // no such property
            return set(key, "nope", List.of(), new Payload.IntValue(1));
          case 2: // a list
            return new Instruction.ArrayInsert("Obj", key, "codes", List.of(PathElement.index(0)), new Payload.IntValue(5), 0);
          case 3: // an object created earlier (or not at all)
            return set(keys.get(r.nextInt(keys.size())), "p0é", List.of(), value(props.get(1).type(), true));
          case 4: // a link to a top-level object
            return set(key, "top", List.of(), new Payload.LinkValue("Top", PrimaryKey.of(r.nextInt(5))));
          case 5: // a mismatched type
            return set(key, "p0é", List.of(), value(SCALARS[r.nextInt(SCALARS.length - 1)], false));
          case 6: // an index into an embedded object
            return set(key, "emb", List.of(PathElement.index(0)), new Payload.IntValue(1));
          case 7:
            return new Instruction.AddInteger("Obj", key, "p0é", List.of(), 3);
          case 8: // a collection marker into a mixed or scalar property
            return set(key, "p0é", List.of(), Payload.marker(r.nextBoolean() ? io.tributary.protocol.changeset.PayloadType.LIST
                : io.tributary.protocol.changeset.PayloadType.DICTIONARY));
          case 9: // an embedded object where a scalar is
            return set(key, "p0é", List.of(), Payload.OBJECT_VALUE);
          default: // into an embedded object that may not be there
            return set(key, "emb", List.of(PathElement.key("inner"), PathElement.key(innerProps.get(0).name())),
                value(innerProps.get(0).type(), true));
        }
      }
      int where = r.nextInt(10);
      if (where < 6) {
        Property p = scalars.get(r.nextInt(scalars.size()));
        return set(key, p.name(), List.of(), value(p.type(), p.optional()));
      } else if (where < 7 || !embSet) {
        embSet = r.nextInt(8) != 0;
        innerSet = false;
        return set(key, "emb", List.of(), embSet ? Payload.OBJECT_VALUE : Payload.NULL);
      } else if (where < 9 || !innerSet) {
        Property p = embProps.get(r.nextInt(embProps.size()));
        if (p.type() == PropertyType.OBJECT) {
          innerSet = true;
          return set(key, "emb", List.of(PathElement.key("inner")), Payload.OBJECT_VALUE);
        }
        return set(key, "emb", List.of(PathElement.key(p.name())), value(p.type(), p.optional()));
      } else {
        Property p = innerProps.get(r.nextInt(innerProps.size()));
        return set(key, "emb", List.of(PathElement.key("inner"), PathElement.key(p.name())), value(p.type(), p.optional()));
      }
    }

    private static Instruction set(PrimaryKey key, String field, List<PathElement> path, Payload value) {
      boolean index = !path.isEmpty() && path.get(path.size() - 1) instanceof PathElement.Index;
      return new Instruction.Update("Obj", key, field, path, value, false, index ? 0 : -1);
    }

    private Payload value(PropertyType type, boolean optional) {
      if (optional && r.nextInt(6) == 0) {
        return Payload.NULL;
      }
      if (type == PropertyType.MIXED) {
        type = SCALARS[r.nextInt(SCALARS.length - 1)];
      }
      switch (type) {
        case INT:
          return new Payload.IntValue(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(300) - 150);
        case BOOL:
          return new Payload.BoolValue(r.nextBoolean());
        case STRING:
          return new Payload.StringValue(string());
        case DATA:
          {
            byte[] b = new byte[r.nextInt(3) == 0 ? 200 + r.nextInt(200) : r.nextInt(8)];
            r.nextBytes(b);
            return new Payload.BinaryValue(b);
          }
        case DATE:
          {
            long s = r.nextInt(4) == 0 ? 0 : r.nextInt(2) == 0 ? r.nextInt(100000) : r.nextLong() / 2;
            int nanos = r.nextInt(3) == 0 ? 0 : r.nextInt(999_999_999);
            return new Payload.TimestampValue(s, s < 0 ? -nanos : nanos);
          }
        case FLOAT:
          return new Payload.FloatValue(r.nextInt(3) == 0 ? 0 : r.nextInt());
        case DOUBLE:
          return new Payload.DoubleValue(r.nextInt(3) == 0 ? 0 : r.nextLong());
        case DECIMAL:
          return Payload.DecimalValue.of(new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(40) - 20));
        case OBJECT_ID:
          {
            byte[] b = new byte[12];
            r.nextBytes(b);
            return new Payload.ObjectIdValue(ObjectId.fromBytes(b));
          }
        default:
          return new Payload.UuidValue(new UUID(r.nextLong(), r.nextLong()));
      }
    }

    private String string() {
      String[] parts = {"", "a", "sensor-", "é", "日本", "\uD83D\uDE00", "x".repeat(130)};
      StringBuilder sb = new StringBuilder();
      for (int i = r.nextInt(4); i > 0; i--) {
        sb.append(parts[r.nextInt(parts.length)]);
      }
      return sb.toString();
    }
  }

  @Test
  void varintSizeMatchesProtobuf() {
    long[] values = {0, 1, 127, 128, 16383, 16384, Long.MAX_VALUE, -1, Long.MIN_VALUE, 1L << 62};
    for (long v : values) {
      assertThat(DirectIngest.varintSize(v))
          .as(Long.toString(v))
          .isEqualTo(com.google.protobuf.CodedOutputStream.computeUInt64SizeNoTag(v));
    }
    assertThat(Arrays.stream(values).count()).isEqualTo(10);
  }

  @Test
  void hex8GivesTheEightLowerCaseHexDigitsFirstDigitFirst() {
    Random r = new Random(8);
    int[] fixed = {0, -1, 0x0123abcd, 0x9a9a9a9a, 0xfedcba98, Integer.MIN_VALUE, Integer.MAX_VALUE};
    for (int i = 0; i < 10_000 + fixed.length; i++) {
      int x = i < fixed.length ? fixed[i] : r.nextInt();
      long digits = DirectIngest.hex8(x);
      byte[] text = new byte[8];
      for (int b = 0; b < 8; b++) {
        text[b] = (byte) (digits >>> (56 - 8 * b));
      }
      assertThat(new String(text, java.nio.charset.StandardCharsets.US_ASCII))
          .as(Integer.toHexString(x))
          .isEqualTo(String.format("%08x", x));
    }
  }
}
