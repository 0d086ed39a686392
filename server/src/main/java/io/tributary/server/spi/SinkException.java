package io.tributary.server.spi;

/**
 * An {@link IngestSink} could not commit or read: storage unavailable, full, timed out or broken.
 * Nothing of the failed commit is stored (a commit is all or nothing), except that after a
 * timeout ({@link #outcomeUnknown()}) the sink may still complete it later.
 */
public class SinkException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean outcomeUnknown;

  /**
   * @param message what failed and where
   * @param cause the underlying failure, or {@code null}
   */
  public SinkException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param message what failed and where
   * @param cause the underlying failure, or {@code null}
   * @param outcomeUnknown whether the commit may still take effect (e.g. after a timeout)
   */
  public SinkException(String message, Throwable cause, boolean outcomeUnknown) {
    super(message, cause);
    this.outcomeUnknown = outcomeUnknown;
  }

  /** Whether the failed commit may still take effect later (a timeout), rather than surely not. */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }
}
