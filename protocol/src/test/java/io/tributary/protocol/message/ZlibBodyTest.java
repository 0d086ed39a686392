package io.tributary.protocol.message;

import static io.tributary.protocol.message.CaptureReplayTest.toArray;
import static io.tributary.protocol.message.MalformedInputTest.assertFails;
import static io.tributary.protocol.message.MalformedInputTest.catchProtocol;
import static io.tributary.protocol.message.SpecExamplesTest.ascii;
import static io.tributary.protocol.message.SpecExamplesTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import io.tributary.protocol.testing.Captures;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Compressed bodies (spec §6): the inflater is bounded by the declared size and the configured
 * limit, and every way a zlib body can disagree with its header is a 110 bad_decompression.
 */
class ZlibBodyTest {
  private final MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);

  @AfterEach
  void close() {
    decoder.close();
  }

  /** An uncompressed body of realm-core entries (the multi-transaction vector's), 496 bytes. */
  private static byte[] body() {
    byte[] upload = Captures.message("upload_multi_transaction.upload.bin");
    int lf = 0;
    while (upload[lf] != '\n') {
      lf++;
    }
    return Arrays.copyOfRange(upload, lf + 1, upload.length);
  }

  private static byte[] zlib(byte[] data) {
    Deflater d = new Deflater(1, false);
    d.setInput(data);
    d.finish();
    byte[] out = new byte[data.length + 64];
    int n = d.deflate(out);
    d.end();
    return Arrays.copyOf(out, n);
  }

  private static byte[] upload(long declared, byte[] compressed, int compressedField) {
    return concat(ascii("upload 1 1 " + declared + " " + compressedField + " 5 0 0\n"),
        compressed);
  }

  /** Offset of the body: the header line's length. */
  private static long bodyOffset(byte[] msg) {
    int i = 0;
    while (msg[i] != '\n') {
      i++;
    }
    return i + 1;
  }

  private ClientMessage decode(byte[] msg) {
    return decoder.decodeClientMessage(ByteBuffer.wrap(msg));
  }

  @Test
  void validCompressedBodyDecodes() {
    byte[] body = body();
    byte[] z = zlib(body);
    UploadMessage m = (UploadMessage) decode(upload(body.length, z, z.length));
    assertThat(m.entries()).hasSize(4);
  }

  @Test
  void truncatedZlib() {
    byte[] body = body();
    byte[] z = Arrays.copyOf(zlib(body), 40);
    assertFails(() -> decode(upload(body.length, z, z.length)), ProtocolError.BAD_DECOMPRESSION,
        "upload.body", bodyOffset(upload(body.length, z, z.length))).hasMessageContaining("truncated");
  }

  @Test
  void zlibMissingOnlyItsChecksum() {
    byte[] body = body();
    byte[] full = zlib(body);
    byte[] z = Arrays.copyOf(full, full.length - 4);
    assertFails(() -> decode(upload(body.length, z, z.length)), ProtocolError.BAD_DECOMPRESSION,
        "upload.body", bodyOffset(upload(body.length, z, z.length))).hasMessageContaining("truncated");
  }

  @Test
  void zlibWithTrailingGarbage() {
    byte[] body = body();
    byte[] z = concat(zlib(body), new byte[] {1, 2, 3});
    assertFails(() -> decode(upload(body.length, z, z.length)), ProtocolError.BAD_DECOMPRESSION,
        "upload.body", bodyOffset(upload(body.length, z, z.length))).hasMessageContaining("3 bytes after the end of the zlib stream");
  }

  @Test
  void compressedSizeDisagreesWithTheBytesPresent() {
    byte[] body = body();
    byte[] z = zlib(body);
    assertFails(() -> decode(upload(body.length, z, z.length + 1)),
        ProtocolError.BAD_DECOMPRESSION, "upload.compressed_body_size", 15)
        .hasMessageContaining("but " + z.length + " bytes follow the header");
  }

  @Test
  void zlibInflatingToFewerBytesThanDeclared() {
    byte[] body = body();
    byte[] z = zlib(body);
    assertFails(() -> decode(upload(body.length + 10, z, z.length)),
        ProtocolError.BAD_DECOMPRESSION, "upload.body", bodyOffset(upload(body.length + 10, z, z.length)))
        .hasMessageContaining("inflates to " + body.length + " bytes");
  }

  @Test
  void zlibInflatingToMoreBytesThanDeclared() {
    byte[] body = body();
    byte[] z = zlib(body);
    assertFails(() -> decode(upload(body.length - 10, z, z.length)),
        ProtocolError.BAD_DECOMPRESSION, "upload.body", bodyOffset(upload(body.length - 10, z, z.length)))
        .hasMessageContaining("inflates to more than " + (body.length - 10) + " bytes");
  }

  @Test
  void corruptZlibData() {
    byte[] z = new byte[200];
    new Random(7).nextBytes(z);
    z[0] = 0x78; // a valid zlib header, then garbage
    z[1] = 0x01;
    ProtocolException e = catchProtocol(() -> decode(upload(1000, z, z.length)));
    assertThat(e.error()).isEqualTo(ProtocolError.BAD_DECOMPRESSION);
    assertThat(e.field()).isEqualTo("upload.body");
  }

  @Test
  void rawDeflateWithoutTheZlibWrapperIsRefused() {
    byte[] body = body();
    Deflater d = new Deflater(1, true);
    d.setInput(body);
    d.finish();
    byte[] raw = new byte[body.length + 64];
    int n = d.deflate(raw);
    d.end();
    byte[] z = Arrays.copyOf(raw, n);
    assertFails(() -> decode(upload(body.length, z, z.length)), ProtocolError.BAD_DECOMPRESSION,
        "upload.body", bodyOffset(upload(body.length, z, z.length)));
  }

  @Test
  void gzipIsRefused() throws Exception {
    byte[] body = body();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(body);
    }
    byte[] z = gz.toByteArray();
    assertFails(() -> decode(upload(body.length, z, z.length)), ProtocolError.BAD_DECOMPRESSION,
        "upload.body", bodyOffset(upload(body.length, z, z.length)));
  }

  @Test
  void zlibBombFailsAtTheDeclaredSizeWithBoundedMemory() {
    // ~1 MB of zlib that inflates to 1 GiB, declaring 8 MiB (under the 32 MiB limit)
    byte[] bomb = bomb(1024);
    assertThat(bomb.length).isLessThan(2 * 1024 * 1024);
    int declared = 8 * 1024 * 1024;
    byte[] msg = upload(declared, bomb, bomb.length);

    long before = allocatedBytes();
    ProtocolException e = catchProtocol(() -> decode(msg));
    long allocated = allocatedBytes() - before;

    assertThat(e.error()).isEqualTo(ProtocolError.BAD_DECOMPRESSION);
    assertThat(e).hasMessageContaining("inflates to more than " + declared + " bytes");
    // the inflate target grows by doubling up to the declared size: at most ~2x declared
    assertThat(allocated).as("bytes allocated").isLessThan(3L * declared);
  }

  @Test
  void declaredSizeAboveTheLimitIsRefusedBeforeInflating() {
    byte[] bomb = bomb(4);
    long declared = 1L << 40;
    long before = allocatedBytes();
    ProtocolException e = catchProtocol(() -> decode(upload(declared, bomb, bomb.length)));
    long allocated = allocatedBytes() - before;

    assertThat(e.error()).isEqualTo(ProtocolError.OTHER_SESSION_ERROR);
    assertThat(e.field()).isEqualTo("upload.uncompressed_body_size");
    assertThat(e).hasMessageContaining("checked before inflating");
    assertThat(allocated).as("bytes allocated").isLessThan(1024 * 1024);
  }

  @Test
  void aLyingDeclaredSizeCostsOnlyWhatTheStreamProduces() {
    CodecConfig big = CodecConfig.newBuilder().maxBodySize(Integer.MAX_VALUE).build();
    byte[] z = zlib(ascii("2 0 1 0 1 A"));
    try (MessageDecoder d = new MessageDecoder(big)) {
      long before = allocatedBytes();
      ProtocolException e = catchProtocol(
          () -> d.decodeClientMessage(ByteBuffer.wrap(upload(1_000_000_000, z, z.length))));
      long allocated = allocatedBytes() - before;
      assertThat(e.error()).isEqualTo(ProtocolError.BAD_DECOMPRESSION);
      assertThat(e).hasMessageContaining("inflates to 11 bytes");
      assertThat(allocated).as("bytes allocated").isLessThan(1024 * 1024);
    }
  }

  @Test
  void compressedDownloadRoundTrips() {
    byte[] cs = new byte[5000]; // compressible
    Arrays.fill(cs, (byte) 'a');
    DownloadMessage m = new DownloadMessage(1, 2, 0, 2, 99, 0, 0, 0,
        DownloadMessage.BatchState.STEADY_STATE, 1.0,
        List.of(new DownloadMessage.Entry(2, 0, 1, 7, 5000, ByteBuffer.wrap(cs))));
    try (MessageEncoder encoder = new MessageEncoder(CodecConfig.DEFAULT);
        DownloadCursor cursor = new DownloadCursor(CodecConfig.DEFAULT)) {
      byte[] wire = toArray(encoder.encode(m, new MessageBuffer()));
      cursor.wrap(ByteBuffer.wrap(wire));
      assertThat(cursor.isBodyCompressed()).isTrue();
      assertThat(cursor.compressedBodySize()).isLessThan(200);
      assertThat(cursor.toMessage()).isEqualTo(m);
      assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(wire))).isEqualTo(m);
    }
  }

  @Test
  void directBufferInputInflates() {
    byte[] body = body();
    byte[] z = zlib(body);
    byte[] msg = upload(body.length, z, z.length);
    ByteBuffer direct = ByteBuffer.allocateDirect(msg.length).put(msg).flip();
    UploadMessage m = (UploadMessage) decoder.decodeClientMessage(direct);
    assertThat(m.entries()).hasSize(4);
    assertThat(direct.position()).isZero();
  }

  /**
   * A valid zlib stream of {@code mib} MiB of zeros: one full-flushed deflate block of 1 MiB of
   * zeros (identical every time, as a full flush resets the state) repeated, then an empty final
   * block and the Adler-32 of the zeros. Costs one 1 MiB deflate, not {@code mib} of them.
   */
  static byte[] bomb(int mib) {
    byte[] zeros = new byte[1024 * 1024];
    Deflater d = new Deflater(9, true);
    byte[] buf = new byte[64 * 1024];
    d.setInput(zeros);
    int n = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
    byte[] chunk = Arrays.copyOf(buf, n);
    d.setInput(zeros);
    int n2 = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
    d.end();
    assertThat(Arrays.copyOf(buf, n2)).as("full-flushed chunks repeat").isEqualTo(chunk);
    ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length * mib + 16);
    out.write(0x78);
    out.write(0x01);
    for (int i = 0; i < mib; i++) {
      out.writeBytes(chunk);
    }
    out.writeBytes(new byte[] {0x03, 0x00}); // empty final fixed-Huffman block
    long total = (long) mib * zeros.length;
    long adler = ((total % 65521) << 16) | 1; // Adler-32 of zeros: a = 1, b = n mod 65521
    out.write((int) (adler >>> 24));
    out.write((int) (adler >>> 16));
    out.write((int) (adler >>> 8));
    out.write((int) adler);
    return out.toByteArray();
  }

  @Test
  void theBombHelperMakesAValidStream() throws Exception {
    byte[] b = bomb(3);
    java.util.zip.Inflater inf = new java.util.zip.Inflater();
    inf.setInput(b);
    byte[] out = new byte[1024 * 1024];
    long total = 0;
    while (!inf.finished()) {
      int n = inf.inflate(out);
      assertThat(n > 0 || inf.finished()).isTrue();
      total += n;
    }
    inf.end();
    assertThat(total).isEqualTo(3L * 1024 * 1024);
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }
}
