package io.tributary.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolException;
import io.tributary.protocol.testing.Captures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing of the decoders: random bytes, header-shaped noise, mutated valid messages and every
 * truncation never produce anything but a {@link ProtocolException}, and whatever decodes
 * survives an encode/decode round trip unchanged. A failing case is replayed by jqwik from
 * {@code target/.jqwik-database}; the seed is printed in the failure report.
 */
class DecoderFuzzTest {
  private static final CodecConfig CONFIG = CodecConfig.DEFAULT;
  private static final MessageDecoder DECODER = new MessageDecoder(CONFIG);
  private static final MessageEncoder ENCODER = new MessageEncoder(CONFIG);
  private static final UploadCursor UPLOADS = new UploadCursor(CONFIG);
  private static final DownloadCursor DOWNLOADS = new DownloadCursor(CONFIG);
  private static final MessageBuffer OUT = new MessageBuffer();
  private static final List<byte[]> CORPUS = corpus();

  @AfterContainer
  static void close() {
    DECODER.close();
    ENCODER.close();
    UPLOADS.close();
    DOWNLOADS.close();
  }

  /** Valid messages of every type, both directions, compressed bodies included (< 16 KiB each). */
  private static List<byte[]> corpus() {
    List<byte[]> c = new ArrayList<>();
    for (Captures.Message m : Captures.allMessages()) {
      byte[] b = m.bytes();
      if (b.length < 16 * 1024) {
        c.add(b);
      }
    }
    for (String f : new String[] {"msg_query.bin", "transaction_100_objects.upload.bin",
        "upload_multi_transaction.upload.bin"}) {
      c.add(Captures.message(f));
    }
    byte[] big = new byte[3000];
    Arrays.fill(big, (byte) 7);
    List<Message> extra = List.of(
        new ErrorMessage(201, "busy", true, 1),
        new JsonErrorMessage(201, 1, JsonErrorBody.of(ErrorAction.TRANSIENT, "x", true)
            .withBackoff(new JsonErrorBody.Backoff(1, 2, 3))),
        new ClientJsonErrorMessage(212, 1, "bad"),
        new QueryErrorMessage(226, "bad query", 1, 2),
        new LogMessage(0, LogMessage.Level.WARN, "hello \u00e9", "co"),
        new TestCommandMessage(1, 2, "{}"),
        new DownloadMessage(1, 1, 0, 1, 5, 0, 0, 0, DownloadMessage.BatchState.LAST_IN_BATCH, 0.5,
            List.of(new DownloadMessage.Entry(1, 0, 3, 1, 0, ByteBuffer.allocate(0)))),
        new DownloadMessage(1, 2, 0, 2, 5, 0, 0, 0, DownloadMessage.BatchState.STEADY_STATE, 1,
            List.of(new DownloadMessage.Entry(2, 0, 3, 1, 3000, ByteBuffer.wrap(big)))));
    for (Message m : extra) {
      c.add(CaptureReplayTest.toArray(ENCODER.encode(m, OUT)));
    }
    return c;
  }

  @Example
  void corpusCoversEveryMessageType() {
    List<MessageType> seen = new ArrayList<>();
    for (byte[] b : CORPUS) {
      seen.add(DECODER.peekType(ByteBuffer.wrap(b)));
    }
    assertThat(seen).contains(MessageType.values());
  }

  @Property(tries = 3000)
  void randomBytesOnlyFailWithProtocolException(@ForAll @Size(max = 700) byte[] bytes) {
    decodeEverywhere(bytes);
  }

  @Property(tries = 3000)
  void headerShapedNoiseOnlyFailsWithProtocolException(@ForAll("headerNoise") byte[] bytes) {
    decodeEverywhere(bytes);
  }

  @Property(tries = 4000)
  void mutatedValidMessagesOnlyFailWithProtocolException(
      @ForAll("corpusIndex") int index, @ForAll long seed) {
    byte[] mutated = mutate(CORPUS.get(index), new Random(seed));
    boolean accepted = decodeEverywhere(mutated) > 0;
    // both outcomes must be exercised: some mutants still decode (and must round-trip)
    Statistics.collect(accepted ? "accepted" : "refused");
    Statistics.coverage(c -> {
      c.check("accepted").percentage(p -> p > 3);
      c.check("refused").percentage(p -> p > 50);
    });
  }

  @Property(tries = 1000)
  void truncatedValidMessagesAlwaysFail(@ForAll("corpusIndex") int index, @ForAll long seed) {
    byte[] original = CORPUS.get(index);
    int length = new Random(seed).nextInt(original.length);
    byte[] cut = Arrays.copyOf(original, length);
    int decoded = decodeEverywhere(cut);
    assertThat(decoded).as("a strict prefix must not decode").isZero();
  }

