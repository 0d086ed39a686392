package io.tributary.benchmarks.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FootprintTest {
  @Test
  void childLineRoundTrips() {
    Footprint f = new Footprint(11_534_336, 106_217_472);
    assertThat(f.line()).isEqualTo("FOOTPRINT 11534336 106217472");
    assertThat(Footprint.parse(f.line())).isEqualTo(f);
    assertThat(Footprint.parse("READY http://127.0.0.1:1")).isNull();
    assertThatThrownBy(() -> Footprint.parse("FOOTPRINT 1")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesVmRssAndMeasuresThisProcess() throws Exception {
    assertThat(Footprint.parseKib("\t  103728 kB")).isEqualTo(103_728);
    assertThatThrownBy(() -> Footprint.parseKib(" 12 pages")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("12 pages");
    Footprint f = Footprint.measure();
    assertThat(f.heapUsedBytes()).isPositive();
    assertThat(f.rssBytes()).isGreaterThan(f.heapUsedBytes() / 2); // Linux: VmRSS is known
    assertThat(Footprint.mib(3 << 20)).isEqualTo("3.0");
  }
}
