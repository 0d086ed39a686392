package io.tributary.protocol;

/**
 * The sync protocol's error codes: the {@code error_code} of ERROR, JSON_ERROR and QUERY_ERROR
 * messages (spec protocol.md §10.1).
 *
 * <p>Each constant records what realm-core 14.14 does with the code: its level ({@link
 * Level#CONNECTION} for 100–199, {@link Level#SESSION} for 200–299), the status the realm-core
 * client reports, and whether the realm-core client <b>aborts</b> (process crash) when a server
 * sends it. A Tributary server must never send a code for which {@link #abortsRealmCore()} is true.
 *
 * <p>Codes not in this table are represented by {@link #UNKNOWN}; messages keep the numeric code
 * next to it, so nothing is lost. {@link #forCode(int)} never throws.
 */
public enum ProtocolError {
  /** Graceful close, e.g. server shutdown (spec: send with {@code tryAgain} true). */
  CONNECTION_CLOSED(100, "ConnectionClosed", false, true),
  /** Other connection-level error; also "message larger than the limit" when no session is known. */
  OTHER_ERROR(101, "RuntimeError", false, false),
  /** The message type is not known (or not allowed in this direction). */
  UNKNOWN_MESSAGE(102, "SyncProtocolInvariantFailed", false, false),
  /** Malformed header line or unparsable field. */
  BAD_SYNTAX(103, "SyncProtocolInvariantFailed", false, false),
  /** realm-core aborts on receipt: never send. */
  LIMITS_EXCEEDED(104, null, true, false),
  /** Obsolete. */
  WRONG_PROTOCOL_VERSION(105, "SyncProtocolInvariantFailed", false, false),
  /** A message names a session ident that is not bound on the connection. */
  BAD_SESSION_IDENT(106, "SyncProtocolInvariantFailed", false, false),
  /** BIND for a session ident that is already active. */
  REUSE_OF_SESSION_IDENT(107, "SyncProtocolInvariantFailed", false, false),
  /** IDENT for a client file bound by another session on the same connection. */
  BOUND_IN_OTHER_SESSION(108, "SyncProtocolInvariantFailed", false, false),
  /** A message arrived in a state that does not allow it. */
  BAD_MESSAGE_ORDER(109, "SyncProtocolInvariantFailed", false, false),
  /** Bad zlib data, or compressed/uncompressed sizes that do not match the data. */
  BAD_DECOMPRESSION(110, "RuntimeError", false, false),
  /** A changeset entry header inside an UPLOAD/DOWNLOAD body does not parse. */
  BAD_CHANGESET_HEADER_SYNTAX(111, "SyncProtocolInvariantFailed", false, false),
  /** A changeset size reaches beyond the body. */
  BAD_CHANGESET_SIZE(112, "SyncProtocolInvariantFailed", false, false),
  /** A partition-based-sync client at a flexible-sync server. */
  SWITCH_TO_FLX_SYNC(113, "WrongSyncType", false, false),
  /** A flexible-sync client at a partition-based-sync server. */
  SWITCH_TO_PBS(114, "WrongSyncType", false, false),

