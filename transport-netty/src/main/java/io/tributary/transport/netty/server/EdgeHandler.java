package io.tributary.transport.netty.server;

import java.nio.ByteBuffer;

/**
 * The server's logic for one sync WebSocket connection.
 *
 * <p>Every method is called on the connection's event loop, one at a time and never
 * re-entrantly: {@link #onOpen} first, then any number of {@link #onMessage}, {@link
 * #onWritabilityChanged} and at most one {@link #onMessageTooLarge}, and {@link #onClose} exactly
 * once, last. Methods must not block: hand slow work to another thread and come back with {@link
 * EdgeConnection#executor()}. An exception thrown by a callback closes the connection with close
 * code 1011.
 */
public interface EdgeHandler {

  /** The upgrade succeeded (the 101 was written). */
  void onOpen(EdgeConnection connection);

  /**
   * One complete binary message (fragments already reassembled, at most {@link
   * EdgeConfig#maxMessageBytes()}).
   *
   * @param message borrowed: valid only until this method returns; read-only
   */
  void onMessage(ByteBuffer message);

  /**
   * The client sent a message larger than {@link EdgeConfig#maxMessageBytes()}; it was not
   * buffered. The connection is still open: the handler may {@link EdgeConnection#send} an error
   * message (spec protocol.md §10.4: error 101/201, not close code 1009). When this method
   * returns, the edge sends close code 1008 after what the handler queued, and closes.
   *
   * @param size the length a frame header declared (nothing of it was read), or for a fragmented
   *     message the bytes of the fragments received when the limit was crossed
   * @param limit the configured limit in bytes
   */
  default void onMessageTooLarge(long size, long limit) {}

  /** The outbound buffer crossed a water mark (see {@link EdgeConnection#isWritable()}). */
  default void onWritabilityChanged(boolean writable) {}

  /**
   * The connection is closed; called exactly once, last.
   *
   * @param cause why the edge closed it (idle timeout: {@link java.util.concurrent.TimeoutException};
   *     WebSocket protocol violation, oversize message, I/O error), or {@code null} if the client
   *     closed it or the server did through {@link EdgeConnection}
   */
  void onClose(Throwable cause);

  /** Creates one handler per upgraded connection. */
  @FunctionalInterface
  interface Factory {
    /**
     * Called on the event loop after the upgrade was authorized and the subprotocol chosen, just
     * before the 101 is written. A factory that throws makes the edge answer HTTP 500. If writing
     * the 101 then fails, the handler is dropped without any call; otherwise it gets {@link
     * EdgeHandler#onOpen} (even if the connection died meanwhile) and later {@link
     * EdgeHandler#onClose}.
     */
    EdgeHandler newHandler();
  }
}
