package io.tributary.server.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.message.JsonErrorBody;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.QueryErrorMessage;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The guard on the error-sending path (spec protocol.md §10.1): no code that crashes realm-core. */
class ServerErrorsTest {
  /** The codes realm-core 14 aborts on (vectors/protocol_error_codes.json, capture 13). */
  private static final ServerErrors NO_URL = new ServerErrors("");
  private static final Set<Integer> ABORTING = Set.of(104, 202, 203, 205, 207, 214, 215, 218, 219, 220, 221, 224);

  @ParameterizedTest
  @EnumSource(ProtocolError.class)
  void everyCodeThatCrashesRealmCoreIsRefusedOnTheSendPath(ProtocolError e) {
    boolean crashes = ABORTING.contains(e.code()) || e == ProtocolError.UNKNOWN || e == ProtocolError.DISABLED_SESSION;
    if (crashes) {
      assertThatThrownBy(() -> ServerErrors.requireSendable(e.code())).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("never sent");
      int session = e.level() == ProtocolError.Level.SESSION ? 1 : 0;
      JsonErrorMessage raw = new JsonErrorMessage(Math.max(e.code(), 0), session,
          JsonErrorBody.of(ErrorAction.APPLICATION_BUG, "x", false));
      assertThatThrownBy(() -> ServerErrors.checkOutgoing(raw)).isInstanceOf(IllegalStateException.class);
      if (e != ProtocolError.UNKNOWN) {
        if (e.level() == ProtocolError.Level.SESSION) {
          assertThatThrownBy(() -> NO_URL.session(e, 1, ErrorAction.APPLICATION_BUG, false, "x", null))
              .isInstanceOf(IllegalStateException.class);
        } else {
          assertThatThrownBy(() -> NO_URL.connection(e, ErrorAction.APPLICATION_BUG, false, "x"))
              .isInstanceOf(IllegalStateException.class);
        }
      }
    } else {
      ServerErrors.requireSendable(e.code());
    }
  }

  @Test
  void theAbortingSetMatchesTheProtocolModule() {
    for (ProtocolError e : ProtocolError.values()) {
      assertThat(e.abortsRealmCore()).as(e.toString()).isEqualTo(ABORTING.contains(e.code()));
    }
  }

  @Test
  void errorsCarryAllSixKeysAndTheRightLevel() {
    JsonErrorMessage c = NO_URL.connection(ProtocolError.BAD_SYNTAX, ErrorAction.PROTOCOL_VIOLATION, false, "m");
    assertThat(c.sessionIdent()).isZero();
    assertThat(c.body().toJson()).contains("\"action\":\"ProtocolViolation\"", "\"isRecoveryModeDisabled\":false",
        "\"logURL\":\"\"", "\"message\":\"m\"", "\"shouldClientReset\":false", "\"tryAgain\":false");
    assertThatThrownBy(() -> NO_URL.connection(ProtocolError.BAD_CHANGESET, ErrorAction.APPLICATION_BUG, false, "m"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> NO_URL.session(ProtocolError.BAD_SYNTAX, 1, ErrorAction.APPLICATION_BUG, false, "m", null))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> NO_URL.session(ProtocolError.BAD_CHANGESET, 0, ErrorAction.APPLICATION_BUG, false, "m", null))
        .isInstanceOf(IllegalStateException.class);
    ServerErrors.checkOutgoing(new QueryErrorMessage(226, "bad", 1, 1));
    assertThat(NO_URL.session(ProtocolError.BAD_CHANGESET, 3, ErrorAction.APPLICATION_BUG, false, "x".repeat(10_000),
        null).body().message()).hasSize(ServerErrors.MAX_MESSAGE_CHARS);
  }

  @Test
  void errorsCarryTheOperatorsLogUrl() {
    String url = "https://logs.example.com/search?app=a&q=error";
    ServerErrors errors = new ServerErrors(url);
    JsonErrorMessage c = errors.connection(ProtocolError.BAD_SYNTAX, ErrorAction.PROTOCOL_VIOLATION, false, "m");
    JsonErrorMessage s = errors.session(ProtocolError.BAD_CHANGESET, 3, ErrorAction.APPLICATION_BUG, false, "m",
        ServerErrors.TRANSIENT_BACKOFF);
    assertThat(JsonErrorBody.parse(c.body().toJson()).logUrl()).isEqualTo(url);
    assertThat(JsonErrorBody.parse(s.body().toJson()).logUrl()).isEqualTo(url);
    assertThat(s.body().backoff()).isEqualTo(ServerErrors.TRANSIENT_BACKOFF);
  }
}