  /** Session closed; realm-core always retries after 1 s. */
  SESSION_CLOSED(200, "ConnectionClosed", false, true),
  /** General-purpose session error (overload: with {@code tryAgain} true). */
  OTHER_SESSION_ERROR(201, "RuntimeError", false, true),
  /** realm-core aborts on receipt: never send (close the WebSocket with 4001 instead). */
  TOKEN_EXPIRED(202, null, true, false),
  /** realm-core aborts on receipt: never send (refuse the upgrade with 401/403 instead). */
  BAD_AUTHENTICATION(203, null, true, false),
  /** Illegal realm path (BIND). */
  ILLEGAL_REALM_PATH(204, "BadSyncPartitionValue", false, false),
  /** realm-core aborts on receipt: never send. */
  NO_SUCH_REALM(205, null, true, false),
  /** The user may not sync this file. */
  PERMISSION_DENIED(206, "SyncPermissionDenied", false, false),
  /** Obsolete; realm-core aborts on receipt. */
  BAD_SERVER_FILE_IDENT(207, null, true, false),
  /** Unknown client file ident: forces a client reset. */
  BAD_CLIENT_FILE_IDENT(208, "SyncClientResetRequired", false, false),
  /** Cursor ahead of the server: forces a client reset. */
  BAD_SERVER_VERSION(209, "SyncClientResetRequired", false, false),
  /** Client version the client has not produced: forces a client reset. */
  BAD_CLIENT_VERSION(210, "SyncClientResetRequired", false, false),
  /** Salt mismatch: forces a client reset. */
  DIVERGING_HISTORIES(211, "SyncClientResetRequired", false, false),
  /** A changeset that does not parse or breaks the insert-only rules. */
  BAD_CHANGESET(212, "BadChangeset", false, false),
  /**
   * Listed only in realm-core's {@code doc/protocol.md}; unknown to the realm-core client (see
   * {@link #isKnownToRealmCore()}). Do not send.
   */
  DISABLED_SESSION(213, null, false, false),
  /** realm-core aborts on receipt. */
  PARTIAL_SYNC_DISABLED(214, null, true, false),
  /** realm-core aborts on receipt. */
  UNSUPPORTED_SESSION_FEATURE(215, null, true, false),
  /** Non-zero origin file ident in an UPLOAD entry. */
  BAD_ORIGIN_FILE_IDENT(216, "SyncProtocolInvariantFailed", false, false),
  /** Synchronization no longer possible for the client file: forces a client reset. */
  BAD_CLIENT_FILE(217, "SyncClientResetRequired", false, false),
  /** realm-core aborts on receipt. */
  SERVER_FILE_DELETED(218, null, true, false),
  /** realm-core aborts on receipt. */
  CLIENT_FILE_BLACKLISTED(219, null, true, false),
  /** realm-core aborts on receipt. */
  USER_BLACKLISTED(220, null, true, false),
  /** Obsolete; realm-core aborts on receipt. */
  TRANSACT_BEFORE_UPLOAD(221, null, true, false),
  /** Client file expired: forces a client reset. */
  CLIENT_FILE_EXPIRED(222, "SyncClientResetRequired", false, false),
  /** The client file is bound by a different user. */
  USER_MISMATCH(223, "SyncUserMismatch", false, false),
  /** realm-core aborts on receipt. */
  TOO_MANY_SESSIONS(224, null, true, false),
  /** A schema instruction disagrees with the app's schema. */
  INVALID_SCHEMA_CHANGE(225, "InvalidSchemaChange", false, false),
  /** Invalid subscription query (also in QUERY_ERROR). */
  BAD_QUERY(226, "InvalidSubscriptionQuery", false, false),
  /** Object already exists outside the client's view. */
  OBJECT_ALREADY_EXISTS(227, "ObjectAlreadyExists", false, false),
  /** Server permissions changed. */
  SERVER_PERMISSIONS_CHANGED(228, "SyncServerPermissionsChanged", false, false),
  /** The server is not ready yet; the client retries. */
  INITIAL_SYNC_NOT_COMPLETED(229, "ConnectionClosed", false, true),
  /** Write not allowed (needs compensating-write fields). */
  WRITE_NOT_ALLOWED(230, "SyncWriteNotAllowed", false, false),
  /** Compensating write; without its extra JSON keys realm-core fails an assertion: do not send. */
  COMPENSATING_WRITE(231, "SyncCompensatingWrite", false, false),
  /** PBS to FLX migration. */
  MIGRATE_TO_FLX(232, "WrongSyncType", false, false),
  /** Bad progress information. */
  BAD_PROGRESS(233, "SyncProtocolInvariantFailed", false, false),
  /** FLX to PBS rollback. */
  REVERT_TO_PBS(234, "WrongSyncType", false, false),
  /** Invalid schema version in BIND. */
  BAD_SCHEMA_VERSION(235, "SyncSchemaMigrationError", false, false),
  /** Schema version changed; requires {@code previousSchemaVersion}. */
  SCHEMA_VERSION_CHANGED(236, "SyncSchemaMigrationError", false, false),

