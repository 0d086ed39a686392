package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ObjectId;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Prepared names give the same bytes as strings, whatever their hints say. */
class NameTest {
  private static final Name READING = Name.of("Reading");
  private static final Name SENSOR = Name.of("sensor");
  private static final Name LOCATION = Name.of("location");
  private static final Name LOCATION_CLASS = Name.of("Location");
  private static final Name LAT = Name.of("lat");

  private static byte[] withStrings() {
    ArrayByteSink s = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(s);
    for (int i = 0; i < 3; i++) {
      w.createObject("Reading", ObjectId.of(i, i));
      w.update("sensor").stringValue("s" + i);
      w.update("location").objectValue();
      w.update("location").key("lat").inEmbedded("Location").doubleValue(i);
      w.update("tags").key("k" + i).intValue(i);
    }
    w.finish();
    return s.toByteArray();
  }

  private static byte[] withNames(ChangesetWriter w, ArrayByteSink s) {
    s.clear();
    w.reset(s);
    for (int i = 0; i < 3; i++) {
      w.createObject(READING, ObjectId.of(i, i));
      w.update(SENSOR).stringValue("s" + i);
      w.update(LOCATION).objectValue();
      w.update(LOCATION).key(LAT).inEmbedded(LOCATION_CLASS).doubleValue(i);
      w.update("tags").key(Name.of("k" + i)).intValue(i);
    }
    w.finish();
    return s.toByteArray();
  }

  @Test
  void namesWriteTheSameBytesAsStrings() {
    byte[] expected = withStrings();
    ArrayByteSink s = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter();

    assertThat(withNames(w, s)).isEqualTo(expected);
    assertThat(withNames(w, s)).isEqualTo(expected); // hints from the previous changeset
  }

  @Test
  void hintsFromOtherWritersAndOtherOrdersAreOnlyHints() {
    byte[] expected = withStrings();
    ArrayByteSink other = new ArrayByteSink();
    ChangesetWriter otherWriter = new ChangesetWriter(other);
    // another writer interns the same names in a different order: every hint now points elsewhere
    otherWriter.createObject("X", 1).update("y").intValue(1);
    otherWriter.update(LAT).intValue(1);
    otherWriter.update(LOCATION_CLASS).intValue(1);
    otherWriter.update(LOCATION).intValue(1);
    otherWriter.update(SENSOR).intValue(1);
    otherWriter.createObject(READING, 2);
    otherWriter.finish();

    ArrayByteSink s = new ArrayByteSink();
    assertThat(withNames(new ChangesetWriter(), s)).isEqualTo(expected);
    assertThat(Changeset.parse(other.toByteArray()).internedStrings())
        .containsExactly("X", "y", "lat", "Location", "location", "sensor", "Reading");
  }

  @Test
  void aNameAndAnEqualStringShareOneInternedString() {
    ArrayByteSink s = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(s);
    w.createObject("Reading", 1).update(Name.of(new String("sensor"))).stringValue("a")
        .update("sensor").stringValue("b").update(Name.of("sen" + "sor".trim())).stringValue("c");
    w.finish();

    assertThat(Changeset.parse(s.toByteArray()).internedStrings())
        .containsExactly("Reading", "sensor");
  }

  @Test
  void namesAreCheckedOnceAndLimitedWhereUsed() {
    assertThatThrownBy(() -> Name.of("a\uDC00")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("name: unpaired surrogate U+DC00 at char index 1");
    Name long58 = Name.of("c".repeat(58));
    ArrayByteSink s = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(s);
    w.createObject("T", 1).update("d").key(long58).intValue(1); // fine as a dictionary key

    assertThatThrownBy(() -> w.createObject(long58, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(": 58 UTF-8 bytes (expected: at most 57)");
    assertThat(Name.of("grüß").utf8Length()).isEqualTo(6);
    assertThat(Name.of("x")).isEqualTo(Name.of("x")).hasSameHashCodeAs(Name.of("x"))
        .hasToString("x");
  }

  @Test
  void everyNameOverloadWritesWhatItsStringTwinWrites() {
    UUID u = UUID.randomUUID();
    ArrayByteSink a = new ArrayByteSink();
    ChangesetWriter wa = new ChangesetWriter(a);
    wa.createObject("T", 1).createObject("T", "k").createObject("T", u)
        .createObject("T", ObjectId.of(1, 2)).object("T", 5)
        .arrayInsert("l").index(0).priorSize(0).intValue(1)
        .setInsert("s").intValue(1).setErase("s").intValue(1).clear("s")
        .collection(CollectionType.SET);
    wa.finish();
    ArrayByteSink b = new ArrayByteSink();
    ChangesetWriter wb = new ChangesetWriter(b);
    Name t = Name.of("T");
    wb.createObject(t, 1).createObject(t, "k").createObject(t, u)
        .createObject(t, ObjectId.of(1, 2)).object(t, 5)
        .arrayInsert(Name.of("l")).index(0).priorSize(0).intValue(1)
        .setInsert(Name.of("s")).intValue(1).setErase(Name.of("s")).intValue(1)
        .clear(Name.of("s")).collection(CollectionType.SET);
    wb.finish();

    assertThat(b.toByteArray()).isEqualTo(a.toByteArray());
  }

  @Test
  void encodingWithNamesAllocatesNothingAfterWarmUp() {
    ObjectId[] ids = new ObjectId[1000];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = ObjectId.get(1_700_000_000 + i);
    }
    Instant ts = Instant.parse("2024-03-01T12:34:56.789Z");
    ArrayByteSink s = new ArrayByteSink(1 << 20);
    ChangesetWriter w = new ChangesetWriter(s);
    Name value = Name.of("value");
    Name ts2 = Name.of("ts");
    Name lon = Name.of("lon");
    Runnable encode = () -> {
      s.clear();
      w.reset();
      for (ObjectId id : ids) {
        w.createObject(READING, id);
        w.update(SENSOR).stringValue("sensor-0001");
        w.update(value).doubleValue(21.5);
        w.update(ts2).timestampValue(ts);
        w.update(LOCATION).objectValue();
        w.update(LOCATION).key(LAT).inEmbedded(LOCATION_CLASS).doubleValue(52.1);
        w.update(LOCATION).key(lon).inEmbedded(LOCATION_CLASS).doubleValue(4.3);
      }
      w.finish();
    };
    for (int i = 0; i < 30; i++) {
      encode.run();
    }
    long overhead = Allocations.overhead();
    long before = Allocations.allocatedBytes();
    for (int i = 0; i < 10; i++) {
      encode.run();
    }
    assertThat(Allocations.allocatedBytes() - before - overhead).isLessThanOrEqualTo(256);
    byte[] oneRound = s.toByteArray();
    ArrayByteSink strings = new ArrayByteSink(1 << 20);
    ChangesetWriter sw = new ChangesetWriter(strings);
    ChangesetWriterTest.encodeReadings(sw, ids, ts);
    sw.finish();
    assertThat(oneRound).isEqualTo(strings.toByteArray());
  }
}
