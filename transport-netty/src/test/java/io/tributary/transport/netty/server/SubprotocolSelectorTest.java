package io.tributary.transport.netty.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SubprotocolSelectorTest {
  private static final String P = SubprotocolSelector.FLX_PREFIX;
  private final SubprotocolSelector flx = SubprotocolSelector.flx(8, 14);

  @Test
  void realmCoresOfferOf14DownTo2Gets14() {
    List<String> offer = new java.util.ArrayList<>();
    for (int v = 14; v >= 2; v--) {
      offer.add(P + v);
    }
    assertThat(flx.select(offer)).contains(new SubprotocolSelector.Selection(P + 14, 14));
  }

  @Test
  void rangesOverlapsAndForeignTokens() {
    assertThat(flx.select(List.of(P + "2-20"))).contains(new SubprotocolSelector.Selection(P + 14, 14));
    assertThat(flx.select(List.of(P + "9", P + "11-12"))).contains(new SubprotocolSelector.Selection(P + 12, 12));
    assertThat(flx.select(List.of("com.mongodb.realm-sync#14", P + "8"))).map(s -> s.version()).contains(8);
    assertThat(flx.select(List.of("com.mongodb.realm-sync#14"))).isEmpty();
    assertThat(flx.select(List.of(P + "7", P + "15-20", P + "2-7"))).isEmpty();
    assertThat(flx.select(List.of())).isEmpty();
  }

  @Test
  void malformedVersionsAreIgnored() {
    for (String bad : new String[] {"", "+9", "-9", "9-", "-", "a", "9-8", "9.0", "99999999999", "14 "}) {
      assertThat(flx.select(List.of(P + bad))).as(bad).isEmpty();
    }
  }

  @Test
  void arguments() {
    assertThatThrownBy(() -> SubprotocolSelector.flx(9, 8)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("versions: 9..8 (expected: 0 <= min <= max)");
    assertThatThrownBy(() -> new SubprotocolSelector.Selection("a, b", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SubprotocolSelector.Selection("a", -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
