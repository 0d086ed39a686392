package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards the reader's inlining budget, which no behaviour test sees (docs/benchmarks.md, "Decoder
 * `next()` path"): {@code next()} and the fast-path helpers it inlines stay within C2's limit for
 * inlining a frequently called method ({@code FreqInlineSize}, 325 bytecodes on x86-64), and
 * {@code readOtherPayloadFast} stays above it, so that it remains one call and the compiled
 * {@code next()} stays below {@code InlineSmallCode}. Bytecode lengths from the class file (the
 * parser of {@link WriterCodeSizeTest}).
 */
class ReaderCodeSizeTest {
  private static final int FREQ_INLINE_SIZE = 325;

  @Test
  void nextAndItsFastPathsStaySmallEnoughToBeInlined() throws IOException {
    for (String method :
        List.of("next", "updateFast", "pathFast", "otherPayloadFast", "updateTailFast")) {
      List<Integer> lengths = WriterCodeSizeTest.codeLengths(ChangesetReader.class, method);
      assertThat(lengths).as(method).hasSize(1);
      assertThat(lengths.get(0))
          .as("ChangesetReader.%s bytecode length: keep it within FreqInlineSize (%d), or C2 calls"
              + " it from next() (or next() from the caller's loop)", method, FREQ_INLINE_SIZE)
          .isLessThanOrEqualTo(FREQ_INLINE_SIZE);
    }
  }

  @Test
  void theRarerPayloadsStayACall() throws IOException {
    List<Integer> lengths =
        WriterCodeSizeTest.codeLengths(ChangesetReader.class, "readOtherPayloadFast");
    assertThat(lengths).hasSize(1);
    assertThat(lengths.get(0))
        .as("ChangesetReader.readOtherPayloadFast bytecode length: keep it above FreqInlineSize"
            + " (%d), or C2 inlines it and the compiled next() grows past InlineSmallCode",
            FREQ_INLINE_SIZE)
        .isGreaterThan(FREQ_INLINE_SIZE);
  }
}
