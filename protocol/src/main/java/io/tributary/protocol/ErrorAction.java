package io.tributary.protocol;

/**
 * The {@code action} of a JSON_ERROR body: what the receiving SDK does (spec protocol.md §5.10).
 *
 * <p>An action string this enum does not know maps to {@link #UNKNOWN}, which realm-core treats
 * as {@link #APPLICATION_BUG} ({@link #effective()}); the JSON_ERROR body keeps the original
 * string.
 */
public enum ErrorAction {
  /** Not reported to the app; the session resumes after backoff (if {@code tryAgain}). */
  TRANSIENT("Transient"),
  /** Reported to the app; the session continues or resumes. */
  WARNING("Warning"),
  /** Reported; the sync session becomes inactive. */
  APPLICATION_BUG("ApplicationBug"),
  /** Reported; the sync session becomes inactive. */
  PROTOCOL_VIOLATION("ProtocolViolation"),
  /** The client performs a client reset (per its resync mode). */
  CLIENT_RESET("ClientReset"),
  /** The client performs a client reset without recovery. */
  CLIENT_RESET_NO_RECOVERY("ClientResetNoRecovery"),
  /** Sync stops; the local file is deleted on next launch. */
  DELETE_REALM("DeleteRealm"),
  /** Refresh the access token, then reconnect. */
  REFRESH_USER("RefreshUser"),
  /** Re-query the location and refresh the token, then reconnect. */
  REFRESH_LOCATION("RefreshLocation"),
  /** The user is logged out; sync stops. */
  LOG_OUT_USER("LogOutUser"),
  /** PBS to FLX migration (not used by Tributary). */
  MIGRATE_TO_FLX("MigrateToFLX"),
  /** FLX to PBS rollback (not used by Tributary). */
  REVERT_TO_PBS("RevertToPBS"),
  /** Schema migration (not used by Tributary). */
  MIGRATE_SCHEMA("MigrateSchema"),
  /** An action string not listed here; behaves as {@link #APPLICATION_BUG}. */
  UNKNOWN(null);

  private static final ErrorAction[] KNOWN = values();

  private final String wireName;

  ErrorAction(String wireName) {
    this.wireName = wireName;
  }

  /**
   * The action for a JSON string.
   *
   * @param wireName the {@code action} value, e.g. {@code "Transient"} (case-sensitive); null
   *     gives {@link #UNKNOWN}
   * @return the constant, never null
   */
  public static ErrorAction forWireName(String wireName) {
    if (wireName != null) {
      for (ErrorAction a : KNOWN) {
        if (wireName.equals(a.wireName)) {
          return a;
        }
      }
    }
    return UNKNOWN;
  }

  /** The JSON spelling, e.g. {@code "ClientResetNoRecovery"}; null for {@link #UNKNOWN}. */
  public String wireName() {
    return wireName;
  }

  /** The action realm-core carries out: {@link #APPLICATION_BUG} for {@link #UNKNOWN}, else this. */
  public ErrorAction effective() {
    return this == UNKNOWN ? APPLICATION_BUG : this;
  }
}
