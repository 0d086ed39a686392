package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ObjectId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The writer's fast paths for prepared names (an Update of an interned field, optionally one
 * interned key and an interned embedded class) write exactly the bytes of the general path, which
 * the {@code String} overloads always take: for random values of every payload type (non-ASCII and
 * long strings, NaN payloads, extreme integers and timestamps), every way an instruction leaves
 * the fast shape (more path elements, indices, isDefault, a String owner), every primary-key kind,
 * and intern indices of one, two and three varint bytes.
 */
class PreparedNamesPropertiesTest {

  /** One Update: field, then path steps, owner, details and the value. */
  record Op(String field, List<Object> steps, String owner, boolean ownerFirst,
      boolean stringOwner, boolean isDefault, Payload value) {}

  @Property(tries = 300)
  void preparedNamesWriteTheBytesOfStringNames(
      @ForAll("keys") PrimaryKey key, @ForAll("ops") List<Op> ops,
      @ForAll @IntRange(max = 2) int rounds) {
    byte[] general = write(key, ops, rounds, false, 0);
    byte[] prepared = write(key, ops, rounds, true, 0);

    assertThat(prepared).isEqualTo(general);
    assertThat(Changeset.parse(prepared).instructions()).hasSize((1 + ops.size()) * (rounds + 1));
  }

  @Property(tries = 40)
  void largeInternIndicesTakeTheSameBytes(
      @ForAll("keys") PrimaryKey key, @ForAll("ops") List<Op> ops,
      @ForAll("internedBefore") int internedBefore) {
    byte[] general = write(key, ops, 1, false, internedBefore);
    byte[] prepared = write(key, ops, 1, true, internedBefore);

    assertThat(prepared).isEqualTo(general);
  }

  /** Where a prepared-name changeset goes (see preparedNamesWriteTheSameBytesInEverySink). */
  enum SinkKind { HEAP, DIRECT, WRAPPED_HEAP_EXACT, WRAPPED_DIRECT_EXACT }

  /**
   * The fast paths reserve more than they write and copy 8-byte words past the record's end: the
   * bytes are the same in every sink kind, after {@code pad} bytes already in the sink (so record
   * boundaries fall at every offset of the sink's growth steps and of the direct sink's staging
   * window), from a small initial capacity, and in fixed sinks exactly as large as the changeset
   * (the last records do not fit the fast path's reservation).
   */
  @Property(tries = 300)
  void preparedNamesWriteTheSameBytesInEverySink(
      @ForAll("keys") PrimaryKey key, @ForAll("ops") List<Op> ops,
      @ForAll SinkKind kind, @ForAll @IntRange(max = 300) int pad,
      @ForAll @IntRange(min = 1, max = 64) int initialCapacity) {
    byte[] general = write(key, ops, 1, false, 0);
    byte[] padding = new byte[pad];
    java.util.Arrays.fill(padding, (byte) 0x5A);
    ByteSink sink;
    java.nio.ByteBuffer fixed = null;
    switch (kind) {
      case HEAP:
        sink = new ArrayByteSink(initialCapacity);
        break;
      case DIRECT:
        sink = ByteBufferSink.allocateDirect(initialCapacity, 1 << 20);
        break;
      case WRAPPED_HEAP_EXACT:
        fixed = java.nio.ByteBuffer.allocate(pad + general.length);
        sink = ByteBufferSink.wrap(fixed);
        break;
      default:
        fixed = java.nio.ByteBuffer.allocateDirect(pad + general.length);
        sink = ByteBufferSink.wrap(fixed);
        break;
    }
    sink.write(padding, 0, pad);

    long size = write(sink, key, ops, 1, true, 0);

    assertThat(size).isEqualTo(general.length);
    byte[] all;
    if (fixed != null) {
      assertThat(fixed.position()).isEqualTo(pad + general.length);
      all = new byte[pad + general.length];
      fixed.flip().get(all);
    } else if (sink instanceof ArrayByteSink) {
      all = ((ArrayByteSink) sink).toByteArray();
    } else {
      java.nio.ByteBuffer written = ((ByteBufferSink) sink).written();
      all = new byte[written.remaining()];
      written.get(all);
    }
    assertThat(java.util.Arrays.copyOfRange(all, 0, pad)).isEqualTo(padding);
    assertThat(java.util.Arrays.copyOfRange(all, pad, all.length)).isEqualTo(general);
  }

