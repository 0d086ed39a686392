package io.tributary.protocol.message;

import static io.tributary.protocol.message.CaptureReplayTest.toArray;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The byte strings of spec protocol.md §5, both ways: each example decodes to the value shown and
 * that value encodes to exactly the bytes shown. Names follow the spec sections.
 */
class SpecExamplesTest {
  private final MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);
  private final MessageEncoder encoder = new MessageEncoder(CodecConfig.DEFAULT);
  private final MessageBuffer out = new MessageBuffer();

  @AfterEach
  void close() {
    decoder.close();
    encoder.close();
  }

  // changeset.md §12.1: schema changeset of class Ping (35 bytes)
  static final byte[] SCHEMA_12_1 = hex(
      "3F 00 04 50 69 6E 67 3F 01 03 5F 69 64 00 00 02 01 01 00 3F 02 04 6E 6F 74 65 3F 03 00 "
          + "06 00 02 03 01 00");
  // changeset.md §12.2: two Ping objects (33 bytes)
  static final byte[] OBJECTS_12_2 = hex(
      "3F 00 04 50 69 6E 67 02 00 01 05 3F 01 04 6E 6F 74 65 04 00 01 05 01 00 03 02 68 69 00 "
          + "02 00 01 40");

  /** §5.5: the 135-byte UPLOAD of realm-core's UploadMessageBuilder. */
  static final byte[] UPLOAD_5_5 = concat(
      ascii("upload 1 0 112 0 3 0 0\n"),
      ascii("2 0 259604001718 0 35 "), SCHEMA_12_1,
      ascii("3 0 259604001718 0 33 "), OBJECTS_12_2);

  @Test
  void section5_1_bind() {
    byte[] wire = ascii("bind 1 37 0 1 0\n{\"schemaVersion\":0,\"sessionReason\":0}");
    BindMessage expected = BindMessage.flx(1, BindParameters.of(0), true);

    assertThat(decoder.decodeClientMessage(ByteBuffer.wrap(wire))).isEqualTo(expected);
    assertThat(encode(expected)).isEqualTo(wire);
    assertThat(expected.parameters()).isEqualTo(new BindParameters(0, 0, null));
  }

  @Test
  void section5_2_serverIdent() {
    byte[] wire = ascii("ident 1 2 2805127860634914349\n");
    ServerIdentMessage expected = new ServerIdentMessage(1, 2, 2805127860634914349L);

    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(wire))).isEqualTo(expected);
    assertThat(encode(expected)).isEqualTo(wire);
  }

  @Test
  void section5_3_clientIdentFirstTimeAndAfterReconnect() {
    byte[] first = ascii("ident 1 2 2805127860634914349 0 0 0 0 0 2\n{}");
    byte[] again = ascii("ident 1 2 2805127860634914349 3 8 3 6978798751382622285 0 2\n{}");
    ClientIdentMessage firstValue =
        new ClientIdentMessage(1, 2, 2805127860634914349L, 0, 0, 0, 0, 0, "{}");
    ClientIdentMessage againValue =
        new ClientIdentMessage(1, 2, 2805127860634914349L, 3, 8, 3, 6978798751382622285L, 0, "{}");

    assertThat(decoder.decodeClientMessage(ByteBuffer.wrap(first))).isEqualTo(firstValue);
    assertThat(decoder.decodeClientMessage(ByteBuffer.wrap(again))).isEqualTo(againValue);
    assertThat(encode(firstValue)).isEqualTo(first);
    assertThat(encode(againValue)).isEqualTo(again);
  }

  @Test
  void section5_4_mark() {
    byte[] wire = ascii("mark 1 1\n");
    assertThat(decoder.decodeClientMessage(ByteBuffer.wrap(wire))).isEqualTo(new MarkMessage(1, 1));
    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(wire))).isEqualTo(new MarkMessage(1, 1));
    assertThat(encode(new MarkMessage(1, 1))).isEqualTo(wire);
  }

  @Test
  void section5_5_uploadOf135BytesDecodes() {
    assertThat(UPLOAD_5_5).hasSize(135);
    UploadMessage m = (UploadMessage) decoder.decodeClientMessage(ByteBuffer.wrap(UPLOAD_5_5));

    assertThat(m.sessionIdent()).isEqualTo(1);
    assertThat(m.progressClientVersion()).isEqualTo(3);
    assertThat(m.progressServerVersion()).isZero();
    assertThat(m.lockedServerVersion()).isZero();
    assertThat(m.entries()).hasSize(2);
    assertThat(m.entries().get(0).clientVersion()).isEqualTo(2);
    assertThat(m.entries().get(0).originTimestamp()).isEqualTo(259604001718L);
    assertThat(toArray(m.entries().get(0).changeset())).isEqualTo(SCHEMA_12_1);
    assertThat(m.entries().get(1).clientVersion()).isEqualTo(3);
    assertThat(toArray(m.entries().get(1).changeset())).isEqualTo(OBJECTS_12_2);
  }

  @Test
  void section5_5_uploadOf135BytesEncodesWithTheBuilderAndTheEncoder() {
    try (UploadBuilder builder = new UploadBuilder(CodecConfig.DEFAULT)) {
      ByteBuffer built = builder.begin(out)
          .addEntry(2, 0, 259604001718L, 0, ByteBuffer.wrap(SCHEMA_12_1))
          .addEntry(3, 0, 259604001718L, 0, ByteBuffer.wrap(OBJECTS_12_2))
          .finish(1, 3, 0, 0);
      assertThat(toArray(built)).isEqualTo(UPLOAD_5_5);
      assertThat(builder.isBodyCompressed()).isFalse();
    }
    UploadMessage value = new UploadMessage(1, 3, 0, 0, List.of(
        new UploadMessage.Entry(2, 0, 259604001718L, 0, ByteBuffer.wrap(SCHEMA_12_1)),
        new UploadMessage.Entry(3, 0, 259604001718L, 0, ByteBuffer.wrap(OBJECTS_12_2))));
    assertThat(encode(value)).isEqualTo(UPLOAD_5_5);
  }

  @Test
  void section5_6_downloadsAcceptedByRealmCore() {
    byte[] afterIdent = ascii("download 1 0 0 0 0 0 0 0 2 1 0 0 0\n");
    byte[] ack = ascii("download 1 3 8 3 6978798751382622285 10 0 0 2 1 0 0 0\n");
    DownloadMessage afterIdentValue = DownloadMessage.acknowledgement(1, 0, 0, 0, 0, 0, 0, 0);
    DownloadMessage ackValue =
        DownloadMessage.acknowledgement(1, 3, 8, 3, 6978798751382622285L, 10, 0, 0);

    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(afterIdent)))
        .isEqualTo(afterIdentValue);
    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(ack))).isEqualTo(ackValue);
    assertThat(encode(afterIdentValue)).isEqualTo(afterIdent);
    assertThat(encode(ackValue)).isEqualTo(ack);
  }

  @Test
  void section5_6_bootstrapWithOneEmptyEntryEndsWithASpace() {
    byte[] body = ascii("1 0 375352805332 1 0 0 ");
    assertThat(body).hasSize(23);
    byte[] wire = concat(
        ascii("download 1 1 0 1 6562133386755048056 0 0 0 1 1 0 23 0\n"), body);
    DownloadMessage value = new DownloadMessage(1, 1, 0, 1, 6562133386755048056L, 0, 0, 0,
        DownloadMessage.BatchState.LAST_IN_BATCH, 1.0,
        List.of(new DownloadMessage.Entry(1, 0, 375352805332L, 1, 0, ByteBuffer.allocate(0))));

    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(wire))).isEqualTo(value);
    assertThat(encode(value)).isEqualTo(wire);
  }

  @Test
  void section5_8_pingPong() {
    byte[] ping = ascii("ping 123456 0\n");
    byte[] pong = ascii("pong 123456\n");
    assertThat(decoder.decodeClientMessage(ByteBuffer.wrap(ping)))
        .isEqualTo(new PingMessage(123456, 0));
    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(pong)))
        .isEqualTo(new PongMessage(123456));
    assertThat(encode(new PingMessage(123456, 0))).isEqualTo(ping);
    assertThat(encode(new PongMessage(123456))).isEqualTo(pong);
  }

  @Test
  void section5_9_error() {
    byte[] wire = ascii("error 201 4 1 1\nbusy");
    ErrorMessage value = new ErrorMessage(201, "busy", true, 1);
    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(wire))).isEqualTo(value);
    assertThat(encode(value)).isEqualTo(wire);
    assertThat(value.error()).isEqualTo(ProtocolError.OTHER_SESSION_ERROR);
  }

  @Test
  void section5_10_jsonErrorWithBackoff() {
    String json = "{\"action\":\"Transient\",\"isRecoveryModeDisabled\":false,\"logURL\":\"\","
        + "\"message\":\"server busy, retry\",\"shouldClientReset\":false,\"tryAgain\":true,"
        + "\"backoffIntervalSec\":2,\"backoffMaxDelaySec\":10,\"backoffMultiplier\":2}";
    byte[] wire = ascii("json_error 201 207 1\n" + json);
    JsonErrorMessage value = new JsonErrorMessage(201, 1,
        JsonErrorBody.of(ErrorAction.TRANSIENT, "server busy, retry", true)
            .withBackoff(new JsonErrorBody.Backoff(2, 10, 2)));

    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(wire))).isEqualTo(value);
    assertThat(encode(value)).isEqualTo(wire);
    assertThat(value.body().action()).isEqualTo(ErrorAction.TRANSIENT);
  }

  @Test
  void section5_10_jsonErrorMissingRequiredKeysIsRejectedLikeRealmCoreDoes() {
    String json = "{\"action\":\"Transient\",\"message\":\"busy\",\"tryAgain\":true}";
    byte[] wire = ascii("json_error 201 " + json.length() + " 1\n" + json);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> decoder.decodeServerMessage(ByteBuffer.wrap(wire)))
        .isInstanceOf(io.tributary.protocol.ProtocolException.class)
        .hasMessageContaining("json_error.body")
        .hasMessageContaining("missing key 'isRecoveryModeDisabled'");
  }

  @Test
  void section5_10_clientJsonError() {
    byte[] wire = ascii("json_error 212 20 1\n{\"message\":\"bad cs\"}");
    ClientJsonErrorMessage value = new ClientJsonErrorMessage(212, 1, "bad cs");
    assertThat(decoder.decodeClientMessage(ByteBuffer.wrap(wire))).isEqualTo(value);
    assertThat(encode(value)).isEqualTo(wire);
  }

  @Test
  void section5_11_queryAndQueryError() {
    byte[] query = ascii("query 1 1 29\n{\"Reading\":\"(TRUEPREDICATE)\"}");
    QueryMessage queryValue = new QueryMessage(1, 1, "{\"Reading\":\"(TRUEPREDICATE)\"}");
    assertThat(decoder.decodeClientMessage(ByteBuffer.wrap(query))).isEqualTo(queryValue);
    assertThat(encode(queryValue)).isEqualTo(query);

    byte[] error = ascii("query_error 226 9 1 1\nbad query");
    QueryErrorMessage errorValue = new QueryErrorMessage(226, "bad query", 1, 1);
    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(error))).isEqualTo(errorValue);
    assertThat(encode(errorValue)).isEqualTo(error);
  }

  @Test
  void section5_12_logMessage() {
    byte[] wire = ascii("log_message 0 44\n{\"co_id\":\"abc\",\"level\":\"info\",\"msg\":\"hello\"}");
    LogMessage value = new LogMessage(0, LogMessage.Level.INFO, "hello", "abc");
    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(wire))).isEqualTo(value);
    assertThat(encode(value)).isEqualTo(wire);
  }

  @Test
  void section5_7_unbindUnbound() {
    assertThat(encode(new UnbindMessage(1))).isEqualTo(ascii("unbind 1\n"));
    assertThat(encode(new UnboundMessage(1))).isEqualTo(ascii("unbound 1\n"));
    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(ascii("unbound 1\n"))))
        .isEqualTo(new UnboundMessage(1));
  }

  @Test
  void section5_13_testCommandIsRecognisedBothWays() {
    byte[] wire = ascii("test_command 1 7 2\n{}");
    TestCommandMessage value = new TestCommandMessage(1, 7, "{}");
    assertThat(decoder.decodeClientMessage(ByteBuffer.wrap(wire))).isEqualTo(value);
    assertThat(decoder.decodeServerMessage(ByteBuffer.wrap(wire))).isEqualTo(value);
    assertThat(encode(value)).isEqualTo(wire);
  }

  @Test
  void section9_3_bootstrapShapeFromAServerEncodesWithNoCompression() {
    DownloadMessage bootstrap = new DownloadMessage(1, 1, 9, 1, 77, 9, 0, 0,
        DownloadMessage.BatchState.LAST_IN_BATCH, 1.0,
        List.of(new DownloadMessage.Entry(1, 9, 400000000000L, 1, 0, ByteBuffer.allocate(0))));
    assertThat(new String(encode(bootstrap), StandardCharsets.US_ASCII))
        .isEqualTo("download 1 1 9 1 77 9 0 0 1 1 0 23 0\n1 9 400000000000 1 0 0 ");
  }

  private byte[] encode(Message m) {
    return toArray(encoder.encode(m, out));
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }
}
