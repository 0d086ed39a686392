package io.tributary.core;

/**
 * What the sync session does when the server answers that it no longer knows this log's client
 * file: errors 208 {@code bad_client_file_ident}, 209 {@code bad_server_version}, 210 {@code
 * bad_client_version}, 211 {@code diverging_histories}, 217 {@code bad_client_file} and 222 {@code
 * client_file_expired} (spec protocol.md §5.3, §10), which the server sends after losing its state
 * (a store wiped or restored from an older backup) or expiring the file. Set it with {@link
 * SyncOptions.Builder#clientReset}.
 *
 * <p>An ingest client has nothing to download and nothing to discard, so a client reset is
 * simpler than in a full Realm SDK: the unacknowledged entries in the log are all that matters.
 */
public enum ClientResetMode {
  /**
   * The default. The session forgets the client file and the server's cursors (stored in the log
   * at once, the entries untouched), binds as a new client file, and uploads every entry the log
   * still holds again under it. Nothing unacknowledged is lost; an object the server had ingested
   * before it lost its state may arrive again, which a sink that de-duplicates by primary key (the
   * Tributary server's does) discards. The app hears of it through the sync error listener as a
   * non-fatal {@link SyncException} with action {@code CLIENT_RESET}. If the new client file is
   * refused the same way before the server acknowledged anything on it, the session stops as in
   * {@link #MANUAL}. A server that forbids recovery ({@code ClientResetNoRecovery}) also stops it.
   */
  RECOVER,

  /**
   * The session stops with a fatal {@link SyncException} and keeps the log as it is; a realm
   * reopened on the same log meets the same error. For apps that want to decide themselves (for
   * example to move the log aside and inspect it with {@code tributary inspect}).
   */
  MANUAL
}