  @Test
  void refusedStringInAFastShapeLeavesTheChangesetValid() {
    Name table = Name.of("T");
    Name field = Name.of("f");
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject(table, 1L);
    w.update(field).stringValue("a"); // interns "f": the next update takes the fast shape

    w.update(field);
    assertThatThrownBy(() -> w.stringValue("x\uD800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate");
    w.update(field).stringValue("é");
    w.finish();

    List<Instruction> read = Changeset.parse(sink.toByteArray()).instructions();
    assertThat(read).hasSize(3);
    assertThat(((Instruction.Update) read.get(2)).value()).isEqualTo(new Payload.StringValue("é"));
  }

  @Test
  void openFastUpdateIsReportedByFinishWithItsField() {
    Name field = Name.of("temperature");
    ChangesetWriter w = new ChangesetWriter(new ArrayByteSink());
    w.createObject(Name.of("T"), 1L);
    w.update(field).doubleValue(1);

    w.update(field);

    assertThatThrownBy(w::finish)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'temperature'");
  }

  @Test
  void fastTerminalsAllocateNothing() {
    Name table = Name.of("Reading");
    Name[] fields = {Name.of("a"), Name.of("b"), Name.of("c"), Name.of("d"), Name.of("e")};
    Name lat = Name.of("lat");
    Name owner = Name.of("Location");
    ObjectId id = ObjectId.of(0x65f1a2b3, 42);
    UUID uuid = new UUID(1, 2);
    java.time.Instant now = java.time.Instant.ofEpochSecond(1_700_000_000L, 123_000_000);
    ArrayByteSink sink = new ArrayByteSink(1 << 20);
    ChangesetWriter w = new ChangesetWriter(sink);
    long allocated = 0;
    for (int round = 0; round < 3; round++) {
      sink.clear();
      w.reset();
      long before = Allocations.allocatedBytes();
      for (int i = 0; i < 1000; i++) {
        w.createObject(table, id);
        w.update(fields[0]).stringValue("sensor-0001");
        w.update(fields[1]).doubleValue(i);
        w.update(fields[2]).timestampValue(now);
        w.update(fields[3]).intValue(-i);
        w.update(fields[4]).uuidValue(uuid);
        w.update(fields[4]).objectIdValue(id);
        w.update(fields[4]).boolValue(true);
        w.update(fields[4]).floatValue(1.5f);
        w.update(fields[4]).objectValue();
        w.update(fields[4]).key(lat).inEmbedded(owner).doubleValue(52.1);
      }
      w.finish();
      allocated = Allocations.allocatedBytes() - before - Allocations.overhead();
    }
    assertThat(allocated).isLessThanOrEqualTo(0);
  }

  // ------------------------------------------------------------------------------------------

  private static byte[] write(PrimaryKey key, List<Op> ops, int rounds, boolean prepared,
      int internedBefore) {
    ArrayByteSink sink = new ArrayByteSink(16);
    write(sink, key, ops, rounds, prepared, internedBefore);
    return sink.toByteArray();
  }

  /** Writes the ops into {@code sink}; returns the changeset's size. */
  private static long write(ByteSink sink, PrimaryKey key, List<Op> ops, int rounds,
      boolean prepared, int internedBefore) {
    Map<String, Name> names = new HashMap<>();
    ChangesetWriter w = new ChangesetWriter(sink);
    for (int i = 0; i < internedBefore; i++) {
      w.createObject("pad", "p" + i);
    }
    for (int r = 0; r <= rounds; r++) {
      if (prepared) {
        select(w, name(names, "T"), key);
      } else {
        w.object("T", key);
      }
      w.createObject();
      for (Op op : ops) {
        if (prepared) {
          w.update(name(names, op.field()));
        } else {
          w.update(op.field());
        }
        if (op.owner() != null && op.ownerFirst()) {
          owner(w, names, op, prepared);
        }
        boolean endsWithIndex = false;
        for (Object step : op.steps()) {
          if (step instanceof Long) {
            w.index((Long) step);
            endsWithIndex = true;
          } else {
            if (prepared) {
              w.key(name(names, (String) step));
            } else {
              w.key((String) step);
            }
            endsWithIndex = false;
          }
        }
        if (op.owner() != null && !op.ownerFirst()) {
          owner(w, names, op, prepared);
        }
        if (endsWithIndex) {
          w.priorSize(7);
        } else if (op.isDefault()) {
          w.isDefault(true);
        }
        w.value(op.value());
      }
    }
    return w.finish();
  }

  private static void select(ChangesetWriter w, Name table, PrimaryKey key) {
    if (key instanceof PrimaryKey.ObjectIdKey) {
      w.object(table, ((PrimaryKey.ObjectIdKey) key).value());
    } else if (key instanceof PrimaryKey.IntKey) {
      w.object(table, ((PrimaryKey.IntKey) key).value());
    } else if (key instanceof PrimaryKey.StringKey) {
      w.object(table, ((PrimaryKey.StringKey) key).value());
    } else if (key instanceof PrimaryKey.UuidKey) {
      w.object(table, ((PrimaryKey.UuidKey) key).value());
    } else {
      w.objectWithNullKey(table.value());
    }
  }

  private static void owner(ChangesetWriter w, Map<String, Name> names, Op op, boolean prepared) {
    if (prepared && !op.stringOwner()) {
      w.inEmbedded(name(names, op.owner()));
    } else {
      w.inEmbedded(op.owner());
    }
  }

  private static Name name(Map<String, Name> names, String s) {
    return names.computeIfAbsent(s, Name::of);
  }

  // ------------------------------------------------------------------------------------------
  // generators

  @Provide
  Arbitrary<Integer> internedBefore() {
    return Arbitraries.of(0, 60, 62, 63, 64, 100, 8189, 8190, 8191, 8192, 8300);
  }

  @Provide
  Arbitrary<PrimaryKey> keys() {
    return Arbitraries.oneOf(
        Arbitraries.just(PrimaryKey.NULL),
        Arbitraries.longs().map(PrimaryKey::of),
        Arbitraries.of(0L, 63L, 64L, -64L, -65L, Long.MIN_VALUE, Long.MAX_VALUE)
            .map(PrimaryKey::of),
        names().map(PrimaryKey::of),
        Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
            .as((h, l) -> PrimaryKey.of(ObjectId.of(h, l))),
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
            .as((m, l) -> PrimaryKey.of(new UUID(m, l))));
  }

  /** A few names, so that names repeat (the fast paths need them interned). */
  private Arbitrary<String> fewNames() {
    return Arbitraries.of("a", "b", "sensor", "location", "lat", "é", "\uD83D\uDE00", "");
  }

  private Arbitrary<String> names() {
    return Arbitraries.oneOf(fewNames(), Arbitraries.strings().ofMaxLength(6));
  }

  private Arbitrary<String> strings() {
    Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.integers().between(0, 0x7F)),
        Tuple.of(1, Arbitraries.integers().between(0x80, 0xD7FF)),
        Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
    Arbitrary<String> mixed = codePoints.list().ofMaxSize(70).map(cps -> {
      StringBuilder sb = new StringBuilder();
      cps.forEach(sb::appendCodePoint);
      return sb.toString();
    });
    Arbitrary<String> aroundOneByteLength =
        Arbitraries.of(62, 63, 64, 65, 127, 128).map(n -> "x".repeat(n));
    return Arbitraries.oneOf(mixed, aroundOneByteLength, Arbitraries.strings().ascii()
        .ofMaxLength(80), Arbitraries.just(""));
  }

