package io.tributary.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.testing.Captures;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Subprotocol negotiation (spec §1, §3.2): the client's offer, the server's pick, the check. */
class SubprotocolsTest {
  private static final String P = Subprotocols.FLX_PREFIX;

  @Test
  void clientOffersFourteenDownToEight() {
    assertThat(Subprotocols.clientOffer()).isEqualTo(
        P + "14, " + P + "13, " + P + "12, " + P + "11, " + P + "10, " + P + "9, " + P + "8");
  }

  @Test
  void realmCoresOfferFromTheCapturesSelectsFourteen() {
    @SuppressWarnings("unchecked")
    Map<String, Object> request = (Map<String, Object>) ((List<Object>)
        Captures.session("02_ingest_3_objects").get("events")).get(1);
    @SuppressWarnings("unchecked")
    String header = (String) ((Map<String, Object>) request.get("headers"))
        .get("sec-websocket-protocol");
    assertThat(header).startsWith(P + "14, ").endsWith(P + "2");

    Subprotocols.Selection s = Subprotocols.select(List.of(header));
    assertThat(s.isSelected()).isTrue();
    assertThat(s.version()).isEqualTo(14);
    assertThat(s.token()).isEqualTo(P + "14");
  }

  @Test
  void highestCommonVersionWins() {
    assertThat(Subprotocols.select(List.of(P + "9, " + P + "12, " + P + "3")).version())
        .isEqualTo(12);
  }

  @Test
  void aRangeIsClampedToTheServersMaximum() {
    assertThat(Subprotocols.select(List.of(P + "2-20")).version()).isEqualTo(14);
    assertThat(Subprotocols.select(List.of(P + "5-10")).version()).isEqualTo(10);
    assertThat(Subprotocols.select(List.of(P + "8-8")).version()).isEqualTo(8);
  }

  @Test
  void rangesAndTokensMix() {
    assertThat(Subprotocols.select(List.of(P + "2-9, " + P + "11")).version()).isEqualTo(11);
  }

  @Test
  void severalHeaderLinesAreCombined() {
    assertThat(Subprotocols.select(List.of(P + "9", P + "13")).version()).isEqualTo(13);
  }

  @Test
  void otherPrefixesAndJunkAreIgnored() {
    Subprotocols.Selection s = Subprotocols.select(List.of(
        "chat, com.mongodb.realm-sync#14, " + P + ", " + P + "x, " + P + "+12, " + P + "-3, "
            + P + "12-9, " + P + "1-2-3, " + P + " 13, " + P + "99999999999, , " + P + "10"));
    assertThat(s.version()).isEqualTo(10);
  }

  @Test
  void tokensAreTrimmed() {
    assertThat(Subprotocols.select(List.of("  " + P + "12  ,\t" + P + "11")).version())
        .isEqualTo(12);
  }

  @Test
  void noOverlapIsReported() {
    Subprotocols.Selection s = Subprotocols.select(List.of(P + "2-7, " + P + "15"));
    assertThat(s.isSelected()).isFalse();
    assertThat(s.outcome()).isEqualTo(Subprotocols.Outcome.NO_COMMON_VERSION);
    assertThat(s.version()).isEqualTo(-1);
    assertThat(s.explanation()).contains("8 to 14");
    assertThatThrownBy(s::token).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void pbsOnlyClientIsRecognised() {
    Subprotocols.Selection s =
        Subprotocols.select(List.of("com.mongodb.realm-sync#14, com.mongodb.realm-sync#13"));
    assertThat(s.outcome()).isEqualTo(Subprotocols.Outcome.PBS_ONLY);
    assertThat(s.explanation()).contains("partition-based sync is not supported");
  }

  @Test
  void missingHeaderHasNoFlxToken() {
    assertThat(Subprotocols.select(List.of()).outcome())
        .isEqualTo(Subprotocols.Outcome.NO_FLX_TOKEN);
    assertThat(Subprotocols.select(List.of("")).outcome())
        .isEqualTo(Subprotocols.Outcome.NO_FLX_TOKEN);
  }

  @Test
  void customServerRange() {
    assertThat(Subprotocols.select(List.of(P + "14, " + P + "13"), 8, 13).version())
        .isEqualTo(13);
    assertThat(Subprotocols.select(List.of(P + "14"), 8, 13).outcome())
        .isEqualTo(Subprotocols.Outcome.NO_COMMON_VERSION);
  }

  @Test
  void clientAcceptsOnlyOneFlxTokenInItsRange() {
    assertThat(Subprotocols.checkServerChoice(P + "14")).isEqualTo(OptionalInt.of(14));
    assertThat(Subprotocols.checkServerChoice(P + "8")).isEqualTo(OptionalInt.of(8));
    assertThat(Subprotocols.checkServerChoice(P + "7")).isEmpty();
    assertThat(Subprotocols.checkServerChoice(P + "15")).isEmpty();
    assertThat(Subprotocols.checkServerChoice(null)).isEmpty();
    assertThat(Subprotocols.checkServerChoice("")).isEmpty();
    assertThat(Subprotocols.checkServerChoice("com.mongodb.realm-sync#14")).isEmpty();
    assertThat(Subprotocols.checkServerChoice(P + "14 ")).isEmpty();
    assertThat(Subprotocols.checkServerChoice(P + "+14")).isEmpty();
    assertThat(Subprotocols.checkServerChoice(P + "12-14")).isEmpty();
    assertThat(Subprotocols.checkServerChoice(P + "14, " + P + "13")).isEmpty();
    assertThat(Subprotocols.checkServerChoice(P)).isEmpty();
  }

  @Test
  void realmCoreRangeForTheClientCheck() {
    assertThat(Subprotocols.checkServerChoice(P + "2", 2, 14)).isEqualTo(OptionalInt.of(2));
    assertThat(Subprotocols.checkServerChoice(P + "1", 2, 14)).isEmpty();
  }

  @Test
  void everyCapturedServerAnswerPassesTheClientCheck() {
    for (String scenario : Captures.scenarios()) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> events =
          (List<Map<String, Object>>) (List<?>) Captures.session(scenario).get("events");
      for (Map<String, Object> e : events) {
        if ("http_response".equals(e.get("type")) && Long.valueOf(101).equals(e.get("status"))) {
          assertThat(Subprotocols.checkServerChoice((String) e.get("chosen_subprotocol")))
              .as(scenario).hasValue(14);
        }
      }
    }
  }
}
