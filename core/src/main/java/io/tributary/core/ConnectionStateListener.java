package io.tributary.core;

/**
 * Told when a realm's connection changes state, and about sync errors.
 *
 * <p>Called on the realm's sync session thread, sequentially, never with a lock held. A listener
 * must return quickly and must not block (uploads wait while it runs); what it throws is logged
 * and ignored.
 */
@FunctionalInterface
public interface ConnectionStateListener {

  /**
   * The connection state changed, or an error was reported.
   *
   * @param oldState the state before
   * @param newState the state now; equal to {@code oldState} when the call only reports an error
   *     that did not change the connection state (a server warning, or a session error after which
   *     the session rebinds on the same connection)
   * @param error the error that caused the change, or {@code null} (for example on a normal
   *     connect); {@link SyncException#isFatal()} tells whether the session stopped
   */
  void connectionStateChanged(
      ConnectionState oldState, ConnectionState newState, SyncException error);
}
