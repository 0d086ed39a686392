package io.tributary.server.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UploadBuffersTest {

  @Test
  void everyLengthGetsTheSmallestClassThatHoldsIt() {
    for (int n = 0; n <= (1 << 24); n = n < 5000 ? n + 1 : n + n / 7 + 1) {
      int c = UploadBuffers.sizeClass(n);
      assertThat(c).as("class of %d", n).isGreaterThanOrEqualTo(0);
      assertThat(UploadBuffers.classLength(c)).as("class length for %d", n).isGreaterThanOrEqualTo(n);
      if (c > 0) {
        assertThat(UploadBuffers.classLength(c - 1)).as("the class below %d's", n).isLessThan(n);
      }
      if (n > 1024) {
        assertThat((double) UploadBuffers.classLength(c)).as("waste for %d", n).isLessThanOrEqualTo(1.5 * n);
      }
    }
    assertThat(UploadBuffers.classLength(0)).isEqualTo(1024);
    assertThat(UploadBuffers.classLength(1)).isEqualTo(1536);
    assertThat(UploadBuffers.classLength(2)).isEqualTo(2048);
    assertThat(UploadBuffers.sizeClass((1 << 24) + 1)).isEqualTo(-1);
    assertThatThrownBy(() -> UploadBuffers.sizeClass(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("length: -1");
  }

  @Test
  void anArrayGivenBackIsTakenAgainForALengthOfItsClass() {
    UploadBuffers buffers = new UploadBuffers(1 << 20);
    byte[] a = buffers.take(180_000);
    assertThat(a.length).isEqualTo(196_608); // 1.5 * 2^17
    buffers.give(a);
    assertThat(buffers.pooledBytes()).isEqualTo(a.length);
    assertThat(buffers.take(170_000)).isSameAs(a);
    assertThat(buffers.pooledBytes()).isZero();
    assertThat(buffers.take(170_000)).as("a new one when none is free").isNotSameAs(a);
  }

  @Test
  void keepsAtMostTheBoundAndNothingOfForeignLengthsOrAboveTheLargestClass() {
    UploadBuffers buffers = new UploadBuffers(3 * 4096);
    for (int i = 0; i < 5; i++) {
      buffers.give(new byte[4096]);
    }
    assertThat(buffers.pooledBytes()).isEqualTo(3 * 4096);
    buffers.give(new byte[4000]); // not a class length: not from take
    assertThat(buffers.pooledBytes()).isEqualTo(3 * 4096);
    byte[] huge = buffers.take((16 << 20) + 1);
    assertThat(huge.length).isEqualTo((16 << 20) + 1);
    new UploadBuffers(1L << 30).give(huge); // dropped without error
    UploadBuffers none = new UploadBuffers(0);
    byte[] b = none.take(100);
    none.give(b);
    assertThat(none.pooledBytes()).isZero();
    assertThat(none.take(100)).isNotSameAs(b);
    assertThatThrownBy(() -> new UploadBuffers(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDefaultBoundIsASixteenthOfTheHeapAtMost64MiB() {
    assertThat(UploadBuffers.defaultMaxPooledBytes())
        .isEqualTo(Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16));
  }

  @Test
  void aQueuedUploadCountsTheWholeArrayItHolds() {
    UploadBuffers buffers = new UploadBuffers(0);
    byte[] copy = buffers.take(1025); // class 1,536
    Inbound.Upload upload = new Inbound.Upload(null, copy, 1025);
    assertThat(upload.bytes())
        .as("the back-pressure bound is on the heap the copies hold, not only their wire bytes")
        .isEqualTo(1536);
  }
}
