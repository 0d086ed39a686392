package io.tributary.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.SyncConnection;
import io.tributary.core.spi.SyncTransport;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.transport.netty.internal.ClientHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The WebSocket client behind {@link SyncTransport}, on Netty's NIO transport (spec protocol.md
 * §3).
 *
 * <ul>
 *   <li>{@code ws://} and {@code wss://}; TLS through {@link ConnectRequest#sslContext()} or the
 *       JDK's default trust store, with host name verification ({@code HTTPS} endpoint
 *       identification) and SNI.
 *   <li>The upgrade offers {@link ConnectRequest#subprotocols()} as one {@code
 *       Sec-WebSocket-Protocol: a, b, c} header and sends the request's extra headers. The path
 *       and query of the URI go on the request line as they are (the {@code baas_at} token too);
 *       this class never logs the query. The 101 must carry exactly one offered subprotocol;
 *       anything else fails with {@link SyncTransportException.HandshakeException} (status 101),
 *       a non-101 status with {@code HandshakeException(status)} and a short excerpt of the body.
 *   <li>The connect timeout covers DNS, TCP, TLS and the upgrade.
 *   <li>Each message is one binary WebSocket message; incoming fragments are reassembled up to
 *       {@link ConnectRequest#maxMessageBytes()} (a larger message closes the connection, with a
 *       {@link SyncTransportException} as the cause); text messages are ignored; pings answered;
 *       a close frame from the server ends the connection with its code and reason.
 *   <li>{@link SyncConnection#send} copies the message once, into a pooled buffer that already
 *       holds the masked frame, from the calling thread; frames leave in call order.
 * </ul>
 *
 * <p>Threads: the transport owns one NIO event loop group ({@link #IO_THREADS_DEFAULT} thread
 * unless told otherwise, daemon threads named {@code tributary-sync-io-*}); each connection is
 * served by one of its threads, which also runs every {@link SyncConnection.Listener} call and
 * completes the futures this class returns. Listener code must not block. Thread safe.
 */
public final class NettySyncTransport implements SyncTransport {

  /** Event loop threads when {@link #create()} is used. */
  public static final int IO_THREADS_DEFAULT = 1;

  /** Outbound bytes below which a channel becomes writable again. */
  static final int WRITE_LOW_WATER_MARK = 256 * 1024;

  /** Outbound bytes above which a channel reports itself unwritable. */
  static final int WRITE_HIGH_WATER_MARK = 1024 * 1024;

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  private final EventLoopGroup group;
  private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private NettySyncTransport(int ioThreads) {
    this.group =
        new MultiThreadIoEventLoopGroup(
            ioThreads, new DefaultThreadFactory("tributary-sync-io", true), NioIoHandler.newFactory());
  }

  /** A transport with {@link #IO_THREADS_DEFAULT} event loop thread. */
  public static NettySyncTransport create() {
    return create(IO_THREADS_DEFAULT);
  }

  /**
   * A transport with its own event loop group.
   *
   * @param ioThreads event loop threads, 1..256
   * @throws IllegalArgumentException if {@code ioThreads} is out of range
   */
  public static NettySyncTransport create(int ioThreads) {
    if (ioThreads < 1 || ioThreads > 256) {
      throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: 1..256)");
    }
    return new NettySyncTransport(ioThreads);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The returned future completes on the connection's event loop thread: do not block in its
   * dependent actions. If the transport is closed, it fails at once with a {@link
   * SyncTransportException}.
   */
  @Override
  public CompletableFuture<SyncConnection> connect(
      ConnectRequest request, SyncConnection.Listener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    CompletableFuture<SyncConnection> result = new CompletableFuture<>();
    if (closed.get()) {
      result.completeExceptionally(new SyncTransportException("connect: transport is closed"));
      return result;
    }
    URI uri = request.uri();
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      result.completeExceptionally(
          new SyncTransportException("connect: no host in " + request + " (expected: ws[s]://host[:port]/path)"));
      return result;
    }
    int port = ClientHandler.port(uri);
    boolean tls = "wss".equalsIgnoreCase(uri.getScheme());
    SSLContext sslContext;
    try {
      sslContext = tls ? sslContext(request) : null;
    } catch (SyncTransportException e) {
      result.completeExceptionally(e);
      return result;
    }
    ClientHandler handler = new ClientHandler(request, listener, result);
    long timeoutMillis = Math.max(1, Math.min(Integer.MAX_VALUE, request.connectTimeout().toMillis()));
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(WRITE_LOW_WATER_MARK, WRITE_HIGH_WATER_MARK))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (sslContext != null) {
                      ch.pipeline().addLast("tls", sslHandler(sslContext, host, port, timeoutMillis));
                    }
                    ch.pipeline().addLast("http", new HttpClientCodec());
                    ch.pipeline().addLast("sync", handler);
                  }
                });
    ChannelFuture connect;
    try {
      connect = bootstrap.connect(InetSocketAddress.createUnresolved(host, port));
    } catch (RuntimeException e) { // the group was shut down concurrently
      result.completeExceptionally(new SyncTransportException("connect: transport is closed", e));
      return result;
    }
    Channel channel = connect.channel();
    channels.add(channel);
    channel.closeFuture().addListener(f -> channels.remove(channel));
    handler.start(connect);
    if (closed.get()) {
      channel.close(); // raced with close(): do not leave it open
    }
    return result;
  }

  /** Number of connections (including ones still connecting) not yet closed. */
  public int openConnections() {
    return channels.size();
  }

  /**
   * Closes every connection (without a close frame), then stops the event loop threads, waiting
   * up to 5 s for them unless called from one of them. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Channel c : channels) {
      c.close();
    }
    io.netty.util.concurrent.Future<?> terminated =
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    boolean onOwnThread = false;
    for (io.netty.util.concurrent.EventExecutor e : group) {
      onOwnThread |= e.inEventLoop();
    }
    if (!onOwnThread) {
      terminated.awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis() * 2);
    }
  }

  private static SSLContext sslContext(ConnectRequest request) {
    if (request.sslContext() != null) {
      return request.sslContext();
    }
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new SyncTransportException("connect: no default TLS context in this JVM", e);
    }
  }

  private static SslHandler sslHandler(SSLContext context, String host, int port, long timeoutMillis) {
    SSLEngine engine = context.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(parameters);
    SslHandler handler = new SslHandler(engine);
    handler.setHandshakeTimeoutMillis(timeoutMillis);
    return handler;
  }
}
