package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ObjectId;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * {@link FieldPath} Updates write exactly the bytes of the fluent {@code String} calls: for random
 * objects (every primary-key kind), top-level and embedded paths, every payload a prepared path
 * writes (non-ASCII and long strings, extreme integers and timestamps, NaN payloads), prepared and
 * fluent calls mixed in one changeset, paths shared by two writers and reused across changesets
 * (stale cached words), intern indices around the fast route's limit of 64, and every sink kind.
 */
class FieldPathPropertiesTest {

  /** One Update: a top-level field, or field.key in an embedded class; a value; which API. */
  record Op(String field, String key, String embeddedClass, Object value, boolean fluent) {}

  /** Where the prepared changeset goes. */
  enum SinkKind { HEAP, DIRECT, WRAPPED_HEAP_EXACT, WRAPPED_DIRECT_SLICE_EXACT }

  @Property(tries = 400)
  void fieldPathsWriteTheBytesOfFluentCalls(
      @ForAll("keys") PrimaryKey key, @ForAll("ops") List<Op> ops,
      @ForAll @IntRange(max = 2) int rounds, @ForAll("internedBefore") int internedBefore) {
    Map<String, FieldPath> paths = new HashMap<>();
    byte[] general = write(new ArrayByteSink(16), key, ops, rounds, internedBefore, null);
    byte[] prepared = write(new ArrayByteSink(16), key, ops, rounds, internedBefore, paths);

    assertThat(prepared).isEqualTo(general);
    assertThat(Changeset.parse(prepared).instructions())
        .hasSize(internedBefore + (1 + ops.size()) * (rounds + 1));
  }

  /**
   * Paths shared by two writers and reused over several changesets: each writer's changesets are
   * still byte for byte the fluent ones (a cached word from the other writer or an older
   * changeset never matches by accident).
   */
  @Property(tries = 200)
  void sharedPathsStayCorrectAcrossWritersAndChangesets(
      @ForAll("keys") PrimaryKey key, @ForAll("ops") List<Op> ops1, @ForAll("ops") List<Op> ops2,
      @ForAll @IntRange(max = 5) int pad1, @ForAll @IntRange(max = 5) int pad2) {
    Map<String, FieldPath> paths = new HashMap<>();
    ArrayByteSink s1 = new ArrayByteSink();
    ArrayByteSink s2 = new ArrayByteSink();
    ChangesetWriter w1 = new ChangesetWriter(s1);
    ChangesetWriter w2 = new ChangesetWriter(s2);
    for (int changeset = 0; changeset < 3; changeset++) {
      s1.clear();
      s2.clear();
      w1.reset();
      w2.reset();
      pad(w1, pad1 + changeset);
      pad(w2, pad2);
      select(w1, key);
      w1.createObject();
      select(w2, key);
      w2.createObject();
      // interleaved: w1 and w2 use the same FieldPath objects in turn
      int n = Math.max(ops1.size(), ops2.size());
      for (int i = 0; i < n; i++) {
        if (i < ops1.size()) {
          apply(w1, ops1.get(i), paths);
        }
        if (i < ops2.size()) {
          apply(w2, ops2.get(i), paths);
        }
      }
      w1.finish();
      w2.finish();
      assertThat(s1.toByteArray())
          .isEqualTo(fluent(key, ops1, pad1 + changeset));
      assertThat(s2.toByteArray()).isEqualTo(fluent(key, ops2, pad2));
    }
  }

