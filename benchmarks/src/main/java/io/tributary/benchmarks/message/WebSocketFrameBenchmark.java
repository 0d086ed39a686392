package io.tributary.benchmarks.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.tributary.transport.netty.internal.FrameDecoder;
import io.tributary.transport.netty.internal.Frames;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The upload framing around an UPLOAD message (RFC 6455 §5): the client masking its message into
 * a binary frame ({@link Frames#binary}, what the client transport sends; the message is a
 * read-only heap buffer, as the sync session hands it over) and the server's {@link FrameDecoder}
 * unmasking it in a real Netty pipeline ({@link EmbeddedChannel}; the frame arrives in a new
 * direct buffer, as from a socket read). Pooled direct buffers, released every call: the target is 0 B/op.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'message.WebSocketFrame' -f1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WebSocketFrameBenchmark {
  /** Message bytes: a 128 KiB UPLOAD (realm-core's soft batch limit) and a one-object one. */
  @Param({"131072", "160"})
  public int size;

  private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private ByteBuffer message;
  private ByteBuf maskedFrame;
  private EmbeddedChannel server;

  @Setup
  public void setUp() {
    byte[] bytes = new byte[size];
    new Random(0).nextBytes(bytes);
    message = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    ByteBuf frame = Frames.binary(alloc, message, true);
    maskedFrame = alloc.directBuffer(frame.readableBytes());
    maskedFrame.writeBytes(frame);
    frame.release();
    server = new EmbeddedChannel(new FrameDecoder(true, 16 << 20));
  }

  @TearDown
  public void tearDown() {
    maskedFrame.release();
    server.finishAndReleaseAll();
  }

  /** The client: mask the message into a new frame (released, as after the socket write). */
  @Benchmark
  public int mask() {
    ByteBuf frame = Frames.binary(alloc, message, true);
    int n = frame.readableBytes();
    frame.release();
    return n;
  }

  /**
   * The server: decode and unmask one frame that arrived in one read. The decoder unmasks in place,
   * so each call hands it a fresh copy of the masked frame, as a socket read would (the copy is in
   * the figure: about what the kernel's copy into the read buffer costs).
   */
  @Benchmark
  public int unmask() {
    ByteBuf read = alloc.directBuffer(maskedFrame.readableBytes());
    read.writeBytes(maskedFrame, maskedFrame.readerIndex(), maskedFrame.readableBytes());
    server.writeInbound(read);
    WebSocketFrame frame = server.readInbound();
    int n = frame.content().getByte(0) + frame.content().readableBytes();
    frame.release();
    return n;
  }
}
