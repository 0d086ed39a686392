package io.tributary.transport.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.tributary.transport.netty.testing.LeakCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.PerClass.class)
class MessageAssemblerTest {
  private final List<byte[]> messages = new ArrayList<>();
  private int texts;
  private final MessageAssembler.Sink sink =
      new MessageAssembler.Sink() {
        @Override
        public void onBinary(ByteBuf message) {
          messages.add(ByteBufUtil.getBytes(message));
          message.release();
        }

        @Override
        public void onText() {
          texts++;
        }
      };
  private final MessageAssembler assembler = new MessageAssembler(10);

  @AfterEach
  void reset() {
    assembler.reset();
  }

  private static ByteBuf buf(int... bytes) {
    ByteBuf b = Unpooled.buffer(bytes.length);
    for (int x : bytes) {
      b.writeByte(x);
    }
    return b;
  }

  private void accept(io.netty.handler.codec.http.websocketx.WebSocketFrame f) throws Exception {
    assembler.accept(f, ByteBufAllocator.DEFAULT, sink);
  }

  @Test
  void fragmentsBecomeOneMessageAndTextIsReportedOnce() throws Exception {
    accept(new BinaryWebSocketFrame(false, 0, buf(1, 2)));
    accept(new ContinuationWebSocketFrame(false, 0, buf()));
    accept(new ContinuationWebSocketFrame(true, 0, buf(3)));
    accept(new TextWebSocketFrame(false, 0, buf('a')));
    accept(new ContinuationWebSocketFrame(true, 0, buf('b')));
    accept(new BinaryWebSocketFrame(true, 0, buf()));
    assertThat(messages).containsExactly(new byte[] {1, 2, 3}, new byte[0]);
    assertThat(texts).isEqualTo(1);
  }

  @Test
  void theLimitIsCheckedBeforeAFragmentIsAppended() throws Exception {
    accept(new BinaryWebSocketFrame(true, 0, buf(new int[10]))); // exactly the limit
    accept(new BinaryWebSocketFrame(false, 0, buf(new int[6])));
    ContinuationWebSocketFrame over = new ContinuationWebSocketFrame(false, 0, buf(new int[5]));
    assertThatThrownBy(() -> accept(over))
        .isInstanceOf(MessageTooLargeException.class)
        .hasMessage("incoming message: at least 11 bytes (expected: <= 10 bytes)");
    assertThat(over.refCnt()).isZero(); // released even when refused
    assertThat(messages).hasSize(1);
    BinaryWebSocketFrame single = new BinaryWebSocketFrame(true, 0, buf(new int[11]));
    assertThatThrownBy(() -> accept(single)).isInstanceOf(MessageTooLargeException.class)
        .hasMessage("incoming message: 11 bytes (expected: <= 10 bytes)");
  }

  @Test
  void continuationsOutsideAMessageAndMessagesInsideOneAreViolations() throws Exception {
    assertThatThrownBy(() -> accept(new ContinuationWebSocketFrame(true, 0, buf(1))))
        .isInstanceOf(CorruptedFrameException.class)
        .hasMessage("frame: continuation outside a fragmented message (expected: binary or text)");
    accept(new BinaryWebSocketFrame(false, 0, buf(1)));
    assertThatThrownBy(() -> accept(new BinaryWebSocketFrame(true, 0, buf(2))))
        .isInstanceOf(CorruptedFrameException.class)
        .hasMessage("frame: new data frame inside a fragmented message (expected: continuation)");
  }
}
