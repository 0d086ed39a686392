package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Write → read → equal, over random instructions of every kind (schemas, objects, every payload,
 * every key and path shape), in both layouts and through heap and direct sinks; and re-encoding
 * what was read gives the same bytes.
 */
class RoundTripPropertiesTest {
  private static final BigInteger LIMIT = BigInteger.TEN.pow(34);

  @Property(tries = 400)
  void writtenInstructionsReadBackEqual(
      @ForAll("instructions") List<Instruction> instructions,
      @ForAll boolean internStringsFirst,
      @ForAll boolean direct) {
    ChangesetWriter w = new ChangesetWriter(internStringsFirst
        ? ChangesetWriter.Layout.INTERN_STRINGS_FIRST : ChangesetWriter.Layout.INTERLEAVED);
    ByteSink sink = direct ? ByteBufferSink.allocateDirect(16, 1 << 24) : new ArrayByteSink(16);
    w.reset(sink);
    w.writeAll(instructions);
    long size = w.finish();
    byte[] bytes = bytesOf(sink);
    assertThat(bytes).hasSize((int) size);

    Changeset read = Changeset.parse(bytes);

    assertThat(read.instructions()).isEqualTo(instructions);
    ArrayByteSink again = new ArrayByteSink();
    ChangesetWriter w2 = new ChangesetWriter(internStringsFirst
        ? ChangesetWriter.Layout.INTERN_STRINGS_FIRST : ChangesetWriter.Layout.INTERLEAVED);
    w2.reset(again);
    read.writeTo(w2, EmbeddedOwners.NONE);
    w2.finish();
    assertThat(again.toByteArray()).isEqualTo(bytes);
  }

  @Property(tries = 200)
  void objectsWrittenWithTheFluentApiReadBackEqual(
      @ForAll("names") String table, @ForAll("keys") PrimaryKey key,
      @ForAll("objectUpdates") List<Instruction.Update> updates) {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.object(table, key).createObject();
    for (Instruction.Update u : updates) {
      w.update(u.field());
      for (PathElement e : u.path()) {
        if (e instanceof PathElement.Key) {
          w.key(((PathElement.Key) e).key());
        }
      }
      w.isDefault(u.isDefault()).value(u.value());
    }
    w.finish();

    List<Instruction> read = Changeset.parse(ByteBuffer.wrap(sink.toByteArray())).instructions();

    assertThat(read.get(0)).isEqualTo(new Instruction.CreateObject(table, key));
    for (int i = 0; i < updates.size(); i++) {
      Instruction.Update u = updates.get(i);
      assertThat(read.get(i + 1)).isEqualTo(Instruction.Update.of(table, key, u.field(), u.path(),
          u.value(), u.isDefault()));
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

  // ------------------------------------------------------------------------------------------
  // generators

  @Provide
  Arbitrary<String> names() {
    Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(0x20, 0x7E)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x80, 0xD7FF)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
    return codePoints.list().ofMaxSize(12).map(cps -> {
      StringBuilder sb = new StringBuilder();
      cps.forEach(sb::appendCodePoint);
      return sb.toString();
    });
  }

  private Arbitrary<String> text() {
    return Arbitraries.oneOf(names(), Arbitraries.strings().ascii().ofMaxLength(600));
  }

  @Provide
  Arbitrary<PrimaryKey> keys() {
    return Arbitraries.oneOf(
        Arbitraries.just(PrimaryKey.NULL),
        Arbitraries.longs().map(PrimaryKey::of),
        names().map(PrimaryKey::of),
        objectIds().map(PrimaryKey::of),
        uuids().map(PrimaryKey::of),
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
            .as(PrimaryKey.GlobalKey::new));
  }

  private Arbitrary<ObjectId> objectIds() {
    return Combinators.combine(Arbitraries.integers(), Arbitraries.longs()).as(ObjectId::of);
  }

  private Arbitrary<UUID> uuids() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
  }

