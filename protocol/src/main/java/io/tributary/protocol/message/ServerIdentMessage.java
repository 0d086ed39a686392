package io.tributary.protocol.message;

/**
 * IDENT, server to client (spec protocol.md §5.2): {@code ident <session_ident> <client_file_ident>
 * <client_file_ident_salt>\n}, the allocation of a client file identifier.
 *
 * <p>The realm-core client requires {@code clientFileIdent ≥ 1} and a non-zero salt; this record
 * only requires non-negative values so that any well-formed message can be represented.
 *
 * @param sessionIdent the session, 0..2^63-1
 * @param clientFileIdent the allocated ident, 0..2^63-1
 * @param clientFileIdentSalt its salt, 0..2^63-1
 */
public record ServerIdentMessage(long sessionIdent, long clientFileIdent, long clientFileIdentSalt)
    implements ServerMessage {
  /**
   * @throws IllegalArgumentException if a field is negative
   */
  public ServerIdentMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(clientFileIdent, "client_file_ident");
    Checks.nonNegative(clientFileIdentSalt, "client_file_ident_salt");
  }

  @Override
  public MessageType type() {
    return MessageType.IDENT;
  }
}
