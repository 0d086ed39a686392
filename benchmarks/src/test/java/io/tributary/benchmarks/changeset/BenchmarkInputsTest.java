package io.tributary.benchmarks.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.Changeset;
import io.tributary.protocol.changeset.ChangesetWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The encoder benchmarks measure valid changesets of the shape they claim. */
class BenchmarkInputsTest {
  private static Changeset encode(java.util.function.BiConsumer<ChangesetWriter, Integer> object, int n) {
    ArrayByteSink sink = new ArrayByteSink(1 << 16);
    ChangesetWriter w = new ChangesetWriter(sink).reset();
    for (int i = 0; i < n; i++) {
      object.accept(w, i);
    }
    w.finish();
    return Changeset.parse(sink.toByteArray());
  }

  @Test
  void aWideObjectIsACreateAndOneUpdatePerValueType() {
    WideObjects wide = new WideObjects(3);
    Changeset c = encode(wide::write, 3);
    assertThat(c.instructions()).hasSize(3 * 13);
    List<String> first = c.dump().subList(0, 13);
    assertThat(first.get(0)).contains("CreateObject").contains("Wide");
    assertThat(String.join("\n", first))
        .contains("Int", "Bool", "String", "Binary", "Timestamp", "Float", "Double", "Decimal",
            "ObjectId", "UUID", "Null");
  }

  @Test
  void aReadingIsSevenInstructions() {
    Readings readings = new Readings(2);
    Changeset c = encode(readings::write, 2);
    assertThat(c.instructions()).hasSize(2 * 7);
  }

  @Test
  void preparedReadingsAreTheSameBytes() {
    Readings readings = new Readings(50);
    ArrayByteSink fluent = new ArrayByteSink(1 << 16);
    ArrayByteSink prepared = new ArrayByteSink(1 << 16);
    ChangesetWriter f = new ChangesetWriter(fluent);
    ChangesetWriter p = new ChangesetWriter(prepared);
    for (int i = 0; i < 50; i++) {
      readings.write(f, i);
      readings.writePrepared(p, i);
    }
    f.finish();
    p.finish();
    assertThat(prepared.toByteArray()).isEqualTo(fluent.toByteArray());
  }

  @Test
  void theStagedCopyWritesAThousandReadingsWorthOfBytesPerInvocation() {
    Readings readings = new Readings(1000);
    ArrayByteSink encoded = new ArrayByteSink(1 << 20);
    ChangesetWriter w = new ChangesetWriter(encoded);
    for (int i = 0; i < 1000; i++) {
      readings.writePrepared(w, i);
    }
    long bytes = w.finish();
    assertThat(bytes).isGreaterThan(150_000L); // ~179 bytes per reading
    for (String sink : List.of("direct", "heap")) {
      StagedCopyBenchmark b = new StagedCopyBenchmark();
      b.sink = sink;
      b.window = 4096;
      b.setUp();
      assertThat(b.copyInWindows()).as(sink).isEqualTo(bytes);
      assertThat(b.copyInWindows()).as(sink + ", second invocation").isEqualTo(bytes);
    }
  }
}
