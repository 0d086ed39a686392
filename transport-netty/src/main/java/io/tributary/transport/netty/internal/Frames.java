package io.tributary.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes complete RFC 6455 frames straight into one {@link ByteBuf}: header, optional masking key,
 * payload (masked while it is copied). This is the only copy a sent message makes; the pipeline
 * passes the finished frame through untouched.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               | Masking-key, if MASK set to 1 |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 * </pre>
 *
 * <p>Client frames are masked, server frames are not (RFC 6455 §5.1, spec protocol.md §3.4).
 * Stateless and thread safe: callers copy on their own thread, before handing the frame to the
 * event loop.
 */
public final class Frames {
  /** Opcode of a continuation frame. */
  public static final int OPCODE_CONTINUATION = 0x0;
  /** Opcode of a text frame. */
  public static final int OPCODE_TEXT = 0x1;
  /** Opcode of a binary frame: every sync message (spec protocol.md §3.4). */
  public static final int OPCODE_BINARY = 0x2;
  /** Opcode of a close frame. */
  public static final int OPCODE_CLOSE = 0x8;
  /** Opcode of a ping frame. */
  public static final int OPCODE_PING = 0x9;
  /** Opcode of a pong frame. */
  public static final int OPCODE_PONG = 0xA;

  /** Largest control-frame payload (RFC 6455 §5.5). */
  public static final int MAX_CONTROL_PAYLOAD = 125;

  /** Largest close reason in UTF-8 bytes: the control payload minus the 2-byte status code. */
  public static final int MAX_CLOSE_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;

  private static final int FIN = 0x80;
  private static final int MASK = 0x80;

  private Frames() {}

