package io.tributary.core;

/**
 * The state of a realm's connection to the sync server, as reported to {@link
 * ConnectionStateListener}s.
 *
 * <pre>
 *   DISCONNECTED --(reconnect timer / open)--> CONNECTING --(upgrade accepted)--> CONNECTED
 *        ^                                          |                                |
 *        +------------------(failure)---------------+------------(lost / error)------+
 * </pre>
 */
public enum ConnectionState {
  /** Not connected: waiting to reconnect, stopped by a fatal error, closed, or offline-only. */
  DISCONNECTED,
  /** Resolving the location, logging in or refreshing the token, or opening the WebSocket. */
  CONNECTING,
  /** The WebSocket is open and the session is bound or binding. */
  CONNECTED
}
