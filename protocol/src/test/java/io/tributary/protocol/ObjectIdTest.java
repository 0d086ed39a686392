package io.tributary.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ObjectIdTest {

  @Test
  void shouldKeepTheBytesInTheOrderOfTheHexForm() {
    ObjectId id = ObjectId.fromHex("6560f0a1c3b2a1f0e4d3c2b1");

    assertThat(HexFormat.of().formatHex(id.toByteArray())).isEqualTo("6560f0a1c3b2a1f0e4d3c2b1");
    assertThat(id.toString()).isEqualTo("6560f0a1c3b2a1f0e4d3c2b1");
    assertThat(id.epochSeconds()).isEqualTo(0x6560f0a1L);
    assertThat(ObjectId.fromBytes(id.toByteArray())).isEqualTo(id);
    assertThat(ObjectId.fromHex("6560F0A1C3B2A1F0E4D3C2B1")).isEqualTo(id).hasSameHashCodeAs(id);
    assertThat(ObjectId.of(id.high(), id.low())).isEqualTo(id);
    byte[] dst = new byte[14];
    id.copyTo(dst, 2);
    assertThat(ObjectId.fromBytes(dst, 2)).isEqualTo(id);
  }

  @Test
  void shouldRejectMalformedInput() {
    assertThatThrownBy(() -> ObjectId.fromHex("6560f0a1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ObjectId hex length: 8 (expected: 24 hex digits)");
    assertThatThrownBy(() -> ObjectId.fromHex("6560f0a1c3b2a1f0e4d3c2bz"))
        .hasMessage("ObjectId hex digit at index 23: 'z' (expected: 0-9, a-f or A-F)");
    assertThatThrownBy(() -> ObjectId.fromBytes(new byte[11]))
        .hasMessage("ObjectId byte length: 11 (expected: 12)");
    assertThatThrownBy(() -> ObjectId.fromBytes(new byte[12], 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void shouldOrderByUnsignedBytes() {
    ObjectId a = ObjectId.fromHex("00000000ffffffffffffffff");
    ObjectId b = ObjectId.fromHex("800000000000000000000000");
    ObjectId c = ObjectId.fromHex("80000000ff00000000000000");

    assertThat(a).isLessThan(b);
    assertThat(b).isLessThan(c);
  }

  @Test
  void generatedIdsAreDistinctAndCarryTheTime() {
    Set<ObjectId> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(ObjectId.get(1_700_000_000L))).isTrue();
    }
    assertThat(ObjectId.get(1_700_000_000L).epochSeconds()).isEqualTo(1_700_000_000L);
    ObjectId now = ObjectId.get();
    assertThat(now.epochSeconds()).isBetween(1_700_000_000L, 1L << 32);
  }
}
