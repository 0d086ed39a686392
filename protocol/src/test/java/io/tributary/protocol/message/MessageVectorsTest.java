package io.tributary.protocol.message;

import static io.tributary.protocol.message.CaptureReplayTest.toArray;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.testing.Captures;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The single-message vectors produced by realm-core's codec: decode to the expected values, and
 * the values (or the builder fed with the raw changeset files) encode to the same bytes.
 */
class MessageVectorsTest {
  private final MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);
  private final MessageEncoder encoder = new MessageEncoder(CodecConfig.DEFAULT);
  private final MessageBuffer out = new MessageBuffer();

  @AfterEach
  void close() {
    decoder.close();
    encoder.close();
  }

  @Test
  void clientMessageVectorsDecodeToTheirValues() {
    assertThat(decode("msg_bind_flx.bin"))
        .isEqualTo(new BindMessage(1, "{\"schemaVersion\":0,\"sessionReason\":0}", "", true, false));
    assertThat(decode("msg_ident_flx.bin"))
        .isEqualTo(new ClientIdentMessage(1, 1, 1234567890123456789L, 0, 0, 0, 0, 0, "{}"));
    assertThat(decode("msg_mark.bin")).isEqualTo(new MarkMessage(1, 1));
    assertThat(decode("msg_ping.bin")).isEqualTo(new PingMessage(123456, 0));
    assertThat(decode("msg_query.bin"))
        .isEqualTo(new QueryMessage(1, 1, "{\"Reading\":\"(TRUEPREDICATE)\"}"));
    assertThat(decode("msg_unbind.bin")).isEqualTo(new UnbindMessage(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "msg_bind_flx.bin", "msg_ident_flx.bin", "msg_mark.bin", "msg_ping.bin", "msg_query.bin",
    "msg_unbind.bin"
  })
  void clientMessageVectorReEncodesToTheSameBytes(String file) {
    byte[] bytes = Captures.message(file);
    assertThat(toArray(encoder.encode(decode(file), out))).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "embedded_object", "list_of_embedded", "pk_int", "pk_objectid", "pk_string", "pk_uuid",
    "transaction_100_objects"
  })
  void uploadVectorCarriesTheSchemaThenTheDataChangeset(String name) {
    byte[] upload = Captures.message(name + ".upload.bin");
    byte[] schema = Captures.message(name + ".schema.bin");
    byte[] data = Captures.message(name + ".bin");

    UploadMessage m = (UploadMessage) decoder.decodeClientMessage(ByteBuffer.wrap(upload));
    assertThat(m.entries()).hasSize(2);
    assertThat(toArray(m.entries().get(0).changeset())).isEqualTo(schema);
    assertThat(toArray(m.entries().get(1).changeset())).isEqualTo(data);
    assertThat(m.entries()).extracting(UploadMessage.Entry::clientVersion).containsExactly(2L, 3L);
    assertThat(m.entries()).extracting(UploadMessage.Entry::originTimestamp)
        .containsOnly(283996800000L);

    // the builder, fed with the raw changeset files, produces realm-core's bytes (compressed or
    // not, by the same rule and with the same zlib level)
    try (UploadBuilder builder = new UploadBuilder(CodecConfig.DEFAULT)) {
      ByteBuffer built = builder.begin(out)
          .addEntry(2, 0, 283996800000L, 0, ByteBuffer.wrap(schema))
          .addEntry(3, 0, 283996800000L, 0, ByteBuffer.wrap(data))
          .finish(m.sessionIdent(), m.progressClientVersion(), m.progressServerVersion(),
              m.lockedServerVersion());
      assertThat(toArray(built)).isEqualTo(upload);
    }
  }

  @Test
  void compressedUploadVectorInflatesToItsUncompressedTwin() {
    byte[] compressed = Captures.message("transaction_100_objects.upload.bin");
    try (UploadCursor cursor = new UploadCursor(CodecConfig.DEFAULT);
        MessageEncoder plain = new MessageEncoder(
            CodecConfig.newBuilder().compressionEnabled(false).build())) {
      cursor.wrap(ByteBuffer.wrap(compressed));
      assertThat(cursor.isBodyCompressed()).isTrue();
      assertThat(cursor.uncompressedBodySize()).isEqualTo(9643);
      assertThat(cursor.compressedBodySize()).isEqualTo(1867);
      UploadMessage inflated = cursor.toMessage();

      // the same entries written without compression: the twin realm-core would send for a
      // body under the threshold
      byte[] twin = toArray(plain.encode(inflated, out));
      UploadCursor twinCursor = new UploadCursor(CodecConfig.DEFAULT);
      twinCursor.wrap(ByteBuffer.wrap(twin));
      assertThat(twinCursor.isBodyCompressed()).isFalse();
      assertThat(twinCursor.uncompressedBodySize()).isEqualTo(9643);
      cursor.rewind();
      while (cursor.next()) {
        assertThat(twinCursor.next()).isTrue();
        assertThat(twinCursor.clientVersion()).isEqualTo(cursor.clientVersion());
        assertThat(twinCursor.originTimestamp()).isEqualTo(cursor.originTimestamp());
        assertThat(twinCursor.changeset()).isEqualTo(cursor.changeset());
      }
      assertThat(twinCursor.next()).isFalse();
      twinCursor.close();
    }
  }

  @Test
  void multiTransactionUploadCarriesItsFourChangesets() {
    byte[] upload = Captures.message("upload_multi_transaction.upload.bin");
    UploadMessage m = (UploadMessage) decoder.decodeClientMessage(ByteBuffer.wrap(upload));
    assertThat(m.entries()).extracting(UploadMessage.Entry::clientVersion)
        .containsExactly(2L, 3L, 4L, 5L);
    for (int i = 0; i < 4; i++) {
      assertThat(toArray(m.entries().get(i).changeset()))
          .as("cs%d", i)
          .isEqualTo(Captures.message("upload_multi_transaction.cs" + i + ".bin"));
    }
    assertThat(m.progressClientVersion()).isEqualTo(5);

    try (UploadBuilder builder = new UploadBuilder(CodecConfig.DEFAULT)) {
      builder.begin(out);
      for (int i = 0; i < 4; i++) {
        // direct buffers, as an LMDB-backed log hands them out
        byte[] cs = Captures.message("upload_multi_transaction.cs" + i + ".bin");
        ByteBuffer direct = ByteBuffer.allocateDirect(cs.length).put(cs).flip();
        builder.addEntry(2 + i, 0, 283996800000L, 0, direct);
        assertThat(direct.position()).as("changeset position untouched").isZero();
      }
      assertThat(toArray(builder.finish(1, 5, 0, 0))).isEqualTo(upload);
    }
  }

  @Test
  void uploadEntriesAreViewsOfTheMessageNotCopies() {
    byte[] upload = Captures.message("pk_int.upload.bin");
    ByteBuffer in = ByteBuffer.wrap(upload);
    UploadMessage m = (UploadMessage) decoder.decodeClientMessage(in);
    ByteBuffer cs = m.entries().get(0).changeset();
    assertThat(cs.isReadOnly()).isTrue();
    byte before = cs.get(0);
    int first = indexOf(upload, toArray(cs));
    assertThat(first).isPositive();
    upload[first] = (byte) (before + 1); // change the message: the view sees it
    assertThat(m.entries().get(0).changeset().get(0)).isEqualTo((byte) (before + 1));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private ClientMessage decode(String file) {
    return decoder.decodeClientMessage(ByteBuffer.wrap(Captures.message(file)));
  }
}