  @Example
  void everyShortPrefixOfEveryValidMessageFails() {
    for (byte[] original : CORPUS) {
      for (int length = 0; length < Math.min(original.length, 400); length++) {
        assertThat(decodeEverywhere(Arrays.copyOf(original, length))).isZero();
      }
      assertThat(decodeEverywhere(original)).isPositive();
    }
  }

  @Provide
  Arbitrary<Integer> corpusIndex() {
    return Arbitraries.integers().between(0, CORPUS.size() - 1);
  }

  @Provide
  Arbitrary<byte[]> headerNoise() {
    Arbitrary<String> word = Arbitraries.of(Arrays.stream(MessageType.values())
        .map(MessageType::wireName).toArray(String[]::new));
    Arbitrary<String> token = Arbitraries.oneOf(
        Arbitraries.longs().between(0, 3000).map(String::valueOf),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.of("", "-", "+1", "01", "9223372036854775808", "0.5", "1", "2", " ", "\n"),
        Arbitraries.strings().withChars("0123456789 -+.\n").ofMaxLength(6));
    Arbitrary<List<String>> tokens = token.list().ofMaxSize(15);
    Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(60);
    return Combinators.combine(word, tokens, body, Arbitraries.of(true, false))
        .as((w, t, b, lf) -> {
          StringBuilder sb = new StringBuilder(w);
          for (String s : t) {
            sb.append(' ').append(s);
          }
          if (lf) {
            sb.append('\n');
          }
          return SpecExamplesTest.concat(sb.toString().getBytes(StandardCharsets.UTF_8), b);
        });
  }

  /** 1 to 4 random edits that tend to hit the syntax: digits, spaces, LFs, signs, sizes. */
  static byte[] mutate(byte[] original, Random r) {
    byte[] b = original.clone();
    int edits = 1 + r.nextInt(4);
    byte[] interesting = {' ', '\n', '-', '+', '0', '1', '9', '.', 0, (byte) 0xFF};
    for (int i = 0; i < edits && b.length > 0; i++) {
      int at = r.nextInt(b.length);
      switch (r.nextInt(6)) {
        case 0 -> b[at] = (byte) r.nextInt(256);
        case 1 -> b[at] = interesting[r.nextInt(interesting.length)];
        case 2 -> {
          int n = Math.min(b.length - at, 1 + r.nextInt(4));
          byte[] c = new byte[b.length - n];
          System.arraycopy(b, 0, c, 0, at);
          System.arraycopy(b, at + n, c, at, b.length - at - n);
          b = c;
        }
        case 3 -> {
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = interesting[r.nextInt(interesting.length)];
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
        case 4 -> b = Arrays.copyOf(b, at);
        default -> { // bump a digit, e.g. a size field
          if (b[at] >= '0' && b[at] <= '8') {
            b[at]++;
          }
        }
      }
    }
    return b;
  }

  /**
   * Runs every decoder on {@code bytes}: each may succeed or throw {@link ProtocolException};
   * anything else fails the property. What decodes must round-trip.
   *
   * @return how many decoders accepted the bytes
   */
  static int decodeEverywhere(byte[] bytes) {
    int accepted = 0;
    try {
      ClientMessage m = DECODER.decodeClientMessage(ByteBuffer.wrap(bytes));
      assertThat(DECODER.decodeClientMessage(ENCODER.encode(m, OUT))).isEqualTo(m);
      accepted++;
    } catch (ProtocolException expected) {
      // the only acceptable failure
    }
    try {
      ServerMessage m = DECODER.decodeServerMessage(ByteBuffer.wrap(bytes));
      assertThat(DECODER.decodeServerMessage(ENCODER.encode(m, OUT))).isEqualTo(m);
      accepted++;
    } catch (ProtocolException expected) {
      // the only acceptable failure
    }
    try {
      UPLOADS.wrap(ByteBuffer.wrap(bytes));
      int n = 0;
      while (UPLOADS.next()) {
        n += UPLOADS.changeset().remaining() >= 0 ? 1 : 0;
      }
      assertThat(n).isEqualTo(UPLOADS.entryCount());
      accepted++;
    } catch (ProtocolException expected) {
      // the only acceptable failure
    }
    try {
      DOWNLOADS.wrap(ByteBuffer.wrap(bytes));
      while (DOWNLOADS.next()) {
        assertThat(DOWNLOADS.serverVersion()).isPositive();
      }
      accepted++;
    } catch (ProtocolException expected) {
      // the only acceptable failure
    }
    return accepted;
  }
}
