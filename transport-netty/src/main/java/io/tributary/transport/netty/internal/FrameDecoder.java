package io.tributary.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.util.List;

/**
 * Decodes RFC 6455 frames (layout in {@link Frames}) into Netty's {@link WebSocketFrame} types.
 *
 * <p>Every length is checked before anything is buffered for it: a frame whose header declares
 * more than the limit fires {@link MessageTooLargeException} (with the declared size) while only
 * its header has been read. Other violations (RSV bits without extensions, unknown opcodes,
 * fragmented or over-long control frames, a mask bit the role does not allow — client frames are
 * masked, server frames are not —, non-minimal or 64-bit-negative lengths, a close payload of one
 * byte or with a code that may not be sent) fire {@link CorruptedWebSocketFrameException}. After
 * either, all further input is discarded; the handler downstream closes the connection.
 *
 * <p>Payloads are retained slices of the cumulation (no copy); masked payloads are unmasked in
 * place ({@link Frames#maskInPlace(io.netty.buffer.ByteBuf, int, int, int)}: words at the memory's
 * address, or one {@link java.nio.ByteBuffer} view), one call per frame, not per word. When
 * a frame's header is read before the rest of it, the cumulation is grown for the rest at once
 * (up to {@link #MAX_GROWTH} times what is buffered), not doubled read by read.
 * Not thread safe (one channel).
 */
public final class FrameDecoder extends ByteToMessageDecoder implements WebSocketFrameDecoder {
  /** How many times the bytes buffered of a frame the cumulation grows to at once, at most. */
  static final int MAX_GROWTH = 4;

  private final boolean expectMasked;
  private final int maxPayloadBytes;
  private boolean corrupt;

  /**
   * @param expectMasked true on the server (client frames must be masked), false on the client
   * @param maxPayloadBytes the largest frame payload accepted
   */
  public FrameDecoder(boolean expectMasked, int maxPayloadBytes) {
    this.expectMasked = expectMasked;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (corrupt) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int start = in.readerIndex();
    int readable = in.readableBytes();
    if (readable < 2) {
      return;
    }
    int b0 = in.getUnsignedByte(start);
    int b1 = in.getUnsignedByte(start + 1);
    boolean fin = (b0 & 0x80) != 0;
    int rsv = (b0 & 0x70) >> 4;
    int opcode = b0 & 0x0F;
    boolean masked = (b1 & 0x80) != 0;
    int length7 = b1 & 0x7F;
    if (rsv != 0) {
      fail(ctx, in, "frame: RSV bits " + rsv + " (expected: 0, no extensions were negotiated)");
      return;
    }
    boolean control = opcode >= Frames.OPCODE_CLOSE;
    if (opcode > Frames.OPCODE_BINARY && !(control && opcode <= Frames.OPCODE_PONG)) {
      fail(ctx, in, "frame: opcode " + opcode + " (expected: 0, 1, 2, 8, 9 or 10)");
      return;
    }
    if (control && !fin) {
      fail(ctx, in, "control frame: FIN 0 (expected: 1, control frames are never fragmented)");
      return;
    }
    if (control && length7 > Frames.MAX_CONTROL_PAYLOAD) {
      fail(ctx, in, "control frame: payload length code " + length7 + " (expected: <= 125)");
      return;
    }
    if (masked != expectMasked) {
      fail(ctx, in, "frame: mask bit " + (masked ? 1 : 0) + " (expected: " + (expectMasked ? 1 : 0)
          + (expectMasked ? ", client frames are masked)" : ", server frames are not masked)"));
      return;
    }
    int headerLength = 2;
    long length = length7;
    if (length7 == 126) {
      if (readable < 4) {
        return;
      }
      length = in.getUnsignedShort(start + 2);
      headerLength = 4;
      if (length < 126) {
        fail(ctx, in, "frame: length " + length + " in 16 bits (expected: >= 126, minimal encoding)");
        return;
      }
    } else if (length7 == 127) {
      if (readable < 10) {
        return;
      }
      length = in.getLong(start + 2);
      headerLength = 10;
      if (length < 0) {
        fail(ctx, in, "frame: 64-bit length with the most significant bit set (expected: 0)");
        return;
      }
      if (length <= 0xFFFF) {
        fail(ctx, in, "frame: length " + length + " in 64 bits (expected: > 65535, minimal encoding)");
        return;
      }
    }
    if (length > maxPayloadBytes) {
      corrupt = true;
      in.skipBytes(readable);
      ctx.fireExceptionCaught(new MessageTooLargeException(length, maxPayloadBytes, false));
      return;
    }
    int maskLength = masked ? 4 : 0;
    if (readable < headerLength + maskLength + length) {
      // the rest of the frame (at most maxPayloadBytes) is still to come
      reserveForFrame(in, headerLength + maskLength + length - readable, readable);
      return;
    }
    int key = masked ? in.getInt(start + headerLength) : 0;
    in.skipBytes(headerLength + maskLength);
    ByteBuf payload = in.readRetainedSlice((int) length);
    if (masked && length > 0) {
      payload = unmask(ctx, payload, key);
    }
    if (opcode == Frames.OPCODE_CLOSE && !validClosePayload(payload)) {
      payload.release();
      fail(ctx, in, "close frame: payload of " + length + " bytes with an invalid status code");
      return;
    }
    out.add(frame(opcode, fin, payload));
  }