  /**
   * Whether a close code may be sent in a close frame (RFC 6455 §7.4): 1000..1003, 1007..1014,
   * 3000..4999. 1004-1006 and 1015 are reserved, other values undefined.
   */
  public static boolean isSendableCloseCode(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  /** Header length in bytes of a frame with {@code payloadLength} bytes. */
  public static int headerLength(long payloadLength, boolean masked) {
    int n = payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    return masked ? n + 4 : n;
  }

  /**
   * One final binary frame carrying the bytes from {@code payload}'s position to its limit.
   *
   * @param payload copied; its position and limit are not changed (absolute reads only)
   * @return a new buffer holding the whole frame; the caller owns it
   */
  public static ByteBuf binary(ByteBufAllocator alloc, ByteBuffer payload, boolean masked) {
    return frame(alloc, true, OPCODE_BINARY, payload, masked);
  }

  /**
   * One frame with the given FIN bit and opcode.
   *
   * @param payload copied; its position and limit are not changed
   */
  public static ByteBuf frame(
      ByteBufAllocator alloc, boolean fin, int opcode, ByteBuffer payload, boolean masked) {
    int length = payload.remaining();
    ByteBuf out = alloc.ioBuffer(headerLength(length, masked) + length);
    try {
      writeHeader(out, fin, opcode, length, masked);
      if (masked) {
        int key = ThreadLocalRandom.current().nextInt();
        out.writeInt(key);
        writeMasked(out, payload, key);
      } else {
        out.writeBytes(payload.duplicate());
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /**
   * A close frame (opcode 8) with a status code and a reason; the reason is cut to {@link
   * #MAX_CLOSE_REASON_BYTES} UTF-8 bytes at a character boundary.
   */
  public static ByteBuf close(ByteBufAllocator alloc, int code, String reason, boolean masked) {
    byte[] text = truncateUtf8(reason, MAX_CLOSE_REASON_BYTES);
    ByteBuffer payload = ByteBuffer.allocate(2 + text.length);
    payload.putShort((short) code).put(text).flip();
    return frame(alloc, true, OPCODE_CLOSE, payload, masked);
  }

  /** A pong (opcode 10) answering a ping with the given application data (at most 125 bytes). */
  public static ByteBuf pong(ByteBufAllocator alloc, ByteBuf pingPayload, boolean masked) {
    ByteBuffer copy = ByteBuffer.allocate(Math.min(pingPayload.readableBytes(), MAX_CONTROL_PAYLOAD));
    pingPayload.getBytes(pingPayload.readerIndex(), copy);
    copy.flip();
    return frame(alloc, true, OPCODE_PONG, copy, masked);
  }

  /** The longest prefix of {@code s} whose UTF-8 encoding fits in {@code maxBytes}. */
  public static byte[] truncateUtf8(String s, int maxBytes) {
    byte[] all = s.getBytes(StandardCharsets.UTF_8);
    if (all.length <= maxBytes) {
      return all;
    }
    int end = maxBytes;
    // step back over continuation bytes (10xxxxxx) so no character is cut in half
    while (end > 0 && (all[end] & 0xC0) == 0x80) {
      end--;
    }
    byte[] cut = new byte[end];
    System.arraycopy(all, 0, cut, 0, end);
    return cut;
  }

  private static void writeHeader(ByteBuf out, boolean fin, int opcode, int length, boolean masked) {
    out.writeByte((fin ? FIN : 0) | opcode);
    int maskBit = masked ? MASK : 0;
    if (length < 126) {
      out.writeByte(maskBit | length);
    } else if (length <= 0xFFFF) {
      out.writeByte(maskBit | 126);
      out.writeShort(length);
    } else {
      out.writeByte(maskBit | 127);
      out.writeLong(length);
    }
  }

  // RFC 6455 §5.3: octet i of the payload is XORed with octet (i mod 4) of the key (the key is
  // written big-endian). The message is copied in bulk, then masked in place (maskInPlace).
  private static void writeMasked(ByteBuf out, ByteBuffer payload, int key) {
    int length = payload.remaining();
    int at = out.writerIndex();
    out.ensureWritable(length);
    out.setBytes(at, payload.duplicate());
    maskInPlace(out, at, length, key);
    out.writerIndex(at + length);
  }

  /**
   * XORs {@code length} bytes of {@code buf} from {@code index} with the masking key (octet i with
   * key octet i mod 4): masks or unmasks in place. Direct memory with {@link #WORD_ACCESS}: word
   * loads and stores at its address; otherwise one {@link ByteBuffer} view (one ByteBuf call per
   * message, not per word) read in the platform's byte order with the key arranged for it ({@link
   * #maskWord}): big-endian words would cost a byte swap per read and per write.
   */
  static void maskInPlace(ByteBuf buf, int index, int length, int key) {
    if (buf.hasMemoryAddress() && WORD_ACCESS) {
      maskInPlace(buf.memoryAddress() + index, length, key);
      return;
    }
    ByteBuffer v = buf.nioBuffer(index, length).order(ByteOrder.nativeOrder());
    long key8 = maskWord(key);
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      v.putLong(i, v.getLong(i) ^ key8);
    }
    for (int k = 0; i < length; i++, k++) {
      v.put(i, (byte) (v.get(i) ^ (key >>> (24 - 8 * (k & 3)))));
    }
    if (buf.nioBufferCount() != 1) {
      // a multi-component buffer hands out a copy, not a view: copy the masked bytes back
      buf.setBytes(index, v.clear());
    }
  }

  /**
   * Whether word loads and stores at any address (Netty's {@link PlatformDependent}, Unsafe) are
   * available: the (un)masking loops use them for direct memory, else a ByteBuffer view.
   */
  static final boolean WORD_ACCESS = PlatformDependent.hasUnsafe() && PlatformDependent.isUnaligned();

  /**
   * XORs the {@code length} bytes of direct memory at {@code address} with the masking key (octet
   * i with key octet i mod 4): masks or unmasks in place, a word at a time. Only with {@link
   * #WORD_ACCESS}; the caller owns those bytes.
   */
  static void maskInPlace(long address, int length, int key) {
    long key8 = maskWord(key);
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      PlatformDependent.putLong(address + i, PlatformDependent.getLong(address + i) ^ key8);
    }
    for (int k = 0; i < length; i++, k++) {
      PlatformDependent.putByte(address + i, (byte) (PlatformDependent.getByte(address + i) ^ (key >>> (24 - 8 * (k & 3)))));
    }
  }

  /**
   * The masking key repeated over eight bytes, as a long read in the platform's byte order from
   * those bytes: XORing it with a word read in that order masks (or unmasks) eight payload octets
   * that start at a multiple of four.
   */
  static long maskWord(int key) {
    long be = ((long) key << 32) | (key & 0xFFFFFFFFL); // key octets 0..3, 0..3, first most significant
    return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? be : Long.reverseBytes(be);
  }
}
