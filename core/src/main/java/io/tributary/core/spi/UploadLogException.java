package io.tributary.core.spi;

import io.tributary.core.TributaryException;

/** Base class of the errors an {@link UploadLog} reports. Each failure has its own subclass. */
public class UploadLogException extends TributaryException {
  private static final long serialVersionUID = 1L;

  public UploadLogException(String message) {
    super(message);
  }

  public UploadLogException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The log is at its size bound: with {@link OverflowPolicy#FAIL} at once, with {@link
   * OverflowPolicy#BLOCK} after the block timeout. Nothing was appended.
   */
  public static class LogFullException extends UploadLogException {
    private static final long serialVersionUID = 1L;

    public LogFullException(String message) {
      super(message);
    }
  }

  /** The log was closed before or during the call. */
  public static class LogClosedException extends UploadLogException {
    private static final long serialVersionUID = 1L;

    public LogClosedException(String message) {
      super(message);
    }
  }

  /**
   * The storage did not complete the call within its timeout. The outcome of an append that timed
   * out is unknown until the log is read again; nothing is lost that was acknowledged before.
   */
  public static class StorageTimeoutException extends UploadLogException {
    private static final long serialVersionUID = 1L;

    public StorageTimeoutException(String message) {
      super(message);
    }
  }

  /**
   * The files at the log's location are not a Tributary upload log, are of an unsupported format
   * version, or are damaged. Reported at open; the files are never silently reset.
   */
  public static class LogCorruptException extends UploadLogException {
    private static final long serialVersionUID = 1L;

    public LogCorruptException(String message) {
      super(message);
    }

    public LogCorruptException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The underlying storage failed (I/O error, disk full, map full that could not grow). */
  public static class StorageFailureException extends UploadLogException {
    private static final long serialVersionUID = 1L;

    public StorageFailureException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
