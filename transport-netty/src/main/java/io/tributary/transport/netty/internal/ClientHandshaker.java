package io.tributary.transport.netty.internal;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;

/**
 * Netty's RFC 6455 client handshake (request, {@code Sec-WebSocket-Accept} check, pipeline switch)
 * with Tributary's {@link FrameDecoder}: server frames must be unmasked, at most the message limit
 * per frame (checked from the header, before the payload is read), no extensions; a violation is
 * reported to the connection's handler, which closes without a close frame (realm-core's client
 * never sends one either, spec protocol.md §3.4).
 */
final class ClientHandshaker extends WebSocketClientHandshaker13 {

  ClientHandshaker(URI uri, String subprotocols, HttpHeaders headers, int maxMessageBytes) {
    super(uri, WebSocketVersion.V13, subprotocols, false, headers, maxMessageBytes, true, false, -1);
  }

  @Override
  protected FullHttpRequest newHandshakeRequest() {
    FullHttpRequest request = super.newHandshakeRequest();
    // realm-core sends no Origin; a browser-only header has no business in a device upgrade
    request.headers().remove(HttpHeaderNames.ORIGIN);
    return request;
  }

  @Override
  protected WebSocketFrameDecoder newWebsocketDecoder() {
    return new FrameDecoder(false, maxFramePayloadLength());
  }
}
