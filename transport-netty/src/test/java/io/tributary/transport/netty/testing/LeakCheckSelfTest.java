package io.tributary.transport.netty.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check can fail: a buffer dropped without release is reported. */
class LeakCheckSelfTest {
  @Test
  void anUnreleasedBufferIsReported() throws Exception {
    new LeakCheck().beforeAll(null);
    LeakCheck.collectLeaks(); // start clean
    leak();
    assertThat(LeakCheck.collectLeaks())
        .anySatisfy(report -> assertThat(report).startsWith("LEAK: ByteBuf was not released").contains("leak("));
    assertThat(LeakCheck.collectLeaks()).isEmpty();
  }

  private static void leak() {
    ByteBuf b = ByteBufAllocator.DEFAULT.buffer(64);
    b.writeLong(42); // recorded access: the report shows this method
  }
}