  private Arbitrary<Payload> values() {
    Arbitrary<Long> extremes = Arbitraries.of(0L, 1L, 63L, 64L, -1L, -64L, -65L, 8191L, 8192L,
        Long.MAX_VALUE, Long.MIN_VALUE, 1L << 55, -(1L << 55), (1L << 55) - 1,
        (1L << 27) - 1, 1L << 27, (1L << 34) - 1, 1L << 34, -(1L << 27) - 1, 1_709_296_496L);
    Arbitrary<Long> longs = Arbitraries.oneOf(Arbitraries.longs(), extremes,
        Arbitraries.longs().between(-(1L << 35), 1L << 35));
    Arbitrary<Payload> timestamps = Combinators.combine(longs,
            Arbitraries.integers().between(0, 999_999_999))
        .as((s, n) -> (Payload) new Payload.TimestampValue(s, s > 0 ? n : s < 0 ? -n : n));
    Arbitrary<Integer> floatBits = Arbitraries.oneOf(Arbitraries.integers(),
        Arbitraries.of(0x7FC0_0001, 0xFF80_0001, 0x7F80_0000, 0x8000_0000));
    Arbitrary<Long> doubleBits = Arbitraries.oneOf(Arbitraries.longs(),
        Arbitraries.of(0x7FF0_0000_0000_0001L, 0xFFF8_0000_0000_1234L, 0x8000_0000_0000_0000L));
    return Arbitraries.oneOf(
        Arbitraries.of(Payload.NULL, Payload.OBJECT_VALUE, Payload.LIST, Payload.DICTIONARY,
            Payload.SET, Payload.ERASED),
        longs.map(Payload.IntValue::new),
        Arbitraries.of(true, false).map(Payload.BoolValue::new),
        strings().map(Payload.StringValue::new),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(Payload.BinaryValue::new),
        timestamps,
        floatBits.map(Payload.FloatValue::new),
        doubleBits.map(Payload.DoubleValue::new),
        Arbitraries.of(new Payload.DecimalValue(0, 1234, -2, false)),
        Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
            .as((h, l) -> (Payload) new Payload.ObjectIdValue(ObjectId.of(h, l))),
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
            .as((m, l) -> (Payload) new Payload.UuidValue(new UUID(m, l))),
        names().map(t -> new Payload.LinkValue(t, PrimaryKey.of(5))));
  }

  private Arbitrary<List<Object>> steps() {
    Arbitrary<Object> step = Arbitraries.oneOf(
        fewNames().map(s -> (Object) s),
        Arbitraries.longs().between(0, ChangesetWriter.MAX_UINT32).map(i -> (Object) i));
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.just(List.<Object>of())),
        Tuple.of(3, fewNames().map(s -> List.<Object>of(s))),
        Tuple.of(1, step.list().ofMaxSize(3).map(ArrayList::new)));
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<String> owners = Arbitraries.oneOf(Arbitraries.just(null),
        Arbitraries.of("Location", "Part", "é"));
    return Combinators.combine(fewNames(), steps(), owners, Arbitraries.of(true, false),
            Arbitraries.frequency(Tuple.of(5, false), Tuple.of(1, true)),
            Arbitraries.frequency(Tuple.of(5, false), Tuple.of(1, true)), values())
        .as(Op::new)
        .list().ofMaxSize(12);
  }
}
