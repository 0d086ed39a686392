package io.tributary.transport.netty.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.tributary.transport.netty.server.EdgeConfig;
import javax.net.ssl.SSLEngine;

/**
 * The pipeline of a new edge connection: [TLS] → HTTP codec → bounded aggregator → {@link
 * HttpRouter}. An accepted upgrade replaces the HTTP handlers with Netty's frame codec and an
 * {@link EdgeFrameHandler}.
 */
public final class EdgeInitializer extends ChannelInitializer<SocketChannel> {
  /** Longest request line: the sync URL carries the access token in its query. */
  static final int MAX_INITIAL_LINE_BYTES = 16 * 1024;

  /** Largest header block. */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  private final EdgeConfig config;

  /** @param config the edge's configuration (TLS, limits, timeouts, plug-ins) */
  public EdgeInitializer(EdgeConfig config) {
    this.config = config;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (config.tlsContext() != null) {
      SSLEngine engine = config.tlsContext().createSSLEngine();
      engine.setUseClientMode(false);
      SslHandler tls = new SslHandler(engine);
      tls.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
      ch.pipeline().addLast("tls", tls);
    }
    ch.pipeline()
        .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192))
        .addLast("http-body", new BoundedHttpAggregator(config.maxHttpBodyBytes()))
        .addLast("router", new HttpRouter(config, config.tlsContext() != null));
  }
}