  @Property(tries = 200)
  void fieldPathsWriteTheSameBytesInEverySink(
      @ForAll("keys") PrimaryKey key, @ForAll("ops") List<Op> ops, @ForAll SinkKind kind,
      @ForAll @IntRange(max = 300) int pad,
      @ForAll @IntRange(min = 1, max = 64) int initialCapacity) {
    byte[] general = write(new ArrayByteSink(16), key, ops, 1, 0, null);
    byte[] padding = new byte[pad];
    java.util.Arrays.fill(padding, (byte) 0x5A);
    ByteSink sink;
    java.nio.ByteBuffer fixed = null;
    java.nio.ByteBuffer parent = null;
    int sliceAt = initialCapacity % 13 + 1;
    switch (kind) {
      case HEAP:
        sink = new ArrayByteSink(initialCapacity);
        break;
      case DIRECT:
        sink = ByteBufferSink.allocateDirect(initialCapacity, 1 << 20);
        break;
      case WRAPPED_DIRECT_SLICE_EXACT:
        // a slice at a non-zero offset of a larger direct buffer, exactly as large as needed:
        // the raw stores go to its memory; the guard bytes around it must stay untouched
        parent = java.nio.ByteBuffer.allocateDirect(sliceAt + pad + general.length + 64);
        for (int i = 0; i < parent.capacity(); i++) {
          parent.put(i, (byte) 0xA5);
        }
        fixed = parent.duplicate().position(sliceAt).limit(sliceAt + pad + general.length)
            .slice();
        sink = ByteBufferSink.wrap(fixed);
        break;
      default:
        fixed = java.nio.ByteBuffer.allocate(pad + general.length);
        sink = ByteBufferSink.wrap(fixed);
        break;
    }
    sink.write(padding, 0, pad);

    byte[] prepared = write(sink, key, ops, 1, 0, new HashMap<>());

    byte[] all;
    if (fixed != null) {
      all = new byte[fixed.position()];
      fixed.flip().get(all);
    } else {
      all = prepared;
    }
    assertThat(java.util.Arrays.copyOfRange(all, pad, all.length)).isEqualTo(general);
    if (parent != null) {
      for (int i = 0; i < parent.capacity(); i++) {
        if (i < sliceAt || i >= sliceAt + pad + general.length) {
          assertThat(parent.get(i)).as("guard byte %d", i).isEqualTo((byte) 0xA5);
        }
      }
    }
  }

