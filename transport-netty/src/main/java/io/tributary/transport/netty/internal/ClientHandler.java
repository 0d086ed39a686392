package io.tributary.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.SyncConnection;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.core.spi.SyncTransportException.ConnectTimeoutException;
import io.tributary.core.spi.SyncTransportException.HandshakeException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One client connection: drives the upgrade (spec protocol.md §3.1–§3.3), then turns frames into
 * listener calls (§3.4, §3.5), and is the {@link SyncConnection} handed to the caller.
 *
 * <p>All state below is touched on the channel's event loop only, except what {@link SyncConnection}
 * methods read ({@code subprotocol} is written before the connect future completes, which
 * publishes it).
 *
 * <pre>
 *   CONNECTING --101 ok--> OPEN --close frame / TCP end / error--> CLOSED
 *       |  \--non-101--> REFUSED --body read / TCP end--> CLOSED (HandshakeException)
 *       \--timeout / TCP / TLS / bad 101--> CLOSED (connect future fails; listener never called)
 * </pre>
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter implements SyncConnection {
  private static final System.Logger LOG = System.getLogger(ClientHandler.class.getName());
  private static final int BODY_EXCERPT_BYTES = 256;

  private enum State {
    CONNECTING,
    REFUSED,
    OPEN,
    CLOSED
  }

  private final ConnectRequest request;
  private final Listener listener;
  private final CompletableFuture<SyncConnection> connectFuture;
  private final ClientHandshaker handshaker;
  private final MessageAssembler assembler;
  private final String target;
  private final MessageAssembler.Sink sink = new Sink();

  private volatile Channel channel;
  private volatile Outbound outbound;
  private volatile String subprotocol;
  private State state = State.CONNECTING;
  private ScheduledFuture<?> connectTimer;
  private int refusedStatus;
  private ByteBuf refusedBody;
  private Throwable closeCause;

  /**
   * @param connectFuture completed with this connection after a valid 101, or exceptionally
   */
  public ClientHandler(
      ConnectRequest request, Listener listener, CompletableFuture<SyncConnection> connectFuture) {
    this.request = request;
    this.listener = listener;
    this.connectFuture = connectFuture;
    URI uri = request.uri();
    this.target = uri.getHost() + ":" + port(uri);
    HttpHeaders headers = new DefaultHttpHeaders();
    for (Map.Entry<String, String> h : request.headers().entrySet()) {
      headers.add(h.getKey(), h.getValue());
    }
    this.handshaker =
        new ClientHandshaker(
            uri, String.join(", ", request.subprotocols()), headers, request.maxMessageBytes());
    this.assembler = new MessageAssembler(request.maxMessageBytes());
  }

  /** The TCP port of a {@code ws}/{@code wss} URI (80/443 when absent). */
  public static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "wss".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /**
   * Called right after {@code Bootstrap.connect}: reports a failed DNS lookup or TCP connect. The
   * connect timeout is armed when the handler is added to the channel.
   */
  public void start(ChannelFuture connect) {
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            failConnect(connectFailure(f.cause()));
          }
        });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    outbound = new Outbound(channel, ClientHandler::sendFailure);
    connectTimer =
        channel
            .eventLoop()
            .schedule(
                this::connectTimedOut, request.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  // --- SyncConnection (any thread) ---

  @Override
  public String subprotocol() {
    return subprotocol;
  }

  @Override
  public CompletableFuture<Void> send(ByteBuffer message) {
    int length = message.remaining();
    ByteBuf frame = Frames.binary(channel.alloc(), message, true);
    return outbound.send(frame, length);
  }

  @Override
  public long queuedBytes() {
    return outbound.queuedBytes();
  }

  @Override
  public void close() {
    channel.close();
  }

  @Override
  public String toString() {
    return "SyncConnection{" + target + ", subprotocol=" + subprotocol + '}';
  }

  // --- channel events (event loop) ---

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    handshaker
        .handshake(ctx.channel())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                failConnect(connectFailure(f.cause()));
              }
            });
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == State.OPEN && msg instanceof WebSocketFrame) {
      onFrame(ctx, (WebSocketFrame) msg); // takes ownership
      return;
    }
    try {
      if (state == State.CONNECTING && msg instanceof HttpResponse) {
        onResponse(ctx, (HttpResponse) msg);
      }
      if (state == State.REFUSED && msg instanceof HttpContent) {
        onRefusedBody((HttpContent) msg);
      }
      // anything else is dropped: e.g. the empty LastHttpContent that follows the 101
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onResponse(ChannelHandlerContext ctx, HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      // a response cut or garbled in transit (e.g. the connection dropped inside the headers) says
      // nothing about the server's answer: a plain, retryable failure, never a refusal or a bad 101
      Throwable why = response.decoderResult().cause();
      failConnect(new SyncTransportException("WebSocket upgrade to " + target
          + ": unreadable HTTP response (" + why + ")", why));
      return;
    }
    int status = response.status().code();
    if (status != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      state = State.REFUSED;
      refusedStatus = status;
      refusedBody = ctx.alloc().heapBuffer(BODY_EXCERPT_BYTES);
      return;
    }
    String selected = selectedSubprotocol(response.headers());
    if (selected == null) {
      return; // failConnect done
    }
    try {
      handshaker.finishHandshake(
          ctx.channel(),
          new DefaultFullHttpResponse(
              response.protocolVersion(),
              response.status(),
              Unpooled.EMPTY_BUFFER,
              response.headers(),
              EmptyHttpHeaders.INSTANCE));
    } catch (WebSocketHandshakeException e) {
      failConnect(
          new HandshakeException(
              101, "WebSocket upgrade to " + target + ": bad 101 response: " + e.getMessage()));
      return;
    }
    subprotocol = selected;
    state = State.OPEN;
    connectTimer.cancel(false);
    connectFuture.complete(this);
  }

  // spec protocol.md §3.2: the 101 must carry exactly one of the offered tokens
  private String selectedSubprotocol(HttpHeaders headers) {
    List<String> values = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    String value = values.size() == 1 ? values.get(0).trim() : null;
    if (value != null && request.subprotocols().contains(value)) {
      return value;
    }
    failConnect(
        new HandshakeException(
            101,
            "WebSocket upgrade to "
                + target
                + ": Sec-WebSocket-Protocol "
                + (values.isEmpty() ? "missing" : values)
                + " (expected: exactly one of "
                + request.subprotocols()
                + ")"));
    return null;
  }

  private void onRefusedBody(HttpContent content) {
    ByteBuf body = content.content();
    int room = refusedBody.writableBytes();
    if (room > 0) {
      refusedBody.writeBytes(body, body.readerIndex(), Math.min(room, body.readableBytes()));
    }
    if (content instanceof LastHttpContent || !refusedBody.isWritable()) {
      failRefused();
    }
  }

  private void failRefused() {
    String excerpt = refusedBody.toString(StandardCharsets.UTF_8);
    failConnect(
        new HandshakeException(
            refusedStatus,
            "WebSocket upgrade to "
                + target
                + ": HTTP "
                + refusedStatus
                + " (expected: 101)"
                + (excerpt.isEmpty() ? "" : ": " + excerpt)));
  }

  private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof PingWebSocketFrame) {
      // not used by realm-core (spec §3.4); answering is harmless and what RFC 6455 asks
      outbound.send(Frames.pong(ctx.alloc(), frame.content(), true), 0);
      frame.release();
    } else if (frame instanceof PongWebSocketFrame) {
      frame.release();
    } else if (frame instanceof CloseWebSocketFrame) {
      CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
      int code = close.statusCode();
      String reason = close.reasonText();
      frame.release();
      notifyClosed(code, reason == null ? "" : reason, null);
      ctx.close();
    } else {
      try {
        assembler.accept(frame, ctx.alloc(), sink);
      } catch (MessageTooLargeException e) {
        fail(new SyncTransportException(e.getMessage() + " from " + target, e));
      } catch (RuntimeException e) {
        fail(
            new SyncTransportException(
                "WebSocket protocol violation by " + target + ": " + e.getMessage(), e));
      }
    }
  }

  private final class Sink implements MessageAssembler.Sink {
    @Override
    public void onBinary(ByteBuf message) {
      try {
        if (state != State.OPEN) {
          return;
        }
        ByteBuffer view = message.nioBufferCount() == 1
            ? message.nioBuffer()
            : ByteBuffer.wrap(ByteBufUtil.getBytes(message));
        listener.onMessage(view.asReadOnlyBuffer());
      } catch (RuntimeException | Error e) {
        LOG.log(System.Logger.Level.WARNING, "SyncConnection.Listener.onMessage threw; closing " + target, e);
        fail(new SyncTransportException("listener failed: " + e, e));
      } finally {
        message.release();
      }
    }

    @Override
    public void onText() {
      // spec §3.4: text messages are ignored
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent && !((SslHandshakeCompletionEvent) evt).isSuccess()) {
      failConnect(connectFailure(((SslHandshakeCompletionEvent) evt).cause()));
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (state == State.CONNECTING || state == State.REFUSED) {
      failConnect(connectFailure(cause));
    } else if (state == State.OPEN) {
      fail(wrap(cause));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    assembler.reset();
    if (state == State.REFUSED) {
      failRefused();
    } else if (state == State.CONNECTING) {
      failConnect(new SyncTransportException("WebSocket upgrade to " + target + ": connection closed by the server before a response"));
    } else if (state == State.OPEN) {
      notifyClosed(CLOSE_CODE_NONE, "", closeCause);
    }
    releaseRefusedBody();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (connectTimer != null) {
      connectTimer.cancel(false);
    }
    assembler.reset();
    releaseRefusedBody();
  }

  private SyncTransportException wrap(Throwable cause) {
    if (cause instanceof MessageTooLargeException) {
      return new SyncTransportException(cause.getMessage() + " from " + target, cause);
    }
    if (cause instanceof CorruptedWebSocketFrameException) {
      return new SyncTransportException("WebSocket protocol violation by " + target + ": " + cause.getMessage(), cause);
    }
    return new SyncTransportException("connection to " + target + ": " + cause, cause);
  }

  private void fail(SyncTransportException cause) {
    if (closeCause == null) {
      closeCause = cause;
    }
    channel.close();
  }

  private void notifyClosed(int code, String reason, Throwable cause) {
    if (state != State.OPEN) {
      return;
    }
    state = State.CLOSED;
    try {
      listener.onClosed(code, reason, cause);
    } catch (RuntimeException | Error e) {
      LOG.log(System.Logger.Level.WARNING, "SyncConnection.Listener.onClosed threw for " + target, e);
    }
  }

  private void connectTimedOut() {
    if (state == State.CONNECTING || state == State.REFUSED) {
      failConnect(
          new ConnectTimeoutException(
              "connect to "
                  + target
                  + ": no WebSocket upgrade within "
                  + request.connectTimeout().toMillis()
                  + " ms (TCP + TLS + handshake)"));
    }
  }

  private void failConnect(SyncTransportException cause) {
    if (state == State.OPEN || state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    if (connectTimer != null) {
      connectTimer.cancel(false);
    }
    releaseRefusedBody();
    connectFuture.completeExceptionally(cause);
    if (channel != null) {
      channel.close();
    }
  }

  private void releaseRefusedBody() {
    if (refusedBody != null) {
      ByteBuf b = refusedBody;
      refusedBody = null;
      b.release();
    }
  }

  private SyncTransportException connectFailure(Throwable cause) {
    if (cause instanceof SyncTransportException) {
      return (SyncTransportException) cause;
    }
    if (cause instanceof io.netty.channel.ConnectTimeoutException) {
      ConnectTimeoutException e =
          new ConnectTimeoutException("connect to " + target + ": TCP connect timed out");
      e.initCause(cause);
      return e;
    }
    if (cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
      return new SyncTransportException("connect to " + target + ": unknown host", cause);
    }
    if (cause instanceof ConnectException) {
      return new SyncTransportException("connect to " + target + ": " + cause.getMessage(), cause);
    }
    Throwable root = cause;
    while (root.getCause() != null && !(root instanceof SSLException)) {
      root = root.getCause();
    }
    if (root instanceof SSLException) {
      return new SyncTransportException("TLS handshake with " + target + ": " + root.getMessage(), cause);
    }
    return new SyncTransportException("connect to " + target + ": " + cause, cause);
  }

  private static Throwable sendFailure(Throwable cause) {
    if (cause instanceof ClosedChannelException) {
      return new SyncTransportException("send: connection closed before the message was written", cause);
    }
    return new SyncTransportException("send: " + cause, cause);
  }
}
