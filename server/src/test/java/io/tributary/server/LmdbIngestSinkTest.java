package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestSink;
import io.tributary.server.spi.SinkException;
import io.tributary.storage.lmdb.LmdbStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The sink contract, for both embedded sinks; and what only the LMDB sink does (reopen). */
class LmdbIngestSinkTest {
  @TempDir Path dir;

  static Stream<Function<Path, IngestSink>> sinks() {
    return Stream.of(LmdbIngestSink::open, p -> format1(p, java.time.Clock.systemUTC()), p -> new MemoryIngestSink());
  }

  /** The LMDB sink on a store in the layout of stored format 1 (as versions before format 2 wrote). */
  static LmdbIngestSink format1(Path dir, java.time.Clock clock) {
    LmdbIngestSink sink = LmdbIngestSink.open(dir, io.tributary.core.spi.Durability.SYNC, clock, 1);
    assertThat(sink.format()).isEqualTo(1);
    return sink;
  }

  /** Both stored formats. */
  static Stream<Integer> formats() {
    return Stream.of(1, 2);
  }

  static LmdbIngestSink open(Path dir, int format) {
    return LmdbIngestSink.open(dir, io.tributary.core.spi.Durability.SYNC, java.time.Clock.systemUTC(), format);
  }

  static IngestedObject object(String cls, Value pk, long cv) {
    return IngestedObject.newBuilder().setClassName(cls).setPrimaryKey(pk).putFields("_id", pk)
        .putFields("n", Values.ofInt(cv)).setClientVersion(cv).setOriginFileIdent(2).build();
  }

  @ParameterizedTest
  @MethodSource("sinks")
  void commitsDeduplicateByClassAndPrimaryKeyAndNumberInIngestOrder(Function<Path, IngestSink> open) {
    try (IngestSink sink = open.apply(dir)) {
      IngestStore store = (IngestStore) sink;
      CommitResult r1 = sink.commit(IngestBatch.ofObjects(List.of(
          object("A", Values.ofInt(1), 3), object("A", Values.ofString("1"), 3), object("B", Values.ofInt(1), 3),
          object("A", Values.ofInt(1), 4)), List.of(), 0, Map.of()));
      assertThat(r1.storedCount()).isEqualTo(3);
      assertThat(r1.isDuplicate(3)).as("same key earlier in the batch").isTrue();
      assertThat(r1.firstSequence()).isEqualTo(1);
      assertThat(r1.lastSequence()).isEqualTo(3);
      CommitResult r2 = sink.commit(IngestBatch.ofObjects(List.of(
          object("B", Values.ofInt(1), 5), object("A", Values.nullValue(), 5),
          object("C", Values.objectId("6560f0a1c3b2a1f0e4d3c2b1"), 5),
          object("C", Values.ofUuid(java.util.UUID.fromString("0123e456-e89b-12d3-a456-426614174000")), 5)),
          List.of(), 0, Map.of()));
      assertThat(r2.duplicateCount()).isEqualTo(1);
      assertThat(r2.isDuplicate(0)).isTrue();
      assertThat(r2.firstSequence()).isEqualTo(4);
      assertThat(store.objectCount()).isEqualTo(6);
      assertThat(store.countByClass()).containsExactly(Map.entry("A", 3L), Map.entry("B", 1L), Map.entry("C", 2L));
      assertThat(store.find("A", Values.ofInt(1)).orElseThrow().getClientVersion()).as("the first one stays").isEqualTo(3);
      assertThat(store.find("A", Values.ofInt(1)).orElseThrow().getSequence()).isEqualTo(1);
      assertThat(store.find("A", Values.ofInt(2))).isEmpty();
      assertThat(store.find("A", Values.nullValue())).isPresent();
      assertThat(store.find("C", Values.objectId("6560f0a1c3b2a1f0e4d3c2b1"))).isPresent();
      List<Long> seqs = new ArrayList<>();
      assertThat(store.scan(0, o -> seqs.add(o.getSequence()))).isEqualTo(6);
      assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      List<Long> tail = new ArrayList<>();
      store.scan(4, o -> tail.add(o.getSequence()) && tail.size() < 1);
      assertThat(tail).containsExactly(5L);
    }
  }