  @Test
  void firstUseCachesTheEncodedPathForTheFastRoute() {
    FieldPath sensor = FieldPath.of(Name.of("sensor"));
    FieldPath location = FieldPath.of(Name.of("location"));
    FieldPath lat = FieldPath.ofEmbedded(Name.of("location"), Name.of("lat"), Name.of("Location"));
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject(Name.of("Reading"), 1L); // "Reading" is intern index 0

    w.stringValue(sensor, "t1"); // "sensor" 1
    w.objectValue(location); // "location" 2
    w.doubleValue(lat, 52.1); // "Location" 3, "lat" 4

    assertThat(w.rememberedPath(sensor)).isEqualTo(0x01L); // field 1, empty path
    // field 2, one element, a string (40), key 4
    assertThat(w.rememberedPath(lat)).isEqualTo(0x04_40_01_02L);
    // written again, the fast route copies that word: same bytes as the first time
    w.flush();
    int before = sink.size();
    w.doubleValue(lat, 52.1);
    w.flush();
    byte[] all = sink.toByteArray();
    byte[] second = java.util.Arrays.copyOfRange(all, before, all.length);
    byte[] first = java.util.Arrays.copyOfRange(all, before - second.length, before);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void aResetForgetsTheRememberedPathsEvenWhenTheGenerationWrapsAround() {
    FieldPath value = FieldPath.of(Name.of("value"));
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject(Name.of("Reading"), 1L);
    w.doubleValue(value, 1.5);
    assertThat(w.rememberedPath(value)).isEqualTo(0x01L);

    sink.clear();
    w.reset();
    assertThat(w.rememberedPath(value)).isZero();

    // the generation wraps around after 2^32 changesets: the table is cleared, not trusted
    w.createObject(Name.of("Reading"), 1L);
    w.pathStamp(1); // the first generation after a wrap-around
    w.doubleValue(value, 1.5); // remembered with it
    assertThat(w.rememberedPath(value)).isEqualTo(0x01L);
    w.pathStamp(-1); // the last generation before the wrap-around
    w.doubleValue(value, 1.5); // remembered with it
    assertThat(w.rememberedPath(value)).isEqualTo(0x01L);
    sink.clear();
    w.reset(); // generation 1 again
    assertThat(w.rememberedPath(value)).isZero();
    w.createObject(Name.of("Reading"), 2L);
    w.doubleValue(value, 2.5);
    w.finish();
    ArrayByteSink fluent = new ArrayByteSink();
    new ChangesetWriter(fluent).createObject("Reading", 2L).update("value").doubleValue(2.5)
        .finish();
    assertThat(sink.toByteArray()).isEqualTo(fluent.toByteArray());
  }

  /**
   * Timestamps through the fast routes (prepared path, fluent {@link Name} shape; heap and direct
   * sinks) take the bytes of the general route, whose varints are the reference loop: around the
   * 5-byte seconds range [2^27, 2^34) written without measuring, before 1970, nanos 0 and max.
   */
  @Test
  void timestampsOnTheFastRoutesTakeTheBytesOfTheGeneralRoute() {
    long[][] pairs = {
        {0, 0}, {0, 999_999_999}, {0, -999_999_999}, {-1, -1}, {-1, 0}, {1, 0},
        {(1L << 27) - 1, 999_999_999}, {1L << 27, 0}, {(1L << 27) + 1, 1},
        {1_709_296_496L, 0}, {1_709_296_496L, 999_999_999}, {1_709_296_496L, 63},
        {1_709_296_496L, 64}, {(1L << 34) - 1, 999_999_999}, {1L << 34, 0},
        {-(1L << 27), -1}, {-(1L << 34), -999_999_999}, {Long.MAX_VALUE, 999_999_999},
        {Long.MIN_VALUE, 0},
        // nanoseconds at each varint width boundary after 1974 (5-byte seconds)
        {1_709_296_496L, 1}, {1_709_296_496L, 8191}, {1_709_296_496L, 8192},
        {1_709_296_496L, (1 << 20) - 1}, {1_709_296_496L, 1 << 20},
        {1_709_296_496L, (1 << 27) - 1}, {1_709_296_496L, 1 << 27}};
    Instant[] instants = {
        Instant.EPOCH, Instant.ofEpochSecond(0, 999_999_999), Instant.ofEpochSecond(-1, 1),
        Instant.ofEpochSecond(-1, 999_999_999), Instant.ofEpochSecond(-(1L << 27), 5),
        Instant.ofEpochSecond(1_709_296_496L, 0), Instant.ofEpochSecond(1_709_296_496L, 999_999_999),
        Instant.ofEpochSecond((1L << 34) - 1, 1), Instant.ofEpochSecond(1L << 34, 1),
        Instant.MIN, Instant.MAX, Instant.ofEpochSecond(1_709_296_496L, 64),
        Instant.ofEpochSecond(1_709_296_496L, 8192), Instant.ofEpochSecond(1_709_296_496L, 1 << 20),
        Instant.ofEpochSecond(1_709_296_496L, (1 << 27) - 1),
        Instant.ofEpochSecond(1L << 27, 1 << 27), Instant.ofEpochSecond(-1_709_296_496L, 1 << 27)};
    FieldPath ts = FieldPath.of(Name.of("ts"));
    Name tsName = Name.of("ts");
    for (boolean direct : new boolean[] {false, true}) {
      ArrayByteSink general = new ArrayByteSink();
      ChangesetWriter g = new ChangesetWriter(general);
      ByteSink target = direct ? ByteBufferSink.allocateDirect(1 << 12, 1 << 16)
          : new ArrayByteSink();
      ChangesetWriter w = new ChangesetWriter(target);
      g.createObject("Reading", 7L);
      w.createObject("Reading", 7L);
      for (int round = 0; round < 2; round++) { // the first use of the path takes the slow route
        for (long[] sn : pairs) {
          g.update("ts").timestampValue(sn[0], (int) sn[1]);
          g.update("ts").timestampValue(sn[0], (int) sn[1]);
          w.timestampValue(ts, sn[0], (int) sn[1]);
          w.update(tsName).timestampValue(sn[0], (int) sn[1]);
        }
        for (Instant t : instants) {
          g.update("ts").timestampValue(t);
          g.update("ts").timestampValue(t);
          w.timestampValue(ts, t);
          w.update(tsName).timestampValue(t);
        }
      }
      g.finish();
      long size = w.finish();
      byte[] bytes;
      if (direct) {
        bytes = new byte[(int) size];
        ((ByteBufferSink) target).written().get(bytes);
      } else {
        bytes = ((ArrayByteSink) target).toByteArray();
      }
      assertThat(bytes).as(direct ? "direct" : "heap").isEqualTo(general.toByteArray());
    }
  }

  @Test
  void aPathWithoutAnIdIsWrittenByTheFluentRouteEveryTime() {
    Name location = Name.of("location");
    FieldPath lat = new FieldPath(location, Name.of("lat"), Name.of("Location"), FieldPath.NO_ID);
    ArrayByteSink fluent = new ArrayByteSink();
    ChangesetWriter f = new ChangesetWriter(fluent);
    ArrayByteSink prepared = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(prepared);
    for (int i = 0; i < 3; i++) {
      f.createObject("Reading", ObjectId.of(i, i));
      f.update("location").key("lat").inEmbedded("Location").doubleValue(i);
      w.createObject("Reading", ObjectId.of(i, i));
      w.doubleValue(lat, i);
      assertThat(w.rememberedPath(lat)).isZero();
    }
    f.finish();
    w.finish();
    assertThat(prepared.toByteArray()).isEqualTo(fluent.toByteArray());
  }

  @Test
  void idsAreNeverGivenTwiceAndRunOutIntoNoId() {
    java.util.concurrent.atomic.AtomicInteger ids =
        new java.util.concurrent.atomic.AtomicInteger(FieldPath.NO_ID - 2);
    assertThat(FieldPath.assignId(ids)).isEqualTo(FieldPath.NO_ID - 2);
    assertThat(FieldPath.assignId(ids)).isEqualTo(FieldPath.NO_ID - 1);
    assertThat(FieldPath.assignId(ids)).isEqualTo(FieldPath.NO_ID);
    assertThat(FieldPath.assignId(ids)).isEqualTo(FieldPath.NO_ID);
    assertThat(ids.get()).isEqualTo(FieldPath.NO_ID); // saturated: no wrap back to 0
    assertThat(FieldPath.of(Name.of("a")).id).isNotEqualTo(FieldPath.of(Name.of("a")).id);
  }

  @Test
  void pathsSharingASlotEvictEachOtherAndKeepTheirOwnBytes() {
    // ids 5 and 5 + 256 map to the same slot: used alternately, each use must find its own path
    // (or none), never the other's
    Name n = Name.of("n");
    Name m = Name.of("m");
    FieldPath a = new FieldPath(n, null, null, 5);
    FieldPath b = new FieldPath(m, null, null, 5 + ChangesetWriter.PATH_SLOTS);
    ArrayByteSink fluent = new ArrayByteSink();
    ChangesetWriter f = new ChangesetWriter(fluent);
    ArrayByteSink prepared = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(prepared);
    for (int i = 0; i < 4; i++) {
      f.createObject("T", (long) i);
      f.update("n").intValue(i);
      f.update("n").intValue(i + 100);
      f.update("m").intValue(i + 200);
      f.update("n").intValue(i + 300);
      w.createObject("T", (long) i);
      w.intValue(a, i);
      w.intValue(a, i + 100); // a remembered: the fast route
      assertThat(w.rememberedPath(a)).isNotZero();
      w.intValue(b, i + 200); // evicts a
      assertThat(w.rememberedPath(a)).isZero();
      assertThat(w.rememberedPath(b)).isNotZero();
      w.intValue(a, i + 300); // a again, through the fluent route
      assertThat(w.rememberedPath(b)).isZero();
    }
    f.finish();
    w.finish();
    assertThat(prepared.toByteArray()).isEqualTo(fluent.toByteArray());
  }

  @Test
  void prepareRefusesNamesThatAreTooLong() {
    Name longField = Name.of("f".repeat(ChangesetWriter.MAX_PROPERTY_NAME_BYTES + 1));
    Name longClass = Name.of("C".repeat(ChangesetWriter.MAX_CLASS_NAME_BYTES + 1));

    assertThatThrownBy(() -> FieldPath.of(longField))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("field");
    assertThatThrownBy(() -> FieldPath.ofEmbedded(Name.of("a"), Name.of("b"), longClass))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedded class");
  }

  @Test
  void fieldPathWithoutSelectedObjectOrWithAnOpenInstructionFailsLikeTheFluentCall() {
    FieldPath value = FieldPath.of(Name.of("value"));
    ChangesetWriter w = new ChangesetWriter(new ArrayByteSink());

    assertThatThrownBy(() -> w.doubleValue(value, 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no object selected");

    w.createObject(Name.of("T"), 1L);
    w.doubleValue(value, 1);
    w.doubleValue(value, 2); // fast route
    w.update(Name.of("other"));
    assertThatThrownBy(() -> w.doubleValue(value, 3))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("opened but not written");
    w.doubleValue(4);
    w.doubleValue(value, 4.5); // idle again: the fast route
    w.update("other"); // the general (String) opener
    assertThatThrownBy(() -> w.stringValue(value, "x"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("opened but not written");
    assertThatThrownBy(() -> w.timestampValue(value, Instant.EPOCH))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("opened but not written");
    w.doubleValue(6);
    w.update(Name.of("other")).key(Name.of("k")); // a fast shape with a key
    assertThatThrownBy(() -> w.objectValue(value))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("opened but not written");
    w.doubleValue(7);
    w.finish();
    assertThatThrownBy(() -> w.doubleValue(value, 5))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("finished");
    assertThatThrownBy(() -> w.stringValue(value, "x"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("finished");

    // after a reset the path is forgotten, then remembered again: the bytes are the fluent ones
    ArrayByteSink sink = new ArrayByteSink();
    w.reset(sink);
    w.createObject(Name.of("T"), 2L);
    w.doubleValue(value, 8);
    w.doubleValue(value, 9);
    w.finish();
    ArrayByteSink fluent = new ArrayByteSink();
    new ChangesetWriter(fluent).createObject("T", 2L).update("value").doubleValue(8)
        .update("value").doubleValue(9).finish();
    assertThat(sink.toByteArray()).isEqualTo(fluent.toByteArray());
  }

  @Test
  void refusedValuesLeaveTheChangesetValid() {
    FieldPath s = FieldPath.of(Name.of("s"));
    FieldPath t = FieldPath.of(Name.of("t"));
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    w.createObject(Name.of("T"), 1L);
    w.stringValue(s, "a");
    w.timestampValue(t, 1, 2);

    assertThatThrownBy(() -> w.stringValue(s, "x\uD800"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> w.timestampValue(t, 1, -2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
    w.stringValue(s, "é");
    w.finish();

    List<Instruction> read = Changeset.parse(sink.toByteArray()).instructions();
    assertThat(read).hasSize(4);
    assertThat(((Instruction.Update) read.get(3)).value()).isEqualTo(new Payload.StringValue("é"));
  }

  @Test
  void fastRouteAllocatesNothing() {
    Name table = Name.of("Reading");
    FieldPath sensor = FieldPath.of(Name.of("sensor"));
    FieldPath value = FieldPath.of(Name.of("value"));
    FieldPath ts = FieldPath.of(Name.of("ts"));
    FieldPath n = FieldPath.of(Name.of("n"));
    FieldPath location = FieldPath.of(Name.of("location"));
    FieldPath lat = FieldPath.ofEmbedded(Name.of("location"), Name.of("lat"), Name.of("Location"));
    ObjectId id = ObjectId.of(0x65f1a2b3, 42);
    Instant now = Instant.ofEpochSecond(1_700_000_000L, 123_000_000);
    ArrayByteSink heap = new ArrayByteSink(1 << 20);
    ByteBufferSink direct = ByteBufferSink.allocateDirect(1 << 20, 1 << 20);
    for (ByteSink sink : List.<ByteSink>of(heap, direct)) {
      ChangesetWriter w = new ChangesetWriter(sink);
      // a per-object allocation shows in every round; the least of the warmed-up rounds is robust
      // to a one-off (a deoptimization that materializes objects, class loading)
      long allocated = Long.MAX_VALUE;
      for (int round = 0; round < 6; round++) {
        if (sink == heap) {
          heap.clear();
        } else {
          direct.clear();
        }
        w.reset();
        long before = Allocations.allocatedBytes();
        for (int i = 0; i < 1000; i++) {
          w.createObject(table, id);
          w.stringValue(sensor, "sensor-0001");
          w.doubleValue(value, i);
          w.timestampValue(ts, now);
          w.intValue(n, -i);
          w.boolValue(n, true);
          w.floatValue(n, 1.5f);
          w.objectIdValue(n, id);
          w.nullValue(n);
          w.objectValue(location);
          w.doubleValue(lat, 52.1);
        }
        w.finish();
        long bytes = Allocations.allocatedBytes() - before - Allocations.overhead();
        if (round >= 2) {
          allocated = Math.min(allocated, bytes);
        }
      }
      assertThat(allocated).as("bytes allocated per changeset, %s", sink).isLessThanOrEqualTo(0);
    }
  }

  // ------------------------------------------------------------------------------------------

  private static byte[] fluent(PrimaryKey key, List<Op> ops, int internedBefore) {
    return write(new ArrayByteSink(16), key, ops, 0, internedBefore, null);
  }

  /**
   * Writes {@code internedBefore} padding objects, then {@code rounds + 1} times the object and
   * its ops, fluently ({@code paths == null}) or with the ops' FieldPaths from {@code paths}.
   */
  private static byte[] write(ByteSink sink, PrimaryKey key, List<Op> ops, int rounds,
      int internedBefore, Map<String, FieldPath> paths) {
    ChangesetWriter w = new ChangesetWriter(sink);
    pad(w, internedBefore);
    for (int r = 0; r <= rounds; r++) {
      select(w, key);
      w.createObject();
      for (Op op : ops) {
        if (paths == null) {
          applyFluent(w, op);
        } else {
          apply(w, op, paths);
        }
      }
    }
    w.finish();
    if (sink instanceof ArrayByteSink) {
      return ((ArrayByteSink) sink).toByteArray();
    }
    if (sink instanceof ByteBufferSink && ((ByteBufferSink) sink).written() != null) {
      java.nio.ByteBuffer written = ((ByteBufferSink) sink).written();
      byte[] all = new byte[written.remaining()];
      written.get(all);
      return all;
    }
    return null;
  }

  /** {@code n} CreateObjects that intern {@code n} + 1 strings first (pushes indices up). */
  private static void pad(ChangesetWriter w, int n) {
    for (int i = 0; i < n; i++) {
      w.createObject("pad", "p" + i);
    }
  }

  private static void select(ChangesetWriter w, PrimaryKey key) {
    w.object("T", key);
  }

  private static void applyFluent(ChangesetWriter w, Op op) {
    w.update(op.field());
    if (op.key() != null) {
      w.key(op.key()).inEmbedded(op.embeddedClass());
    }
    Object v = op.value();
    if (v instanceof Payload) {
      w.value((Payload) v);
    } else {
      w.timestampValue((Instant) v);
    }
  }

  private static void apply(ChangesetWriter w, Op op, Map<String, FieldPath> paths) {
    if (op.fluent()) {
      applyFluent(w, op);
      return;
    }
    String id = op.key() == null ? op.field() : op.field() + "\u0000" + op.key() + "\u0000"
        + op.embeddedClass();
    FieldPath p = paths.computeIfAbsent(id, x -> op.key() == null
        ? FieldPath.of(Name.of(op.field()))
        : FieldPath.ofEmbedded(Name.of(op.field()), Name.of(op.key()),
            Name.of(op.embeddedClass())));
    Object v = op.value();
    if (v instanceof Instant) {
      w.timestampValue(p, (Instant) v);
    } else if (v instanceof Payload.IntValue) {
      w.intValue(p, ((Payload.IntValue) v).value());
    } else if (v instanceof Payload.BoolValue) {
      w.boolValue(p, ((Payload.BoolValue) v).value());
    } else if (v instanceof Payload.StringValue) {
      w.stringValue(p, ((Payload.StringValue) v).value());
    } else if (v instanceof Payload.TimestampValue) {
      Payload.TimestampValue t = (Payload.TimestampValue) v;
      w.timestampValue(p, t.seconds(), t.nanos());
    } else if (v instanceof Payload.FloatValue) {
      w.floatValue(p, Float.intBitsToFloat(((Payload.FloatValue) v).bits()));
    } else if (v instanceof Payload.DoubleValue) {
      w.doubleValue(p, Double.longBitsToDouble(((Payload.DoubleValue) v).bits()));
    } else if (v instanceof Payload.ObjectIdValue) {
      w.objectIdValue(p, ((Payload.ObjectIdValue) v).value());
    } else if (v == Payload.NULL) {
      w.nullValue(p);
    } else if (v == Payload.OBJECT_VALUE) {
      w.objectValue(p);
    } else {
      throw new AssertionError(v);
    }
  }

  // ------------------------------------------------------------------------------------------
  // generators

  @Provide
  Arbitrary<Integer> internedBefore() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just(0)),
        Tuple.of(1, Arbitraries.of(50, 55, 58, 60, 61, 62, 63, 64, 100)));
  }

  @Provide
  Arbitrary<PrimaryKey> keys() {
    return Arbitraries.oneOf(
        Arbitraries.just(PrimaryKey.NULL),
        Arbitraries.longs().map(PrimaryKey::of),
        fewNames().map(PrimaryKey::of),
        Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
            .as((h, l) -> PrimaryKey.of(ObjectId.of(h, l))),
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
            .as((m, l) -> PrimaryKey.of(new java.util.UUID(m, l))));
  }

  /** A few names, so that paths repeat (the fast route needs them cached). */
  private static Arbitrary<String> fewNames() {
    return Arbitraries.of("a", "b", "sensor", "location", "lat", "é", "\uD83D\uDE00", "", "T");
  }

  private static Arbitrary<String> strings() {
    Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.integers().between(0, 0x7F)),
        Tuple.of(1, Arbitraries.integers().between(0x80, 0xD7FF)),
        Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
    Arbitrary<String> mixed = codePoints.list().ofMaxSize(70).map(cps -> {
      StringBuilder sb = new StringBuilder();
      cps.forEach(sb::appendCodePoint);
      return sb.toString();
    });
    return Arbitraries.oneOf(mixed, Arbitraries.of(62, 63, 64, 65, 128).map("x"::repeat),
        Arbitraries.strings().ascii().ofMaxLength(80), Arbitraries.just(""));
  }

  private static Arbitrary<Object> values() {
    Arbitrary<Long> longs = Arbitraries.oneOf(Arbitraries.longs(),
        Arbitraries.of(0L, 63L, 64L, -1L, -64L, -65L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 55,
            -(1L << 55), (1L << 55) - 1, 1_709_296_496L),
        Arbitraries.longs().between(-(1L << 35), 1L << 35));
    Arbitrary<Object> timestamps = Combinators.combine(longs,
            Arbitraries.integers().between(0, 999_999_999))
        .as((s, n) -> new Payload.TimestampValue(s, s > 0 ? n : s < 0 ? -n : n));
    Arbitrary<Object> instants = Combinators.combine(
            Arbitraries.longs().between(-(1L << 40), 1L << 40),
            Arbitraries.integers().between(0, 999_999_999))
        .as((s, n) -> Instant.ofEpochSecond(s, n));
    return Arbitraries.oneOf(
        Arbitraries.of(Payload.NULL, Payload.OBJECT_VALUE),
        longs.map(Payload.IntValue::new),
        Arbitraries.of(true, false).map(Payload.BoolValue::new),
        strings().map(Payload.StringValue::new),
        timestamps,
        instants,
        Arbitraries.integers().map(Payload.FloatValue::new),
        Arbitraries.longs().map(Payload.DoubleValue::new),
        Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
            .as((h, l) -> new Payload.ObjectIdValue(ObjectId.of(h, l))));
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> top = Combinators.combine(fewNames(), values(),
            Arbitraries.frequency(Tuple.of(5, false), Tuple.of(1, true)))
        .as((f, v, fl) -> new Op(f, null, null, v, fl));
    Arbitrary<Op> embedded = Combinators.combine(fewNames(), fewNames(),
            Arbitraries.of("Location", "Part", "é", "lat"), values(),
            Arbitraries.frequency(Tuple.of(5, false), Tuple.of(1, true)))
        .as((f, k, c, v, fl) -> new Op(f, k, c, v, fl));
    return Arbitraries.oneOf(top, embedded).list().ofMaxSize(14);
  }
}
