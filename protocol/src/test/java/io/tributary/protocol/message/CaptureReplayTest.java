package io.tributary.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.testing.Captures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the 18 realm-core captures: every client message decodes and re-encodes to the same
 * bytes, every server reply decodes, and UPLOAD entries match what realm-core's own parser
 * recorded (session.json and the decoded.txt listings).
 */
class CaptureReplayTest {
  private final MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);
  private final MessageEncoder encoder = new MessageEncoder(CodecConfig.DEFAULT);
  private final MessageBuffer out = new MessageBuffer();

  @AfterEach
  void close() {
    decoder.close();
    encoder.close();
  }

  static Stream<Captures.Message> clientMessages() {
    return Captures.allMessages().stream().filter(Captures.Message::fromClient);
  }

  static Stream<Captures.Message> serverMessages() {
    return Captures.allMessages().stream().filter(m -> !m.fromClient());
  }

  static Stream<Captures.Message> uploads() {
    return clientMessages().filter(m -> m.type().equals("upload"));
  }

  @Test
  void allEighteenScenariosAreOnTheClasspath() {
    List<String> scenarios = Captures.scenarios();
    assertThat(scenarios).hasSize(18).startsWith("01_handshake_silent").endsWith(
        "16_app_token_refresh");
    // every scenario but the refused upgrade (10) carries sync messages
    for (String s : scenarios) {
      if (!s.equals("10_http_401")) {
        assertThat(Captures.clientMessages(s)).as(s).isNotEmpty();
      }
    }
    assertThat(clientMessages().count()).isEqualTo(94);
    assertThat(serverMessages().count()).isEqualTo(84);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clientMessages")
  void clientMessageDecodesAndReEncodesToTheSameBytes(Captures.Message captured) {
    byte[] bytes = captured.bytes();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    ClientMessage message = decoder.decodeClientMessage(in);

    assertThat(message.type().wireName()).isEqualTo(captured.type());
    assertThat(in.position()).as("decoder must not move the input").isZero();
    assertThat(in.limit()).isEqualTo(bytes.length);
    ByteBuffer encoded = encoder.encode(message, out);
    assertThat(toArray(encoded)).as("re-encoded %s", captured).isEqualTo(bytes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("serverMessages")
  void serverReplyDecodes(Captures.Message captured) {
    ServerMessage message = decoder.decodeServerMessage(captured.buffer());
    assertThat(message.type().wireName()).isEqualTo(captured.type());
    // and it survives our own encode/decode round trip
    ServerMessage again = decoder.decodeServerMessage(encoder.encode(message, out));
    assertThat(again).isEqualTo(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("uploads")
  void uploadMatchesRealmCoresParse(Captures.Message captured) {
    @SuppressWarnings("unchecked")
    Map<String, Object> recorded = (Map<String, Object>) captured.event().get("upload");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> changesets = (List<Map<String, Object>>) recorded.get("changesets");

    UploadMessage upload = (UploadMessage) decoder.decodeClientMessage(captured.buffer());
    assertThat(upload.sessionIdent()).isEqualTo(recorded.get("session"));
    assertThat(upload.progressClientVersion()).isEqualTo(recorded.get("progress_client_version"));
    assertThat(upload.progressServerVersion()).isEqualTo(recorded.get("progress_server_version"));
    assertThat(upload.lockedServerVersion()).isEqualTo(recorded.get("locked_server_version"));
    assertThat(upload.entries()).hasSameSizeAs(changesets);
    for (int i = 0; i < changesets.size(); i++) {
      Map<String, Object> c = changesets.get(i);
      UploadMessage.Entry e = upload.entries().get(i);
      assertThat(e.clientVersion()).isEqualTo(c.get("client_version"));
      assertThat(e.lastIntegratedServerVersion())
          .isEqualTo(c.get("last_integrated_server_version"));
      assertThat(e.originTimestamp()).isEqualTo(c.get("origin_timestamp"));
      assertThat(e.originFileIdent()).isEqualTo(c.get("origin_file_ident"));
      assertThat((long) e.changesetSize()).isEqualTo(c.get("size"));
    }

    try (UploadCursor cursor = new UploadCursor(CodecConfig.DEFAULT)) {
      cursor.wrap(captured.buffer());
      assertThat(cursor.isBodyCompressed()).isEqualTo(recorded.get("is_body_compressed"));
      assertThat((long) cursor.uncompressedBodySize())
          .isEqualTo(recorded.get("uncompressed_body_size"));
      assertThat((long) cursor.compressedBodySize())
          .isEqualTo(recorded.get("compressed_body_size"));
      assertThat(cursor.entryCount()).isEqualTo(changesets.size());
      int i = 0;
      while (cursor.next()) {
        UploadMessage.Entry e = upload.entries().get(i++);
        assertThat(cursor.clientVersion()).isEqualTo(e.clientVersion());
        assertThat(cursor.changeset()).isEqualTo(e.changeset());
      }
      assertThat(i).isEqualTo(changesets.size());
    }
  }

  private static final Pattern LISTING_HEADER =
      Pattern.compile("^== stdin: UPLOAD \\{\"session_ident\":(\\d+),\"is_body_compressed\":(\\w+),"
          + "\"uncompressed_body_size\":(\\d+),\"compressed_body_size\":(\\d+),"
          + "\"progress_client_version\":(\\d+),\"progress_server_version\":(\\d+),"
          + "\"locked_server_version\":(\\d+)\\}, (\\d+) changeset\\(s\\)$", Pattern.MULTILINE);
  private static final Pattern LISTING_ENTRY =
      Pattern.compile("^== stdin changeset (\\d+): (\\d+) bytes \\{\"client_version\":(\\d+),"
          + "\"last_integrated_server_version\":(\\d+),\"origin_timestamp\":(\\d+),"
          + "\"origin_file_ident\":(\\d+),\"changeset_size\":(\\d+)\\}$", Pattern.MULTILINE);

  @ParameterizedTest(name = "{0}")
  @MethodSource("uploads")
  void uploadMatchesTheDecodedListing(Captures.Message captured) {
    String listing = new String(
        Captures.scenarioFile(captured.scenario(),
            captured.file().replace(".bin", ".decoded.txt")), StandardCharsets.UTF_8);
    Matcher h = LISTING_HEADER.matcher(listing);
    assertThat(h.find()).as("listing header of %s", captured).isTrue();
    try (UploadCursor cursor = new UploadCursor(CodecConfig.DEFAULT)) {
      cursor.wrap(captured.buffer());
      assertThat(cursor.sessionIdent()).isEqualTo(Long.parseLong(h.group(1)));
      assertThat(cursor.isBodyCompressed()).isEqualTo(Boolean.parseBoolean(h.group(2)));
      assertThat(cursor.uncompressedBodySize()).isEqualTo(Integer.parseInt(h.group(3)));
      assertThat(cursor.compressedBodySize()).isEqualTo(Integer.parseInt(h.group(4)));
      assertThat(cursor.progressClientVersion()).isEqualTo(Long.parseLong(h.group(5)));
      assertThat(cursor.progressServerVersion()).isEqualTo(Long.parseLong(h.group(6)));
      assertThat(cursor.lockedServerVersion()).isEqualTo(Long.parseLong(h.group(7)));
      assertThat(cursor.entryCount()).isEqualTo(Integer.parseInt(h.group(8)));

      Matcher m = LISTING_ENTRY.matcher(listing);
      int listed = 0;
      while (m.find()) { // long listings are cut: compare the entries that are listed
        int index = Integer.parseInt(m.group(1));
        cursor.rewind();
        for (int i = 0; i <= index; i++) {
          assertThat(cursor.next()).isTrue();
        }
        assertThat(cursor.changesetSize()).isEqualTo(Integer.parseInt(m.group(2)));
        assertThat(cursor.clientVersion()).isEqualTo(Long.parseLong(m.group(3)));
        assertThat(cursor.lastIntegratedServerVersion()).isEqualTo(Long.parseLong(m.group(4)));
        assertThat(cursor.originTimestamp()).isEqualTo(Long.parseLong(m.group(5)));
        assertThat(cursor.originFileIdent()).isEqualTo(Long.parseLong(m.group(6)));
        listed++;
      }
      assertThat(listed).as("listed entries of %s", captured)
          .isBetween(Math.min(1, cursor.entryCount()), cursor.entryCount());
    }
  }

  @Test
  void compressedCaptureUploadsAreTheOnesExpected() {
    List<String> compressed = new ArrayList<>();
    uploads().forEach(m -> {
      try (UploadCursor c = new UploadCursor(CodecConfig.DEFAULT)) {
        if (c.wrap(m.buffer()).isBodyCompressed()) {
          compressed.add(m.toString());
        }
      }
    });
    assertThat(compressed).contains(
        "03_ingest_100_one_transaction/007-c2s-upload.bin",
        "14_offline_backlog/007-c2s-upload.bin",
        "14_offline_backlog/009-c2s-upload.bin").hasSize(11);
  }

  @Test
  void compressedUploadOfCapture03StartsWithTheSchemaChangesetOfTheVectors() {
    // capture 03 and the transaction_100_objects vector share the Reading schema changeset
    Captures.Message upload = Captures.clientMessages("03_ingest_100_one_transaction").stream()
        .filter(m -> m.type().equals("upload")).findFirst().orElseThrow();
    UploadMessage m = (UploadMessage) decoder.decodeClientMessage(upload.buffer());
    assertThat(toArray(m.entries().get(0).changeset()))
        .isEqualTo(Captures.message("transaction_100_objects.schema.bin"));
    assertThat(m.entries().get(1).changesetSize())
        .isEqualTo(Captures.message("transaction_100_objects.bin").length);
  }

  static byte[] toArray(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }
}
