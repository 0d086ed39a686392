package io.tributary.core.testing;

import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.SyncConnection;
import io.tributary.core.spi.SyncTransport;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.MessageDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An in-memory {@link SyncTransport}: each {@link #connect} creates a {@link Connection} whose
 * handshake the test completes ({@link Connection#accept()}, {@link Connection#refuse}), whose
 * sent messages it reads ({@link Connection#sent()}) and into which it delivers server messages
 * ({@link Connection#deliver(String)}). Listener calls happen on the test's thread. Thread safe.
 */
public final class FakeTransport implements SyncTransport {
  private final List<Connection> connections = new ArrayList<>();
  private boolean closed;
  private Consumer<Connection> onConnect;

  /** Called with each new connection attempt before {@link #connect} returns (may accept it). */
  public synchronized void onConnect(Consumer<Connection> hook) {
    this.onConnect = hook;
  }

  /** Every connection attempt, oldest first. */
  public synchronized List<Connection> connections() {
    return new ArrayList<>(connections);
  }

  /** The newest connection attempt. */
  public synchronized Connection last() {
    if (connections.isEmpty()) {
      throw new AssertionError("no connection attempt yet");
    }
    return connections.get(connections.size() - 1);
  }

  /** Number of connection attempts. */
  public synchronized int attempts() {
    return connections.size();
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public CompletableFuture<SyncConnection> connect(
      ConnectRequest request, SyncConnection.Listener listener) {
    Connection c = new Connection(request, listener);
    Consumer<Connection> hook;
    synchronized (this) {
      connections.add(c);
      hook = onConnect;
    }
    if (hook != null) {
      hook.accept(c);
    }
    return c.future;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  /** One connection attempt. */
  public static final class Connection implements SyncConnection {
    private final ConnectRequest request;
    private final SyncConnection.Listener listener;
    private final CompletableFuture<SyncConnection> future = new CompletableFuture<>();
    private final List<byte[]> sent = new ArrayList<>();
    private final MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);
    private volatile String subprotocol = "com.mongodb.realm-query-sync#14";
    private boolean closed;
    private boolean closeReported;
    private Consumer<byte[]> onSend;

    Connection(ConnectRequest request, SyncConnection.Listener listener) {
      this.request = request;
      this.listener = listener;
    }

    /** What the client asked for. */
    public ConnectRequest request() {
      return request;
    }

    /** Sets the subprotocol the "server" selects (before {@link #accept()}). */
    public Connection subprotocol(String s) {
      this.subprotocol = s;
      return this;
    }

    /** Completes the handshake. */
    public Connection accept() {
      future.complete(this);
      return this;
    }

    /** Fails the handshake. */
    public void refuse(Throwable cause) {
      future.completeExceptionally(cause);
    }

    /** Called with each message as the client sends it (before it is recorded). */
    public synchronized void onSend(Consumer<byte[]> hook) {
      this.onSend = hook;
    }

    /** Delivers a server message (header line and body as text). */
    public void deliver(String message) {
      deliver(message.getBytes(StandardCharsets.UTF_8));
    }

    /** Delivers a server message. */
    public void deliver(byte[] message) {
      listener.onMessage(ByteBuffer.wrap(message).asReadOnlyBuffer());
    }

    /** The server closes with a close frame. */
    public void serverClose(int code, String reason) {
      synchronized (this) {
        closed = true;
        if (closeReported) {
          return;
        }
        closeReported = true;
      }
      listener.onClosed(code, reason, null);
    }

    /** The TCP connection drops (no close frame). */
    public void drop(Throwable cause) {
      synchronized (this) {
        closed = true;
        if (closeReported) {
          return;
        }
        closeReported = true;
      }
      listener.onClosed(CLOSE_CODE_NONE, "", cause);
    }

    /** The raw messages the client sent, oldest first. */
    public synchronized List<byte[]> sentBytes() {
      return new ArrayList<>(sent);
    }

    /** The messages the client sent, decoded. */
    public synchronized List<ClientMessage> sent() {
      List<ClientMessage> out = new ArrayList<>();
      for (byte[] b : sent) {
        out.add(decoder.decodeClientMessage(ByteBuffer.wrap(b)));
      }
      return out;
    }

    /** The header lines of the messages the client sent. */
    public synchronized List<String> sentHeaders() {
      List<String> out = new ArrayList<>();
      for (byte[] b : sent) {
        int lf = 0;
        while (lf < b.length && b[lf] != '\n') {
          lf++;
        }
        out.add(new String(b, 0, lf, StandardCharsets.ISO_8859_1));
      }
      return out;
    }

    /** Forgets what was sent so far. */
    public synchronized void clearSent() {
      sent.clear();
    }

    public synchronized boolean isClosed() {
      return closed;
    }

    @Override
    public String subprotocol() {
      return subprotocol;
    }

    @Override
    public CompletableFuture<Void> send(ByteBuffer message) {
      byte[] copy = new byte[message.remaining()];
      message.duplicate().get(copy);
      Consumer<byte[]> hook;
      synchronized (this) {
        if (closed) {
          return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        hook = onSend;
      }
      if (hook != null) {
        hook.accept(copy);
      }
      synchronized (this) {
        sent.add(copy);
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public long queuedBytes() {
      return 0;
    }

    @Override
    public void close() {
      synchronized (this) {
        closed = true;
        if (closeReported) {
          return;
        }
        closeReported = true;
      }
      listener.onClosed(CLOSE_CODE_NONE, "", null);
    }
  }
}