  @ParameterizedTest
  @MethodSource("sinks")
  void keysInAnyOrderAreDeduplicatedExactlyAsAModelSays(Function<Path, IngestSink> open) {
    // mostly increasing keys (the LMDB sink appends to pk_index then), with steps back, repeats of
    // the last key and of older ones, and a second class whose keys sort below the first's, over
    // several batches: every outcome as a set model says
    java.util.Random random = new java.util.Random(42);
    Map<String, Map<Long, Long>> firstVersion = Map.of("A", new java.util.HashMap<>(), "B", new java.util.HashMap<>());
    Map<String, long[]> next = Map.of("A", new long[1], "B", new long[1]);
    long cv = 0;
    try (IngestSink sink = open.apply(dir)) {
      IngestStore store = (IngestStore) sink;
      for (int batch = 0; batch < 20; batch++) {
        List<IngestedObject> objects = new ArrayList<>();
        java.util.BitSet expected = new java.util.BitSet();
        for (int i = 0; i < 50; i++) {
          String cls = random.nextInt(8) == 0 ? "A" : "B";
          long[] n = next.get(cls);
          int r = random.nextInt(10);
          long key = r < 6 ? n[0]++ : r < 8 ? Math.max(0, n[0] - 1) : (long) random.nextInt((int) n[0] + 1);
          cv++;
          if (firstVersion.get(cls).putIfAbsent(key, cv) != null) {
            expected.set(i);
          }
          objects.add(object(cls, Values.ofInt(key), cv));
        }
        CommitResult result = sink.commit(IngestBatch.ofObjects(objects, List.of(), 0, Map.of()));
        for (int i = 0; i < 50; i++) {
          assertThat(result.isDuplicate(i)).as("batch %d object %d", batch, i).isEqualTo(expected.get(i));
        }
      }
      for (String cls : List.of("A", "B")) {
        assertThat(store.countByClass().get(cls)).isEqualTo(firstVersion.get(cls).size());
        for (Map.Entry<Long, Long> e : firstVersion.get(cls).entrySet()) {
          assertThat(store.find(cls, Values.ofInt(e.getKey())).orElseThrow().getClientVersion())
              .as("%s key %d keeps its first object", cls, e.getKey()).isEqualTo(e.getValue());
        }
      }
      assertThat(store.objectCount()).isEqualTo(firstVersion.get("A").size() + firstVersion.get("B").size());
    }
  }

  @ParameterizedTest
  @MethodSource("sinks")
  void clientFilesIdentCounterAndSettingsAreStoredWithTheObjects(Function<Path, IngestSink> open) {
    try (IngestSink sink = open.apply(dir)) {
      ClientFileRecord f = ClientFileRecord.newBuilder().setIdent(2).setSalt(77).setUserId("u").setServerVersion(3).build();
      sink.commit(IngestBatch.ofObjects(List.of(), List.of(f), 2, Map.of("schema", "{}")));
      sink.commit(IngestBatch.ofObjects(List.of(), List.of(f.toBuilder().setServerVersion(4).build()), 0, Map.of()));
      assertThat(sink.clientFile(2).orElseThrow().getServerVersion()).isEqualTo(4);
      assertThat(sink.clientFile(3)).isEmpty();
      assertThat(sink.lastClientFileIdent()).isEqualTo(2);
      assertThat(sink.setting("schema")).hasValue("{}");
      assertThat(sink.setting("other")).isEmpty();
      assertThat(((IngestStore) sink).clientFiles()).hasSize(1);
    }
  }

