package io.tributary.server.testing;

import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.SyncConnection;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.MessageBuffer;
import io.tributary.protocol.message.MessageDecoder;
import io.tributary.protocol.message.MessageEncoder;
import io.tributary.protocol.message.ServerMessage;
import io.tributary.protocol.message.Subprotocols;
import io.tributary.transport.netty.NettySyncTransport;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A raw sync client over a real WebSocket (transport-netty's client): sends protocol messages as
 * given and collects what the server answers, decoded. For tests; not thread safe except that
 * receiving happens on the transport's thread into a queue.
 */
public final class SyncTestClient implements AutoCloseable {
  /** How long a test waits for one server message. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private final NettySyncTransport transport;
  private final SyncConnection connection;
  private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final MessageEncoder encoder;
  private final MessageDecoder decoder;
  private final MessageBuffer buffer = new MessageBuffer();
  private final int version;

  private SyncTestClient(NettySyncTransport transport, SyncConnection connection, int version) {
    this.transport = transport;
    this.connection = connection;
    this.version = version;
    CodecConfig codec = CodecConfig.newBuilder().protocolVersion(version).build();
    this.encoder = new MessageEncoder(codec);
    this.decoder = new MessageDecoder(codec);
  }

  /** Connects with an access token, offering protocol versions 14 down to 8. */
  public static SyncTestClient connect(String syncUrl, String token) throws Exception {
    return connect(syncUrl, token, 8, 14);
  }

  /**
   * Connects offering versions {@code max} down to {@code min}.
   *
   * @throws SyncTransportException.HandshakeException (as the cause of an ExecutionException
   *     unwrapped here) if the upgrade is refused
   */
  public static SyncTestClient connect(String syncUrl, String token, int min, int max) throws Exception {
    NettySyncTransport transport = NettySyncTransport.create();
    List<String> offered = new ArrayList<>();
    for (int v = max; v >= min; v--) {
      offered.add(Subprotocols.token(v));
    }
    String url = token == null ? syncUrl : syncUrl + "?baas_at=" + token;
    Holder holder = new Holder();
    try {
      SyncConnection c =
          transport
              .connect(
                  ConnectRequest.newBuilder(URI.create(url), offered).connectTimeout(Duration.ofSeconds(10))
                      .maxMessageBytes(64 << 20).build(),
                  holder)
              .get(10, TimeUnit.SECONDS);
      int version = Integer.parseInt(c.subprotocol().substring(Subprotocols.FLX_PREFIX.length()));
      SyncTestClient client = new SyncTestClient(transport, c, version);
      synchronized (holder) {
        holder.client = client;
        for (byte[] b : holder.early) {
          client.received.add(b);
        }
        holder.early.clear();
        if (holder.closeCode != Integer.MIN_VALUE) {
          client.closed.complete(holder.closeCode);
        }
      }
      return client;
    } catch (ExecutionException e) {
      transport.close();
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    } catch (RuntimeException | TimeoutException | InterruptedException e) {
      transport.close();
      throw e;
    }
  }

  private static final class Holder implements SyncConnection.Listener {
    volatile SyncTestClient client;
    final List<byte[]> early = new ArrayList<>();
    volatile int closeCode = Integer.MIN_VALUE;

    @Override
    public void onMessage(ByteBuffer message) {
      byte[] b = new byte[message.remaining()];
      message.duplicate().get(b);
      synchronized (this) {
        if (client == null) {
          early.add(b);
          return;
        }
      }
      client.received.add(b);
    }

    @Override
    public synchronized void onClosed(int closeCode, String reason, Throwable cause) {
      SyncTestClient c = client;
      if (c != null) {
        c.closed.complete(closeCode);
      } else {
        this.closeCode = closeCode;
      }
    }
  }

  /** The negotiated protocol version. */
  public int version() {
    return version;
  }

  /** Sends a message (encoded with the negotiated version). */
  public void send(ClientMessage m) {
    connection.send(encoder.encode(m, buffer));
  }

  /** Sends raw bytes as one binary message. */
  public void sendRaw(byte[] bytes) {
    connection.send(ByteBuffer.wrap(bytes));
  }

  /** The next server message, decoded; fails after {@link #WAIT}. */
  public ServerMessage next() throws InterruptedException {
    byte[] b = nextRaw();
    return decoder.decodeServerMessage(ByteBuffer.wrap(b));
  }

  /** The next server message as bytes; fails after {@link #WAIT}. */
  public byte[] nextRaw() throws InterruptedException {
    byte[] b = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (b == null) {
      throw new AssertionError("no server message within " + WAIT + (closed.isDone() ? " (connection closed)" : ""));
    }
    return b;
  }

  /** The next message, which must be of type {@code type}. */
  public <T extends ServerMessage> T next(Class<T> type) throws InterruptedException {
    ServerMessage m = next();
    if (!type.isInstance(m)) {
      throw new AssertionError("expected " + type.getSimpleName() + " but got " + m
          + (m instanceof JsonErrorMessage j ? " " + j.body().message() : ""));
    }
    return type.cast(m);
  }

  /** Whether a message arrives within {@code wait}; it is put back. */
  public byte[] poll(Duration wait) throws InterruptedException {
    return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits for the connection to end; the close code the server sent, or -1 for none. */
  public int awaitClosed() throws Exception {
    return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the connection has ended. */
  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    connection.close();
    transport.close();
    encoder.close();
    decoder.close();
  }
}
