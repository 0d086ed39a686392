package io.tributary.protocol.message;

import static io.tributary.protocol.message.CaptureReplayTest.toArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Every value the records can hold encodes to bytes that decode back to an equal value, in both
 * directions, with numbers across every decimal width (0, 9, 10, ..., 2^63-1), strings with
 * non-ASCII text, and UPLOAD/DOWNLOAD bodies above and below the compression threshold.
 */
class RoundTripPropertiesTest {
  private static final MessageDecoder DECODER = new MessageDecoder(CodecConfig.DEFAULT);
  private static final MessageEncoder ENCODER = new MessageEncoder(CodecConfig.DEFAULT);
  private static final MessageBuffer OUT = new MessageBuffer(1);

  @AfterContainer
  static void close() {
    DECODER.close();
    ENCODER.close();
  }

  @Property(tries = 1500)
  void clientMessagesRoundTrip(@ForAll("clientMessages") ClientMessage m) {
    ByteBuffer wire = ENCODER.encode(m, OUT);
    assertThat(DECODER.decodeClientMessage(wire)).isEqualTo(m);
  }

  @Property(tries = 1500)
  void serverMessagesRoundTrip(@ForAll("serverMessages") ServerMessage m) {
    ByteBuffer wire = ENCODER.encode(m, OUT);
    assertThat(DECODER.decodeServerMessage(wire)).isEqualTo(m);
  }

  @Property(tries = 300)
  void uploadsBuiltEntryByEntryMatchTheEncoderAndTheCursor(
      @ForAll("uploads") UploadMessage m) {
    byte[] fromEncoder = toArray(ENCODER.encode(m, OUT));
    try (UploadBuilder b = new UploadBuilder(CodecConfig.DEFAULT, false);
        UploadCursor cursor = new UploadCursor(CodecConfig.DEFAULT)) {
      MessageBuffer out = new MessageBuffer(0);
      b.begin(out);
      for (UploadMessage.Entry e : m.entries()) {
        b.addEntry(e.clientVersion(), e.lastIntegratedServerVersion(), e.originTimestamp(),
            e.originFileIdent(), e.changeset());
      }
      ByteBuffer built = b.finish(m.sessionIdent(), m.progressClientVersion(),
          m.progressServerVersion(), m.lockedServerVersion());
      assertThat(toArray(built)).isEqualTo(fromEncoder);
      cursor.wrap(built);
      assertThat(cursor.isBodyCompressed()).isEqualTo(b.isBodyCompressed());
      assertThat(cursor.entryCount()).isEqualTo(m.entries().size());
      int i = 0;
      while (cursor.next()) {
        UploadMessage.Entry e = m.entries().get(i++);
        assertThat(cursor.clientVersion()).isEqualTo(e.clientVersion());
        assertThat(cursor.lastIntegratedServerVersion())
            .isEqualTo(e.lastIntegratedServerVersion());
        assertThat(cursor.originTimestamp()).isEqualTo(e.originTimestamp());
        assertThat(cursor.originFileIdent()).isEqualTo(e.originFileIdent());
        assertThat(cursor.changeset()).isEqualTo(e.changeset());
      }
      assertThat(cursor.toMessage()).isEqualTo(m);
    }
  }

  @Example
  void everyDecimalWidthRoundTrips() {
    long low = 0; // smallest number with `digits` digits
    for (int digits = 1; digits <= 19; digits++) {
      long high = digits == 19 ? Long.MAX_VALUE : (digits == 1 ? 10 : low * 10) - 1;
      for (long n : new long[] {low, low + 1, high - 1, high}) {
        MarkMessage m = new MarkMessage(n, n);
        byte[] wire = toArray(ENCODER.encode(m, OUT));
        assertThat(new String(wire, StandardCharsets.US_ASCII))
            .isEqualTo("mark " + n + " " + n + "\n");
        assertThat(DECODER.decodeClientMessage(ByteBuffer.wrap(wire))).isEqualTo(m);
      }
      low = high + 1;
    }
  }

