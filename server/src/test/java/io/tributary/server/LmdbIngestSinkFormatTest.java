package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.Durability;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.SinkException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * Stored formats of {@link LmdbIngestSink}: a store written by the code before format 2 (a fixture)
 * still works; format 2's chunks of a round and class numbers; typed errors for what is not a store
 * this code can read.
 */
class LmdbIngestSinkFormatTest {
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_800_000_000_000L), ZoneOffset.UTC);
  @TempDir Path dir;

  /**
   * Copies the format-1 fixture: {@code format1/data.mdb.gz} is a store that the code before format
   * 2 wrote (the generator is {@code format1/Gen.java.txt}), {@code objects.bin.gz} the objects
   * that code read from it (length-delimited {@link IngestedObject}s, in ingest order).
   */
  private List<IngestedObject> format1Fixture(Path store) throws IOException {
    Files.createDirectories(store);
    try (InputStream in = new GZIPInputStream(resource("data.mdb.gz"))) {
      Files.copy(in, store.resolve("data.mdb"));
    }
    List<IngestedObject> objects = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(resource("objects.bin.gz"))) {
      for (IngestedObject o; (o = IngestedObject.parseDelimitedFrom(in)) != null; ) {
        objects.add(o);
      }
    }
    return objects;
  }

  private static InputStream resource(String name) {
    InputStream in = LmdbIngestSinkFormatTest.class.getResourceAsStream("format1/" + name);
    assertThat(in).as(name).isNotNull();
    return in;
  }

  private static List<IngestedObject> scan(IngestStore store, long after) {
    List<IngestedObject> out = new ArrayList<>();
    store.scan(after, out::add);
    return out;
  }

  private static IngestedObject unstored(IngestedObject o) {
    return o.toBuilder().clearSequence().clearIngestedAtMs().build();
  }

  @Test
  void aStoreWrittenByTheCodeBeforeFormat2ReadsAndWritesAsBefore() throws IOException {
    Path store = dir.resolve("old");
    List<IngestedObject> expected = format1Fixture(store);
    assertThat(expected).hasSize(385);
    try (LmdbIngestSink sink = LmdbIngestSink.open(store, Durability.SYNC, CLOCK)) {
      assertThat(sink.format()).isEqualTo(1);
      assertThat(scan(sink, 0)).containsExactlyElementsOf(expected);
      assertThat(scan(sink, 300)).containsExactlyElementsOf(expected.subList(300, 385));
      assertThat(sink.objectCount()).isEqualTo(385);
      assertThat(sink.countByClass()).containsExactly(Map.entry("A", 60L), Map.entry("B", 1L), Map.entry("N", 1L),
          Map.entry("Reading", 320L), Map.entry("S", 2L), Map.entry("U", 1L));
      for (IngestedObject o : expected) {
        assertThat(sink.find(o.getClassName(), o.getPrimaryKey())).as(o.getClassName() + " " + o.getPrimaryKey())
            .hasValue(o);
      }
      assertThat(sink.lastClientFileIdent()).isEqualTo(6);
      assertThat(sink.clientFiles()).extracting(ClientFileRecord::getUserId).containsExactly("user-1", "user-2");
      assertThat(sink.setting("schema")).hasValue("{\"v\":1}");

      // every stored object again is a duplicate; a new one continues the numbering
      List<IngestedObject> again = new ArrayList<>();
      expected.forEach(o -> again.add(unstored(o)));
      IngestedObject fresh = LmdbIngestSinkTest.object("A", Values.ofInt(1_000_000), 9);
      again.add(fresh);
      CommitResult r = sink.commit(IngestBatch.ofObjects(again, List.of(), 0, Map.of()));
      assertThat(r.duplicateCount()).isEqualTo(385);
      assertThat(r.firstSequence()).isEqualTo(386);
      assertThat(r.lastSequence()).isEqualTo(386);
    }
    try (LmdbIngestSink sink = LmdbIngestSink.open(store, Durability.SYNC, CLOCK)) {
      assertThat(sink.format()).as("a format-1 store stays format 1").isEqualTo(1);
      assertThat(sink.objectCount()).isEqualTo(386);
      assertThat(scan(sink, 385)).singleElement().extracting(IngestedObject::getSequence).isEqualTo(386L);
    }
    assertThat(databases(store)).as("no database that the code before format 2 refuses")
        .containsExactlyInAnyOrder("objects", "pk_index", "client_files", "class_counts", "meta");
  }

  @Test
  void newStoresAreFormat2AndAFormatThisCodeDoesNotKnowIsRefusedByName() {
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir)) {
      assertThat(sink.format()).isEqualTo(2);
    }
    assertThat(databases(dir)).contains("classes", "pk_index", "pk_index.1", "pk_index.15");
    setFormat(dir, 3);
    assertThatThrownBy(() -> LmdbIngestSink.open(dir)).isInstanceOf(SinkException.class)
        .hasMessageContaining("format version 3 (expected: 1 to 2)");
    setFormat(dir, 0);
    assertThatThrownBy(() -> LmdbIngestSink.open(dir)).isInstanceOf(SinkException.class)
        .hasMessageContaining("format version 0");
  }

  @Test
  void roundsLargerThanAChunkSplitAndEverySequenceIsFoundAndScannedFrom() {
    // objects of about 1 KiB: several chunks per round; one object larger than a chunk alone;
    // duplicates inside the round leave no gap in the chunks' sequences
    String big = "x".repeat(LmdbIngestSink.CHUNK_BYTES + 100);
    List<IngestedObject> round = new ArrayList<>();
    List<IngestedObject> stored = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      IngestedObject o = LmdbIngestSinkTest.object("A", Values.ofInt(i % 97 == 50 ? 3 : i), i).toBuilder()
          .putFields("pad", Values.ofString((i == 150 ? big : "p".repeat(1000)) + i)).build();
      round.add(o);
      if (!(i % 97 == 50)) {
        stored.add(o);
      }
    }
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir, Durability.SYNC, CLOCK)) {
      CommitResult r = sink.commit(IngestBatch.ofObjects(round, List.of(), 0, Map.of()));
      assertThat(r.duplicateCount()).isEqualTo(3);
      sink.commit(IngestBatch.ofObjects(List.of(LmdbIngestSinkTest.object("B", Values.ofInt(1), 1)), List.of(), 0,
          Map.of()));
      assertThat(chunks(dir)).as("chunks in objects").isBetween(6, 10);
      List<IngestedObject> all = scan(sink, 0);
      assertThat(all).hasSize(stored.size() + 1);
      for (int i = 0; i < stored.size(); i++) {
        IngestedObject want = stored.get(i).toBuilder().setSequence(i + 1).setIngestedAtMs(CLOCK.millis()).build();
        assertThat(all.get(i)).isEqualTo(want);
        assertThat(sink.find("A", stored.get(i).getPrimaryKey())).hasValue(want);
      }
      for (long after = 0; after <= all.size(); after++) {
        List<IngestedObject> tail = scan(sink, after);
        assertThat(tail).as("after %d", after).containsExactlyElementsOf(all.subList((int) after, all.size()));
      }
      long[] seen = {0};
      assertThat(sink.scan(10, o -> ++seen[0] < 3)).as("stops where the visitor says").isEqualTo(13);
      assertThat(sink.scan(all.size(), o -> true)).isEqualTo(all.size());
      assertThat(sink.scan(Long.MAX_VALUE, o -> true)).isEqualTo(Long.MAX_VALUE);
      assertThat(sink.objectCount()).isEqualTo(all.size());
    }
  }

  @Test
  void aStoreLargerThanThePagesKeptReadsBackEveryObjectAfterItsOlderPagesLeftThePageCache() throws IOException {
    // 30 rounds of 1,000 objects of about 1 KiB: the data file passes the page cache trim's 16 MiB
    // kept plus its 8 MiB step, so older pages are dropped behind (Linux); every object still reads
    // back after a reopen. SYNC: each commit's pages are clean when the trim thread gets to them
    // (unsynced, they are written back first and dropped a step later). Nothing reads the old
    // objects before the check: a read of a dropped page through LMDB's map reads it from disk
    // with the device's read-ahead (megabytes), which would bring the pages back
    List<IngestedObject> stored = new ArrayList<>();
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir, Durability.SYNC, CLOCK, true)) {
      for (int r = 0; r < 30; r++) {
        List<IngestedObject> round = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          int n = r * 1000 + i;
          round.add(LmdbIngestSinkTest.object("A", Values.ofInt(n), r).toBuilder()
              .putFields("pad", Values.ofString("p".repeat(1000) + n)).build());
        }
        assertThat(sink.commit(IngestBatch.ofObjects(round, List.of(), 0, Map.of())).storedCount()).isEqualTo(1000);
        stored.addAll(round);
      }
    }
    long size = Files.size(dir.resolve("data.mdb"));
    assertThat(size).isGreaterThan(30L << 20);
    if (System.getProperty("os.name", "").startsWith("Linux")) {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("data.mdb"))) {
        assertThat(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, 8L << 20).isLoaded())
            .as("the oldest 8 MiB dropped from the page cache, at least in part").isFalse();
      }
    }
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir, Durability.OS_FLUSH, CLOCK)) {
      List<IngestedObject> all = scan(sink, 0);
      assertThat(all).hasSize(stored.size());
      for (int i = 0; i < stored.size(); i++) {
        assertThat(all.get(i)).isEqualTo(stored.get(i).toBuilder().setSequence(i + 1).setIngestedAtMs(CLOCK.millis())
            .build());
      }
      assertThat(sink.find("A", Values.ofInt(0)).orElseThrow().getSequence()).isEqualTo(1);
      assertThat(sink.find("A", Values.ofInt(29_999)).orElseThrow().getSequence()).isEqualTo(30_000);
    }
  }

  @Test
  void thePageCacheTrimIsOnByDefaultForEveryDurability() {
    assertThat(LmdbIngestSink.defaultPageCacheTrim(Durability.OS_FLUSH)).isTrue();
    assertThat(LmdbIngestSink.defaultPageCacheTrim(Durability.SYNC)).isTrue();
    assertThat(LmdbIngestSink.defaultPageCacheTrim(Durability.NO_META_SYNC)).isTrue();
    // the trim's thread starts with the first commit of a sink that trims, and only then
    for (Durability d : Durability.values()) {
      Path store = dir.resolve(d.name());
      try (LmdbIngestSink sink = LmdbIngestSink.open(store, d, CLOCK)) {
        sink.commit(IngestBatch.ofObjects(List.of(LmdbIngestSinkTest.object("A", Values.ofInt(1), 0)), List.of(), 0,
            Map.of()));
        boolean trimming = Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals("tributary-sink-trim " + store));
        boolean linux = System.getProperty("os.name", "").startsWith("Linux");
        assertThat(trimming).as(d.name()).isEqualTo(linux && LmdbIngestSink.defaultPageCacheTrim(d));
      }
    }
  }

  @Test
  void objectIdsOfSeveralDevicesSpreadOverPkIndexPartitionsAndDeduplicateExactly() {
    // 8 devices' ObjectIds (seconds, 5 process bytes, counter) interleaved by upload; a second
    // commit repeats half of them (from another device's upload order) and adds new ones
    List<IngestedObject> first = new ArrayList<>();
    List<IngestedObject> second = new ArrayList<>();
    for (int upload = 0; upload < 4; upload++) {
      for (int device = 0; device < 8; device++) {
        for (int i = 0; i < 50; i++) {
          int n = upload * 50 + i;
          Value id = Values.objectId(String.format("6560f0a1%08x%02x%06x", 0xC3B2A100 | device, 0xF0, n));
          (upload < 2 ? first : second).add(LmdbIngestSinkTest.object("Reading", id, upload));
          if (upload == 1) {
            second.add(LmdbIngestSinkTest.object("Reading", id, 9)); // a re-send: a duplicate
          }
        }
      }
    }
    Value intKey = Values.ofInt(5);
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir)) {
      assertThat(sink.commit(IngestBatch.ofObjects(first, List.of(), 0, Map.of())).duplicateCount()).isZero();
      CommitResult r = sink.commit(IngestBatch.ofObjects(second, List.of(), 0, Map.of()));
      assertThat(r.duplicateCount()).isEqualTo(400);
      assertThat(r.storedCount()).isEqualTo(800);
      sink.commit(IngestBatch.ofObjects(List.of(LmdbIngestSinkTest.object("Reading", intKey, 1)), List.of(), 0,
          Map.of()));
      for (IngestedObject o : first) {
        assertThat(sink.find("Reading", o.getPrimaryKey()).orElseThrow().getClientVersion()).isEqualTo(o.getClientVersion());
      }
      assertThat(sink.find("Reading", intKey)).isPresent();
      assertThat(sink.objectCount()).isEqualTo(1601);
    }
    long[] entries = pkPartitionEntries(dir);
    assertThat(java.util.Arrays.stream(entries).sum()).isEqualTo(1601);
    assertThat(java.util.Arrays.stream(entries).filter(n -> n > 0).count()).as("devices spread: " + java.util.Arrays.toString(entries))
        .isGreaterThanOrEqualTo(4);
  }

  @Test
  void aFailedCommitLeavesNoClassNumberBehind() {
    // the failed commit numbers class "New" before its bad key fails it; had that number stayed
    // in use, "Other" (numbered next, the same number) and "New" would share keys
    Value badObjectId = Value.newBuilder().setObjectIdValue("not an object id").build();
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir)) {
      sink.commit(IngestBatch.ofObjects(List.of(LmdbIngestSinkTest.object("First", Values.ofInt(1), 1)), List.of(), 0,
          Map.of()));
      assertThatThrownBy(() -> sink.commit(IngestBatch.ofObjects(List.of(
          LmdbIngestSinkTest.object("New", Values.ofInt(1), 2), LmdbIngestSinkTest.object("Bad", badObjectId, 2)),
          List.of(), 0, Map.of()))).isInstanceOf(SinkException.class);
      assertThat(sink.objectCount()).isEqualTo(1);
      CommitResult other = sink.commit(IngestBatch.ofObjects(
          List.of(LmdbIngestSinkTest.object("Other", Values.ofInt(1), 3)), List.of(), 0, Map.of()));
      CommitResult fresh = sink.commit(IngestBatch.ofObjects(
          List.of(LmdbIngestSinkTest.object("New", Values.ofInt(1), 4)), List.of(), 0, Map.of()));
      assertThat(other.duplicateCount()).isZero();
      assertThat(fresh.duplicateCount()).as("New's key is not Other's").isZero();
      assertThat(sink.find("Other", Values.ofInt(1)).orElseThrow().getClientVersion()).isEqualTo(3);
      assertThat(sink.find("New", Values.ofInt(1)).orElseThrow().getClientVersion()).isEqualTo(4);
      assertThat(sink.find("Missing", Values.ofInt(1))).isEmpty();
    }
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir)) {
      assertThat(sink.find("New", Values.ofInt(1)).orElseThrow().getClientVersion()).isEqualTo(4);
      CommitResult again = sink.commit(IngestBatch.ofObjects(List.of(LmdbIngestSinkTest.object("Other", Values.ofInt(1),
          5), LmdbIngestSinkTest.object("New", Values.ofInt(1), 5), LmdbIngestSinkTest.object("Third", Values.ofInt(1),
          5)), List.of(), 0, Map.of()));
      assertThat(again.duplicateCount()).isEqualTo(2);
      assertThat(again.isDuplicate(2)).isFalse();
      assertThat(sink.countByClass()).containsExactly(Map.entry("First", 1L), Map.entry("New", 1L),
          Map.entry("Other", 1L), Map.entry("Third", 1L));
    }
  }

  @Test
  void aCorruptChunkIsATypedErrorNamingIt() {
    try (LmdbIngestSink sink = LmdbIngestSink.open(dir)) {
      sink.commit(IngestBatch.ofObjects(List.of(LmdbIngestSinkTest.object("A", Values.ofInt(1), 1),
          LmdbIngestSinkTest.object("A", Values.ofInt(2), 1)), List.of(), 0, Map.of()));
    }
    // a count larger than the chunk holds, a length past its end, a truncated record, a truncated
    // varint; then bytes after its objects (seen by a scan to its end)
    byte[][] corrupt = {{0, 50, 1, 2}, {0, 2, 100, 1}, {0, 1, 1, 8}, {(byte) 0x80}, {0, 1, 0, 7}};
    for (int i = 0; i < corrupt.length; i++) {
      writeRaw(dir, "objects", 1, corrupt[i]);
      try (LmdbIngestSink sink = LmdbIngestSink.open(dir)) {
        assertThatThrownBy(() -> sink.scan(0, o -> true)).isInstanceOf(SinkException.class)
            .hasMessageContaining("corrupt");
        if (i < 4) {
          assertThatThrownBy(() -> sink.find("A", Values.ofInt(1))).isInstanceOf(SinkException.class)
              .hasMessageContaining("corrupt");
        }
      }
    }
  }

  // --- raw LMDB (the store closed) ---

  private static Env<ByteBuffer> env(Path store) {
    try {
      return Env.create().setMaxDbs(64).setMapSize(Files.size(store.resolve("data.mdb")) + (1 << 20))
          .open(store.toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> databases(Path store) {
    List<String> names = new ArrayList<>();
    try (Env<ByteBuffer> env = env(store)) {
      Dbi<ByteBuffer> main = env.openDbi((byte[]) null);
      try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = main.openCursor(txn)) {
        for (boolean more = c.first(); more; more = c.next()) {
          names.add(StandardCharsets.ISO_8859_1.decode(c.key()).toString());
        }
      }
    }
    return names;
  }

  private static long[] pkPartitionEntries(Path store) {
    long[] out = new long[LmdbIngestSink.PK_PARTITIONS];
    try (Env<ByteBuffer> env = env(store)) {
      List<Dbi<ByteBuffer>> dbis = new ArrayList<>();
      for (int i = 0; i < out.length; i++) {
        dbis.add(env.openDbi(LmdbIngestSink.partitionName(i)));
      }
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        for (int i = 0; i < out.length; i++) {
          out[i] = dbis.get(i).stat(txn).entries;
        }
      }
    }
    return out;
  }

  private static int chunks(Path store) {
    try (Env<ByteBuffer> env = env(store)) {
      Dbi<ByteBuffer> objects = env.openDbi("objects");
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        return (int) objects.stat(txn).entries;
      }
    }
  }

  private static void setFormat(Path store, int version) {
    ByteBuffer k = direct("format".getBytes(StandardCharsets.US_ASCII));
    ByteBuffer v = direct(ByteBuffer.allocate(12).put("TRIBINGS".getBytes(StandardCharsets.US_ASCII))
        .putInt(version).array());
    try (Env<ByteBuffer> env = env(store)) {
      Dbi<ByteBuffer> meta = env.openDbi("meta");
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        meta.put(txn, k, v);
        txn.commit();
      }
    }
  }

  private static void writeRaw(Path store, String db, long key, byte[] value) {
    ByteBuffer k = ByteBuffer.allocateDirect(8).order(ByteOrder.BIG_ENDIAN).putLong(0, key);
    try (Env<ByteBuffer> env = env(store)) {
      Dbi<ByteBuffer> dbi = env.openDbi(db);
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        dbi.put(txn, k, direct(value));
        txn.commit();
      }
    }
  }

  private static ByteBuffer direct(byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }
}
