package io.tributary.core;

/**
 * A transaction's changeset grew beyond {@link IngestConfig#maxChangesetBytes()}. The transaction
 * is discarded: nothing of it is written. Split the objects across several {@link
 * IngestRealm#write} calls.
 */
public class ChangesetTooLargeException extends TributaryException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message the size reached and the limit
   * @param cause the sink's overflow
   */
  public ChangesetTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
