package io.tributary.protocol.message;

/**
 * IDENT, client to server, FLX layout (spec protocol.md §5.3):
 *
 * <pre>
 * ident &lt;session_ident&gt; &lt;client_file_ident&gt; &lt;client_file_ident_salt&gt;
 *       &lt;download_server_version&gt; &lt;download_client_version&gt;
 *       &lt;latest_server_version&gt; &lt;latest_server_version_salt&gt;
 *       &lt;query_version&gt; &lt;query_size&gt;\n&lt;query JSON&gt;
 * </pre>
 *
 * <p>All numbers are in 0..2^63-1. An asymmetric-only client sends {@code queryVersion} 0 and
 * query {@code "{}"}.
 *
 * @param sessionIdent the session
 * @param clientFileIdent the persisted client file ident
 * @param clientFileIdentSalt its salt
 * @param downloadServerVersion persisted download cursor, server version
 * @param downloadClientVersion persisted download cursor, last integrated client version
 * @param latestServerVersion persisted latest server version
 * @param latestServerVersionSalt its salt
 * @param queryVersion version of the active subscription set
 * @param query the subscription set as JSON text (UTF-8 on the wire), not null
 */
public record ClientIdentMessage(
    long sessionIdent,
    long clientFileIdent,
    long clientFileIdentSalt,
    long downloadServerVersion,
    long downloadClientVersion,
    long latestServerVersion,
    long latestServerVersionSalt,
    long queryVersion,
    String query)
    implements ClientMessage {

  /** The query body of an empty subscription set, what an asymmetric-only client sends. */
  public static final String EMPTY_QUERY = "{}";

  /**
   * @throws IllegalArgumentException if a number is negative
   * @throws NullPointerException if {@code query} is null
   */
  public ClientIdentMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(clientFileIdent, "client_file_ident");
    Checks.nonNegative(clientFileIdentSalt, "client_file_ident_salt");
    Checks.nonNegative(downloadServerVersion, "download_server_version");
    Checks.nonNegative(downloadClientVersion, "download_client_version");
    Checks.nonNegative(latestServerVersion, "latest_server_version");
    Checks.nonNegative(latestServerVersionSalt, "latest_server_version_salt");
    Checks.nonNegative(queryVersion, "query_version");
    Checks.notNull(query, "query");
  }

  @Override
  public MessageType type() {
    return MessageType.IDENT;
  }
}