  @Example
  void unpairedSurrogatesCannotBeEncoded() {
    assertThatThrownBy(() -> ENCODER.encode(new QueryMessage(1, 1, "a\uD800b"), OUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query: not valid Unicode");
  }

  @Example
  void progressEstimatesAreWrittenAsPlainDecimals() {
    assertThat(estimateText(0.25)).isEqualTo("0.25");
    assertThat(estimateText(0.1)).isEqualTo("0.1");
    assertThat(estimateText(1.0)).isEqualTo("1");
    assertThat(estimateText(0.0)).isEqualTo("0");
    assertThat(estimateText(1e-30)).isEqualTo("0");
    assertThat(estimateText(1e-7)).isEqualTo("0.0000001");
    assertThat(estimateText(0.12345678901234567)).hasSizeLessThanOrEqualTo(22);
    assertThatThrownBy(() -> estimateText(1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Example
  void logMessageNeedsProtocolTen() {
    CodecConfig nine = CodecConfig.newBuilder().protocolVersion(9).build();
    try (MessageEncoder e = new MessageEncoder(nine)) {
      assertThatThrownBy(() -> e.encode(new LogMessage(0, LogMessage.Level.INFO, "x", null), OUT))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("log_message with protocol version 9 (expected: 10 or later)");
    }
  }

  private static String estimateText(double estimate) {
    DownloadMessage m = new DownloadMessage(1, 0, 0, 0, 0, 0, 0, 0,
        DownloadMessage.BatchState.STEADY_STATE, estimate, List.of());
    String wire = new String(toArray(ENCODER.encode(m, OUT)), StandardCharsets.US_ASCII);
    String[] fields = wire.trim().split(" ");
    DownloadMessage back = (DownloadMessage) DECODER.decodeServerMessage(ENCODER.encode(m, OUT));
    assertThat(back.progressEstimate()).isCloseTo(estimate, org.assertj.core.data.Offset.offset(1e-20));
    return fields[10];
  }

  // --- generators ---

  /** Numbers spread over every decimal width, with the edges. */
  static Arbitrary<Long> u63() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(0, Long.MAX_VALUE),
        Arbitraries.integers().between(0, 18).flatMap(d -> {
          long p = 1;
          for (int i = 0; i < d; i++) {
            p *= 10;
          }
          long lo = p;
          long hi = d == 18 ? Long.MAX_VALUE : lo * 10 - 1; // 10^19 - 1 does not fit
          return Arbitraries.of(lo - 1, lo, lo + 1, hi);
        }),
        Arbitraries.of(0L, Long.MAX_VALUE));
  }

  static Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40).filter(RoundTripPropertiesTest::isValidUnicode),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40),
        Arbitraries.of("", "{}", "h\u00e9llo \u20ac \uD83D\uDE00", "a\nb c\"d\\"));
  }

  static boolean isValidUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  static Arbitrary<ByteBuffer> changeset() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
        Arbitraries.integers().between(0, 3000).map(n -> new byte[n]), // compressible
        Arbitraries.bytes().array(byte[].class).ofMinSize(1000).ofMaxSize(2000))
        .map(ByteBuffer::wrap);
  }

  @Provide
  Arbitrary<UploadMessage> uploads() {
    Arbitrary<UploadMessage.Entry> entry = Combinators.combine(u63(), u63(), u63(), u63(),
        changeset()).as(UploadMessage.Entry::new);
    return Combinators.combine(u63(), u63(), u63(), u63(), entry.list().ofMaxSize(6))
        .as(UploadMessage::new);
  }

  @Provide
  Arbitrary<ClientMessage> clientMessages() {
    Arbitrary<Boolean> bool = Arbitraries.of(true, false);
    Arbitrary<BindMessage> bind = Combinators.combine(u63(), u63(), u63(), bool)
        .as((s, v, r, need) -> BindMessage.flx(s, new BindParameters(v, r, null), need));
    Arbitrary<BindMessage> bindWithToken = Combinators.combine(u63(), text(), bool, bool)
        .as((s, t, need, sub) -> new BindMessage(s, "{\"schemaVersion\":1}",
            t.length() > 100 ? t.substring(0, 100) : t, need, sub));
    Arbitrary<ClientIdentMessage> ident = Combinators.combine(
        List.of(u63(), u63(), u63(), u63(), u63(), u63(), u63(), u63()))
        .as(l -> l).flatMap(l -> text().map(q -> new ClientIdentMessage(l.get(0), l.get(1),
            l.get(2), l.get(3), l.get(4), l.get(5), l.get(6), l.get(7), q)));
    Arbitrary<QueryMessage> query = Combinators.combine(u63(), u63(), text())
        .as(QueryMessage::new);
    Arbitrary<MarkMessage> mark = Combinators.combine(u63(), u63()).as(MarkMessage::new);
    Arbitrary<UnbindMessage> unbind = u63().map(UnbindMessage::new);
    Arbitrary<PingMessage> ping = Combinators.combine(u63(), u63()).as(PingMessage::new);
    Arbitrary<ClientJsonErrorMessage> jsonError =
        Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), u63(), text())
            .as(ClientJsonErrorMessage::new);
    Arbitrary<TestCommandMessage> test = Combinators.combine(u63(), u63(), text())
        .as(TestCommandMessage::new);
    List<Arbitrary<? extends ClientMessage>> all = new ArrayList<>(List.of(bind, bindWithToken,
        ident, query, uploads(), mark, unbind, ping, jsonError, test));
    return Arbitraries.oneOf(all);
  }

  @Provide
  Arbitrary<ServerMessage> serverMessages() {
    Arbitrary<Integer> code = Arbitraries.integers().between(0, Integer.MAX_VALUE);
    Arbitrary<Boolean> bool = Arbitraries.of(true, false);
    Arbitrary<ServerIdentMessage> ident = Combinators.combine(u63(), u63(), u63())
        .as(ServerIdentMessage::new);
    Arbitrary<DownloadMessage.Entry> entry = Combinators.combine(
        u63().filter(v -> v > 0), u63(), u63(), u63(), u63(), changeset())
        .as(DownloadMessage.Entry::new);
    Arbitrary<Double> estimate = Arbitraries.oneOf(Arbitraries.of(0.0, 1.0, 0.5, 0.25),
        Arbitraries.integers().between(0, 1000).map(i -> i / 1000.0));
    Arbitrary<DownloadMessage> download = Combinators.combine(
        List.of(u63(), u63(), u63(), u63(), u63(), u63(), u63(), u63())).as(l -> l)
        .flatMap(l -> Combinators.combine(Arbitraries.of(DownloadMessage.BatchState.class),
            estimate, entry.list().ofMaxSize(4)).as((b, e, entries) -> new DownloadMessage(
                l.get(0), l.get(1), l.get(2), l.get(3), l.get(4), l.get(5), l.get(6), l.get(7), b,
                e, entries)));
    Arbitrary<MarkMessage> mark = Combinators.combine(u63(), u63()).as(MarkMessage::new);
    Arbitrary<UnboundMessage> unbound = u63().map(UnboundMessage::new);
    Arbitrary<PongMessage> pong = u63().map(PongMessage::new);
    Arbitrary<ErrorMessage> error = Combinators.combine(code, text(), bool, u63())
        .as(ErrorMessage::new);
    Arbitrary<JsonErrorBody.Backoff> backoff = Combinators.combine(
        Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers())
        .as(JsonErrorBody.Backoff::new).injectNull(0.5);
    Arbitrary<JsonErrorBody> body = Combinators.combine(
        Arbitraries.oneOf(Arbitraries.of("Transient", "ClientReset", "Warning"), text()),
        bool, text(), text(), bool, bool, backoff).as(JsonErrorBody::new);
    Arbitrary<JsonErrorMessage> jsonError = Combinators.combine(code, u63(), body)
        .as(JsonErrorMessage::new);
    Arbitrary<QueryErrorMessage> queryError = Combinators.combine(code, text(), u63(), u63())
        .as(QueryErrorMessage::new);
    Arbitrary<LogMessage> log = Combinators.combine(u63(),
        Arbitraries.of(LogMessage.Level.class), text(), text().injectNull(0.3))
        .as(LogMessage::new);
    Arbitrary<TestCommandMessage> test = Combinators.combine(u63(), u63(), text())
        .as(TestCommandMessage::new);
    return Arbitraries.oneOf(ident, download, mark, unbound, pong, error, jsonError, queryError,
        log, test);
  }
}
