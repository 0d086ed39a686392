package io.tributary.protocol.message;

import static io.tributary.protocol.message.SpecExamplesTest.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolException;
import io.tributary.protocol.testing.Captures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The smaller parts: configuration, the buffer, JSON bodies, peekType, cursor state. */
class CodecPartsTest {

  @Test
  void configDefaultsAndValidation() {
    CodecConfig c = CodecConfig.DEFAULT;
    assertThat(c.protocolVersion()).isEqualTo(14);
    assertThat(c.maxHeaderLength()).isEqualTo(512);
    assertThat(c.maxMessageSize()).isEqualTo(32 << 20);
    assertThat(c.maxBodySize()).isEqualTo(32 << 20);
    assertThat(c.maxChangesetSize()).isEqualTo(32 << 20);
    assertThat(c.maxTextBodySize()).isEqualTo(256 << 10);
    assertThat(c.compressionEnabled()).isTrue();
    assertThat(c.compressionThreshold()).isEqualTo(1024);
    assertThat(c.compressionLevel()).isEqualTo(1);
    assertThat(c.toString()).contains("maxHeaderLength=512", "compressionLevel=1");

    CodecConfig custom = c.toBuilder().protocolVersion(10).maxBodySize(5).build();
    assertThat(custom.protocolVersion()).isEqualTo(10);
    assertThat(custom.maxBodySize()).isEqualTo(5);
    assertThat(custom.maxMessageSize()).isEqualTo(c.maxMessageSize());

    CodecConfig.Builder b = CodecConfig.newBuilder();
    assertThatThrownBy(() -> b.protocolVersion(7))
        .hasMessage("protocol version: 7 (expected: 8..14)");
    assertThatThrownBy(() -> b.protocolVersion(15)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxHeaderLength(319))
        .hasMessage("maxHeaderLength: 319 (expected: 320..2147483647)");
    assertThatThrownBy(() -> b.maxMessageSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxTextBodySize(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.compressionLevel(10))
        .hasMessage("compressionLevel: 10 (expected: 0..9)");
  }

  @Test
  void messageBufferGrowsAndViewsItsMessage() {
    MessageBuffer buf = new MessageBuffer(0);
    buf.writeAscii(ascii("mark "));
    buf.writeDecimal(Long.MAX_VALUE);
    assertThat(new String(buf.toByteArray(), StandardCharsets.US_ASCII))
        .isEqualTo("mark 9223372036854775807");
    ByteBuffer view = buf.byteBuffer();
    assertThat(view.isReadOnly()).isTrue();
    assertThat(view.remaining()).isEqualTo(buf.length());
    assertThat(buf.byteBuffer()).isSameAs(view);
    buf.clear();
    assertThat(buf.length()).isZero();
    assertThat(buf.byteBuffer().remaining()).isZero();
    assertThatThrownBy(() -> new MessageBuffer(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decimalLengthAtEveryWidth() {
    long p = 1;
    for (int d = 1; d <= 18; d++) {
      assertThat(MessageBuffer.decimalLength(p)).as("10^%d", d - 1).isEqualTo(d);
      assertThat(MessageBuffer.decimalLength(p * 10 - 1)).isEqualTo(d);
      p *= 10;
    }
    assertThat(MessageBuffer.decimalLength(0)).isEqualTo(1);
    assertThat(MessageBuffer.decimalLength(Long.MAX_VALUE)).isEqualTo(19);
  }

  @Test
  void jsonErrorOfTheMockServerWithSpacesAndOtherKeyOrderParses() {
    Captures.Message m = Captures.serverMessages("12_json_error_after_upload").stream()
        .filter(x -> x.type().equals("json_error")).findFirst().orElseThrow();
    try (MessageDecoder d = new MessageDecoder(CodecConfig.DEFAULT)) {
      JsonErrorMessage e = (JsonErrorMessage) d.decodeServerMessage(m.buffer());
      assertThat(e.errorCode()).isEqualTo(212);
      assertThat(e.sessionIdent()).isEqualTo(1);
      assertThat(e.body()).isEqualTo(new JsonErrorBody("ApplicationBug", false,
          "http://127.0.0.1/log", "mock server: rejecting this UPLOAD", false, false, null));
      assertThat(e.body().action()).isEqualTo(ErrorAction.APPLICATION_BUG);
    }
  }

  @Test
  void jsonErrorBodyRoundTripsThroughJson() {
    JsonErrorBody body = new JsonErrorBody("ClientReset", true, "http://x/\u00e9", "a \"q\"\n",
        true, false, new JsonErrorBody.Backoff(1, 60, 2));
    assertThat(JsonErrorBody.parse(body.toJson())).isEqualTo(body);
    assertThat(JsonErrorBody.of(ErrorAction.WARNING, "w", true).toJson()).isEqualTo(
        "{\"action\":\"Warning\",\"isRecoveryModeDisabled\":false,\"logURL\":\"\",\"message\":\"w\","
            + "\"shouldClientReset\":false,\"tryAgain\":true}");
    assertThatThrownBy(() -> JsonErrorBody.of(ErrorAction.UNKNOWN, "x", true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jsonErrorMessageFactoryUsesTheRetryDefault() {
    JsonErrorMessage m = JsonErrorMessage.of(io.tributary.protocol.ProtocolError.BAD_SYNTAX, 0,
        ErrorAction.PROTOCOL_VIOLATION, "bad header");
    assertThat(m.errorCode()).isEqualTo(103);
    assertThat(m.body().tryAgain()).isFalse();
    assertThat(JsonErrorMessage.of(io.tributary.protocol.ProtocolError.CONNECTION_CLOSED, 0,
        ErrorAction.TRANSIENT, "shutdown").body().tryAgain()).isTrue();
  }

  @Test
  void bindParametersWithAMigratedPartitionKeepRealmCoresKeyOrder() {
    BindParameters p = new BindParameters(2, 1, "p1");
    assertThat(p.toJson())
        .isEqualTo("{\"migratedPartition\":\"p1\",\"schemaVersion\":2,\"sessionReason\":1}");
    assertThat(BindParameters.parse(p.toJson())).isEqualTo(p);
    assertThat(BindParameters.parse("{}")).isEqualTo(new BindParameters(0, 0, null));
    assertThatThrownBy(() -> BindParameters.parse("{\"sessionReason\":-1}"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("sessionReason: -1");
    assertThatThrownBy(() -> BindParameters.parse("{\"schemaVersion\":18446744073709551615}"))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void peekTypeReadsOnlyTheTypeWord() {
    try (MessageDecoder d = new MessageDecoder(CodecConfig.DEFAULT)) {
      assertThat(d.peekType(ByteBuffer.wrap(ascii("upload garbage\n")))).isEqualTo(
          MessageType.UPLOAD);
      assertThat(d.peekType(ByteBuffer.wrap(ascii("log_message 0 2\n{}"))))
          .isEqualTo(MessageType.LOG_MESSAGE);
      assertThatThrownBy(() -> d.peekType(ByteBuffer.wrap(ascii("foo 1\n"))))
          .isInstanceOf(ProtocolException.class);
    }
  }

  @Test
  void cursorsRefuseTheOtherMessageTypes() {
    try (UploadCursor u = new UploadCursor(CodecConfig.DEFAULT);
        DownloadCursor d = new DownloadCursor(CodecConfig.DEFAULT)) {
      assertThatThrownBy(() -> u.wrap(ByteBuffer.wrap(ascii("mark 1 1\n"))))
          .isInstanceOf(ProtocolException.class).hasMessageContaining("(expected: upload)");
      assertThatThrownBy(() -> d.wrap(ByteBuffer.wrap(ascii("upload 1 0 0 0 0 0 0\n"))))
          .isInstanceOf(ProtocolException.class).hasMessageContaining("(expected: download)");
    }
  }

  @Test
  void downloadCursorReadsEveryField() {
    DownloadMessage m = new DownloadMessage(1, 5, 4, 6, 77, 9, 3, 2,
        DownloadMessage.BatchState.MORE_TO_COME, 0.75, List.of(
            new DownloadMessage.Entry(5, 4, 100, 8, 12, ByteBuffer.wrap(new byte[] {1, 2})),
            new DownloadMessage.Entry(6, 4, 101, 9, 1, ByteBuffer.wrap(new byte[] {3}))));
    try (MessageEncoder e = new MessageEncoder(CodecConfig.DEFAULT);
        DownloadCursor c = new DownloadCursor(CodecConfig.DEFAULT)) {
      c.wrap(e.encode(m, new MessageBuffer()));
      assertThat(c.sessionIdent()).isEqualTo(1);
      assertThat(c.downloadServerVersion()).isEqualTo(5);
      assertThat(c.downloadClientVersion()).isEqualTo(4);
      assertThat(c.latestServerVersion()).isEqualTo(6);
      assertThat(c.latestServerVersionSalt()).isEqualTo(77);
      assertThat(c.uploadClientVersion()).isEqualTo(9);
      assertThat(c.uploadServerVersion()).isEqualTo(3);
      assertThat(c.queryVersion()).isEqualTo(2);
      assertThat(c.batchState()).isEqualTo(DownloadMessage.BatchState.MORE_TO_COME);
      assertThat(c.progressEstimate()).isEqualTo(0.75);
      assertThat(c.isBodyCompressed()).isFalse();
      assertThat(c.entryCount()).isEqualTo(2);
      assertThat(c.entryIndex()).isEqualTo(-1);
      assertThat(c.next()).isTrue();
      assertThat(c.serverVersion()).isEqualTo(5);
      assertThat(c.clientVersion()).isEqualTo(4);
      assertThat(c.originTimestamp()).isEqualTo(100);
      assertThat(c.originFileIdent()).isEqualTo(8);
      assertThat(c.originalChangesetSize()).isEqualTo(12);
      assertThat(c.changesetSize()).isEqualTo(2);
      assertThat(c.next()).isTrue();
      assertThat(c.serverVersion()).isEqualTo(6);
      assertThat(c.next()).isFalse();
      assertThat(c.toMessage()).isEqualTo(m);
    }
  }

  @Test
  void recordsRefuseNegativeNumbers() {
    assertThatThrownBy(() -> new MarkMessage(-1, 1))
        .hasMessage("session_ident: -1 (expected: 0..9223372036854775807)");
    assertThatThrownBy(() -> new ErrorMessage(-1, "", false, 0))
        .hasMessage("error_code: -1 (expected: 0..2147483647)");
    assertThatThrownBy(() -> new DownloadMessage(1, 0, 0, 0, 0, 0, 0, 0,
        DownloadMessage.BatchState.STEADY_STATE, Double.NaN, List.of()))
        .hasMessageContaining("progress_estimate: NaN");
  }

  @Test
  void aFailedWrapLeavesNoEntriesToIterate() {
    try (UploadCursor c = new UploadCursor(CodecConfig.DEFAULT)) {
      c.wrap(ByteBuffer.wrap(ascii("upload 1 0 11 0 2 0 0\n2 0 1 0 1 A")));
      assertThat(c.entryCount()).isEqualTo(1);
      assertThatThrownBy(() -> c.wrap(ByteBuffer.wrap(ascii("upload 1 0 11 0 2 0 0\n2 0 1 0 9 A"))))
          .isInstanceOf(ProtocolException.class);
      assertThat(c.entryCount()).isZero();
      assertThat(c.next()).isFalse();
    }
  }

  @Test
  void uploadEntriesHandOutFreshDuplicates() {
    UploadMessage.Entry e = new UploadMessage.Entry(1, 0, 0, 0, ByteBuffer.wrap(new byte[] {1, 2}));
    ByteBuffer a = e.changeset();
    a.get();
    assertThat(e.changeset().remaining()).isEqualTo(2);
    assertThat(e.changeset().isReadOnly()).isTrue();
  }
}
