package io.tributary.transport.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.tributary.transport.netty.testing.LeakCheck;
import io.tributary.transport.netty.testing.RawPeer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Frames} and {@link FrameDecoder} on an {@link EmbeddedChannel}, at every length boundary. */
@ExtendWith(LeakCheck.PerClass.class)
class FrameDecoderTest {
  private final List<Throwable> errors = new ArrayList<>();
  private EmbeddedChannel channel;

  private EmbeddedChannel decoder(boolean expectMasked, int max) {
    channel =
        new EmbeddedChannel(
            new FrameDecoder(expectMasked, max),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errors.add(cause);
              }
            });
    return channel;
  }

  @AfterEach
  void finish() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static byte[] bytes(ByteBuf b) {
    byte[] a = ByteBufUtil.getBytes(b);
    b.release();
    return a;
  }

  @ParameterizedTest
  @CsvSource({"0,true", "1,true", "125,true", "126,true", "127,true", "65535,true", "65536,true",
      "65537,true", "0,false", "125,false", "126,false", "65535,false", "65536,false", "300000,false"})
  void writerAndDecoderAgreeAtEveryLengthBoundary(int size, boolean masked) {
    byte[] payload = random(size);
    ByteBuf frame = Frames.binary(ByteBufAllocator.DEFAULT, ByteBuffer.wrap(payload), masked);
    assertThat(frame.readableBytes()).isEqualTo(Frames.headerLength(size, masked) + size);
    // the writer's header and masking agree with an independent encoder when unmasked
    if (!masked) {
      assertThat(ByteBufUtil.getBytes(frame)).isEqualTo(RawPeer.frame(true, 2, payload, false));
    }
    decoder(masked, 1 << 20).writeInbound(frame);
    BinaryWebSocketFrame f = channel.readInbound();
    assertThat(f.isFinalFragment()).isTrue();
    assertThat(bytes(f.content().retain())).isEqualTo(payload);
    f.release();
    assertThat(errors).isEmpty();
  }

  @Test
  void bytesArrivingOneAtATimeMakeOneFrameOnlyWhenComplete() {
    byte[] payload = random(300);
    byte[] frame = RawPeer.frame(true, 2, payload, true);
    decoder(true, 1024);
    for (int i = 0; i < frame.length; i++) {
      boolean produced = channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {frame[i]}));
      assertThat(produced).as("after byte %d", i).isEqualTo(i == frame.length - 1);
    }
    WebSocketFrame f = channel.readInbound();
    assertThat(bytes(f.content().retain())).isEqualTo(payload);
    f.release();
  }

  @Test
  void realmCoresMaskedBindFrameDecodesToTheBindMessage() {
    decoder(true, 1024).writeInbound(Unpooled.wrappedBuffer(RawPeer.resource("captures/02_ingest_3_objects/001-c2s-bind.frame.bin")));
    WebSocketFrame f = channel.readInbound();
    assertThat(bytes(f.content().retain()))
        .isEqualTo(RawPeer.resource("captures/02_ingest_3_objects/001-c2s-bind.bin"))
        .asString()
        .isEqualTo("bind 1 37 0 1 0\n{\"schemaVersion\":0,\"sessionReason\":0}");
    f.release();
  }

  @Test
  void theCapturedCloseFrameDecodesOnTheClientSide() {
    decoder(false, 1024).writeInbound(Unpooled.wrappedBuffer(RawPeer.resource("captures/11_ws_close_4001/002-s2c-ws-close.frame.bin")));
    CloseWebSocketFrame f = channel.readInbound();
    assertThat(f.statusCode()).isEqualTo(4001);
    assertThat(f.reasonText()).isEqualTo("mock server closes the websocket");
    f.release();
  }

  @Test
  void anOversizeFrameIsRefusedFromItsHeaderWithTheDeclaredSize() {
    decoder(true, 1000);
    // header only: 16-bit length 1001, masked
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x82, (byte) (0x80 | 126), 0x03, (byte) 0xE9}));
    assertThat(errors).singleElement().isInstanceOfSatisfying(MessageTooLargeException.class, e -> {
      assertThat(e.size()).isEqualTo(1001);
      assertThat(e.limit()).isEqualTo(1000);
      assertThat(e).hasMessage("incoming message: 1001 bytes (expected: <= 1000 bytes)");
    });
    // everything after is discarded
    assertThat(channel.writeInbound(Unpooled.wrappedBuffer(RawPeer.frame(true, 2, new byte[3], true)))).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "c2 80|frame: RSV bits 4 (expected: 0, no extensions were negotiated)",
        "83 80|frame: opcode 3 (expected: 0, 1, 2, 8, 9 or 10)",
        "8b 80|frame: opcode 11 (expected: 0, 1, 2, 8, 9 or 10)",
        "09 80|control frame: FIN 0 (expected: 1, control frames are never fragmented)",
        "89 fe 00 7e|control frame: payload length code 126 (expected: <= 125)",
        "82 02 01 02|frame: mask bit 0 (expected: 1, client frames are masked)",
        "82 fe 00 7d|frame: length 125 in 16 bits (expected: >= 126, minimal encoding)",
        "82 ff 00 00 00 00 00 00 ff ff|frame: length 65535 in 64 bits (expected: > 65535, minimal encoding)",
        "82 ff 80 00 00 00 00 00 00 00|frame: 64-bit length with the most significant bit set (expected: 0)",
        "88 81 00 00 00 00 03|close frame: payload of 1 bytes with an invalid status code",
        "88 82 00 00 00 00 03 ed|close frame: payload of 2 bytes with an invalid status code",
      })
  void violationsAreReportedWithWhatWasExpected(String hex, String message) {
    decoder(true, 1 << 20).writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", ""))));
    assertThat(channel.inboundMessages()).isEmpty();
    assertThat(errors).singleElement(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE).isInstanceOf(CorruptedWebSocketFrameException.class).hasMessage(message);
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 1003, 1007, 1014, 3000, 4001, 4999})
  void sendableCloseCodes(int code) {
    assertThat(Frames.isSendableCloseCode(code)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 999, 1004, 1005, 1006, 1015, 2999, 5000})
  void reservedOrUndefinedCloseCodes(int code) {
    assertThat(Frames.isSendableCloseCode(code)).isFalse();
  }

  @Test
  void closeReasonsAreCutAtACharacterBoundary() {
    assertThat(Frames.truncateUtf8("abc", 123)).hasSize(3);
    assertThat(new String(Frames.truncateUtf8("€".repeat(50), 123), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("€".repeat(41));
    ByteBuf close = Frames.close(ByteBufAllocator.DEFAULT, 4001, "x".repeat(500), false);
    assertThat(close.readableBytes()).isEqualTo(2 + 125);
    close.release();
  }

  @Test
  void maskingDoesNotTouchTheCallersBuffer() {
    byte[] payload = random(1000);
    ByteBuffer src = ByteBuffer.wrap(payload.clone());
    src.position(10).limit(990);
    ByteBuf frame = Frames.binary(ByteBufAllocator.DEFAULT, src, true);
    assertThat(src.position()).isEqualTo(10);
    assertThat(src.limit()).isEqualTo(990);
    assertThat(src.array()).isEqualTo(payload);
    decoder(true, 4096).writeInbound(frame);
    WebSocketFrame f = channel.readInbound();
    assertThat(bytes(f.content().retain())).isEqualTo(java.util.Arrays.copyOfRange(payload, 10, 990));
    f.release();
  }

  @ParameterizedTest
  @CsvSource({"1,heap", "3,direct", "4,heap", "7,direct", "8,heap", "9,direct", "15,heap", "16,direct",
      "17,heap", "17,direct", "125,heap", "1001,direct", "70003,heap", "70003,direct", "70003,heapOffset",
      "1001,directOffset", "1001,unpooledHeapOut", "13,readOnlyHeap", "70003,readOnlyHeap"})
  void theWritersMaskIsTheKeyOctetByOctet(int size, String source) {
    // an independent check of the word-wise masking: octet i XOR key octet (i mod 4), from an
    // array or direct memory, at position 0 or not, into direct or heap frame buffers
    byte[] payload = random(size);
    ByteBuffer src;
    switch (source) {
      case "direct" -> src = ByteBuffer.allocateDirect(size).put(payload).flip();
      case "heapOffset" -> src = ByteBuffer.wrap(java.util.Arrays.copyOf(new byte[5], size + 5)).position(5).slice().put(payload).flip();
      case "directOffset" -> {
        ByteBuffer d = ByteBuffer.allocateDirect(size + 3);
        d.position(3);
        d.put(payload);
        src = d.position(3);
      }
      case "readOnlyHeap" -> src = ByteBuffer.wrap(java.util.Arrays.copyOf(payload, size + 7)).limit(size).asReadOnlyBuffer();
      default -> src = ByteBuffer.wrap(payload);
    }
    int position = src.position();
    ByteBufAllocator alloc = source.equals("unpooledHeapOut") ? new io.netty.buffer.UnpooledByteBufAllocator(false) : ByteBufAllocator.DEFAULT;
    ByteBuf frame = Frames.binary(alloc, src, true);
    assertThat(src.position()).isEqualTo(position); // the caller's buffer is not moved
    byte[] wire = bytes(frame);
    int header = Frames.headerLength(size, true);
    byte[] key = java.util.Arrays.copyOfRange(wire, header - 4, header);
    byte[] unmasked = new byte[size];
    for (int i = 0; i < size; i++) {
      unmasked[i] = (byte) (wire[header + i] ^ key[i & 3]);
    }
    assertThat(unmasked).isEqualTo(payload);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 8, 13, 126, 1001, 70_003})
  void framesMaskedOctetByOctetDecode(int size) {
    byte[] payload = random(size);
    decoder(true, 1 << 20).writeInbound(Unpooled.wrappedBuffer(RawPeer.frame(true, 2, payload, true)));
    WebSocketFrame f = channel.readInbound();
    assertThat(bytes(f.content().retain())).isEqualTo(payload);
    f.release();
    assertThat(errors).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"300000,65536", "300000,1000", "180000,7", "70000,65536", "200,150"})
  void aLargeFrameArrivingInGrowableChunksDecodesWhole(int size, int chunk) {
    // chunks in buffers that can grow (as a socket read's): the cumulation is grown ahead for the
    // rest of the frame, at most MAX_GROWTH times what is buffered at a time
    byte[] payload = random(size);
    byte[] frame = RawPeer.frame(true, 2, payload, true);
    byte[] next = RawPeer.frame(true, 2, new byte[] {1, 2, 3}, true); // a second frame right behind
    byte[] wire = java.util.Arrays.copyOf(frame, frame.length + next.length);
    System.arraycopy(next, 0, wire, frame.length, next.length);
    decoder(true, 1 << 20);
    for (int at = 0; at < wire.length; at += chunk) {
      int n = Math.min(chunk, wire.length - at);
      ByteBuf b = ByteBufAllocator.DEFAULT.buffer(n);
      b.writeBytes(wire, at, n);
      channel.writeInbound(b);
    }
    WebSocketFrame f = channel.readInbound();
    assertThat(bytes(f.content().retain())).isEqualTo(payload);
    f.release();
    WebSocketFrame g = channel.readInbound();
    assertThat(bytes(g.content().retain())).containsExactly(1, 2, 3);
    g.release();
    assertThat(errors).isEmpty();
  }

  @Test
  void aHeaderDeclaringALargeFrameDoesNotMakeTheDecoderAllocateForIt() {
    decoder(true, 64 << 20);
    // 14 bytes: a masked frame of 60 MiB declared, nothing of it sent
    ByteBuf header = ByteBufAllocator.DEFAULT.buffer(14);
    header.writeBytes(ByteBufUtil.decodeHexDump("82ff0000000003c0000001020304"));
    ByteBuf[] cumulation = new ByteBuf[1];
    channel.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        cumulation[0] = (ByteBuf) msg;
        ctx.fireChannelRead(msg);
      }
    });
    assertThat(channel.writeInbound(header)).isFalse();
    assertThat(errors).isEmpty();
    // the buffer the decoder keeps is this one, grown to at most MAX_GROWTH times 14 bytes
    assertThat(cumulation[0].capacity()).isLessThanOrEqualTo(Math.max(64, FrameDecoder.MAX_GROWTH * 14));
  }

  @Test
  void aCumulationWithAFrameStillHeldDownstreamIsNotGrownInPlace() {
    // frame 1 complete, then the header and the first 1,000 bytes of a 10,000-byte frame 2, in one
    // buffer; downstream keeps frame 1 (its payload is a retained slice of that buffer)
    byte[] one = random(100);
    byte[] two = random(10_000);
    byte[] f1 = RawPeer.frame(true, 2, one, true);
    byte[] f2 = RawPeer.frame(true, 2, two, true);
    ByteBuf in = ByteBufAllocator.DEFAULT.buffer(f1.length + 1_014);
    in.writeBytes(f1).writeBytes(f2, 0, 1_014);
    int capacity = in.capacity();
    List<WebSocketFrame> held = new ArrayList<>();
    channel =
        new EmbeddedChannel(
            new FrameDecoder(true, 1 << 20),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                held.add((WebSocketFrame) msg);
              }
            });
    channel.writeInbound(in);
    assertThat(held).hasSize(1);
    // the buffer frame 1's payload points into was not reallocated under it
    assertThat(in.capacity()).isEqualTo(capacity);
    assertThat(bytes(held.get(0).content().retain())).isEqualTo(one);
    ByteBuf rest = ByteBufAllocator.DEFAULT.buffer(f2.length - 1_014);
    rest.writeBytes(f2, 1_014, f2.length - 1_014);
    channel.writeInbound(rest);
    assertThat(held).hasSize(2);
    assertThat(bytes(held.get(1).content().retain())).isEqualTo(two);
    held.forEach(WebSocketFrame::release);
  }
}
