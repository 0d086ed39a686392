package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;

class ByteSinkTest {

  @Test
  void arraySinkGrowsByHalfAndStopsAtItsMaximum() {
    ArrayByteSink s = new ArrayByteSink(100, 1000);
    s.write(new byte[100], 0, 100);
    s.write(new byte[1], 0, 1);
    assertThat(s.capacity()).isEqualTo(150);
    s.ensureWritable(500);
    assertThat(s.capacity()).isEqualTo(601);
    s.write(new byte[899], 0, 899);
    assertThat(s.size()).isEqualTo(1000);
    assertThat(s.capacity()).isEqualTo(1000);

    assertThatThrownBy(() -> s.write(new byte[1], 0, 1))
        .isInstanceOfSatisfying(SinkOverflowException.class, e -> {
          assertThat(e.position()).isEqualTo(1000);
          assertThat(e.requested()).isEqualTo(1);
          assertThat(e.maxCapacity()).isEqualTo(1000);
        })
        .hasMessage("sink capacity: 1000 + 1 bytes (expected: at most 1000 bytes in total)");
    assertThat(s.size()).isEqualTo(1000);
  }

  @Test
  void arraySinkDoesItsBoundsArithmeticInLong() {
    ArrayByteSink s = new ArrayByteSink(16);
    s.write(new byte[10], 0, 10);
    assertThatThrownBy(() -> s.ensureWritable(Integer.MAX_VALUE))
        .isInstanceOf(SinkOverflowException.class)
        .hasMessage("sink capacity: 10 + 2147483647 bytes (expected: at most 2147483639 bytes in"
            + " total)");
    assertThatThrownBy(() -> new ArrayByteSink(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialCapacity: -1 (expected: 0..2147483639)");
  }

  @Test
  void arraySinkDirectAccessPublishesOnlyWhatIsAdvanced() {
    ArrayByteSink s = new ArrayByteSink(4);
    byte[] a = s.reserveArray(8);
    assertThat(s.arrayLimit() - s.arrayPosition()).isGreaterThanOrEqualTo(8);
    a[s.arrayPosition()] = 7;
    a[s.arrayPosition() + 1] = 8;
    assertThat(s.position()).isZero();
    s.advance(2);
    assertThat(s.toByteArray()).containsExactly(7, 8);
    assertThatThrownBy(() -> s.advance(s.arrayLimit())).isInstanceOf(
        IllegalArgumentException.class);
    s.clear();
    assertThat(s.size()).isZero();
    assertThat(s.capacity()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void wrappedBufferSinkWritesFromThePositionAndMovesIt() {
    ByteBuffer heap = ByteBuffer.allocate(16).position(3).limit(10);
    ByteBufferSink s = ByteBufferSink.wrap(heap);
    byte[] a = s.reserveArray(2);
    assertThat(a).isSameAs(heap.array());
    assertThat(s.arrayPosition()).isEqualTo(3);
    assertThat(s.arrayLimit()).isEqualTo(10);
    s.write(new byte[] {1, 2, 3}, 0, 3);
    assertThat(s.position()).isEqualTo(3);
    assertThat(heap.position()).isEqualTo(6);
    assertThat(s.written().remaining()).isEqualTo(3);
    assertThatThrownBy(() -> s.write(new byte[5], 0, 5)).isInstanceOf(SinkOverflowException.class)
        .hasMessage("sink capacity: 3 + 5 bytes (expected: at most 7 bytes in total)");
    assertThatThrownBy(s::clear).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ByteBufferSink.wrap(ByteBuffer.allocate(1).asReadOnlyBuffer()))
        .isInstanceOf(ReadOnlyBufferException.class);
  }

  @Test
  void directSinkHasNoArrayAndGrows() {
    ByteBufferSink s = ByteBufferSink.allocateDirect(2, 100);
    assertThat(s.reserveArray(1)).isNull();
    assertThatThrownBy(s::arrayPosition).isInstanceOf(UnsupportedOperationException.class);
    s.write(new byte[] {1, 2, 3, 4, 5}, 0, 5);
    s.write(new byte[] {6}, 0, 1);
    ByteBuffer w = s.written();
    assertThat(w.remaining()).isEqualTo(6);
    assertThat(w.get(5)).isEqualTo((byte) 6);
    assertThat(s.buffer().isDirect()).isTrue();
    assertThatThrownBy(() -> s.write(new byte[95], 0, 95)).isInstanceOf(
        SinkOverflowException.class);
    s.clear();
    assertThat(s.position()).isZero();
  }
}
