package io.tributary.server.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.Values;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One buffer of records: bytes, keys, growth, truncation and the record copies sinks may keep. */
class IngestRecordsTest {

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed * 31 + i);
    }
    return b;
  }

  private static void write(IngestRecords r, byte[] b) {
    byte[] a = r.reserve(b.length);
    System.arraycopy(b, 0, a, r.end(), b.length);
  }

  @Test
  void keepsEachObjectsBytesAndKeyAcrossGrowth() {
    IngestRecords r = new IngestRecords(1, 16); // grows both the arrays and the bytes
    byte[][] expected = new byte[40][];
    for (int i = 0; i < 40; i++) {
      expected[i] = bytes(i * 7 % 50, i);
      write(r, expected[i]);
      switch (i % 4) {
        case 0 -> r.addIntKey("C" + i % 3, -i, expected[i].length);
        case 1 -> r.addStringKey("C" + i % 3, "k" + i, expected[i].length);
        case 2 -> r.addObjectIdKey("C" + i % 3, 0x6560f0a1, i, expected[i].length);
        default -> r.addUuidKey("C" + i % 3, i, -i, expected[i].length);
      }
    }
    assertThat(r.size()).isEqualTo(40);
    for (int i = 0; i < 40; i++) {
      assertThat(Arrays.copyOfRange(r.array(), r.offset(i), r.offset(i) + r.length(i))).isEqualTo(expected[i]);
      IngestRecord rec = r.record(i);
      assertThat(rec.serialized()).isEqualTo(expected[i]);
      assertThat(rec.className()).isEqualTo("C" + i % 3).isEqualTo(r.className(i));
      assertThat(rec.primaryKeyKind()).isEqualTo(r.primaryKeyKind(i));
      assertThat(r.hasPrimaryKeyBits(i)).isTrue();
      assertThat(r.primaryKey(i)).isEqualTo(rec.primaryKey());
    }
    assertThat(r.primaryKey(0)).isEqualTo(Values.ofInt(0));
    assertThat(r.primaryKey(1)).isEqualTo(Values.ofString("k1"));
    assertThat(r.primaryKey(2)).isEqualTo(Values.objectId("6560f0a1" + "0000000000000002"));
    assertThat(r.primaryKeyHigh(3)).isEqualTo(3);
    assertThat(r.primaryKeyLow(3)).isEqualTo(-3);
  }

  @Test
  void addCopiesARecordAndKeepsItsValueKey() {
    IngestedObject o = IngestedObject.newBuilder().setClassName("Reading")
        .setPrimaryKey(Values.objectId("6560f0a1c3b2a1f0e4d3c2b1")).build();
    IngestRecord rec = IngestRecord.of(o);
    IngestRecords r = IngestRecords.of(List.of(rec, IngestRecord.ofIntKey("X", 5, new byte[] {1, 2})));
    assertThat(r.size()).isEqualTo(2);
    assertThat(r.hasPrimaryKeyBits(0)).as("a Value key, not bits").isFalse();
    assertThat(r.primaryKey(0)).isEqualTo(o.getPrimaryKey());
    assertThat(r.record(0).parse()).isEqualTo(o);
    assertThat(r.record(0).serialized()).isNotSameAs(rec.serialized()).isEqualTo(rec.serialized());
    assertThat(r.record(1).primaryKeyHigh()).isEqualTo(5);
    assertThat(r.toList()).extracting(IngestRecord::className).containsExactly("Reading", "X");
  }

  @Test
  void truncateDropsTheLastObjectsAndTheirBytes() {
    IngestRecords r = new IngestRecords();
    write(r, bytes(10, 1));
    r.addIntKey("A", 1, 10);
    write(r, bytes(5, 2));
    r.addStringKey("A", "two", 5);
    r.truncate(1);
    assertThat(r.size()).isEqualTo(1);
    assertThat(r.end()).isEqualTo(10);
    write(r, bytes(3, 3));
    r.addIntKey("B", 3, 3);
    assertThat(r.offset(1)).isEqualTo(10);
    assertThat(r.length(1)).isEqualTo(3);
    assertThat(r.primaryKeyString(1)).isNull();
    r.clear();
    assertThat(r.isEmpty()).isTrue();
    assertThat(r.end()).isZero();
    assertThatThrownBy(() -> r.truncate(1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void refusesBadLengthsAndIndexes() {
    IngestRecords r = new IngestRecords(2, 16);
    assertThatThrownBy(() -> r.addIntKey("A", 1, 17))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17 bytes");
    assertThatThrownBy(() -> r.addIntKey("A", 1, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.reserve(-1)).isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(IngestRecords.LimitExceededException.class);
    assertThatThrownBy(() -> r.reserve(Integer.MAX_VALUE))
        .isInstanceOf(IngestRecords.LimitExceededException.class).hasMessageContaining("at most");
    assertThatThrownBy(() -> r.className(0)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(r.size()).isZero();
  }

  @Test
  void aLimitSetByTheConstructorStopsReserveAtItsEdge() {
    IngestRecords r = new IngestRecords(1, 16, 40);
    byte[] a = r.reserve(40); // exactly the limit fits
    a[r.end()] = 1;
    r.addIntKey("A", 1, 30);
    assertThat(r.reserve(10)).hasSizeGreaterThanOrEqualTo(40);
    assertThatThrownBy(() -> r.reserve(11)).isInstanceOf(IngestRecords.LimitExceededException.class)
        .hasMessage("ingest records: 30 + 11 bytes (expected: at most 40 in all)");
    assertThat(r.size()).isEqualTo(1);
    assertThatThrownBy(() -> new IngestRecords(1, 16, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void batchRecordsAreCopiesOfItsObjects() {
    IngestRecords r = new IngestRecords();
    write(r, bytes(4, 9));
    r.addIntKey("A", 7, 4);
    IngestBatch b = IngestBatch.of(r, List.of(), 0, java.util.Map.of());
    assertThat(b.objects()).isSameAs(r);
    assertThat(b.records()).singleElement().satisfies(x -> {
      assertThat(x.serialized()).isEqualTo(bytes(4, 9));
      assertThat(x.primaryKey()).isEqualTo(Value.newBuilder().setIntValue(7).build());
    });
    assertThat(b.isEmpty()).isFalse();
    assertThat(IngestBatch.of(new IngestRecords(), List.of(), 0, java.util.Map.of()).isEmpty()).isTrue();
  }
}
