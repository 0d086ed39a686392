package io.tributary.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.testing.Captures;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The error table against realm-core's own (vectors/messages/protocol_error_codes.json). */
class ProtocolErrorTest {
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> realmCoreCodes() {
    return (List<Map<String, Object>>)
        Captures.parseObject(Captures.message("protocol_error_codes.json")).get("codes");
  }

  @Test
  void everyRealmCoreCodeIsInTheEnumWithTheSameFacts() {
    List<Map<String, Object>> codes = realmCoreCodes();
    assertThat(codes).hasSize(51); // 100-114 and 200-236 without 213
    for (Map<String, Object> c : codes) {
      int code = ((Long) c.get("code")).intValue();
      ProtocolError e = ProtocolError.forCode(code);
      assertThat(e).as("code %d", code).isNotEqualTo(ProtocolError.UNKNOWN);
      assertThat(e.code()).isEqualTo(code);
      String level = e.level() == ProtocolError.Level.CONNECTION ? "CONNECTION_" : "SESSION_";
      assertThat(c.get("name")).as("name of %d", code).isEqualTo("RLM_SYNC_ERR_" + level + e.name());
      assertThat(c.get("level")).isEqualTo(e.level().name().toLowerCase());
      assertThat(c.get("client_aborts_on_receipt")).as("aborts %d", code)
          .isEqualTo(e.abortsRealmCore());
      Object status = c.get("client_status_code");
      if (e.abortsRealmCore()) {
        assertThat(status).isNull();
        assertThat(e.clientStatus()).isNull();
      } else if ("unknown".equals(status)) {
        // 235 and 236: realm-core's table lists "unknown"; the spec names the status
        assertThat(e.clientStatus()).isEqualTo("SyncSchemaMigrationError");
      } else {
        assertThat(e.clientStatus()).as("status of %d", code).isEqualTo(status);
      }
      assertThat(e.isKnownToRealmCore()).isTrue();
    }
  }

  @Test
  void theEnumHasNothingRealmCoreLacksExceptDisabledSessionAndUnknown() {
    Set<Integer> realm = new HashSet<>();
    for (Map<String, Object> c : realmCoreCodes()) {
      realm.add(((Long) c.get("code")).intValue());
    }
    Set<ProtocolError> extra = EnumSet.noneOf(ProtocolError.class);
    for (ProtocolError e : ProtocolError.values()) {
      if (!realm.contains(e.code())) {
        extra.add(e);
      }
    }
    assertThat(extra).containsExactlyInAnyOrder(
        ProtocolError.DISABLED_SESSION, ProtocolError.UNKNOWN);
    assertThat(ProtocolError.DISABLED_SESSION.isKnownToRealmCore()).isFalse();
    assertThat(ProtocolError.DISABLED_SESSION.isSafeToSend()).isFalse();
  }

  @Test
  void unknownCodesMapToUnknownAndTheRangeRuleGivesTheLevel() {
    for (int code : new int[] {-5, 0, 99, 115, 199, 237, 299, 300, Integer.MAX_VALUE}) {
      assertThat(ProtocolError.forCode(code)).as("%d", code).isEqualTo(ProtocolError.UNKNOWN);
    }
    assertThat(ProtocolError.isSessionLevel(250)).isTrue();
    assertThat(ProtocolError.isSessionLevel(150)).isFalse();
    assertThat(ProtocolError.isSessionLevel(300)).isFalse();
  }

  @Test
  void codesThatCrashRealmCoreAreNeverSafeToSend() {
    Set<Integer> crash = new HashSet<>();
    for (ProtocolError e : ProtocolError.values()) {
      if (e.abortsRealmCore()) {
        crash.add(e.code());
        assertThat(e.isSafeToSend()).isFalse();
      }
    }
    // the list in the vectors README and spec §10.1
    assertThat(crash).containsExactlyInAnyOrder(
        104, 202, 203, 205, 207, 214, 215, 218, 219, 220, 221, 224);
  }

  @Test
  void theCodesTheSpecRecommendsAreSafe() {
    for (int code : new int[] {100, 101, 102, 103, 106, 107, 108, 109, 110, 111, 112, 201, 206,
        208, 209, 210, 211, 212, 216, 223, 225, 226}) {
      assertThat(ProtocolError.forCode(code).isSafeToSend()).as("%d", code).isTrue();
    }
  }

  @Test
  void retryableCodes() {
    Set<ProtocolError> retryable = EnumSet.noneOf(ProtocolError.class);
    for (ProtocolError e : ProtocolError.values()) {
      if (e.isRetryable()) {
        retryable.add(e);
      }
    }
    assertThat(retryable).containsExactlyInAnyOrder(ProtocolError.CONNECTION_CLOSED,
        ProtocolError.SESSION_CLOSED, ProtocolError.OTHER_SESSION_ERROR,
        ProtocolError.INITIAL_SYNC_NOT_COMPLETED);
  }

  @Test
  void realmNamesFollowProtocolHpp() {
    assertThat(ProtocolError.BAD_SYNTAX.realmName()).isEqualTo("bad_syntax");
    assertThat(ProtocolError.BAD_CHANGESET_HEADER_SYNTAX.toString())
        .isEqualTo("bad_changeset_header_syntax(111)");
  }

  @Test
  void errorActionsParseByTheirJsonSpelling() {
    for (String name : new String[] {"ProtocolViolation", "ApplicationBug", "Warning", "Transient",
        "DeleteRealm", "ClientReset", "ClientResetNoRecovery", "MigrateToFLX", "RevertToPBS",
        "RefreshUser", "RefreshLocation", "LogOutUser", "MigrateSchema"}) {
      ErrorAction a = ErrorAction.forWireName(name);
      assertThat(a).as(name).isNotEqualTo(ErrorAction.UNKNOWN);
      assertThat(a.wireName()).isEqualTo(name);
      assertThat(a.effective()).isEqualTo(a);
    }
    assertThat(ErrorAction.values()).hasSize(14);
    assertThat(ErrorAction.forWireName("transient")).isEqualTo(ErrorAction.UNKNOWN);
    assertThat(ErrorAction.forWireName(null)).isEqualTo(ErrorAction.UNKNOWN);
    assertThat(ErrorAction.UNKNOWN.effective()).isEqualTo(ErrorAction.APPLICATION_BUG);
  }
}
