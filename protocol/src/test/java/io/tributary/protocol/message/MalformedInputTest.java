package io.tributary.protocol.message;

import static io.tributary.protocol.message.SpecExamplesTest.ascii;
import static io.tributary.protocol.message.SpecExamplesTest.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import java.nio.ByteBuffer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed headers and bodies: each is refused with a {@link ProtocolException} carrying the
 * error a server answers with (spec §10.4), the field and the byte offset.
 */
class MalformedInputTest {
  private final MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);

  @AfterEach
  void close() {
    decoder.close();
  }

  // --- header line ---

  @Test
  void badVerbIsAnUnknownMessage() {
    assertClient("uplaod 1 0 0 0 1 0 0\n", ProtocolError.UNKNOWN_MESSAGE, "header.message_type", 0)
        .hasMessageContaining("\"uplaod\"");
  }

  @Test
  void obsoleteMessageTypeIsAnUnknownMessage() {
    assertClient("alloc 1\n", ProtocolError.UNKNOWN_MESSAGE, "header.message_type", 0);
  }

  @Test
  void upperCaseVerbIsAnUnknownMessage() {
    assertClient("MARK 1 1\n", ProtocolError.UNKNOWN_MESSAGE, "header.message_type", 0);
  }

  @Test
  void serverMessageSentByAClientIsAnUnknownMessage() {
    assertClient("download 1 0 0 0 0 0 0 0 2 1 0 0 0\n", ProtocolError.UNKNOWN_MESSAGE,
        "header.message_type", 0).hasMessageContaining("\"download\"");
  }

  @Test
  void clientMessageSentByAServerIsAnUnknownMessage() {
    assertServer("upload 1 0 0 0 1 0 0\n", ProtocolError.UNKNOWN_MESSAGE, "header.message_type",
        0);
  }

  @Test
  void tooFewFields() {
    assertClient("mark 1\n", ProtocolError.BAD_SYNTAX, "mark.header", 0)
        .hasMessageContaining("1 fields (expected: 2: session_ident request_ident)");
  }

  @Test
  void tooManyFields() {
    assertClient("mark 1 1 1\n", ProtocolError.BAD_SYNTAX, "mark.header", 0)
        .hasMessageContaining("3 fields (expected: 2");
  }

  @Test
  void typeWithoutFields() {
    assertClient("unbind\n", ProtocolError.BAD_SYNTAX, "unbind.header", 0)
        .hasMessageContaining("0 fields (expected: 1");
  }

  @Test
  void negativeNumberInAnUnsignedField() {
    assertClient("mark 1 -1\n", ProtocolError.BAD_SYNTAX, "mark.request_ident", 7)
        .hasMessageContaining("\"-1\" has a sign");
  }

  @Test
  void negativeSaltIsOutOfRange() {
    assertClient("ident 1 2 -5 0 0 0 0 0 2\n{}", ProtocolError.BAD_SYNTAX,
        "ident.client_file_ident_salt", 10)
        .hasMessageContaining("\"-5\" is negative (expected: 0..9223372036854775807)");
  }

  @Test
  void overflowingNumber() {
    assertClient("mark 1 9223372036854775808\n", ProtocolError.BAD_SYNTAX, "mark.request_ident", 7)
        .hasMessageContaining("overflows (expected: 0..9223372036854775807)");
  }

  @Test
  void largestNumberIsAccepted() {
    assertThat(decode("mark 9223372036854775807 9223372036854775807\n"))
        .isEqualTo(new MarkMessage(Long.MAX_VALUE, Long.MAX_VALUE));
  }

  @Test
  void leadingPlus() {
    assertClient("mark 1 +3\n", ProtocolError.BAD_SYNTAX, "mark.request_ident", 7)
        .hasMessageContaining("\"+3\" has a sign");
  }

  @Test
  void leadingZerosAreAcceptedAsRealmCoreDoes() {
    // not in the spec's MUST-reject list (§4.2); realm-core's from_chars accepts them
    assertThat(decode("mark 01 003\n")).isEqualTo(new MarkMessage(1, 3));
  }

  @Test
  void numberLongerThan32CharactersIsRefused() {
    assertClient("mark 1 " + "0".repeat(32) + "1\n", ProtocolError.BAD_SYNTAX,
        "mark.request_ident", 7).hasMessageContaining("has 33 characters");
  }

  @Test
  void nonDigitInANumber() {
    assertClient("mark 1 1x\n", ProtocolError.BAD_SYNTAX, "mark.request_ident", 7)
        .hasMessageContaining("\"1x\" is not a decimal number");
  }

  @Test
  void doubleSpace() {
    assertClient("mark 1  1\n", ProtocolError.BAD_SYNTAX, "mark.request_ident", 7)
        .hasMessageContaining("two spaces in a row");
  }

  @Test
  void spaceBeforeLf() {
    assertClient("mark 1 1 \n", ProtocolError.BAD_SYNTAX, "mark.header", 9)
        .hasMessageContaining("space before LF");
  }

  @Test
  void tabIsNotASeparator() {
    assertClient("mark 1\t1\n", ProtocolError.BAD_SYNTAX, "mark.header", 0);
  }

  @Test
  void carriageReturnBeforeLf() {
    assertClient("mark 1 1\r\n", ProtocolError.BAD_SYNTAX, "mark.request_ident", 7)
        .hasMessageContaining("\\x0D");
  }

  @Test
  void headerWithoutNewline() {
    assertClient("mark 1 1", ProtocolError.BAD_SYNTAX, "header", 8)
        .hasMessageContaining("has no LF");
  }

  @Test
  void oversizeHeader() {
    assertClient("mark 1 " + "1".repeat(600) + "\n", ProtocolError.BAD_SYNTAX, "header", 0)
        .hasMessageContaining("no LF in the first 512 bytes");
  }

  @Test
  void headerLengthLimitIsConfigurable() {
    // a 330-byte line with the LF as its last byte passes a 330-byte limit, not a 329-byte one...
    // the minimum limit is 320, so use bodies: only the header line counts toward the limit
    String header = "query 1 1 400\n";
    byte[] msg = concat(ascii(header), ascii("x".repeat(400)));
    CodecConfig tight = CodecConfig.newBuilder().maxHeaderLength(320).build();
    try (MessageDecoder d = new MessageDecoder(tight)) {
      assertThat(d.decodeClientMessage(ByteBuffer.wrap(msg))).isInstanceOf(QueryMessage.class);
      byte[] noLf = ascii("mark 1 " + "1".repeat(400));
      assertThatThrownBy(() -> d.decodeClientMessage(ByteBuffer.wrap(noLf)))
          .hasMessageContaining("no LF in the first 320 bytes");
    }
  }

  @Test
  void emptyMessage() {
    assertClient("", ProtocolError.BAD_SYNTAX, "header", 0).hasMessageContaining("empty message");
  }

  @Test
  void emptyTypeWord() {
    assertClient(" 1 1\n", ProtocolError.BAD_SYNTAX, "header.message_type", 0);
  }

  @Test
  void booleanOtherThanZeroOrOne() {
    assertClient("bind 1 2 0 2 0\n{}", ProtocolError.BAD_SYNTAX, "bind.need_client_file_ident",
        11).hasMessageContaining("\"2\" (expected: 0 or 1)");
  }

  @Test
  void errorCodeAboveIntRange() {
    assertServer("error 2147483648 0 0 0\n", ProtocolError.BAD_SYNTAX, "error.error_code", 6);
  }

  // --- body sizes ---

  @Test
  void trailingBytesAfterABodylessMessage() {
    assertClient("mark 1 1\nX", ProtocolError.BAD_SYNTAX, "mark.body", 9)
        .hasMessageContaining("1 bytes after the header line (expected: none");
  }

  @Test
  void uploadBodyShorterThanDeclared() {
    assertClient("upload 1 0 10 0 0 0 0\n2 0 1", ProtocolError.BAD_SYNTAX,
        "upload.uncompressed_body_size", 11)
        .hasMessageContaining("10 but 5 body bytes follow the header");
  }

  @Test
  void uploadBodyLongerThanDeclared() {
    assertClient("upload 1 0 2 0 0 0 0\n2 0 1 0 0 ", ProtocolError.BAD_SYNTAX,
        "upload.uncompressed_body_size", 11)
        .hasMessageContaining("2 but 10 body bytes follow the header");
  }

  @Test
  void compressedSizeMustBeZeroWhenNotCompressed() {
    assertClient("upload 1 0 0 5 0 0 0\n", ProtocolError.BAD_SYNTAX,
        "upload.compressed_body_size", 13);
  }

  @Test
  void textBodySizeMismatch() {
    assertClient("query 1 1 10\n{}", ProtocolError.BAD_SYNTAX, "query.query_size", 10)
        .hasMessageContaining("10 but 2 body bytes");
  }

  @Test
  void invalidUtf8InAText() {
    byte[] msg = concat(ascii("query 1 1 3\n{"), new byte[] {(byte) 0xC3, 0x28});
    assertThatThrownBy(() -> decoder.decodeClientMessage(ByteBuffer.wrap(msg)))
        .isInstanceOfSatisfying(ProtocolException.class, e -> {
          assertThat(e.error()).isEqualTo(ProtocolError.BAD_SYNTAX);
          assertThat(e.field()).isEqualTo("query.query");
          assertThat(e.offset()).isEqualTo(13);
        })
        .hasMessageContaining("invalid UTF-8");
  }

  @Test
  void bindJsonSizeZero() {
    assertClient("bind 1 0 0 1 0\n", ProtocolError.BAD_SYNTAX, "bind.json_size", 7);
  }

  @Test
  void bindJsonSizesDisagreeWithTheBody() {
    assertClient("bind 1 3 0 1 0\n{}", ProtocolError.BAD_SYNTAX, "bind.json_size", 7)
        .hasMessageContaining("json_size 3 + token_size 0 but 2 body bytes");
  }

  @Test
  void bindJsonThatIsNotAnObject() {
    assertClient("bind 1 2 0 1 0\n[]", ProtocolError.BAD_SYNTAX, "bind.json", 15)
        .hasMessageContaining("expected: a JSON object");
  }

  @Test
  void bindJsonWithAMistypedKey() {
    String json = "{\"schemaVersion\":\"0\"}";
    assertClient("bind 1 " + json.length() + " 0 1 0\n" + json, ProtocolError.BAD_SYNTAX,
        "bind.json", 16).hasMessageContaining("schemaVersion: \"0\" (expected: an integer");
  }

  @Test
  void bindJsonAboveTheSpecLimitIsASessionLevelLimitError() {
    String json = "{\"x\":\"" + "a".repeat(1020) + "\"}";
    ProtocolException e = catchProtocol(() -> decode("bind 7 " + json.length() + " 0 1 0\n" + json));
    assertThat(e.error()).isEqualTo(ProtocolError.OTHER_SESSION_ERROR);
    assertThat(e.sessionIdent()).isEqualTo(7);
    assertThat(e.field()).isEqualTo("bind.json_size");
  }

  @Test
  void bindIgnoresUnknownJsonKeys() {
    String json = "{\"extra\":[1,{\"a\":2}],\"schemaVersion\":3,\"sessionReason\":1}";
    BindMessage m = (BindMessage) decode("bind 1 " + json.length() + " 0 0 0\n" + json);
    assertThat(m.parameters()).isEqualTo(new BindParameters(3, 1, null));
  }

  // --- changeset entries ---

  @Test
  void changesetEntryWithANonNumericField() {
    assertClient("upload 1 0 11 0 0 0 0\n2 0 x 0 1 A", ProtocolError.BAD_CHANGESET_HEADER_SYNTAX,
        "upload.entry[0].origin_timestamp", 26);
  }

  @Test
  void changesetEntryHeaderCutByTheEndOfTheBody() {
    assertClient("upload 1 0 5 0 0 0 0\n2 0 1", ProtocolError.BAD_CHANGESET_HEADER_SYNTAX,
        "upload.entry[0].origin_timestamp", 25).hasMessageContaining("body ends inside");
  }

  @Test
  void changesetEntryWithADoubleSpace() {
    assertClient("upload 1 0 12 0 0 0 0\n2  0 1 0 1 A", ProtocolError.BAD_CHANGESET_HEADER_SYNTAX,
        "upload.entry[0].last_integrated_server_version", 24);
  }

  @Test
  void changesetSizeBeyondTheBody() {
    assertClient("upload 1 0 14 0 0 0 0\n2 0 1 0 50 abc", ProtocolError.BAD_CHANGESET_SIZE,
        "upload.entry[0].changeset_size", 30)
        .hasMessageContaining("50 but 3 bytes are left in the body");
  }

  @Test
  void changesetSizeOfTheSecondEntryBeyondTheBody() {
    assertClient("upload 1 0 22 0 0 0 0\n2 0 1 0 1 A3 0 1 0 9 B",
        ProtocolError.BAD_CHANGESET_SIZE, "upload.entry[1].changeset_size", 41);
  }

  @Test
  void downloadEntryWithServerVersionZero() {
    assertServer("download 1 1 0 1 5 0 0 0 1 1 0 12 0\n0 0 1 1 0 0 ",
        ProtocolError.BAD_CHANGESET_HEADER_SYNTAX, "download.entry[0].server_version", 36)
        .hasMessageContaining("0 (expected: >= 1)");
  }

  // --- download header ---

  @Test
  void downloadBatchStateAboveTwo() {
    assertServer("download 1 0 0 0 0 0 0 0 3 1 0 0 0\n", ProtocolError.BAD_SYNTAX,
        "download.batch_state", 25).hasMessageContaining("(expected: 0..2)");
  }

  @Test
  void downloadProgressEstimateAboveOne() {
    assertServer("download 1 0 0 0 0 0 0 0 2 1.5 0 0 0\n", ProtocolError.BAD_SYNTAX,
        "download.progress_estimate", 27);
  }

  @Test
  void downloadProgressEstimateWithAnExponent() {
    assertServer("download 1 0 0 0 0 0 0 0 2 1e0 0 0 0\n", ProtocolError.BAD_SYNTAX,
        "download.progress_estimate", 27).hasMessageContaining("not a plain decimal");
  }

  @Test
  void downloadProgressEstimateAsPlainDecimals() {
    for (String s : new String[] {"0", "1", "1.0", "0.5", "0.000", "00.25"}) {
      DownloadMessage m = (DownloadMessage) decoder.decodeServerMessage(
          ByteBuffer.wrap(ascii("download 1 0 0 0 0 0 0 0 2 " + s + " 0 0 0\n")));
      assertThat(m.progressEstimate()).as(s).isEqualTo(Double.parseDouble(s));
    }
    for (String s : new String[] {".5", "1.", "0..5", "-0.5", "+1", "0,5", "1.0.0"}) {
      assertThatThrownBy(() -> decoder.decodeServerMessage(
          ByteBuffer.wrap(ascii("download 1 0 0 0 0 0 0 0 2 " + s + " 0 0 0\n"))))
          .as(s).isInstanceOf(ProtocolException.class)
          .hasMessageContaining("download.progress_estimate");
    }
  }

  @Test
  void downloadProgressFieldIsAnIntegerBeforeVersion12() {
    CodecConfig v11 = CodecConfig.newBuilder().protocolVersion(11).build();
    try (MessageDecoder d = new MessageDecoder(v11); MessageEncoder e = new MessageEncoder(v11)) {
      DownloadMessage m = (DownloadMessage) d.decodeServerMessage(
          ByteBuffer.wrap(ascii("download 1 0 0 0 0 0 0 0 2 4096 0 0 0\n")));
      assertThat(m.progressEstimate()).isEqualTo(4096.0);
      assertThatThrownBy(() -> d.decodeServerMessage(
          ByteBuffer.wrap(ascii("download 1 0 0 0 0 0 0 0 2 0.5 0 0 0\n"))))
          .hasMessageContaining("download.progress_estimate");
      // a server on version 11 writes the old field as the integer 0
      ByteBuffer encoded = e.encode(DownloadMessage.acknowledgement(1, 0, 0, 0, 0, 0, 0, 0),
          new MessageBuffer());
      assertThat(CaptureReplayTest.toArray(encoded))
          .isEqualTo(ascii("download 1 0 0 0 0 0 0 0 2 0 0 0 0\n"));
    }
  }

  // --- JSON bodies on the client side ---

  @Test
  void jsonErrorWithUnknownCodeActionAndExtraKeysParses() {
    String json = "{\"message\":\"m\",\"tryAgain\":false,\"shouldClientReset\":false,"
        + "\"isRecoveryModeDisabled\":true,\"action\":\"SomethingNew\",\"logURL\":\"u\","
        + "\"rejectedUpdates\":[{\"a\":[1,2]}],\"compensatingWriteServerVersion\":5}";
    JsonErrorMessage m = (JsonErrorMessage) decoder.decodeServerMessage(
        ByteBuffer.wrap(ascii("json_error 299 " + json.length() + " 3\n" + json)));
    assertThat(m.errorCode()).isEqualTo(299);
    assertThat(m.error()).isEqualTo(ProtocolError.UNKNOWN);
    assertThat(m.body().action()).isEqualTo(io.tributary.protocol.ErrorAction.UNKNOWN);
    assertThat(m.body().action().effective())
        .isEqualTo(io.tributary.protocol.ErrorAction.APPLICATION_BUG);
    assertThat(m.body().actionName()).isEqualTo("SomethingNew");
    assertThat(m.body().isRecoveryModeDisabled()).isTrue();
  }

  @Test
  void jsonErrorWithAMistypedRequiredKey() {
    String json = "{\"message\":\"m\",\"tryAgain\":\"no\",\"shouldClientReset\":false,"
        + "\"isRecoveryModeDisabled\":true,\"action\":\"Warning\",\"logURL\":\"\"}";
    assertServer("json_error 201 " + json.length() + " 1\n" + json, ProtocolError.BAD_SYNTAX,
        "json_error.body", 21).hasMessageContaining("tryAgain: \"no\" (expected: true or false)");
  }

  @Test
  void jsonErrorWithAnIncompleteBackoffGroup() {
    String json = "{\"message\":\"m\",\"tryAgain\":true,\"shouldClientReset\":false,"
        + "\"isRecoveryModeDisabled\":false,\"action\":\"Transient\",\"logURL\":\"\","
        + "\"backoffIntervalSec\":2}";
    assertServer("json_error 201 " + json.length() + " 1\n" + json, ProtocolError.BAD_SYNTAX,
        "json_error.body", 21).hasMessageContaining("backoffIntervalSec without");
  }

  @Test
  void jsonErrorWithTrailingContent() {
    String json = "{\"message\":\"m\",\"tryAgain\":true,\"shouldClientReset\":false,"
        + "\"isRecoveryModeDisabled\":false,\"action\":\"Transient\",\"logURL\":\"\"} {}";
    assertServer("json_error 201 " + json.length() + " 1\n" + json, ProtocolError.BAD_SYNTAX,
        "json_error.body", 21).hasMessageContaining("content after the document");
  }

  @Test
  void malformedJson() {
    assertServer("json_error 201 5 1\n{\"a\":", ProtocolError.BAD_SYNTAX, "json_error.body", 19)
        .hasMessageContaining("malformed JSON");
  }

  @Test
  void logMessageWithAnUnknownLevel() {
    String json = "{\"level\":\"loud\",\"msg\":\"x\"}";
    assertServer("log_message 0 " + json.length() + "\n" + json, ProtocolError.BAD_SYNTAX,
        "log_message.body", 17).hasMessageContaining("level: \"loud\"");
  }

  @Test
  void logMessageKeysAreOptional() {
    LogMessage m = (LogMessage) decoder.decodeServerMessage(
        ByteBuffer.wrap(ascii("log_message 2 2\n{}")));
    assertThat(m).isEqualTo(new LogMessage(2, LogMessage.Level.DEBUG, "", null));
  }

  // --- limits ---

  @Test
  void messageAboveMaxMessageSizeIsAConnectionLevelLimitError() {
    CodecConfig small = CodecConfig.newBuilder().maxMessageSize(16).build();
    try (MessageDecoder d = new MessageDecoder(small)) {
      ProtocolException e = catchProtocol(
          () -> d.decodeClientMessage(ByteBuffer.wrap(ascii("upload 1 0 0 0 10 0 0\n"))));
      assertThat(e.error()).isEqualTo(ProtocolError.OTHER_ERROR);
      assertThat(e.field()).isEqualTo("message");
      assertThat(e).hasMessageContaining("22 bytes (expected: at most maxMessageSize 16)");
    }
  }

  @Test
  void bodyAboveMaxBodySizeIsASessionLevelLimitError() {
    CodecConfig small = CodecConfig.newBuilder().maxBodySize(4).build();
    try (MessageDecoder d = new MessageDecoder(small)) {
      ProtocolException e = catchProtocol(() -> d.decodeClientMessage(
          ByteBuffer.wrap(ascii("upload 3 0 10 0 0 0 0\n2 0 1 0 0 "))));
      assertThat(e.error()).isEqualTo(ProtocolError.OTHER_SESSION_ERROR);
      assertThat(e.sessionIdent()).isEqualTo(3);
      assertThat(e.field()).isEqualTo("upload.uncompressed_body_size");
    }
  }

  @Test
  void changesetAboveMaxChangesetSize() {
    CodecConfig small = CodecConfig.newBuilder().maxChangesetSize(2).build();
    try (MessageDecoder d = new MessageDecoder(small)) {
      ProtocolException e = catchProtocol(() -> d.decodeClientMessage(
          ByteBuffer.wrap(ascii("upload 3 0 13 0 0 0 0\n2 0 1 0 3 abc"))));
      assertThat(e.error()).isEqualTo(ProtocolError.OTHER_SESSION_ERROR);
      assertThat(e.field()).isEqualTo("upload.entry[0].changeset_size");
    }
  }

  @Test
  void textBodyAboveMaxTextBodySize() {
    CodecConfig small = CodecConfig.newBuilder().maxTextBodySize(3072).build();
    String query = "x".repeat(3073);
    try (MessageDecoder d = new MessageDecoder(small)) {
      ProtocolException e = catchProtocol(() -> d.decodeClientMessage(
          ByteBuffer.wrap(ascii("query 1 1 3073\n" + query))));
      assertThat(e.error()).isEqualTo(ProtocolError.OTHER_SESSION_ERROR);
      assertThat(e.field()).isEqualTo("query.query_size");
    }
  }

  @Test
  void decodingNeverMovesTheInputBuffer() {
    ByteBuffer in = ByteBuffer.wrap(ascii("xxmark 1 2\nyy"));
    in.position(2).limit(11);
    assertThat(decoder.decodeClientMessage(in)).isEqualTo(new MarkMessage(1, 2));
    assertThat(in.position()).isEqualTo(2);
    assertThat(in.limit()).isEqualTo(11);
    // offsets are relative to the message start, not the array
    in.limit(12);
    ProtocolException e = catchProtocol(() -> decoder.decodeClientMessage(in));
    assertThat(e.offset()).isEqualTo(9);
  }

  // --- helpers ---

  private ClientMessage decode(String msg) {
    return decoder.decodeClientMessage(ByteBuffer.wrap(ascii(msg)));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertClient(
      String msg, ProtocolError error, String field, long offset) {
    return assertFails(() -> decode(msg), error, field, offset);
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertServer(
      String msg, ProtocolError error, String field, long offset) {
    return assertFails(() -> decoder.decodeServerMessage(ByteBuffer.wrap(ascii(msg))), error,
        field, offset);
  }

  static AbstractThrowableAssert<?, ? extends Throwable> assertFails(
      Runnable r, ProtocolError error, String field, long offset) {
    ProtocolException e = catchProtocol(r);
    assertThat(e.error()).as("error of: %s", e.getMessage()).isEqualTo(error);
    assertThat(e.field()).as("field of: %s", e.getMessage()).isEqualTo(field);
    assertThat(e.offset()).as("offset of: %s", e.getMessage()).isEqualTo(offset);
    assertThat(e.getMessage()).startsWith(field).contains("expected");
    return assertThat((Throwable) e);
  }

  static ProtocolException catchProtocol(Runnable r) {
    try {
      r.run();
    } catch (ProtocolException e) {
      return e;
    }
    throw new AssertionError("expected a ProtocolException");
  }
}
