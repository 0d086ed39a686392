package io.tributary.server.internal.session;

/**
 * One session of a connection (spec protocol.md §8.3), ingest thread only.
 *
 * <pre>
 *   (none) --BIND--> WAIT_IDENT --IDENT--> ACTIVE
 *   WAIT_IDENT, ACTIVE --UNBIND--> (forgotten, UNBOUND sent)
 *   any --server-side session error--> ERRORED --UNBIND--> (forgotten, no UNBOUND)
 * </pre>
 */
final class Session {
  enum State {
    WAIT_IDENT,
    ACTIVE,
    ERRORED
  }

  final long ident;
  final ClientConnection connection;
  State state = State.WAIT_IDENT;
  /** The bound client file (after IDENT), else 0. */
  long fileIdent;
  /** The query version of IDENT (or the last QUERY). */
  long queryVersion;
  /** The highest download_server_version sent in this session. */
  long downloadServerVersionSent;
  /** The previous UPLOAD's progress_client_version in this session (0 at first). */
  long progressClientVersion;
  /** The last UPLOAD entry's last_integrated_server_version in this session. */
  long lastIntegratedServerVersion;
  /** The largest locked_server_version so far (the file's at IDENT). */
  long lockedServerVersion;

  Session(long ident, ClientConnection connection) {
    this.ident = ident;
    this.connection = connection;
  }

  @Override
  public String toString() {
    return "session " + ident + " (" + state + (fileIdent != 0 ? ", file " + fileIdent : "") + ") of " + connection;
  }
}
