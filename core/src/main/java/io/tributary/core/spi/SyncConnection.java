package io.tributary.core.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One open WebSocket connection carrying sync protocol messages, each message exactly one binary
 * WebSocket message (spec protocol.md §3.4).
 *
 * <p>Thread safe: {@link #send} and {@link #close} may be called from any thread.
 */
public interface SyncConnection {

  /** The subprotocol the server selected, e.g. {@code com.mongodb.realm-query-sync#14}. */
  String subprotocol();

  /**
   * Queues one binary message.
   *
   * <p>The bytes from position to limit are <em>copied</em> before this method returns, so the
   * caller may reuse the buffer at once; the buffer's position is not changed. Messages are sent in
   * the order of the calls.
   *
   * @return completes when the message was written to the socket, or exceptionally with a {@link
   *     SyncTransportException} if the connection closed first
   */
  CompletableFuture<Void> send(ByteBuffer message);

  /** Bytes queued by {@link #send} and not yet written to the socket (for flow control). */
  long queuedBytes();

  /**
   * Closes the connection without a WebSocket close frame, as realm-core's client does (the TCP
   * connection is closed). Idempotent; the listener's {@link Listener#onClosed} is called once.
   */
  void close();

  /**
   * Receives what arrives on a connection.
   *
   * <p>Calls are sequential and never concurrent (one connection never calls its listener from
   * two threads at once), and come from a transport thread: a listener must not block it.
   */
  interface Listener {

    /**
     * One complete binary message (fragments already reassembled).
     *
     * @param message borrowed: valid only until this method returns; read-only
     */
    void onMessage(ByteBuffer message);

    /**
     * The connection ended; called exactly once, last.
     *
     * @param closeCode the WebSocket close code the server sent (e.g. 4001), or {@link
     *     #CLOSE_CODE_NONE} if the connection ended without a close frame
     * @param reason the close reason text, or the empty string
     * @param cause the local error that ended the connection (I/O error, protocol violation at the
     *     WebSocket level, message too large), or {@code null}
     */
    void onClosed(int closeCode, String reason, Throwable cause);
  }

  /** Close code passed to {@link Listener#onClosed} when no close frame was received. */
  int CLOSE_CODE_NONE = -1;
}
