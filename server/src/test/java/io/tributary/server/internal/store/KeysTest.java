package io.tributary.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.Values;
import io.tributary.server.proto.Value;
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
}
