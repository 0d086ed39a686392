package io.tributary.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ObjectId;
import io.tributary.server.Values;
import io.tributary.server.proto.Value;
import io.tributary.server.spi.IngestRecord;
import io.tributary.server.spi.IngestRecords;
import java.util.List;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The in-place key writer produces exactly the bytes of the array one (stores depend on it). */
class KeysTest {
  static Stream<Value> keys() {
    return Stream.of(
        Values.nullValue(),
        Values.ofInt(0),
        Values.ofInt(-1),
        Values.ofInt(Long.MAX_VALUE),
        Values.ofString(""),
        Values.ofString("ünïcode"),
        Values.ofString("k".repeat(600)), // hashed
        Values.objectId("6560f0a1c3b2a1f0e4d3c2b1"),
        Values.objectId("6560F0A1C3B2A1F0E4D3C2B1"),
        Values.ofUuid(UUID.fromString("0123e456-e89b-12d3-a456-426614174000")));
  }

  @ParameterizedTest
  @MethodSource("keys")
  void putPrimaryKeyWritesTheSameBytesAsPrimaryKeyOrDefersToIt(Value pk) {
    int written = 0;
    for (String cls : new String[] {"Reading", "Ä", "C".repeat(490), "C".repeat(500)}) {
      ByteBuffer out = ByteBuffer.allocateDirect(Keys.MAX_KEY_BYTES);
      out.put((byte) 9); // garbage from a previous use
      byte[] expected = Keys.primaryKey(cls, pk);
      if (!Keys.putPrimaryKey(cls.getBytes(StandardCharsets.UTF_8), pk, out)) {
        assertThat(pk.getKindCase() == Value.KindCase.STRING_VALUE || expected[expected.length - 33] == 'H')
            .as("only strings and hashed keys are deferred: " + cls.length() + " " + pk).isTrue();
        assertThat(out.position()).as("untouched").isEqualTo(1);
        continue;
      }
      written++;
      byte[] actual = new byte[out.remaining()];
      out.duplicate().get(actual);
      assertThat(out.position()).isZero();
      assertThat(actual).as(cls + " " + pk).isEqualTo(expected);
    }
    if (pk.getKindCase() != Value.KindCase.STRING_VALUE) {
      assertThat(written).as("written in place unless hashed").isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void putPrimaryKeyRefusesWhatPrimaryKeyRefuses() {
    ByteBuffer out = ByteBuffer.allocate(Keys.MAX_KEY_BYTES);
    byte[] cls = "A".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Keys.putPrimaryKey(cls, Value.newBuilder().setObjectIdValue("12").build(), out))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("object id: '12' (expected: 24 hex digits)");
    assertThatThrownBy(() ->
            Keys.putPrimaryKey(cls, Value.newBuilder().setObjectIdValue("zz60f0a1c3b2a1f0e4d3c2b1").build(), out))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(expected: hex digits)");
    assertThat(Keys.putPrimaryKey(cls, Value.newBuilder().setDoubleValue(1.5).build(), out))
        .as("left to primaryKey, which refuses it").isFalse();
    assertThatThrownBy(() -> Keys.primaryKey("A", Value.newBuilder().setDoubleValue(1.5).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("primary key: DOUBLE_VALUE");
  }

  /** A record of the factories with the same key as {@code pk} (the server's hot path). */
  private static IngestRecord factoryRecord(String cls, Value pk) {
    byte[] bytes = new byte[0];
    switch (pk.getKindCase()) {
      case INT_VALUE:
        return IngestRecord.ofIntKey(cls, pk.getIntValue(), bytes);
      case STRING_VALUE:
        return IngestRecord.ofStringKey(cls, pk.getStringValue(), bytes);
      case OBJECT_ID_VALUE:
        {
          ObjectId id = ObjectId.fromHex(pk.getObjectIdValue());
          return IngestRecord.ofObjectIdKey(cls, id.high(), id.low(), bytes);
        }
      case UUID_VALUE:
        {
          UUID u = UUID.fromString(pk.getUuidValue());
          return IngestRecord.ofUuidKey(cls, u.getMostSignificantBits(), u.getLeastSignificantBits(), bytes);
        }
      default:
        return new IngestRecord(cls, pk, bytes);
    }
  }

  @ParameterizedTest
  @MethodSource("keys")
  void prefixedKeysAreTheClassKeysWithTheNumberInPlaceOfTheClassPart(Value pk) {
    // format 2: [number][tag][key bytes], the same tail as [length][class][tag][key bytes] (hashed
    // past MAX_KEY_BYTES alike), and the record writer gives the array writer's bytes
    byte[] number = {0, 7};
    byte[] prefixed = Keys.primaryKey(number, pk);
    byte[] named = Keys.primaryKey("Reading", pk);
    assertThat(prefixed).startsWith(number);
    assertThat(java.util.Arrays.copyOfRange(prefixed, 2, prefixed.length))
        .isEqualTo(java.util.Arrays.copyOfRange(named, 2 + "Reading".length(), named.length));
    assertThat(prefixed.length).isLessThanOrEqualTo(Keys.MAX_KEY_BYTES);
    IngestRecords records = IngestRecords.of(List.of(factoryRecord("Reading", pk), new IngestRecord("Reading", pk,
        new byte[0])));
    for (int i = 0; i < 2; i++) {
      ByteBuffer out = ByteBuffer.allocateDirect(Keys.MAX_KEY_BYTES);
      out.put((byte) 9); // garbage from a previous use
      if (!Keys.putPrefixedKey(number, records, i, out)) {
        assertThat(prefixed[2]).as("only hashed keys are deferred: " + pk).isEqualTo((byte) 'H');
        continue;
      }
      byte[] actual = new byte[out.remaining()];
      out.duplicate().get(actual);
      assertThat(out.position()).isZero();
      assertThat(actual).as(i + " " + pk).isEqualTo(prefixed);
    }
  }

  @ParameterizedTest
  @MethodSource("keys")
  void recordsWriteTheSameKeyBytesWithoutAValue(Value pk) {
    int written = 0;
    int unhashed = 0;
    for (String cls : new String[] {"Reading", "Ä", "C".repeat(490), "C".repeat(500)}) {
      byte[] classUtf8 = cls.getBytes(StandardCharsets.UTF_8);
      byte[] expected = Keys.primaryKey(cls, pk);
      boolean hashed = expected.length >= 34 && expected[expected.length - 33] == 'H' && expected.length == 2 + classUtf8.length + 33;
      if (!hashed) {
        unhashed++;
      }
      IngestRecord factory = factoryRecord(cls, pk);
      assertThat(factory.primaryKey()).as("the Value built on demand").isEqualTo(pk);
      assertThat(factory.primaryKeyKind()).isEqualTo(pk.getKindCase());
      for (IngestRecord r : new IngestRecord[] {factory, new IngestRecord(cls, pk, new byte[0])}) {
        ByteBuffer out = ByteBuffer.allocateDirect(Keys.MAX_KEY_BYTES);
        out.put((byte) 9); // garbage from a previous use
        if (!Keys.putPrimaryKey(classUtf8, IngestRecords.of(List.of(r)), 0, out)) {
          assertThat(hashed).as("only hashed keys are deferred: " + cls + " " + pk).isTrue();
          continue;
        }
        written++;
        byte[] actual = new byte[out.remaining()];
        out.duplicate().get(actual);
        assertThat(out.position()).isZero();
        assertThat(actual).as(cls + " " + pk + " " + r.hasPrimaryKeyBits()).isEqualTo(expected);
      }
      // the same records in one buffer (the sink's path): the same answer and bytes
      IngestRecords buffer = IngestRecords.of(List.of(new IngestRecord(cls, pk, new byte[] {1}), factory));
      for (int i = 0; i < 2; i++) {
        ByteBuffer out = ByteBuffer.allocateDirect(Keys.MAX_KEY_BYTES);
        out.put((byte) 9);
        if (!Keys.putPrimaryKey(classUtf8, buffer, i, out)) {
          assertThat(hashed).as("only hashed keys are deferred (buffer): " + cls + " " + pk).isTrue();
          continue;
        }
        written++;
        byte[] actual = new byte[out.remaining()];
        out.duplicate().get(actual);
        assertThat(actual).as("buffer " + i + " " + cls + " " + pk).isEqualTo(expected);
      }
    }
    assertThat(written).as("all four written in place unless hashed").isEqualTo(4 * unhashed);
  }

  @Test
  void aRecordOfAMalformedObjectIdValueIsRefusedAsBefore() {
    ByteBuffer out = ByteBuffer.allocate(Keys.MAX_KEY_BYTES);
    IngestRecord r = new IngestRecord("A", Value.newBuilder().setObjectIdValue("12").build(), new byte[0]);
    assertThat(r.hasPrimaryKeyBits()).isFalse();
    assertThatThrownBy(() -> Keys.putPrimaryKey(new byte[] {'A'}, IngestRecords.of(List.of(r)), 0, out))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("object id: '12' (expected: 24 hex digits)");
  }
}
