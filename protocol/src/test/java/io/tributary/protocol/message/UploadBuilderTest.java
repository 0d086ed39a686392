package io.tributary.protocol.message;

import static io.tributary.protocol.message.CaptureReplayTest.toArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The UPLOAD builder: exact sizes, realm-core's compression rule, order checks, reuse. */
class UploadBuilderTest {
  private final UploadBuilder builder = new UploadBuilder(CodecConfig.DEFAULT);
  private final UploadCursor cursor = new UploadCursor(CodecConfig.DEFAULT);
  private final MessageBuffer out = new MessageBuffer(16);

  @AfterEach
  void close() {
    builder.close();
    cursor.close();
  }

  /** A body of exactly {@code bodySize} bytes: one entry "1 0 0 0 <n> " plus n bytes of 'a'. */
  private ByteBuffer oneEntryWithBody(int bodySize) {
    int n = bodySize - 8;
    String prefix = "1 0 0 0 " + n + " ";
    n = bodySize - prefix.length();
    assertThat(("1 0 0 0 " + n + " ").length()).isEqualTo(prefix.length());
    byte[] cs = new byte[n];
    Arrays.fill(cs, (byte) 'a');
    builder.begin(out).addEntry(1, 0, 0, 0, ByteBuffer.wrap(cs));
    assertThat(builder.bodySize()).isEqualTo(bodySize);
    return builder.finish(1, 1, 0, 0);
  }

  @Test
  void bodyOf1024BytesIsNotCompressed() {
    ByteBuffer msg = oneEntryWithBody(1024);
    assertThat(builder.isBodyCompressed()).isFalse();
    assertThat(new String(toArray(msg), 0, 22, StandardCharsets.US_ASCII))
        .isEqualTo("upload 1 0 1024 0 1 0 ");
  }

  @Test
  void bodyOf1025CompressibleBytesIsCompressed() {
    ByteBuffer msg = oneEntryWithBody(1025);
    assertThat(builder.isBodyCompressed()).isTrue();
    cursor.wrap(msg);
    assertThat(cursor.isBodyCompressed()).isTrue();
    assertThat(cursor.uncompressedBodySize()).isEqualTo(1025);
    assertThat(cursor.compressedBodySize()).isEqualTo(msg.remaining() - headerLength(msg));
    assertThat(cursor.next()).isTrue();
    assertThat(cursor.changesetSize()).isEqualTo(1025 - "1 0 0 0 1017 ".length());
  }

  @Test
  void incompressibleBodyIsSentUncompressed() {
    byte[] cs = new byte[4000];
    new Random(1).nextBytes(cs);
    ByteBuffer msg = builder.begin(out).addEntry(5, 0, 9, 0, ByteBuffer.wrap(cs)).finish(1, 5, 0, 0);
    assertThat(builder.isBodyCompressed()).isFalse();
    cursor.wrap(msg);
    assertThat(cursor.uncompressedBodySize()).isEqualTo(4000 + "5 0 9 0 4000 ".length());
    assertThat(cursor.next()).isTrue();
    assertThat(toArray(cursor.changeset())).isEqualTo(cs);
  }

  @Test
  void compressionCanBeDisabled() {
    try (UploadBuilder plain =
        new UploadBuilder(CodecConfig.newBuilder().compressionEnabled(false).build())) {
      byte[] cs = new byte[5000];
      plain.begin(out).addEntry(1, 0, 0, 0, ByteBuffer.wrap(cs)).finish(1, 1, 0, 0);
      assertThat(plain.isBodyCompressed()).isFalse();
    }
  }