  @ParameterizedTest
  @MethodSource("formats")
  void aReopenedStoreHasEverythingAndKeepsNumbering(int format) {
    String longKey = "k".repeat(2000); // beyond LMDB's 511-byte key limit: hashed
    try (LmdbIngestSink sink = open(dir, format)) {
      List<IngestedObject> many = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        many.add(object("A", Values.ofInt(i), 3));
      }
      many.add(object("S", Values.ofString(longKey), 3));
      sink.commit(IngestBatch.ofObjects(many, List.of(ClientFileRecord.newBuilder().setIdent(9).build()), 9, Map.of()));
    }
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir)) {
      assertThat(sink.format()).as("a store keeps its format").isEqualTo(format);
      assertThat(sink.objectCount()).isEqualTo(1501);
      assertThat(sink.lastClientFileIdent()).isEqualTo(9);
      assertThat(sink.find("S", Values.ofString(longKey))).isPresent();
      assertThat(sink.find("S", Values.ofString(longKey + "x"))).isEmpty();
      CommitResult r = sink.commit(IngestBatch.ofObjects(List.of(object("S", Values.ofString(longKey), 4),
          object("A", Values.ofInt(5000), 4)), List.of(), 0, Map.of()));
      assertThat(r.isDuplicate(0)).isTrue();
      assertThat(r.firstSequence()).isEqualTo(1502);
      long[] visited = {0};
      sink.scan(0, o -> ++visited[0] > 0);
      assertThat(visited[0]).as("scans in pages across the whole store").isEqualTo(1502);
    }
  }

  @ParameterizedTest
  @MethodSource("formats")
  void aStoredRecordReadsAsTheObjectWithItsSequenceAndIngestTime(int format) {
    java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.ofEpochMilli(1_763_900_000_123L), java.time.ZoneOffset.UTC);
    IngestedObject plain = object("A", Values.ofString("é-key"), 7).toBuilder().setUserId("u")
        .setOriginTimestampMs(1_700_000_000_000L).putFields("s", Values.ofString("ünïcode")).build();
    // a sink never gets these set, but if it did, the stored values must still be the sink's
    IngestedObject preset = object("A", Values.ofInt(2), 8).toBuilder().setSequence(99).setIngestedAtMs(5).build();
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir, io.tributary.core.spi.Durability.SYNC, clock, format)) {
      sink.commit(IngestBatch.ofObjects(List.of(plain, preset), List.of(), 0, Map.of()));
      IngestedObject first = sink.find("A", Values.ofString("é-key")).orElseThrow();
      assertThat(first).isEqualTo(plain.toBuilder().setSequence(1).setIngestedAtMs(1_763_900_000_123L).build());
      IngestedObject second = sink.find("A", Values.ofInt(2)).orElseThrow();
      assertThat(second).isEqualTo(preset.toBuilder().setSequence(2).setIngestedAtMs(1_763_900_000_123L).build());
      List<IngestedObject> scanned = new ArrayList<>();
      sink.scan(0, scanned::add);
      assertThat(scanned).containsExactly(first, second);
    }
  }

  @ParameterizedTest
  @MethodSource("formats")
  void ingestTimesOfEveryVarintLengthAreStoredExactly(int format) {
    // int64 varints: negative times take 10 bytes, the largest positive 9
    long[] times = {-1L, Long.MIN_VALUE, 0L, 127L, 128L, Long.MAX_VALUE};
    for (int i = 0; i < times.length; i++) {
      java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.ofEpochMilli(0), java.time.ZoneOffset.UTC);
      long t = times[i];
      java.time.Clock at = new java.time.Clock() {
        @Override public java.time.ZoneId getZone() { return clock.getZone(); }
        @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public java.time.Instant instant() { return clock.instant(); }
        @Override public long millis() { return t; }
      };
      java.nio.file.Path d = dir.resolve("times-" + i);
      IngestedObject plain = object("A", Values.ofInt(i), i);
      try (LmdbIngestSink sink = LmdbIngestSink.open(d, io.tributary.core.spi.Durability.OS_FLUSH, at, format)) {
        sink.commit(IngestBatch.ofObjects(List.of(plain), List.of(), 0, Map.of()));
        assertThat(sink.find("A", Values.ofInt(i)).orElseThrow()).as("ingested at " + t)
            .isEqualTo(plain.toBuilder().setSequence(1).setIngestedAtMs(t).build());
      }
    }
  }

  @Test
  void aDirectoryHoldingSomethingElseIsRefused() {
    LmdbStorage.at(dir).open(io.tributary.core.spi.UploadLogOptions.DEFAULT).close();
    assertThatThrownBy(() -> LmdbIngestSink.open(dir)).isInstanceOf(SinkException.class)
        .hasMessageContaining("expected: a Tributary ingest store");
  }
}
