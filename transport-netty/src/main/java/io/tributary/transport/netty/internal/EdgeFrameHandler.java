package io.tributary.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tributary.transport.netty.server.EdgeConfig;
import io.tributary.transport.netty.server.EdgeConnection;
import io.tributary.transport.netty.server.EdgeHandler;
import io.tributary.transport.netty.server.SubprotocolSelector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The upgraded side of an edge connection: frames in, {@link EdgeHandler} calls out, and the
 * {@link EdgeConnection} the handler talks back to (spec protocol.md §3.4, §3.5).
 *
 * <p>Handler state is touched on the event loop only; {@code closing} and {@code paused} are read
 * from any thread.
 */
public final class EdgeFrameHandler extends ChannelInboundHandlerAdapter implements EdgeConnection {
  private static final System.Logger LOG = System.getLogger(EdgeFrameHandler.class.getName());

  /** How long a close frame may take to be written before the TCP connection is cut anyway. */
  static final long CLOSE_FLUSH_TIMEOUT_MILLIS = 10_000;

  /**
   * How long the connection stays half-closed after our close frame, reading and discarding, for
   * the peer to close first (see {@link #endAfterCloseFrame}).
   */
  static final long CLOSE_LINGER_MILLIS = 1_000;

  private final EdgeConfig config;
  private final EdgeHandler handler;
  private final String appId;
  private final Object principal;
  private final SubprotocolSelector.Selection selection;
  private final InetSocketAddress remoteAddress;
  private final MessageAssembler assembler;
  private final LongSupplier nanoClock;
  private final long idleNanos;
  private final MessageAssembler.Sink sink = new Sink();
  private final AtomicBoolean closing = new AtomicBoolean();

  private Channel channel;
  private Outbound outbound;
  private volatile boolean paused;
  private boolean opened;
  private boolean closedNotified;
  private boolean inactive;
  private boolean writabilityTaskPending;
  private boolean reportedWritable = true;
  private Throwable closeCause;
  private long lastReadNanos;
  private ScheduledFuture<?> idleTimer;

  EdgeFrameHandler(
      EdgeConfig config,
      EdgeHandler handler,
      String appId,
      Object principal,
      SubprotocolSelector.Selection selection,
      InetSocketAddress remoteAddress,
      LongSupplier nanoClock) {
    this.config = config;
    this.handler = handler;
    this.appId = appId;
    this.principal = principal;
    this.selection = selection;
    this.remoteAddress = remoteAddress;
    this.assembler = new MessageAssembler(config.maxMessageBytes());
    this.nanoClock = nanoClock;
    this.idleNanos = config.idleTimeout().toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    outbound = new Outbound(channel, EdgeFrameHandler::sendFailure);
  }

  /** The 101 is written: start reading, start the idle clock, tell the handler. Event loop. */
  void open() {
    opened = true;
    lastReadNanos = nanoClock.getAsLong();
    scheduleIdleCheck(idleNanos);
    try {
      handler.onOpen(this);
    } catch (RuntimeException | Error e) {
      handlerFailed("onOpen", e);
    }
    if (inactive) {
      notifyClosed(); // the connection died before it opened: still onOpen first, onClose last
    } else if (!paused) {
      channel.config().setAutoRead(true);
    }
  }

  // --- EdgeConnection ---

  @Override
  public String appId() {
    return appId;
  }

  @Override
  public Object principal() {
    return principal;
  }

  @Override
  public String subprotocol() {
    return selection.subprotocol();
  }

