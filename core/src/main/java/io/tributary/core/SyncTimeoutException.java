package io.tributary.core;

/**
 * {@link IngestRealm#waitForUploadCompletion} ran out of time: the server had not acknowledged
 * everything committed before the call. Nothing is lost; the session keeps uploading.
 */
public class SyncTimeoutException extends TributaryException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was still pending and for how long it was awaited
   */
  public SyncTimeoutException(String message) {
    super(message);
  }
}