  private Arbitrary<Payload> payloads() {
    Arbitrary<Payload> timestamps = Combinators.combine(
        Arbitraries.longs(), Arbitraries.integers().between(0, 999_999_999))
        .as((s, n) -> (Payload) new Payload.TimestampValue(s, s > 0 ? n : s < 0 ? -n : n));
    Arbitrary<Payload> decimals = Combinators.combine(
        Arbitraries.bigIntegers().between(BigInteger.ZERO, LIMIT.subtract(BigInteger.ONE)),
        Arbitraries.integers().between(Decimals.MIN_EXPONENT, Decimals.MAX_EXPONENT),
        Arbitraries.of(true, false))
        .as((c, e, neg) -> (Payload) new Payload.DecimalValue(c.shiftRight(64).longValue(),
            c.longValue(), e, neg));
    return Arbitraries.oneOf(
        Arbitraries.of(Payload.NULL, Payload.OBJECT_VALUE, Payload.LIST, Payload.DICTIONARY,
            Payload.SET, Payload.ERASED),
        Arbitraries.longs().map(Payload.IntValue::new),
        Arbitraries.of(true, false).map(Payload.BoolValue::new),
        text().map(Payload.StringValue::new),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(Payload.BinaryValue::new),
        timestamps,
        Arbitraries.integers().map(Payload.FloatValue::new),
        Arbitraries.longs().map(Payload.DoubleValue::new),
        decimals,
        objectIds().map(Payload.ObjectIdValue::new),
        uuids().map(Payload.UuidValue::new),
        Combinators.combine(names(), keys()).as(Payload.LinkValue::new));
  }

  private Arbitrary<Long> u32() {
    return Arbitraries.longs().between(0, ChangesetWriter.MAX_UINT32);
  }

  private Arbitrary<PathElement> elements() {
    return Arbitraries.oneOf(u32().map(PathElement::index), names().map(PathElement::key));
  }

  private Arbitrary<List<PathElement>> paths() {
    return elements().list().ofMaxSize(4);
  }

  private Arbitrary<List<PathElement>> arrayPaths() {
    return Combinators.combine(paths(), u32()).as((p, i) -> {
      List<PathElement> l = new java.util.ArrayList<>(p);
      l.add(PathElement.index(i));
      return l;
    });
  }

  @Provide
  Arbitrary<List<Instruction.Update>> objectUpdates() {
    return Combinators.combine(names(), names().list().ofMaxSize(2), payloads(),
            Arbitraries.of(true, false))
        .as((f, keys, v, d) -> Instruction.Update.of("T", PrimaryKey.NULL, f,
            keys.stream().map(PathElement::key).collect(java.util.stream.Collectors.toList()),
            v, d))
        .list().ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<Instruction>> instructions() {
    Arbitrary<Instruction> addTable = Combinators.combine(names(), Arbitraries.of(TableType.class),
            names(), Arbitraries.of(PayloadType.INT, PayloadType.STRING, PayloadType.OBJECT_ID,
                PayloadType.UUID, PayloadType.GLOBAL_KEY), Arbitraries.of(true, false))
        .as((t, type, f, pk, n) -> type == TableType.EMBEDDED
            ? new Instruction.AddTable(t, type, null, null, false)
            : new Instruction.AddTable(t, type, f, pk, n));
    Arbitrary<Instruction> addColumn = Combinators.combine(names(), names(),
            Arbitraries.of(ColumnType.class), Arbitraries.of(true, false),
            Arbitraries.of(CollectionType.class), names(), Arbitraries.of(ColumnType.class))
        .as((t, f, type, n, c, target, key) -> new Instruction.AddColumn(t, f, type, n, c,
            type == ColumnType.LINK ? target : null,
            c == CollectionType.DICTIONARY ? key : null));
    Arbitrary<Instruction> update = Combinators.combine(names(), keys(), names(), paths(),
            payloads(), Arbitraries.of(true, false), u32())
        .as((t, k, f, p, v, d, prior) -> {
          boolean array = !p.isEmpty() && p.get(p.size() - 1) instanceof PathElement.Index;
          return new Instruction.Update(t, k, f, p, v, !array && d, array ? prior : -1);
        });
    Arbitrary<Instruction> others = Combinators.combine(
            Arbitraries.integers().between(0, 9), names(), keys(), names(), paths(), arrayPaths(),
            payloads(), u32())
        .as((kind, t, k, f, p, ap, v, n) -> {
          switch (kind) {
            case 0:
              return new Instruction.CreateObject(t, k);
            case 1:
              return new Instruction.EraseObject(t, k);
            case 2:
              return new Instruction.EraseTable(t);
            case 3:
              return new Instruction.EraseColumn(t, f);
            case 4:
              return new Instruction.AddInteger(t, k, f, p, n - 7);
            case 5:
              return new Instruction.ArrayInsert(t, k, f, ap, v, n);
            case 6:
              return new Instruction.ArrayMove(t, k, f, ap, n / 2, n);
            case 7:
              return new Instruction.ArrayErase(t, k, f, ap, n);
            case 8:
              return new Instruction.Clear(t, k, f, p, CollectionType.values()[(int) (n % 4)]);
            default:
              return n % 2 == 0 ? new Instruction.SetInsert(t, k, f, p, v)
                  : new Instruction.SetErase(t, k, f, p, v);
          }
        });
    return Arbitraries.oneOf(addTable, addColumn, update, update, others, others).list()
        .ofMaxSize(25);
  }
}
