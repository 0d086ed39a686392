package io.tributary.transport.netty.internal;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;

/**
 * Netty's RFC 6455 client handshake (request, {@code Sec-WebSocket-Accept} check, pipeline switch)
 * with the frame decoder Tributary needs: server frames must be unmasked, at most the message
 * limit per frame (checked from the header, before the payload is read), no extensions, and no
 * close frame sent on a violation (the connection owner decides; realm-core's client never sends
 * one either, spec protocol.md §3.4).
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
    return new WebSocket13FrameDecoder(
        WebSocketDecoderConfig.newBuilder()
            .expectMaskedFrames(false)
            .allowMaskMismatch(false)
            .allowExtensions(false)
            .maxFramePayloadLength(maxFramePayloadLength())
            .closeOnProtocolViolation(false)
            .build());
  }
}
