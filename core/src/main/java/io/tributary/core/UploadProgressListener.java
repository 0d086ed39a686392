package io.tributary.core;

/**
 * Told how much is waiting for upload: after each acknowledgement from the server and after new
 * commits (several commits may be reported in one call).
 *
 * <p>Called on the realm's sync session thread, sequentially, never with a lock held. A listener
 * must return quickly and must not block (uploads wait while it runs); what it throws is logged
 * and ignored.
 */
@FunctionalInterface
public interface UploadProgressListener {

  /**
   * @param progress the current figures
   */
  void uploadProgress(UploadProgress progress);
}
