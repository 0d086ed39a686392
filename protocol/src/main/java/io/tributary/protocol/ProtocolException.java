package io.tributary.protocol;

import java.util.Objects;

/**
 * A received message violates the sync protocol: a malformed header or body, a size that does not
 * match the data, bad compressed data, or a configured limit exceeded.
 *
 * <p>Carries the {@link ProtocolError} a server answers with (spec protocol.md §10.4), the name of
 * the field that was wrong, the byte offset where it starts and, when the message's session ident
 * had been read before the failure, that ident (so a server can answer a limit violation at session
 * level, §10.4). The message has the shape {@code "<field> at byte <offset>: <actual> (expected:
 * <rule>)"}.
 *
 * <p>Decoders throw this and nothing else for bad input; it is unchecked so that decoding code
 * stays linear.
 */
public class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Value of {@link #offset()} when no byte position applies. */
  public static final long NO_OFFSET = -1;

  /** The code a server answers with. */
  private final ProtocolError error;

  /** The offending field. */
  private final String field;

  /** Its byte offset, or {@link #NO_OFFSET}. */
  private final long offset;

  /** The message's session ident, or 0. */
  private final long sessionIdent;

  /**
   * Creates an exception.
   *
   * @param error the code a server should answer with; not {@code null}
   * @param field the field or part that is wrong, e.g. {@code "upload.progress_client_version"}
   * @param offset byte offset of that field from the start of the message (or of the inflated
   *     body, which {@code field} then says), or {@link #NO_OFFSET}
   * @param sessionIdent the message's session ident if known, else 0
   * @param detail what was wrong, shaped {@code "<actual> (expected: <rule>)"}
   */
  public ProtocolException(
      ProtocolError error, String field, long offset, long sessionIdent, String detail) {
    this(error, field, offset, sessionIdent, detail, null);
  }

  /**
   * Creates an exception with a cause (e.g. a {@link java.util.zip.DataFormatException}).
   *
   * @see #ProtocolException(ProtocolError, String, long, long, String)
   */
  public ProtocolException(
      ProtocolError error,
      String field,
      long offset,
      long sessionIdent,
      String detail,
      Throwable cause) {
    super(format(field, offset, detail), cause);
    this.error = Objects.requireNonNull(error, "error");
    this.field = Objects.requireNonNull(field, "field");
    this.offset = offset;
    this.sessionIdent = sessionIdent;
  }

  private static String format(String field, long offset, String detail) {
    return offset == NO_OFFSET ? field + ": " + detail : field + " at byte " + offset + ": " + detail;
  }

  /** The error code a server answers with. */
  public ProtocolError error() {
    return error;
  }

  /** The field or part of the message that was wrong, e.g. {@code "upload.changeset_size"}. */
  public String field() {
    return field;
  }

  /** Byte offset of the offending field, or {@link #NO_OFFSET}. */
  public long offset() {
    return offset;
  }

  /** The message's session ident if it had been read before the failure, else 0. */
  public long sessionIdent() {
    return sessionIdent;
  }

  /** Class name, error code and message, e.g. {@code ProtocolException[103 bad_syntax]: ...}. */
  @Override
  public String toString() {
    return getClass().getName() + "[" + error.code() + " " + error.realmName() + "]: "
        + getMessage();
  }
}
