package io.tributary.benchmarks.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link WebSocketFrameBenchmark} measures what it says: whole masked frames, unmasked back. */
class WebSocketFrameBenchmarkTest {
  @Test
  void masksWholeFramesAndUnmasksTheMessageBack() {
    for (int size : new int[] {160, 131072}) {
      WebSocketFrameBenchmark b = new WebSocketFrameBenchmark();
      b.size = size;
      b.setUp();
      try {
        byte[] message = new byte[size];
        new Random(0).nextBytes(message);
        int header = size < 126 ? 2 : size <= 0xFFFF ? 4 : 10;
        assertThat(b.mask()).as("header, mask key and payload").isEqualTo(header + 4 + size);
        for (int i = 0; i < 3; i++) {
          assertThat(b.unmask()).as("the unmasked first byte plus the length").isEqualTo(message[0] + size);
        }
      } finally {
        b.tearDown();
      }
    }
  }
}