  /**
   * Makes room in the cumulation {@code in} for the {@code missing} bytes of the frame begun in its
   * {@code buffered} readable bytes, so that it grows once instead of doubling as reads arrive
   * (each doubling copies everything buffered: a 180 KB frame read 64 KB at a time was copied
   * about twice more). Grows to at most {@link #MAX_GROWTH} times what is buffered: a header
   * declaring a large frame does not make the decoder allocate for bytes the peer has not sent.
   * Only a cumulation nobody else holds is grown in place (as Netty's own cumulator does): a
   * retained slice of an earlier frame must keep the memory it points to.
   */
  private static void reserveForFrame(ByteBuf in, long missing, int buffered) {
    long room = Math.min(missing, (long) buffered * (MAX_GROWTH - 1));
    if (room > in.writableBytes() && room <= in.maxWritableBytes() && !in.isReadOnly()
        && in.refCnt() == 1) {
      in.ensureWritable((int) room);
    }
  }

  private static WebSocketFrame frame(int opcode, boolean fin, ByteBuf payload) {
    switch (opcode) {
      case Frames.OPCODE_CONTINUATION:
        return new ContinuationWebSocketFrame(fin, 0, payload);
      case Frames.OPCODE_TEXT:
        return new TextWebSocketFrame(fin, 0, payload);
      case Frames.OPCODE_BINARY:
        return new BinaryWebSocketFrame(fin, 0, payload);
      case Frames.OPCODE_CLOSE:
        return new CloseWebSocketFrame(true, 0, payload);
      case Frames.OPCODE_PING:
        return new PingWebSocketFrame(payload);
      default:
        return new PongWebSocketFrame(payload);
    }
  }

  // RFC 6455 §5.5.1: empty, or a 2-byte status code that may appear on the wire, then UTF-8
  private static boolean validClosePayload(ByteBuf payload) {
    int n = payload.readableBytes();
    if (n == 0) {
      return true;
    }
    return n >= 2
        && Frames.isSendableCloseCode(payload.getUnsignedShort(payload.readerIndex()));
  }

  private static ByteBuf unmask(ChannelHandlerContext ctx, ByteBuf payload, int key) {
    ByteBuf target = payload;
    if (payload.nioBufferCount() != 1 || payload.isReadOnly()) {
      target = ctx.alloc().buffer(payload.readableBytes());
      target.writeBytes(payload);
      payload.release();
    }
    Frames.maskInPlace(target, target.readerIndex(), target.readableBytes(), key);
    return target;
  }

  private void fail(ChannelHandlerContext ctx, ByteBuf in, String message) {
    corrupt = true;
    in.skipBytes(in.readableBytes());
    ctx.fireExceptionCaught(
        new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, message));
  }
}
