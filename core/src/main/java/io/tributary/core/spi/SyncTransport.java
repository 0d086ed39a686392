package io.tributary.core.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Opens WebSocket connections to a sync server (spec protocol.md §3).
 *
 * <p>One transport serves any number of connections and owns their I/O threads; close it when the
 * engine shuts down. Implementations are thread safe. {@code core} never sees the implementation's
 * types (for Netty: no {@code ByteBuf} crosses this interface).
 */
public interface SyncTransport extends AutoCloseable {

  /**
   * Starts a WebSocket handshake.
   *
   * <p>The returned future completes with the open connection once the server accepted the upgrade
   * with exactly one of the offered subprotocols; or exceptionally with {@link
   * SyncTransportException.HandshakeException} (HTTP status other than 101, missing or unexpected
   * subprotocol, bad {@code Sec-WebSocket-Accept}), {@link
   * SyncTransportException.ConnectTimeoutException}, or another {@link SyncTransportException}
   * (DNS, TCP, TLS). The listener receives nothing before the future completes normally.
   *
   * @param request where to connect and what to offer
   * @param listener receives the connection's messages and its end; see {@link
   *     SyncConnection.Listener} for the calling rules
   */
  CompletableFuture<SyncConnection> connect(ConnectRequest request, SyncConnection.Listener listener);

  /** Closes every open connection and releases the I/O threads. Idempotent. */
  @Override
  void close();
}
