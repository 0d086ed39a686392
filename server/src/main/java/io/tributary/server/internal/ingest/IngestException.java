package io.tributary.server.internal.ingest;

import io.tributary.protocol.ProtocolError;

/**
 * A changeset the server refuses: 212 (does not parse, or breaks the insert-only rules) or 225
 * (a schema instruction disagrees with the app schema), spec changeset.md §11, protocol.md §10.4.
 */
public final class IngestException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient ProtocolError error;

  /**
   * @param error {@link ProtocolError#BAD_CHANGESET} or {@link ProtocolError#INVALID_SCHEMA_CHANGE}
   * @param message where and what, shaped {@code "<place>: <actual> (expected: <rule>)"}
   */
  public IngestException(ProtocolError error, String message) {
    super(message);
    this.error = error;
  }

  /** The error the session is answered with. */
  public ProtocolError error() {
    return error;
  }
}
