package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Malformed input never crashes the reader with anything but {@link ChangesetFormatException},
 * never hangs (every call consumes input) and never allocates beyond a small bound: truncations at
 * every offset of every valid vector, random byte flips, random bytes.
 */
class MalformedInputPropertiesTest {
  private static final List<String> FILES = Vectors.validChangesetFiles();
  /** The exception, its message and stack trace: generous, but far below any declared length. */
  private static final long ALLOCATION_BOUND = 64 * 1024;

  private final ChangesetReader reader = new ChangesetReader();

  /** Validates once; returns whether the bytes are valid and the bytes allocated doing it. */
  private long[] validate(ByteBuffer b) {
    long before = Allocations.allocatedBytes();
    boolean valid;
    try {
      reader.reset(b).skipAll();
      valid = true;
    } catch (ChangesetFormatException e) {
      assertThat(e.offset()).isBetween(0L, (long) b.remaining());
      valid = false;
    }
    return new long[] {valid ? 1 : 0, Allocations.allocatedBytes() - before};
  }

  /** Validates with the allocation-free cursor and with the materialising parser. */
  private void check(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long[] r = validate(b);
    long bound = ALLOCATION_BOUND + 16L * bytes.length;
    if (r[1] >= bound) {
      // the first use of an error path bootstraps its message concatenation and loads classes;
      // what must stay bounded is the cost of the input itself
      r = validate(b);
    }
    boolean valid = r[0] == 1;
    assertThat(r[1]).as("allocated validating %d bytes", bytes.length).isLessThan(bound);
    assertThat(reader.bytesRead()).isLessThanOrEqualTo(bytes.length);
    try {
      Changeset cs = Changeset.parse(b);
      assertThat(valid).isTrue();
      // what parses re-encodes and parses to the same instructions
      ArrayByteSink sink = new ArrayByteSink();
      ChangesetWriter w = new ChangesetWriter(sink);
      cs.writeTo(w, EmbeddedOwners.NONE);
      w.finish();
      assertThat(Changeset.parse(sink.toByteArray()).instructions())
          .isEqualTo(cs.instructions());
    } catch (ChangesetFormatException e) {
      assertThat(valid).isFalse();
    }
  }

  @Example
  void truncatingEveryVectorAtEveryOffsetIsRejectedOrValid() {
    int rejected = 0;
    int cuts = 0;
    for (String file : FILES) {
      byte[] full = Vectors.bytes(file);
      for (int cut = 0; cut < full.length; cut++) {
        byte[] prefix = java.util.Arrays.copyOf(full, cut);
        check(prefix);
        cuts++;
        try {
          reader.reset(ByteBuffer.wrap(prefix)).skipAll();
        } catch (ChangesetFormatException e) {
          rejected++;
        }
      }
    }
    assertThat(cuts).isGreaterThan(15_000);
    // a prefix is valid only when it ends at a record boundary
    assertThat(rejected).isGreaterThan(cuts * 8 / 10);
  }

  @Provide
  Arbitrary<Integer> vectorIndex() {
    return Arbitraries.integers().between(0, FILES.size() - 1);
  }

  @Property(tries = 3000)
  void flippingBytesOfAVectorNeverCrashes(
      @ForAll("vectorIndex") int vector,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 1 << 20) Integer> positions,
      @ForAll @Size(min = 6, max = 6) List<@IntRange(min = 0, max = 255) Integer> values) {
    byte[] bytes = Vectors.bytes(FILES.get(vector));
    for (int i = 0; i < positions.size(); i++) {
      bytes[positions.get(i) % bytes.length] = (byte) (int) values.get(i);
    }
    check(bytes);
  }

  /** What the reader makes of some bytes: the dump, or the error's reason, field and offset. */
  private static String outcome(ByteBuffer b) {
    try {
      return String.join("\n", Changeset.parse(b).dump());
    } catch (ChangesetFormatException e) {
      return e.reason() + " " + e.field() + " @" + e.offset();
    }
  }

  @Property(tries = 2000)
  void heapFastPathsAndTheGeneralPathAgree(
      @ForAll("vectorIndex") int vector,
      @ForAll @Size(min = 0, max = 4) List<@IntRange(min = 0, max = 1 << 20) Integer> positions,
      @ForAll @Size(min = 4, max = 4) List<@IntRange(min = 0, max = 255) Integer> values) {
    byte[] bytes = Vectors.bytes(FILES.get(vector));
    for (int i = 0; i < positions.size(); i++) {
      bytes[positions.get(i) % bytes.length] = (byte) (int) values.get(i);
    }
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    ByteBuffer readOnlyHeap = ByteBuffer.wrap(bytes).asReadOnlyBuffer(); // no array access

    String heap = outcome(ByteBuffer.wrap(bytes));
    assertThat(outcome(direct)).isEqualTo(heap);
    assertThat(outcome(readOnlyHeap)).isEqualTo(heap);
  }

  @Property(tries = 3000)
  void randomBytesNeverCrash(@ForAll @Size(max = 64) byte[] bytes) {
    check(bytes);
  }

  @Property(tries = 2000)
  void randomRecordsAfterValidNamesNeverCrash(
      @ForAll @IntRange(min = 0, max = 13) int code, @ForAll @Size(max = 40) byte[] tail) {
    // the names make intern references valid, so the parser gets deeper into each record
    byte[] names = java.util.HexFormat.of().parseHex("3f000154" + "3f010166" + "3f020178");
    byte[] bytes = new byte[names.length + 1 + tail.length];
    System.arraycopy(names, 0, bytes, 0, names.length);
    bytes[names.length] = (byte) code;
    System.arraycopy(tail, 0, bytes, names.length + 1, tail.length);
    check(bytes);
  }
}