  @Test
  void emptyUploadCarriesProgressOnly() {
    ByteBuffer msg = builder.begin(out).finish(1, 10, 1, 1);
    assertThat(toArray(msg)).isEqualTo("upload 1 0 0 0 10 1 1\n".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void bufferIsReusedAcrossMessagesOfDifferentSizes() {
    byte[] big = new byte[3000];
    new Random(2).nextBytes(big);
    builder.begin(out).addEntry(1, 0, 0, 0, ByteBuffer.wrap(big)).finish(1, 1, 0, 0);
    int capacity = out.capacity();
    ByteBuffer small = builder.begin(out)
        .addEntry(2, 0, 7, 0, ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .finish(1, 2, 0, 0);
    assertThat(toArray(small)).isEqualTo(
        concatAscii("upload 1 0 13 0 2 0 0\n2 0 7 0 3 ", new byte[] {1, 2, 3}));
    assertThat(out.capacity()).isEqualTo(capacity);
    assertThat(out.length()).isEqualTo(small.remaining());
  }

  @Test
  void largestValuesFitTheHeaderReserve() {
    long max = Long.MAX_VALUE;
    ByteBuffer msg = builder.begin(out)
        .addEntry(max, max, max, max, ByteBuffer.wrap(new byte[0]))
        .finish(max, max, max, max);
    cursor.wrap(msg);
    assertThat(cursor.sessionIdent()).isEqualTo(max);
    assertThat(cursor.lockedServerVersion()).isEqualTo(max);
    assertThat(cursor.next()).isTrue();
    assertThat(cursor.originFileIdent()).isEqualTo(max);
    assertThat(cursor.changesetSize()).isZero();
  }

  @Test
  void clientVersionsMustIncrease() {
    builder.begin(out).addEntry(5, 0, 0, 0, ByteBuffer.allocate(1));
    assertThatThrownBy(() -> builder.addEntry(5, 0, 0, 0, ByteBuffer.allocate(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("client_version: 5 (expected: greater than the previous entry's 5)");
  }

  @Test
  void lastIntegratedServerVersionsMustNotDecrease() {
    builder.begin(out).addEntry(5, 3, 0, 0, ByteBuffer.allocate(1));
    assertThatThrownBy(() -> builder.addEntry(6, 2, 0, 0, ByteBuffer.allocate(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("last_integrated_server_version: 2");
  }

  @Test
  void progressMustCoverTheLastEntry() {
    builder.begin(out).addEntry(5, 0, 0, 0, ByteBuffer.allocate(1));
    assertThatThrownBy(() -> builder.finish(1, 4, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("progress_client_version: 4");
  }

  @Test
  void negativeNumbersAreRefused() {
    builder.begin(out);
    assertThatThrownBy(() -> builder.addEntry(1, 0, -1, 0, ByteBuffer.allocate(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("origin_timestamp: -1 (expected: 0..9223372036854775807)");
  }

  @Test
  void addingWithoutBeginIsAStateError() {
    assertThatThrownBy(() -> builder.addEntry(1, 0, 0, 0, ByteBuffer.allocate(1)))
        .isInstanceOf(IllegalStateException.class);
    builder.begin(out).finish(1, 0, 0, 0);
    assertThatThrownBy(() -> builder.finish(1, 0, 0, 0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void changesetPositionAndLimitAreRespectedAndUnchanged() {
    ByteBuffer cs = ByteBuffer.wrap(new byte[] {9, 9, 1, 2, 3, 9});
    cs.position(2).limit(5);
    ByteBuffer msg = builder.begin(out).addEntry(1, 0, 0, 0, cs).finish(1, 1, 0, 0);
    assertThat(cs.position()).isEqualTo(2);
    assertThat(cs.limit()).isEqualTo(5);
    cursor.wrap(msg);
    cursor.next();
    assertThat(toArray(cursor.changeset())).containsExactly(1, 2, 3);
  }

  @Test
  void changesetWithArrayGivesArrayAccessToTheSameBytesForHeapBodiesPlainAndInflated() {
    ByteBuffer plain = builder.begin(out)
        .addEntry(1, 0, 0, 0, ByteBuffer.wrap(new byte[] {1}))
        .addEntry(2, 0, 0, 0, ByteBuffer.wrap(new byte[] {2, 2}))
        .finish(1, 2, 0, 0);
    byte[] copy = toArray(plain); // a heap message, as the server's edge hands over
    cursor.wrap(ByteBuffer.wrap(copy));
    assertThatThrownBy(cursor::changesetWithArray).isInstanceOf(IllegalStateException.class);
    cursor.next();
    ByteBuffer first = cursor.changesetWithArray();
    assertThat(first.hasArray()).isTrue();
    assertThat(first.array()).isSameAs(copy);
    assertThat(toArray(first)).containsExactly(1);
    cursor.next();
    assertThat(cursor.changesetWithArray()).isSameAs(first);
    assertThat(toArray(first)).containsExactly(2, 2).isEqualTo(toArray(cursor.changeset()));

    ByteBuffer compressed = oneEntryWithBody(1025);
    cursor.wrap(compressed);
    assertThat(cursor.isBodyCompressed()).isTrue();
    cursor.next();
    ByteBuffer inflated = cursor.changesetWithArray();
    assertThat(inflated.hasArray()).isTrue();
    assertThat(toArray(inflated)).hasSize(1025 - "1 0 0 0 1017 ".length())
        .isEqualTo(toArray(cursor.changeset()));

    // a direct message has no array: the read-only view it is
    ByteBuffer direct = ByteBuffer.allocateDirect(copy.length).put(copy).flip();
    cursor.wrap(direct);
    cursor.next();
    assertThat(cursor.changesetWithArray()).isSameAs(cursor.changeset());
    assertThat(toArray(cursor.changesetWithArray())).containsExactly(1);
  }

  @Test
  void cursorReusesOneChangesetViewAcrossEntries() {
    ByteBuffer msg = builder.begin(out)
        .addEntry(1, 0, 0, 0, ByteBuffer.wrap(new byte[] {1}))
        .addEntry(2, 0, 0, 0, ByteBuffer.wrap(new byte[] {2, 2}))
        .finish(1, 2, 0, 0);
    cursor.wrap(msg);
    cursor.next();
    ByteBuffer first = cursor.changeset();
    assertThat(first.isReadOnly()).isTrue();
    cursor.next();
    assertThat(cursor.changeset()).isSameAs(first);
    assertThat(toArray(first)).containsExactly(2, 2);
    assertThat(cursor.next()).isFalse();
    assertThatThrownBy(cursor::clientVersion).isInstanceOf(IllegalStateException.class);
    cursor.rewind();
    assertThat(cursor.next()).isTrue();
    assertThat(cursor.clientVersion()).isEqualTo(1);
  }

  private static int headerLength(ByteBuffer msg) {
    int i = msg.position();
    while (msg.get(i) != '\n') {
      i++;
    }
    return i + 1 - msg.position();
  }

  private static byte[] concatAscii(String s, byte[] b) {
    return SpecExamplesTest.concat(s.getBytes(StandardCharsets.US_ASCII), b);
  }
}
