package io.tributary.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.UploadLogException.LogFullException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * Stateful property test of the {@link UploadLog} contract: random chains of append, read,
 * acknowledge, storeClientFile, storeSchema and (for durable logs) reopen, each checked against a
 * plain list model, with the size accounting and metadata compared to the model after every step.
 * Ships in core's test-jar next to {@link UploadLogContractTest}; every storage module has a tiny
 * subclass.
 *
 * <p>Three properties run the same actions under the three {@link OverflowPolicy overflow policies}
 * with a small bound (4 KiB), so that chains reach the bound. {@link OverflowPolicy#BLOCK} runs
 * with a zero block timeout, where it must behave like {@link OverflowPolicy#FAIL}.
 */
public abstract class UploadLogStateMachineProperties {

  /** One fresh location per try; {@link #open} may be called again after the log was closed. */
  public interface Fixture extends AutoCloseable {

    /** Opens the log at this fixture's location. */
    UploadLog open(UploadLogOptions options);

    /** Whether a closed and reopened log keeps its entries and metadata. */
    boolean durable();

    /** Releases the location (deletes files). Called after the log was closed. */
    @Override
    void close() throws Exception;
  }

  /** Creates a fixture at a fresh, empty location. */
  protected abstract Fixture newFixture() throws Exception;

  private final List<Subject> subjects = new ArrayList<>();

  @AfterTry
  void closeSubjects() throws Exception {
    for (Subject subject : subjects) {
      subject.log.close();
      subject.fixture.close();
    }
    subjects.clear();
  }

  @AfterProperty
  void closeRemainingSubjects() throws Exception {
    closeSubjects();
  }

  @Property(tries = 40)
  void behavesLikeTheModelWithDropOldest(@ForAll("dropOldest") ActionChain<Subject> chain) {
    chain.withInvariant("stats and metadata match the model", Subject::checkInvariant).run();
  }

  @Property(tries = 40)
  void behavesLikeTheModelWithFail(@ForAll("fail") ActionChain<Subject> chain) {
    chain.withInvariant("stats and metadata match the model", Subject::checkInvariant).run();
  }

  @Property(tries = 40)
  void behavesLikeTheModelWithBlockingAndNoWait(@ForAll("blockNoWait") ActionChain<Subject> chain) {
    chain.withInvariant("stats and metadata match the model", Subject::checkInvariant).run();
  }

  @Provide
  Arbitrary<ActionChain<Subject>> dropOldest() {
    return chain(OverflowPolicy.DROP_OLDEST);
  }

  @Provide
  Arbitrary<ActionChain<Subject>> fail() {
    return chain(OverflowPolicy.FAIL);
  }

  @Provide
  Arbitrary<ActionChain<Subject>> blockNoWait() {
    return chain(OverflowPolicy.BLOCK);
  }

  private Arbitrary<ActionChain<Subject>> chain(OverflowPolicy policy) {
    UploadLogOptions options =
        UploadLogOptions.newBuilder()
            .maxBytes(4096)
            .overflowPolicy(policy)
            .blockTimeout(Duration.ZERO)
            .durability(Durability.OS_FLUSH)
            .build();
    return ActionChain.<Subject>startWith(() -> newSubject(options))
        .withAction(6, new AppendAction())
        .withAction(3, new ReadAction())
        .withAction(3, new AcknowledgeAction())
        .withAction(1, new StoreClientFileAction())
        .withAction(1, new StoreSchemaAction())
        .withAction(1, new ReopenAction())
        .withMaxTransformations(40);
  }

  private Subject newSubject(UploadLogOptions options) {
    try {
      Fixture fixture = newFixture();
      Subject subject = new Subject(fixture, options, fixture.open(options));
      subjects.add(subject);
      return subject;
    } catch (Exception e) {
      throw new IllegalStateException("could not create a fixture", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the model

  record Entry(long version, long timestamp, long lisv, int objects, byte[] bytes) {}

  /** The log under test and the list model it must match. */
  static final class Subject {
    final Fixture fixture;
    final UploadLogOptions options;
    UploadLog log;

    final List<Entry> entries = new ArrayList<>();
    long lastAssigned;
    long overhead = -1;
    SyncProgress progress = SyncProgress.NONE;
    long ident;
    long salt;
    byte[] schema;
    long droppedEntries;
    long droppedObjects;

    Subject(Fixture fixture, UploadLogOptions options, UploadLog log) {
      this.fixture = fixture;
      this.options = options;
      this.log = log;
    }

    long size() {
      long size = 0;
      for (Entry e : entries) {
        size += e.bytes.length + overhead;
      }
      return size;
    }

    void checkInvariant() {
      LogStats stats = log.stats();
      long objects = 0;
      for (Entry e : entries) {
        objects += e.objects;
      }
      assertThat(stats.entryCount()).as("entryCount").isEqualTo(entries.size());
      assertThat(stats.pendingObjects()).as("pendingObjects").isEqualTo(objects);
      assertThat(stats.firstVersion())
          .as("firstVersion")
          .isEqualTo(entries.isEmpty() ? 0 : entries.get(0).version);
      assertThat(stats.lastVersion())
          .as("lastVersion")
          .isEqualTo(entries.isEmpty() ? 0 : entries.get(entries.size() - 1).version);
      assertThat(stats.lastAssignedVersion()).as("lastAssignedVersion").isEqualTo(lastAssigned);
      assertThat(stats.droppedEntries()).as("droppedEntries").isEqualTo(droppedEntries);
      assertThat(stats.droppedObjects()).as("droppedObjects").isEqualTo(droppedObjects);
      assertThat(stats.maxBytes()).isEqualTo(options.maxBytes());
      assertThat(stats.sizeBytes()).as("sizeBytes").isLessThanOrEqualTo(options.maxBytes());
      if (overhead >= 0) {
        assertThat(stats.sizeBytes()).as("sizeBytes").isEqualTo(size());
      }
      assertThat(log.metadata())
          .isEqualTo(new LogMetadata(ident, salt, progress, lastAssigned, schema));
    }

    @Override
    public String toString() {
      return "Subject{entries=" + entries.size() + ", lastAssigned=" + lastAssigned + '}';
    }
  }

  // ---------------------------------------------------------------------------------------------
  // actions

  static final class AppendAction implements Action.Independent<Subject> {
    @Override
    public Arbitrary<Transformer<Subject>> transformer() {
      return Combinators.combine(
              Arbitraries.integers().between(0, 1200),
              Arbitraries.integers().between(0, 10),
              Arbitraries.longs().between(0, 1L << 40),
              Arbitraries.integers().between(0, 255))
          .as(
              (length, objects, timestamp, seed) ->
                  Transformer.mutate(
                      "append " + length + " bytes, " + objects + " objects",
                      s -> append(s, length, objects, timestamp, seed)));
    }

    private static void append(Subject s, int length, int objects, long timestamp, int seed) {
      byte[] bytes = new byte[length];
      for (int i = 0; i < length; i++) {
        bytes[i] = (byte) (seed + i * 13);
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      long lisv = s.progress.downloadServerVersion();
      if (s.overhead < 0) {
        // first append into this subject: learn the per-entry overhead
        assertThat(s.entries).isEmpty();
        long before = s.log.stats().sizeBytes();
        long version = s.log.append(buffer, objects, timestamp);
        s.overhead = s.log.stats().sizeBytes() - before - length;
        assertThat(s.overhead).isNotNegative();
        accept(s, version, timestamp, lisv, objects, bytes);
        return;
      }
      long needed = length + s.overhead;
      boolean fits = s.size() + needed <= s.options.maxBytes();
      if (!fits && s.options.overflowPolicy() != OverflowPolicy.DROP_OLDEST
          || needed > s.options.maxBytes()) {
        assertThatThrownBy(() -> s.log.append(buffer, objects, timestamp))
            .isInstanceOf(LogFullException.class);
        return;
      }
      while (s.size() + needed > s.options.maxBytes()) {
        Entry dropped = s.entries.remove(0);
        s.droppedEntries++;
        s.droppedObjects += dropped.objects;
      }
      long version = s.log.append(buffer, objects, timestamp);
      accept(s, version, timestamp, lisv, objects, bytes);
    }

    private static void accept(
        Subject s, long version, long timestamp, long lisv, int objects, byte[] bytes) {
      assertThat(version).isEqualTo(s.lastAssigned + 1);
      s.lastAssigned = version;
      s.entries.add(new Entry(version, timestamp, lisv, objects, bytes));
    }
  }

  static final class ReadAction implements Action.Dependent<Subject> {
    @Override
    public Arbitrary<Transformer<Subject>> transformer(Subject state) {
      return Combinators.combine(
              Arbitraries.longs().between(0, state.lastAssigned + 2),
              Arbitraries.longs().between(1, 3000),
              Arbitraries.integers().between(1, 10))
          .as(
              (after, maxBytes, stopAfter) ->
                  Transformer.mutate(
                      "read after "
                          + after
                          + " up to "
                          + maxBytes
                          + " bytes, stop after "
                          + stopAfter,
                      s -> read(s, after, maxBytes, stopAfter)));
    }

    private static void read(Subject s, long after, long maxBytes, int stopAfter) {
      List<Entry> expected = new ArrayList<>();
      long sum = 0;
      for (Entry e : s.entries) {
        if (e.version <= after) {
          continue;
        }
        if (!expected.isEmpty() && sum + e.bytes.length > maxBytes) {
          break;
        }
        expected.add(e);
        sum += e.bytes.length;
        if (expected.size() == stopAfter) {
          break;
        }
      }
      List<Entry> seen = new ArrayList<>();
      int visited =
          s.log.read(
              after,
              maxBytes,
              entry -> {
                ByteBuffer view = entry.changeset();
                byte[] bytes = new byte[view.remaining()];
                view.get(bytes);
                seen.add(
                    new Entry(
                        entry.version(),
                        entry.originTimestamp(),
                        entry.lastIntegratedServerVersion(),
                        entry.objectCount(),
                        bytes));
                return seen.size() < stopAfter;
              });
      assertThat(visited).isEqualTo(expected.size());
      assertThat(seen).hasSize(expected.size());
      for (int i = 0; i < seen.size(); i++) {
        Entry a = seen.get(i);
        Entry b = expected.get(i);
        assertThat(a.version).isEqualTo(b.version);
        assertThat(a.timestamp).isEqualTo(b.timestamp);
        assertThat(a.lisv).isEqualTo(b.lisv);
        assertThat(a.objects).isEqualTo(b.objects);
        assertThat(Arrays.equals(a.bytes, b.bytes)).as("bytes of version %d", a.version).isTrue();
      }
    }
  }

  static final class AcknowledgeAction implements Action.Dependent<Subject> {
    @Override
    public Arbitrary<Transformer<Subject>> transformer(Subject state) {
      return Combinators.combine(
              Arbitraries.longs().between(0, state.lastAssigned + 1),
              Arbitraries.longs().between(0, 1000))
          .as(
              (version, serverVersion) ->
                  Transformer.mutate(
                      "acknowledge " + version + " at server version " + serverVersion,
                      s -> acknowledge(s, version, serverVersion)));
    }

    private static void acknowledge(Subject s, long version, long serverVersion) {
      SyncProgress progress = new SyncProgress(serverVersion, 0, serverVersion, 1, version, 0);
      if (version > s.lastAssigned) {
        assertThatThrownBy(() -> s.log.acknowledge(progress))
            .isInstanceOf(IllegalArgumentException.class);
        return;
      }
      s.log.acknowledge(progress);
      s.progress = progress;
      s.entries.removeIf(e -> e.version <= version);
    }
  }

  static final class StoreClientFileAction implements Action.Independent<Subject> {
    @Override
    public Arbitrary<Transformer<Subject>> transformer() {
      return Combinators.combine(
              Arbitraries.longs().between(1, Long.MAX_VALUE),
              Arbitraries.longs().between(1, Long.MAX_VALUE))
          .as(
              (ident, salt) ->
                  Transformer.mutate(
                      "storeClientFile " + ident,
                      s -> {
                        s.log.storeClientFile(ident, salt);
                        s.ident = ident;
                        s.salt = salt;
                      }));
    }
  }

  static final class StoreSchemaAction implements Action.Independent<Subject> {
    @Override
    public Arbitrary<Transformer<Subject>> transformer() {
      return Arbitraries.bytes()
          .array(byte[].class)
          .ofMaxSize(50)
          .map(
              bytes ->
                  Transformer.mutate(
                      "storeSchema " + bytes.length + " bytes",
                      s -> {
                        s.log.storeSchema(ByteBuffer.wrap(bytes));
                        s.schema = bytes.clone();
                      }));
    }
  }

  static final class ReopenAction implements Action.Independent<Subject> {
    @Override
    public boolean precondition(Subject state) {
      return state.fixture.durable();
    }

    @Override
    public Arbitrary<Transformer<Subject>> transformer() {
      return Arbitraries.just(
          Transformer.mutate(
              "reopen",
              s -> {
                s.log.close();
                s.log = s.fixture.open(s.options);
              }));
    }
  }
}