  @Override
  public int protocolVersion() {
    return selection.version();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  @Override
  public CompletableFuture<Void> send(ByteBuffer message) {
    int length = message.remaining();
    return outbound.send(Frames.binary(channel.alloc(), message, false), length);
  }

  @Override
  public long queuedBytes() {
    return outbound.queuedBytes();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void close(int code, String reason) {
    if (!Frames.isSendableCloseCode(code)) {
      throw new IllegalArgumentException(
          "code: " + code + " (expected: 1000..1003, 1007..1014 or 3000..4999)");
    }
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    outbound
        .send(Frames.close(channel.alloc(), code, reason, false), 0)
        .whenComplete((v, e) -> endAfterCloseFrame(e == null));
    ScheduledFuture<?> cut =
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_FLUSH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> cut.cancel(false));
  }

  /**
   * After our close frame was written: half-closes (a FIN after the frame) and keeps reading,
   * discarding, until the peer closes too or {@link #CLOSE_LINGER_MILLIS} passed. Closing at
   * once while the peer is still sending (the rest of a too-large message, say) makes the kernel
   * reset the connection: the peer's write then fails, or the reset overtakes the close frame, and
   * the peer sees a lost connection instead of the code (a realm-core client would retry the same
   * message instead of reporting 1008).
   */
  private void endAfterCloseFrame(boolean written) {
    if (written && channel instanceof io.netty.channel.socket.SocketChannel socket && socket.isActive()) {
      channel.config().setAutoRead(true); // also when paused: the peer's close must be seen
      socket.shutdownOutput().addListener(f -> {
        if (!f.isSuccess()) {
          channel.close();
        }
      });
      ScheduledFuture<?> linger =
          channel.eventLoop().schedule(() -> channel.close(), CLOSE_LINGER_MILLIS, TimeUnit.MILLISECONDS);
      channel.closeFuture().addListener(f -> linger.cancel(false));
    } else {
      channel.close();
    }
  }

  @Override
  public void abort() {
    closing.set(true);
    channel.close();
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public void pauseReading() {
    paused = true;
    channel.config().setAutoRead(false);
  }

  @Override
  public void resumeReading() {
    paused = false;
    channel.eventLoop().execute(() -> lastReadNanos = nanoClock.getAsLong());
    channel.config().setAutoRead(true);
  }

  @Override
  public Executor executor() {
    return channel.eventLoop();
  }

  @Override
  public boolean inEventLoop() {
    return channel.eventLoop().inEventLoop();
  }

  @Override
  public String toString() {
    return "EdgeConnection{app=" + appId + ", remote=" + remoteAddress + ", " + selection.subprotocol() + '}';
  }

  // --- channel events (event loop) ---

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame)) {
      ReferenceCountUtil.release(msg); // e.g. an empty LastHttpContent left by the HTTP decoder
      return;
    }
    lastReadNanos = nanoClock.getAsLong();
    WebSocketFrame frame = (WebSocketFrame) msg;
    if (closing.get()) {
      frame.release();
    } else if (frame instanceof PingWebSocketFrame) {
      outbound.send(Frames.pong(ctx.alloc(), frame.content(), false), 0);
      frame.release();
    } else if (frame instanceof PongWebSocketFrame) {
      frame.release();
    } else if (frame instanceof CloseWebSocketFrame) {
      int code = ((CloseWebSocketFrame) frame).statusCode();
      frame.release();
      // RFC 6455 §5.5.1: answer with a close frame (echoing the code), then end the connection
      close(Frames.isSendableCloseCode(code) ? code : 1000, "");
    } else {
      try {
        assembler.accept(frame, ctx.alloc(), sink);
      } catch (MessageTooLargeException e) {
        tooLarge(e.size(), e.limit(), e);
      } catch (CorruptedFrameException e) {
        protocolViolation(e);
      }
    }
  }

  private final class Sink implements MessageAssembler.Sink {
    @Override
    public void onBinary(ByteBuf message) {
      try {
        if (closing.get()) {
          return;
        }
        ByteBuffer view =
            message.nioBufferCount() == 1
                ? message.nioBuffer()
                : ByteBuffer.wrap(ByteBufUtil.getBytes(message));
        handler.onMessage(view.asReadOnlyBuffer());
      } catch (RuntimeException | Error e) {
        handlerFailed("onMessage", e);
      } finally {
        message.release();
      }
    }

    @Override
    public void onText() {
      failWith(
          1003,
          "text messages are not supported",
          new ProtocolException(
              "incoming message: text (expected: binary, spec protocol.md §3.4)"));
    }
  }

  private void tooLarge(long size, long limit, Exception e) {
    if (closing.get()) {
      return;
    }
    try {
      handler.onMessageTooLarge(size, limit);
    } catch (RuntimeException | Error t) {
      LOG.log(System.Logger.Level.WARNING, "EdgeHandler.onMessageTooLarge threw for " + this, t);
    }
    String text = "message too large: " + size + " bytes";
    ProtocolException cause = new ProtocolException(e.getMessage());
    cause.initCause(e);
    // 1008, never 1009: 1009 makes realm-core reset the client (spec protocol.md §3.5, §10.4)
    failWith(1008, text + " (limit: " + limit + " bytes)", cause);
  }

  private void protocolViolation(Throwable e) {
    ProtocolException cause = new ProtocolException("WebSocket protocol violation: " + e.getMessage());
    cause.initCause(e);
    failWith(1002, "protocol error: " + e.getMessage(), cause);
  }

  private void handlerFailed(String callback, Throwable e) {
    LOG.log(System.Logger.Level.WARNING, "EdgeHandler." + callback + " threw; closing " + this, e);
    failWith(1011, "internal error", e);
  }

  private void failWith(int code, String reason, Throwable cause) {
    if (closeCause == null) {
      closeCause = cause;
    }
    close(code, reason);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof MessageTooLargeException) {
      MessageTooLargeException e = (MessageTooLargeException) cause;
      tooLarge(e.size(), e.limit(), e);
    } else if (cause instanceof CorruptedFrameException) {
      protocolViolation(cause);
    } else {
      if (closeCause == null) {
        closeCause = cause;
      }
      if (!(cause instanceof IOException)) {
        LOG.log(System.Logger.Level.WARNING, "unexpected error on " + this, cause);
      }
      ctx.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // Netty reports this from inside write() and flush(), i.e. possibly from inside a handler
    // callback that is sending: report it from a task of its own (never re-entrant), once per
    // change that is still true when the task runs
    if (!writabilityTaskPending) {
      writabilityTaskPending = true;
      ctx.executor().execute(this::reportWritability);
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void reportWritability() {
    writabilityTaskPending = false;
    boolean writable = channel.isWritable();
    if (!opened || closedNotified || writable == reportedWritable) {
      return;
    }
    reportedWritable = writable;
    try {
      handler.onWritabilityChanged(writable);
    } catch (RuntimeException | Error e) {
      handlerFailed("onWritabilityChanged", e);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing.set(true);
    assembler.reset();
    if (idleTimer != null) {
      idleTimer.cancel(false);
    }
    inactive = true;
    if (opened) {
      notifyClosed();
    }
    ctx.fireChannelInactive();
  }

  private void notifyClosed() {
    if (closedNotified) {
      return;
    }
    closedNotified = true;
    try {
      handler.onClose(closeCause);
    } catch (RuntimeException | Error e) {
      LOG.log(System.Logger.Level.WARNING, "EdgeHandler.onClose threw for " + this, e);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    assembler.reset();
  }

  private void scheduleIdleCheck(long delayNanos) {
    idleTimer = channel.eventLoop().schedule(this::idleCheck, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void idleCheck() {
    if (!channel.isActive() || closing.get()) {
      return;
    }
    if (paused) {
      scheduleIdleCheck(idleNanos); // resumeReading restarts the clock
      return;
    }
    long idle = nanoClock.getAsLong() - lastReadNanos;
    if (idle < idleNanos) {
      scheduleIdleCheck(idleNanos - idle);
      return;
    }
    long ms = config.idleTimeout().toMillis();
    failWith(1001, "idle timeout", new TimeoutException("idle timeout: no message for " + ms + " ms"));
  }

  private static Throwable sendFailure(Throwable cause) {
    if (cause instanceof ClosedChannelException) {
      return new IOException("send: connection closed before the message was written", cause);
    }
    return new IOException("send: " + cause, cause);
  }
}
