package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationsTest {

  @Test
  void parsesUnitsAndIso() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("pt30s")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void refusesEverythingElse() {
    for (String bad : new String[] {"", "s", "10", "ten s", "10y", "-5s", "PT-1S", "1.5s"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class)
          .hasMessage("'" + bad + "' (expected: a duration such as 500ms, 10s, 5m, 2h, 1d or PT30S)");
    }
  }

  @Test
  void printsForPeople() {
    assertThat(Durations.human(850_000_000L)).isEqualTo("850 ms");
    assertThat(Durations.human(12_340_000_000L)).isEqualTo("12.3 s");
    assertThat(Durations.human(245_000_000_000L)).isEqualTo("4 min 05 s");
    assertThat(Durations.millis(420_000)).isEqualTo("0.42 ms");
    assertThat(Durations.millis(3_140_000)).isEqualTo("3.1 ms");
    assertThat(Durations.millis(120_400_000)).isEqualTo("120 ms");
  }
}
