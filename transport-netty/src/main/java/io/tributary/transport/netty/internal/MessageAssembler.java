package io.tributary.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Turns data frames (binary, text, continuation) into complete messages (spec protocol.md §3.4:
 * one sync message is one binary WebSocket message; receivers reassemble fragments).
 *
 * <p>An unfragmented binary frame is passed on without a copy. Fragments are appended to one
 * growing buffer whose maximum capacity is the message limit, and the limit is checked before each
 * fragment is appended, so an oversize message is never buffered beyond the limit. Text messages
 * are reported once (at their first frame) and their bytes dropped.
 *
 * <p>Not thread safe: used by one channel handler on its event loop.
 */
public final class MessageAssembler {

  /** Receives complete messages. */
  public interface Sink {
    /**
     * One complete binary message.
     *
     * @param message transferred: the sink must release it
     */
    void onBinary(ByteBuf message);

    /** The first frame of a text message arrived; the message's bytes are discarded. */
    void onText();
  }

  private final int maxMessageBytes;
  private ByteBuf cumulation;
  private boolean inText;

  /** @param maxMessageBytes the largest message accepted, in bytes (at least 0) */
  public MessageAssembler(int maxMessageBytes) {
    if (maxMessageBytes < 0) {
      throw new IllegalArgumentException(
          "maxMessageBytes: " + maxMessageBytes + " (expected: >= 0)");
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Consumes one data frame. Always releases {@code frame}.
   *
   * @throws MessageTooLargeException the message being assembled exceeds the limit (the partial
   *     message is released; the assembler is reset)
   * @throws CorruptedFrameException a continuation frame outside a fragmented message, or a new
   *     message inside one
   */
  public void accept(WebSocketFrame frame, ByteBufAllocator alloc, Sink sink)
      throws MessageTooLargeException {
    try {
      if (frame instanceof ContinuationWebSocketFrame) {
        continuation(frame, sink);
      } else if (cumulation != null || inText) {
        reset();
        throw new CorruptedFrameException(
            "frame: new data frame inside a fragmented message (expected: continuation)");
      } else if (frame instanceof BinaryWebSocketFrame) {
        start(frame, alloc, sink);
      } else if (frame instanceof TextWebSocketFrame) {
        inText = !frame.isFinalFragment();
        sink.onText();
      } else {
        throw new CorruptedFrameException(
            "frame: " + frame.getClass().getSimpleName() + " (expected: a data frame)");
      }
    } finally {
      frame.release();
    }
  }

  private void start(WebSocketFrame frame, ByteBufAllocator alloc, Sink sink)
      throws MessageTooLargeException {
    ByteBuf content = frame.content();
    int size = content.readableBytes();
    if (size > maxMessageBytes) {
      throw new MessageTooLargeException(size, maxMessageBytes, false);
    }
    if (frame.isFinalFragment()) {
      sink.onBinary(content.retain());
      return;
    }
    cumulation = alloc.buffer(Math.min(maxMessageBytes, Math.max(256, size * 2)), maxMessageBytes);
    cumulation.writeBytes(content);
  }

  private void continuation(WebSocketFrame frame, Sink sink) throws MessageTooLargeException {
    if (inText) {
      inText = !frame.isFinalFragment();
      return;
    }
    if (cumulation == null) {
      throw new CorruptedFrameException(
          "frame: continuation outside a fragmented message (expected: binary or text)");
    }
    ByteBuf content = frame.content();
    long total = (long) cumulation.readableBytes() + content.readableBytes();
    if (total > maxMessageBytes) {
      reset();
      throw new MessageTooLargeException(total, maxMessageBytes, true);
    }
    cumulation.writeBytes(content);
    if (frame.isFinalFragment()) {
      ByteBuf message = cumulation;
      cumulation = null;
      sink.onBinary(message);
    }
  }

  /** Releases a partially assembled message, if any. Call when the channel goes away. */
  public void reset() {
    inText = false;
    if (cumulation != null) {
      ByteBuf c = cumulation;
      cumulation = null;
      c.release();
    }
  }
}
