package io.tributary.transport.netty.server;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One upgraded sync WebSocket connection, as the server's session logic sees it.
 *
 * <p>Thread safe: every method may be called from any thread. The connection is served by one
 * event loop thread; {@link #executor()} runs tasks on it, which is where every {@link
 * EdgeHandler} callback runs too, so work handed to storage threads can come back to the same
 * thread to update session state and {@link #send}.
 */
public interface EdgeConnection {

  /** The app id from the upgrade path. */
  String appId();

  /** The principal the {@link UpgradeAuthorizer} accepted. */
  Object principal();

  /** The negotiated subprotocol, e.g. {@code com.mongodb.realm-query-sync#14}. */
  String subprotocol();

  /** The negotiated protocol version (from the {@link SubprotocolSelector}). */
  int protocolVersion();

  /** The client's address. */
  InetSocketAddress remoteAddress();

  /**
   * Queues one binary message (one unfragmented, unmasked frame).
   *
   * <p>The bytes from position to limit are <em>copied</em> before this method returns; the
   * buffer's position is not changed. Messages leave in the order of the calls.
   *
   * @return completes on the event loop when the message was written to the socket, or
   *     exceptionally with an {@link java.io.IOException} if the connection closed first
   */
  CompletableFuture<Void> send(ByteBuffer message);

  /** Payload bytes accepted by {@link #send} and not yet written to the socket. */
  long queuedBytes();

  /**
   * Whether the outbound buffer is below its high-water mark ({@link
   * EdgeConfig#writeBufferHighWaterMark()}); when it is not, stop producing until {@link
   * EdgeHandler#onWritabilityChanged} reports {@code true}.
   */
  boolean isWritable();

  /**
   * Sends a close frame after the messages already queued, then closes the TCP connection once it
   * is written (or after 10 s). Later calls do nothing.
   *
   * <p>Codes a realm-core client acts on (spec protocol.md §3.5): 4001 refresh the token, 4002 log
   * out, 4003 refresh the location, 1011 retry later. Never use 1009: it makes realm-core reset
   * the client.
   *
   * @param code a valid close code (1000..1003, 1007..1014, 3000..4999)
   * @param reason sent as UTF-8, cut to 123 bytes
   * @throws IllegalArgumentException if {@code code} may not be sent in a close frame
   */
  void close(int code, String reason);

  /** Closes the TCP connection at once, without a close frame; queued messages are dropped. */
  void abort();

  /** Whether the TCP connection is still open. */
  boolean isOpen();

  /**
   * Stops reading from the socket (TCP back-pressure to the client), e.g. while a storage thread
   * is behind. A few messages already read may still be delivered. The idle timeout does not run
   * while reading is paused.
   */
  void pauseReading();

  /** Resumes reading after {@link #pauseReading()}; restarts the idle timeout. */
  void resumeReading();

  /** Runs tasks on this connection's event loop, in submission order. */
  Executor executor();

  /** Whether the calling thread is this connection's event loop. */
  boolean inEventLoop();
}
