package io.tributary.transport.netty.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the edge's HTTP responses. Thread safe. */
final class HttpResponses {
  /** Exactly this value: realm-core parses an error body only when the header equals it (§2.6). */
  static final String APPLICATION_JSON = "application/json";

  static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  static final ObjectMapper JSON = new ObjectMapper();

  private HttpResponses() {}

  /** A JSON response; {@code body} is anything Jackson writes (maps, lists, strings, numbers). */
  static FullHttpResponse json(ByteBufAllocator alloc, int status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("JSON response: cannot serialize " + body.getClass(), e);
    }
    return bytes(alloc, status, APPLICATION_JSON, bytes);
  }

  /** The App Services error shape of spec protocol.md §2.6. */
  static FullHttpResponse error(ByteBufAllocator alloc, int status, String error, String errorCode) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    if (errorCode != null) {
      body.put("error_code", errorCode);
    }
    return json(alloc, status, body);
  }

  static FullHttpResponse text(ByteBufAllocator alloc, int status, String text) {
    return bytes(alloc, status, TEXT_PLAIN, text.getBytes(StandardCharsets.UTF_8));
  }

  static FullHttpResponse bytes(ByteBufAllocator alloc, int status, String contentType, byte[] bytes) {
    ByteBuf content = alloc.buffer(bytes.length).writeBytes(bytes);
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return r;
  }

  static FullHttpResponse empty(int status) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.EMPTY_BUFFER);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return r;
  }
}
