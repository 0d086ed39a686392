package io.tributary.transport.netty.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates HTTP requests up to the configured body size; a larger body (declared by {@code
 * Content-Length} or found while reading chunks) is answered with 413 in the App Services error
 * shape and the connection is closed. The excess is never buffered.
 */
final class BoundedHttpAggregator extends HttpObjectAggregator {

  BoundedHttpAggregator(int maxBodyBytes) {
    super(maxBodyBytes, true);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    long declared = HttpUtil.getContentLength(oversized, -1L);
    String size = declared >= 0 ? declared + " bytes" : "more than " + maxContentLength() + " bytes";
    FullHttpResponse r =
        HttpResponses.error(
            ctx.alloc(),
            413,
            "request body: " + size + " (expected: <= " + maxContentLength() + " bytes)",
            "RequestTooLarge");
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }
}
