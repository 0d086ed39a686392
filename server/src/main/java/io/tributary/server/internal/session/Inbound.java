package io.tributary.server.internal.session;

import io.tributary.protocol.ProtocolException;
import io.tributary.protocol.message.ClientMessage;

/** What an event loop hands the ingest thread, in a connection's receive order. */
sealed interface Inbound {
  ClientConnection connection();

  /**
   * Bytes this item accounts for in the connection's back-pressure counters: what it holds on the
   * heap while it waits for the ingest thread (for most items their wire bytes).
   */
  default int bytes() {
    return 0;
  }

  /** The connection's upgrade completed. */
  record Opened(ClientConnection connection) implements Inbound {}

  /** A decoded message other than UPLOAD and PING. */
  record Message(ClientConnection connection, ClientMessage message, int bytes) implements Inbound {}

  /**
   * An UPLOAD: a copy of the raw message in the first {@code length} bytes of {@code message} (an
   * array of {@link UploadBuffers}, given back once handled), decoded (inflated, parsed) on the
   * ingest thread. Counts as the whole array, which may be up to 1.5x {@code length} (the size
   * classes of {@link UploadBuffers}), so that the connection's queued-bytes bound holds for the
   * heap these copies take, not only for their wire bytes.
   */
  record Upload(ClientConnection connection, byte[] message, int length) implements Inbound {
    @Override
    public int bytes() {
      return message.length;
    }
  }

  /** A message that does not decode. */
  record Malformed(ClientConnection connection, ProtocolException error, int bytes) implements Inbound {}

  /** The connection is closed. */
  record Closed(ClientConnection connection) implements Inbound {}

  /** The server stops: tell every connection (error 100), then end the ingest thread. */
  record Shutdown() implements Inbound {
    @Override
    public ClientConnection connection() {
      return null;
    }
  }
}