  /**
   * A code not in this table. Messages carrying it keep the number; its level follows the range
   * rule ({@link #isSessionLevel(int)}).
   */
  UNKNOWN(-1, null, false, false);

  /** Whether an error concerns the whole connection (session ident 0) or one session. */
  public enum Level {
    /** Codes 100–199: sent with session ident 0; the connection is closed afterwards. */
    CONNECTION,
    /** Codes 200–299: sent with the session's ident; the client suspends that session. */
    SESSION
  }

  private static final ProtocolError[] BY_OFFSET = new ProtocolError[200];

  static {
    for (ProtocolError e : values()) {
      if (e != UNKNOWN) {
        BY_OFFSET[e.code - 100] = e;
      }
    }
  }

  private final int code;
  private final String clientStatus;
  private final boolean abortsRealmCore;
  private final boolean retryable;

  ProtocolError(int code, String clientStatus, boolean abortsRealmCore, boolean retryable) {
    this.code = code;
    this.clientStatus = clientStatus;
    this.abortsRealmCore = abortsRealmCore;
    this.retryable = retryable;
  }

  /**
   * The constant for a wire code.
   *
   * @param code any integer
   * @return the constant, or {@link #UNKNOWN} if the code is not in the table (never null)
   */
  public static ProtocolError forCode(int code) {
    if (code < 100 || code >= 300) {
      return UNKNOWN;
    }
    ProtocolError e = BY_OFFSET[code - 100];
    return e == null ? UNKNOWN : e;
  }

  /**
   * realm-core's level rule ({@code is_session_level_error}): a code is session level iff it is in
   * 200..299. Applies to unknown codes too.
   */
  public static boolean isSessionLevel(int code) {
    return code >= 200 && code <= 299;
  }

  /** The wire code (100..236), or -1 for {@link #UNKNOWN}. */
  public int code() {
    return code;
  }

  /**
   * The level by the range rule. {@link #UNKNOWN} reports {@link Level#CONNECTION}; use {@link
   * #isSessionLevel(int)} with the actual code instead.
   */
  public Level level() {
    return isSessionLevel(code) ? Level.SESSION : Level.CONNECTION;
  }

  /**
   * The name realm-core's {@code protocol.hpp} gives the code, e.g. {@code "bad_syntax"}; {@code
   * "unknown"} for {@link #UNKNOWN}.
   */
  public String realmName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The error status the realm-core 14 client reports for this code (its {@code ErrorCodes} name,
   * e.g. {@code "SyncClientResetRequired"}), or {@code null} if it has none: the client aborts
   * ({@link #abortsRealmCore()}) or does not know the code.
   */
  public String clientStatus() {
    return clientStatus;
  }

  /**
   * Whether a realm-core 14 client process aborts ({@code REALM_UNREACHABLE}) when it receives this
   * code in an ERROR or JSON_ERROR with a session ident. A Tributary server never sends these.
   */
  public boolean abortsRealmCore() {
    return abortsRealmCore;
  }

  /**
   * Whether the realm-core client knows the code at all. False only for {@link #DISABLED_SESSION}
   * (listed in realm-core's old protocol document, not in its code) and {@link #UNKNOWN}.
   */
  public boolean isKnownToRealmCore() {
    return this != UNKNOWN && this != DISABLED_SESSION;
  }

  /**
   * Whether the condition can clear by itself, so that a client may retry: the {@code try_again}
   * value a Tributary server sends with this code unless the situation says otherwise. True for
   * {@link #CONNECTION_CLOSED}, {@link #SESSION_CLOSED} (realm-core retries it after 1 s whatever
   * the flag), {@link #OTHER_SESSION_ERROR} (overload, spec §10.4) and {@link
   * #INITIAL_SYNC_NOT_COMPLETED}; false for everything else, whose cause a retry does not remove.
   */
  public boolean isRetryable() {
    return retryable;
  }

  /** Whether a Tributary server may send this code: known to realm-core and not aborting it. */
  public boolean isSafeToSend() {
    return isKnownToRealmCore() && !abortsRealmCore;
  }

  @Override
  public String toString() {
    return this == UNKNOWN ? "unknown" : realmName() + "(" + code + ")";
  }
}
