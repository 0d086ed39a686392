package io.tributary.transport.netty.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.tributary.transport.netty.internal.EdgeInitializer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's network edge: one NIO listener serving the sync WebSocket endpoint and the App
 * Services HTTP routes (spec protocol.md §2, §3).
 *
 * <pre>{@code
 * SyncServerEdge edge = SyncServerEdge.start(EdgeConfig.newBuilder()
 *     .port(7800)
 *     .upgradeAuthorizer(request -> tokens.verify(request))        // async: CompletionStage
 *     .handlerFactory(() -> new SessionConnection(storage))        // one per WebSocket
 *     .appServicesBackend(auth)                                    // optional
 *     .build());
 * }</pre>
 *
 * <p>Per connection: the HTTP request is read (bounded by {@link EdgeConfig#maxHttpBodyBytes()}
 * and {@link EdgeConfig#handshakeTimeout()}); {@code /api/client/v2.0/app/{appId}/realm-sync}
 * (under {@link EdgeConfig#pathPrefix()}) with a WebSocket upgrade goes to the {@link
 * UpgradeAuthorizer} (token from {@code baas_at}, else {@code Authorization: Bearer}), then to the
 * {@link SubprotocolSelector}, then gets a 101 with exactly one {@code Sec-WebSocket-Protocol}
 * token and an {@link EdgeHandler} from {@link EdgeConfig#handlerFactory()}. Refusals: the
 * authorizer's status with a JSON error; 400 plain text when no subprotocol fits; 426 for a
 * WebSocket version other than 13; 500 when the authorizer fails. The other routes are in {@link
 * AppServicesBackend}; unknown paths get 404, wrong methods 405, both as JSON errors.
 *
 * <p>Threads: one acceptor thread ({@code tributary-edge-accept}) and {@link
 * EdgeConfig#workerThreads()} event loop threads ({@code tributary-edge-io-*}); each connection
 * lives on one of them. Thread safe.
 */
public final class SyncServerEdge implements AutoCloseable {
  private final EdgeConfig config;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final InetSocketAddress localAddress;
  private final Set<Channel> connections;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SyncServerEdge(
      EdgeConfig config,
      EventLoopGroup boss,
      EventLoopGroup workers,
      Channel serverChannel,
      Set<Channel> connections) {
    this.config = config;
    this.boss = boss;
    this.workers = workers;
    this.serverChannel = serverChannel;
    this.localAddress = (InetSocketAddress) serverChannel.localAddress();
    this.connections = connections;
  }

  /**
   * Binds and starts serving.
   *
   * @throws IOException if the address cannot be bound (e.g. the port is in use)
   */
  public static SyncServerEdge start(EdgeConfig config) throws IOException {
    Objects.requireNonNull(config, "config");
    EventLoopGroup boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("tributary-edge-accept"), NioIoHandler.newFactory());
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(
            config.workerThreads(),
            new DefaultThreadFactory("tributary-edge-io"),
            NioIoHandler.newFactory());
    Set<Channel> connections = ConcurrentHashMap.newKeySet();
    EdgeInitializer initializer = new EdgeInitializer(config);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(
                    config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    ch.closeFuture().addListener(f -> connections.remove(ch));
                    ch.pipeline().addLast(initializer);
                  }
                });
    ChannelFuture bind = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      Throwable cause = bind.cause();
      throw new IOException(
          "bind " + config.host() + ":" + config.port() + ": " + cause.getMessage(), cause);
    }
    return new SyncServerEdge(config, boss, workers, bind.channel(), connections);
  }

  /** The bound address (with the real port when {@link EdgeConfig#port()} was 0). */
  public InetSocketAddress localAddress() {
    return localAddress;
  }

  /** The bound port. */
  public int port() {
    return localAddress.getPort();
  }

  /** The configuration this edge runs with. */
  public EdgeConfig config() {
    return config;
  }

  /** Open TCP connections (HTTP and WebSocket). */
  public int openConnections() {
    return connections.size();
  }

  /** {@link #close(Duration)} with {@link EdgeConfig#shutdownTimeout()}. */
  @Override
  public void close() {
    close(config.shutdownTimeout());
  }

  /**
   * Stops accepting, closes every connection (TCP; handlers get {@link EdgeHandler#onClose}), and
   * stops the event loops. Send goodbyes (e.g. protocol error 100, "server shutting down") before
   * calling this: what was sent before it is written before the connection closes. Idempotent; must not be called from an edge event loop thread.
   *
   * @param timeout how long to wait for the threads to stop
   * @return whether everything stopped within the timeout
   */
  public boolean close(Duration timeout) {
    if (!closed.compareAndSet(false, true)) {
      return boss.isTerminated() && workers.isTerminated();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    serverChannel.close().awaitUninterruptibly(timeout.toMillis());
    // Close every connection and wait for it before stopping the event loops: a loop that shuts
    // down closes its channels before it runs its queued tasks, so goodbyes queued just before
    // (a drain of the connection's outbound queue) would be written to a closed channel and lost.
    // Each close is queued behind them on the connection's loop, so once it completed they left.
    List<ChannelFuture> closing = new ArrayList<>();
    for (Channel c : connections) {
      closing.add(c.close());
    }
    for (ChannelFuture f : closing) {
      f.awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime())));
    }
    Future<?> w = workers.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    Future<?> b = boss.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    long left = Math.max(0, deadline - System.nanoTime());
    boolean done = w.awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left));
    left = Math.max(0, deadline - System.nanoTime());
    return b.awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left)) && done;
  }
}
