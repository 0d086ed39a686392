package io.tributary.server;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.core.spi.Durability;
import io.tributary.core.spi.UploadLogException;
import io.tributary.server.internal.ingest.DirectIngest;
import io.tributary.server.internal.store.Keys;
import io.tributary.server.internal.store.PageCacheTrim;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestRecords;
import io.tributary.server.spi.IngestSink;
import io.tributary.server.spi.SinkException;
import io.tributary.storage.lmdb.LmdbEnvironment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * The embedded default {@link IngestSink}: one LMDB environment in a directory (through {@link
 * LmdbEnvironment}, so every LMDB call runs on its storage thread), holding in one transaction per
 * commit (stored format 2):
 *
 * <table>
 *   <caption>Databases</caption>
 *   <tr><th>name</th><th>key</th><th>value</th></tr>
 *   <tr><td>{@code objects}</td><td>a chunk's first sequence (u64 big-endian): ingest order</td>
 *       <td>a chunk of one commit's stored objects: ingest time (int64 varint), count (varint),
 *       then per object its length (varint) and its {@link IngestedObject} without sequence and
 *       ingest time (the bytes of {@link IngestRecords}); at most 64 KiB unless one
 *       object alone is larger</td></tr>
 *   <tr><td>{@code pk_index}, {@code pk_index.1} to {@code pk_index.15}</td><td>(class number,
 *       primary key), see {@link Keys#primaryKey(byte[], Value)}; an object id key in the partition
 *       that its process bytes pick, every other key in {@code pk_index}</td><td>sequence (6 bytes
 *       big-endian)</td></tr>
 *   <tr><td>{@code classes}</td><td>class name (UTF-8)</td><td>class number (u16 big-endian, from 1)</td></tr>
 *   <tr><td>{@code client_files}</td><td>client file ident (u64 big-endian)</td><td>{@link ClientFileRecord}</td></tr>
 *   <tr><td>{@code class_counts}</td><td>class name (UTF-8)</td><td>object count (u64)</td></tr>
 *   <tr><td>{@code meta}</td><td>{@code format}, {@code last_sequence}, {@code last_ident}, {@code setting:<key>}</td><td></td></tr>
 * </table>
 *
 * <p>A reader finds a sequence in the chunk with the largest key at or below it. The partitions of
 * {@code pk_index} keep the increasing ObjectIds of a few devices (their process bytes differ) in
 * B-trees of their own, where inserts land at a page's end and LMDB's splits leave pages full; in
 * one B-tree, several such key ranges split pages in the middle and leave them about half full. Stores of format 1
 * (written by earlier versions: per object one {@code objects} entry, key its sequence, value its
 * {@link IngestedObject} with sequence and ingest time; {@code pk_index} keyed by class name, see
 * {@link Keys#primaryKey(String, Value)}, values of 8 bytes; no {@code classes}) are read and
 * written in that layout, so they stay readable by earlier versions; {@link #format()} tells which.
 *
 * <p>De-duplication is a {@code pk_index} insert without overwrite in the same transaction as the
 * object, the client files and the counters, so a crash never separates them. Durability follows
 * {@link Durability} ({@link Durability#SYNC} by default: a commit is on disk before {@link
 * #commit} returns). Another process may open the same directory (LMDB supports several
 * processes); one process may open it once.
 *
 * <p>Thread safe.
 */
public final class LmdbIngestSink implements IngestSink, IngestStore {
  private static final byte[] MAGIC = "TRIBINGS".getBytes(StandardCharsets.US_ASCII);
  /** The format of new stores; stores of format 1 are read and written in their own layout. */
  static final int FORMAT_VERSION = 2;
  private static final String OBJECTS = "objects";
  private static final String PK_INDEX = "pk_index";
  private static final String CLIENT_FILES = "client_files";
  private static final String CLASS_COUNTS = "class_counts";
  private static final String META = "meta";
  private static final String CLASSES = "classes";
  /**
   * Format 2: {@code pk_index} in this many databases ({@code pk_index}, {@code pk_index.1}, ...):
   * an object id key goes to the one its process bytes pick, so that each device's increasing ids
   * (a "lane") mostly have a B-tree of their own and fill its pages.
   */
  static final int PK_PARTITIONS = 16;
  private static final Set<String> NAMES = names();
  private static final PutFlags[] NO_OVERWRITE = {PutFlags.MDB_NOOVERWRITE};
  private static final PutFlags[] APPEND = {PutFlags.MDB_APPEND};
  private static final PutFlags[] APPEND_NO_OVERWRITE = {PutFlags.MDB_APPEND, PutFlags.MDB_NOOVERWRITE};
  private static final PutFlags[] NONE = {};
  private static final int SCAN_PAGE = 512;
  /**
   * Format 2: the largest {@code objects} value (a chunk of a round) that holds more than one
   * object: 16 pages of LMDB overflow (4 KiB pages, one 16-byte page header), so that chunks fill
   * their pages and need short runs of free pages.
   */
  static final int CHUNK_BYTES = 16 * 4096 - 16;
  /** Format 2: a chunk's header, at most: ingest time (int64 varint) and count (uint32 varint). */
  private static final int CHUNK_HEADER_MAX = 10 + 5;
  /** Format 2: the largest sequence a {@code pk_index} value (6 bytes) holds. */
  private static final long MAX_SEQUENCE = (1L << 48) - 1;
  private static final int CLASS_NUMBER_BYTES = 2;

  private final LmdbEnvironment env;
  private final Clock clock;
  private final int newStoreFormat;
  /** The data file's page cache behind its newest pages (see {@link PageCacheTrim}), or null if off. */
  private final PageCacheTrim trim;

  private static Set<String> names() {
    Set<String> names = new java.util.HashSet<>(List.of(OBJECTS, PK_INDEX, CLIENT_FILES, CLASS_COUNTS, META, CLASSES));
    for (int i = 1; i < PK_PARTITIONS; i++) {
      names.add(partitionName(i));
    }
    return Set.copyOf(names);
  }

  /** Format 2: the name of {@code pk_index} partition {@code i}. */
  static String partitionName(int i) {
    return i == 0 ? PK_INDEX : PK_INDEX + "." + i;
  }

  // storage thread only
  private Dbi<ByteBuffer> objects;
  private Dbi<ByteBuffer> pkIndex;
  private Dbi<ByteBuffer> clientFiles;
  private Dbi<ByteBuffer> classCounts;
  private Dbi<ByteBuffer> meta;
  private Dbi<ByteBuffer> classes; // format 2
  private final List<Dbi<ByteBuffer>> pkPartitions = new ArrayList<>(); // format 2; [0] is pkIndex
  private int format; // of the open store: 1 or 2
  // format 2: class name -> number (u16 big-endian), committed entries only
  private final Map<String, byte[]> classNumbers = new java.util.HashMap<>();
  // format 2: numbers assigned by the running write (cleared when a write starts)
  private final Map<String, byte[]> newClassNumbers = new java.util.HashMap<>();
  private byte[] chunk = new byte[CHUNK_BYTES];
  private final ByteBuffer key = ByteBuffer.allocateDirect(Keys.MAX_KEY_BYTES);
  private final ByteBuffer u64 = ByteBuffer.allocateDirect(8).order(ByteOrder.BIG_ENDIAN);
  // an object's trailer: sequence and ingested_at_ms fields (two tags, two varints of <= 10 bytes)
  private final byte[] trailer = new byte[22];

  private LmdbIngestSink(LmdbEnvironment env, Clock clock, int newStoreFormat, boolean pageCacheTrim) {
    this.env = env;
    this.clock = clock;
    this.newStoreFormat = newStoreFormat;
    this.trim = pageCacheTrim
        ? new PageCacheTrim(env.directory().resolve("data.mdb"), "tributary-sink-trim " + env.directory())
        : null;
  }

  /**
   * Opens (creating if needed) the store in {@code directory} with {@link Durability#SYNC}.
   *
   * @throws SinkException if the directory holds something else, a newer format, or cannot be
   *     opened
   */
  public static LmdbIngestSink open(Path directory) {
    return open(directory, Durability.SYNC, Clock.systemUTC());
  }

  /**
   * Opens (creating if needed) the store in {@code directory}.
   *
   * @param directory where LMDB keeps {@code data.mdb} and {@code lock.mdb}
   * @param durability how commits are flushed
   * @param clock source of {@link IngestedObject#getIngestedAtMs()}
   * @throws SinkException if the directory holds something else, a newer format, or cannot be
   *     opened
   */
  public static LmdbIngestSink open(Path directory, Durability durability, Clock clock) {
    return open(directory, durability, clock, defaultPageCacheTrim(durability));
  }

  /**
   * Opens (creating if needed) the store in {@code directory}, choosing whether the data file's
   * written pages leave the page cache behind its newest 16 MiB ({@code PageCacheTrim}; Linux only;
   * docs/operators.md "Page cache"). It cuts the sink's kernel CPU per object about two-fold on a
   * VM (1.3–1.9x objects/s with 8 devices under {@link Durability#SYNC}); what it costs: objects
   * written long ago are read from disk, and now and then a B-tree page LMDB has just rewritten
   * is dropped before its next read, which a commit then reads from disk (a longer maximum of
   * commit times). The default ({@link #open(Path, Durability, Clock)}) is on.
   *
   * @param directory where LMDB keeps {@code data.mdb} and {@code lock.mdb}
   * @param durability how commits are flushed
   * @param clock source of {@link IngestedObject#getIngestedAtMs()}
   * @param pageCacheTrim whether to drop the written pages from the page cache
   * @throws SinkException if the directory holds something else, a newer format, or cannot be
   *     opened
   */
  public static LmdbIngestSink open(Path directory, Durability durability, Clock clock, boolean pageCacheTrim) {
    return open(directory, durability, clock, FORMAT_VERSION, pageCacheTrim);
  }

  /**
   * The page-cache trim's default for {@code durability}: on for every durability (see {@link
   * #open(Path, Durability, Clock, boolean)}; it was on for {@link Durability#OS_FLUSH} only until
   * paced and unpaced runs under {@link Durability#SYNC} showed the same p99 with 1.3–1.6x the
   * objects/s).
   */
  public static boolean defaultPageCacheTrim(Durability durability) {
    Objects.requireNonNull(durability, "durability");
    return true;
  }

  /** As {@link #open(Path, Durability, Clock)}, creating a new store in format {@code newStoreFormat} (tests). */
  static LmdbIngestSink open(Path directory, Durability durability, Clock clock, int newStoreFormat) {
    return open(directory, durability, clock, newStoreFormat, defaultPageCacheTrim(durability));
  }

  private static LmdbIngestSink open(
      Path directory, Durability durability, Clock clock, int newStoreFormat, boolean pageCacheTrim) {
    if (newStoreFormat < 1 || newStoreFormat > FORMAT_VERSION) {
      throw new IllegalArgumentException("newStoreFormat " + newStoreFormat + " (expected: 1 to " + FORMAT_VERSION + ")");
    }
    LmdbEnvironment env;
    try {
      env =
          LmdbEnvironment.newBuilder(directory)
              .durability(durability)
              .maxDatabases(8 + PK_PARTITIONS)
              .threadName("tributary-sink")
              .open();
    } catch (RuntimeException e) {
      throw new SinkException("LMDB ingest store at " + directory + ": cannot open: " + e.getMessage(), e);
    }
    LmdbIngestSink sink = new LmdbIngestSink(env, clock, newStoreFormat, pageCacheTrim);
    try {
      env.writeExclusive(sink::initialize);
    } catch (RuntimeException e) {
      env.close();
      throw e instanceof SinkException
          ? (SinkException) e
          : new SinkException("LMDB ingest store at " + directory + ": " + e.getMessage(), e);
    }
    return sink;
  }

  /** The directory. */
  public Path directory() {
    return env.directory();
  }

  /** The stored format of the open store: 1 (written by versions before it) or 2. */
  public int format() {
    return format;
  }

  private Void initialize(Txn<ByteBuffer> txn) {
    Dbi<ByteBuffer> main = env.env().openDbi(txn, (byte[]) null, null, false);
    List<String> names = new ArrayList<>();
    try (Cursor<ByteBuffer> c = main.openCursor(txn)) {
      for (boolean more = c.first(); more; more = c.next()) {
        names.add(StandardCharsets.ISO_8859_1.decode(c.key()).toString());
      }
    }
    if (!names.isEmpty() && !NAMES.containsAll(names)) {
      throw new SinkException(
          "LMDB ingest store at " + env.directory() + ": holds databases " + names
              + " (expected: a Tributary ingest store: " + new TreeMap<>(Map.of(OBJECTS, 0, PK_INDEX, 0, CLIENT_FILES, 0, CLASS_COUNTS, 0, META, 0, CLASSES, 0)).keySet() + ", " + PK_INDEX + ".1 to ." + (PK_PARTITIONS - 1) + ")",
          null);
    }
    objects = open(txn, OBJECTS);
    pkIndex = open(txn, PK_INDEX);
    clientFiles = open(txn, CLIENT_FILES);
    classCounts = open(txn, CLASS_COUNTS);
    meta = open(txn, META);
    ByteBuffer format = meta.get(txn, ascii("format"));
    if (format == null) {
      ByteBuffer v = meta.reserve(txn, ascii("format"), MAGIC.length + 4, NONE);
      v.put(MAGIC).putInt(newStoreFormat);
      this.format = newStoreFormat;
    } else {
      byte[] magic = new byte[MAGIC.length];
      if (format.remaining() != MAGIC.length + 4 || !java.util.Arrays.equals(readBytes(format, magic), MAGIC)) {
        throw new SinkException(
            "LMDB ingest store at " + env.directory() + ": foreign format record (expected: "
                + new String(MAGIC, StandardCharsets.US_ASCII) + ")",
            null);
      }
      int version = format.order(ByteOrder.BIG_ENDIAN).getInt(MAGIC.length);
      if (version < 1 || version > FORMAT_VERSION) {
        throw new SinkException(
            "LMDB ingest store at " + env.directory() + ": format version " + version
                + " (expected: 1 to " + FORMAT_VERSION + ")",
            null);
      }
      this.format = version;
    }
    if (this.format >= 2) {
      classes = open(txn, CLASSES);
      pkPartitions.add(pkIndex);
      for (int i = 1; i < PK_PARTITIONS; i++) {
        pkPartitions.add(open(txn, partitionName(i)));
      }
    } else if (names.contains(CLASSES) || names.contains(partitionName(1))) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": format 1 with a " + CLASSES
          + " database (expected: none before format 2)", null);
    }
    return null;
  }

  private Dbi<ByteBuffer> open(Txn<ByteBuffer> txn, String name) {
    return env.env().openDbi(txn, name.getBytes(StandardCharsets.US_ASCII), null, false, DbiFlags.MDB_CREATE);
  }

  private static byte[] readBytes(ByteBuffer b, byte[] into) {
    b.duplicate().get(into);
    return into;
  }

  // --- buffers (storage thread) ---

  private ByteBuffer ascii(String s) {
    return bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  private ByteBuffer bytes(byte[] b) {
    if (b.length > Keys.MAX_KEY_BYTES) {
      throw new SinkException("LMDB key of " + b.length + " bytes (expected: <= " + Keys.MAX_KEY_BYTES + ")", null);
    }
    key.clear();
    key.put(b).flip();
    return key;
  }

  private ByteBuffer u64(long v) {
    u64.clear();
    u64.putLong(v).flip();
    return u64;
  }

  private ByteBuffer longKey(long v) {
    key.clear();
    key.order(ByteOrder.BIG_ENDIAN).putLong(v).flip();
    return key;
  }

  private static long readLong(ByteBuffer b) {
    return b == null ? 0 : b.order(ByteOrder.BIG_ENDIAN).getLong(b.position());
  }

  private long metaLong(Txn<ByteBuffer> txn, String name) {
    return readLong(meta.get(txn, ascii(name)));
  }

  private void putMetaLong(Txn<ByteBuffer> txn, String name, long value) {
    meta.put(txn, ascii(name), u64(value), NONE);
  }

  private static void put(Dbi<ByteBuffer> dbi, Txn<ByteBuffer> txn, ByteBuffer k, byte[] value) {
    dbi.reserve(txn, k, value.length, NONE).put(value);
  }

  // --- IngestSink ---

  @Override
  public CommitResult commit(IngestBatch batch) {
    long now = clock.millis();
    CommitResult result = format == 1
        ? call(() -> env.write(txn -> store(txn, batch, now)), "commit")
        : call(() -> env.write(txn -> storeRounds(txn, batch, now)), "commit");
    if (trim != null) {
      trim.afterWrite(); // returns at once: a thread of its own drops the written pages
    }
    return result;
  }

  /** Format 1: one {@code objects} entry per object, class names in {@code pk_index} keys. */
  private CommitResult store(Txn<ByteBuffer> txn, IngestBatch batch, long now) {
    long last = metaLong(txn, "last_sequence");
    long first = 0;
    BitSet duplicates = new BitSet();
    Map<String, long[]> counts = new java.util.HashMap<>();
    IngestRecords list = batch.objects();
    byte[] data = list.array();
    String className = null;
    byte[] classUtf8 = null;
    long[] count = null;
    // a device's primary keys usually increase (ObjectIds: seconds first), so pk_index inserts
    // try MDB_APPEND first: no split in the middle of the last page, pages filled. A key that
    // is not above the last one fails the append without a change (MDB_KEYEXIST, also for an
    // equal key), and the plain no-overwrite insert then decides, so a duplicate is found as
    // before; after one failure the rest of the batch inserts plainly.
    boolean[] noAppend = new boolean[1]; // whether appends into pk_index stopped working
    // one cursor per database for the whole batch: a put through an open cursor skips
    // mdb_put's cursor set-up per call (same puts, flags and outcomes as Dbi.put)
    try (Cursor<ByteBuffer> pkCursor = pkIndex.openCursor(txn);
        Cursor<ByteBuffer> objectCursor = objects.openCursor(txn)) {
    for (int i = 0; i < list.size(); i++) {
      String name = list.className(i);
      if (!name.equals(className)) { // objects come in runs of one class
        className = name;
        classUtf8 = className.getBytes(StandardCharsets.UTF_8);
        count = counts.computeIfAbsent(className, k -> new long[1]);
      }
      ByteBuffer pk =
          Keys.putPrimaryKey(classUtf8, list, i, key) ? key : bytes(Keys.primaryKey(className, list.primaryKey(i)));
      long seq = last + 1;
      ByteBuffer value = u64(seq);
      if (!insertNew(pkCursor, pk, value, noAppend, 0)) {
        duplicates.set(i);
        continue;
      }
      last = seq;
      if (first == 0) {
        first = seq;
      }
      putObject(objectCursor, data, list.offset(i), list.length(i), seq, now);
      count[0]++;
    }
    }
    return finish(txn, batch, counts, duplicates, first, last);
  }

  /** Both formats: counters, last sequence, client files, last ident, settings; the result. */
  private CommitResult finish(Txn<ByteBuffer> txn, IngestBatch batch, Map<String, long[]> counts, BitSet duplicates,
      long first, long last) {
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      ByteBuffer k = bytes(e.getKey().getBytes(StandardCharsets.UTF_8));
      long n = readLong(classCounts.get(txn, k)) + e.getValue()[0];
      classCounts.put(txn, bytes(e.getKey().getBytes(StandardCharsets.UTF_8)), u64(n), NONE);
    }
    if (first != 0) {
      putMetaLong(txn, "last_sequence", last);
    }
    for (ClientFileRecord f : batch.clientFiles()) {
      put(clientFiles, txn, longKey(f.getIdent()), f.toByteArray());
    }
    if (batch.lastClientFileIdent() > metaLong(txn, "last_ident")) {
      putMetaLong(txn, "last_ident", batch.lastClientFileIdent());
    }
    for (Map.Entry<String, String> e : batch.settings().entrySet()) {
      put(meta, txn, ascii("setting:" + e.getKey()), e.getValue().getBytes(StandardCharsets.UTF_8));
    }
    return new CommitResult(batch.objects().size(), duplicates, first, first == 0 ? 0 : last);
  }

  /**
   * Format 2: {@code pk_index} keys under class numbers, values of 6 bytes; the stored objects of
   * the round in {@code objects} chunks (see {@link #putChunks}). May run more than once (see
   * {@link LmdbEnvironment}): the class numbers a run assigns are kept for that run only (a later
   * lookup finds them in {@code classes} once committed).
   */
  private CommitResult storeRounds(Txn<ByteBuffer> txn, IngestBatch batch, long now) {
    newClassNumbers.clear();
    long last = metaLong(txn, "last_sequence");
    long first = 0;
    BitSet duplicates = new BitSet();
    Map<String, long[]> counts = new java.util.HashMap<>();
    IngestRecords list = batch.objects();
    String className = null;
    byte[] classNumber = null;
    long[] count = null;
    // per partition as in store: a cursor (opened when first used) and whether appends still work
    @SuppressWarnings("unchecked")
    Cursor<ByteBuffer>[] cursors = new Cursor[PK_PARTITIONS];
    boolean[] noAppend = new boolean[PK_PARTITIONS];
    try {
      for (int i = 0; i < list.size(); i++) {
        String name = list.className(i);
        if (!name.equals(className)) { // objects come in runs of one class
          className = name;
          classNumber = classNumber(txn, className, true);
          count = counts.computeIfAbsent(className, k -> new long[1]);
        }
        ByteBuffer pk = Keys.putPrefixedKey(classNumber, list, i, key)
            ? key
            : bytes(Keys.primaryKey(classNumber, list.primaryKey(i)));
        long seq = last + 1;
        ByteBuffer value = sequenceValue(seq);
        int p = partition(pk);
        Cursor<ByteBuffer> pkCursor = cursors[p];
        if (pkCursor == null) {
          pkCursor = cursors[p] = pkPartitions.get(p).openCursor(txn);
        }
        if (!insertNew(pkCursor, pk, value, noAppend, p)) {
          duplicates.set(i);
          continue;
        }
        last = seq;
        if (first == 0) {
          first = seq;
        }
        count[0]++;
      }
    } finally {
      for (Cursor<ByteBuffer> c : cursors) {
        if (c != null) {
          c.close();
        }
      }
    }
    if (first != 0) {
      putChunks(txn, list, duplicates, first, now);
    }
    return finish(txn, batch, counts, duplicates, first, last);
  }

  /**
   * Inserts {@code pk → value} into {@code pkCursor}'s database unless {@code pk} is there: as an
   * append while appends into it still work ({@code noAppend[slot]} false; a device's keys mostly
   * increase), else as an ordinary insert. Returns false for a duplicate.
   */
  private static boolean insertNew(Cursor<ByteBuffer> pkCursor, ByteBuffer pk, ByteBuffer value, boolean[] noAppend,
      int slot) {
    if (!noAppend[slot] && pkCursor.put(pk, value, APPEND_NO_OVERWRITE)) {
      return true;
    }
    noAppend[slot] = true;
    return pkCursor.put(pk, value, NO_OVERWRITE);
  }

  /**
   * Format 2: the class's number (u16 big-endian), from the {@code classes} table; with {@code
   * assign} (a write of {@link #storeRounds}), a new class gets the next number in {@code txn};
   * else null for an unknown class.
   */
  private byte[] classNumber(Txn<ByteBuffer> txn, String className, boolean assign) {
    byte[] number = classNumbers.get(className);
    if (number == null && assign) {
      number = newClassNumbers.get(className);
    }
    if (number != null) {
      return number;
    }
    ByteBuffer name = bytes(className.getBytes(StandardCharsets.UTF_8));
    ByteBuffer stored = classes.get(txn, name);
    if (stored != null) {
      if (stored.remaining() != CLASS_NUMBER_BYTES) {
        throw new SinkException("LMDB ingest store at " + env.directory() + ": class " + className + ": number of "
            + stored.remaining() + " bytes (expected: " + CLASS_NUMBER_BYTES + ")", null);
      }
      number = new byte[CLASS_NUMBER_BYTES];
      stored.duplicate().get(number);
      classNumbers.put(className, number); // committed: this write's own are in newClassNumbers
      return number;
    }
    if (!assign) {
      return null;
    }
    long next = classes.stat(txn).entries + 1;
    if (next > 0xFFFF) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": class " + className
          + ": more than 65535 classes (expected: at most 65535)", null);
    }
    number = new byte[] {(byte) (next >>> 8), (byte) next};
    u64.clear();
    u64.put(number).flip();
    classes.put(txn, bytes(className.getBytes(StandardCharsets.UTF_8)), u64, NO_OVERWRITE);
    newClassNumbers.put(className, number);
    return number;
  }

  /**
   * Format 2: the {@code pk_index} partition of a key: for an object id (key {@code [class number
   * 2][O][12 bytes]}) a hash of its bytes 4 to 8 (after the seconds: random per process in the
   * ObjectIds of Realm's SDKs, so one per device); 0 for every other key.
   */
  static int partition(ByteBuffer key) {
    int at = key.position();
    if (key.remaining() != 2 + 1 + 12 || key.get(at + 2) != 'O') {
      return 0;
    }
    long process = 0;
    for (int i = at + 3 + 4; i < at + 3 + 9; i++) {
      process = process << 8 | key.get(i) & 0xFF;
    }
    return (int) ((process * 0x9E37_79B9_7F4A_7C15L) >>> 60); // 16 partitions: the top 4 bits
  }

  /** Format 2: a {@code pk_index} value, 6 bytes big-endian. */
  private ByteBuffer sequenceValue(long seq) {
    if (seq > MAX_SEQUENCE) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": sequence " + seq
          + " (expected: at most " + MAX_SEQUENCE + ")", null);
    }
    u64.clear();
    u64.putShort((short) (seq >>> 32)).putInt((int) seq).flip();
    return u64;
  }

  private long readSequenceValue(ByteBuffer v) {
    if (v.remaining() != 6) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": corrupt pk_index value of "
          + v.remaining() + " bytes (expected: 6)", null);
    }
    ByteBuffer b = v.order(ByteOrder.BIG_ENDIAN);
    return (b.getShort(b.position()) & 0xFFFFL) << 32 | b.getInt(b.position() + 2) & 0xFFFF_FFFFL;
  }

  /**
   * Format 2: the round's stored objects (those not in {@code duplicates}, sequences from {@code
   * first}) as chunks in {@code objects}: key the chunk's first sequence (u64 big-endian), value
   * {@code [ingested_at_ms int64 varint][count uint32 varint]} then per object its length (varint)
   * and its bytes as {@link IngestRecords} holds them (an {@link IngestedObject} without sequence
   * and ingest time). A chunk holds at most {@link #CHUNK_BYTES} unless one object alone is larger.
   */
  private void putChunks(Txn<ByteBuffer> txn, IngestRecords list, BitSet duplicates, long first, long now) {
    byte[] data = list.array();
    try (Cursor<ByteBuffer> cursor = objects.openCursor(txn)) {
      int used = 0;
      int count = 0;
      long chunkFirst = first;
      for (int i = 0; i < list.size(); i++) {
        if (duplicates.get(i)) {
          continue;
        }
        int length = list.length(i);
        int need = CodedOutputStream.computeUInt32SizeNoTag(length) + length;
        if (count > 0 && CHUNK_HEADER_MAX + used + need > CHUNK_BYTES) {
          putChunk(cursor, chunkFirst, count, used, now);
          chunkFirst += count;
          used = 0;
          count = 0;
        }
        if (used + need > chunk.length) {
          chunk = java.util.Arrays.copyOf(chunk, Math.max(used + need, chunk.length * 2));
        }
        used = DirectIngest.putVarint(chunk, used, length);
        System.arraycopy(data, list.offset(i), chunk, used, length);
        used += length;
        count++;
      }
      putChunk(cursor, chunkFirst, count, used, now);
    }
    if (chunk.length > 4 * CHUNK_BYTES) { // grown for one large object: not kept
      chunk = new byte[CHUNK_BYTES];
    }
  }

  private void putChunk(Cursor<ByteBuffer> cursor, long chunkFirst, int count, int used, long now) {
    byte[] h = trailer;
    int n = DirectIngest.putVarint(h, 0, now);
    n = DirectIngest.putVarint(h, n, count);
    ByteBuffer value = reserveAppended(cursor, chunkFirst, n + used, "chunk");
    value.put(h, 0, n);
    value.put(chunk, 0, used);
  }

  /**
   * Appends an {@code objects} entry under key {@code seq} ({@code what} and {@code seq} name it in
   * the error) and returns its reserved value of exactly {@code total} bytes.
   */
  private ByteBuffer reserveAppended(Cursor<ByteBuffer> cursor, long seq, int total, String what) {
    ByteBuffer value = cursor.reserve(longKey(seq), total, APPEND);
    if (value.remaining() != total) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": " + what + " " + seq + ": reserved "
          + value.remaining() + " bytes (expected: " + total + ")", null);
    }
    return value;
  }

  /**
   * Stores a serialised object ({@code length} bytes of {@code data} from {@code offset}) with its sequence and ingest time: its bytes followed by fields 7 ({@code sequence}) and 9 ({@code ingested_at_ms}) as raw protobuf bytes.
   * A parser merges a scalar field that occurs again by keeping the last value (protobuf encoding,
   * "last one wins"), so a reader sees exactly {@code o.toBuilder().setSequence(seq)
   * .setIngestedAtMs(now).build()}.
   */
  private void putObject(Cursor<ByteBuffer> cursor, byte[] data, int offset, int length, long seq, long now) {
    // written by hand, not with a CodedOutputStream: its constructor duplicates the buffer (one
    // garbage DirectByteBuffer and encoder per object); same bytes as writeUInt64/writeInt64. Into
    // a heap array first, then one bulk put: byte puts into the direct buffer cost a bounds check
    // each (a sixth of this thread's Java samples)
    byte[] t = trailer;
    t[0] = (byte) (IngestedObject.SEQUENCE_FIELD_NUMBER << 3); // wire type 0, varint
    int n = DirectIngest.putVarint(t, 1, seq);
    t[n++] = (byte) (IngestedObject.INGESTED_AT_MS_FIELD_NUMBER << 3);
    n = DirectIngest.putVarint(t, n, now);
    ByteBuffer value = reserveAppended(cursor, seq, length + n, "object");
    value.put(data, offset, length);
    value.put(t, 0, n);
  }

  @Override
  public Optional<ClientFileRecord> clientFile(long ident) {
    return call(
        () ->
            env.read(
                txn -> {
                  ByteBuffer v = clientFiles.get(txn, longKey(ident));
                  return v == null ? Optional.<ClientFileRecord>empty() : Optional.of(parseFile(v));
                }),
        "read client file " + ident);
  }

  @Override
  public long lastClientFileIdent() {
    return call(() -> env.read(txn -> metaLong(txn, "last_ident")), "read last ident");
  }

  @Override
  public Optional<String> setting(String name) {
    return call(
        () ->
            env.read(
                txn -> {
                  ByteBuffer v = meta.get(txn, ascii("setting:" + name));
                  return v == null
                      ? Optional.<String>empty()
                      : Optional.of(StandardCharsets.UTF_8.decode(v).toString());
                }),
        "read setting " + name);
  }

  // --- IngestStore ---

  @Override
  public long objectCount() {
    if (format == 1) {
      return call(() -> env.read(txn -> objects.stat(txn).entries), "count objects");
    }
    // format 2: objects holds chunks; the class counters add up to the objects
    long n = 0;
    for (long c : countByClass().values()) {
      n += c;
    }
    return n;
  }

  @Override
  public SortedMap<String, Long> countByClass() {
    return call(
        () ->
            env.read(
                txn -> {
                  SortedMap<String, Long> out = new TreeMap<>();
                  try (Cursor<ByteBuffer> c = classCounts.openCursor(txn)) {
                    for (boolean more = c.first(); more; more = c.next()) {
                      out.put(StandardCharsets.UTF_8.decode(c.key()).toString(), readLong(c.val()));
                    }
                  }
                  return out;
                }),
        "count classes");
  }

  @Override
  public Optional<IngestedObject> find(String className, Value primaryKey) {
    if (format >= 2) {
      return findInChunks(className, primaryKey);
    }
    byte[] pk = Keys.primaryKey(className, primaryKey);
    return call(
        () ->
            env.read(
                txn -> {
                  ByteBuffer seq = pkIndex.get(txn, bytes(pk));
                  if (seq == null) {
                    return Optional.<IngestedObject>empty();
                  }
                  ByteBuffer v = objects.get(txn, longKey(readLong(seq)));
                  return v == null ? Optional.<IngestedObject>empty() : Optional.of(parseObject(v));
                }),
        "find " + className);
  }

  @Override
  public long scan(long afterSequence, Predicate<IngestedObject> visitor) {
    long last = afterSequence;
    while (true) {
      long from = last;
      List<IngestedObject> page =
          call(
              () ->
                  env.read(
                      txn -> format >= 2 ? scanChunks(txn, from) : scanObjects(txn, from)),
              "scan objects");
      if (page.isEmpty()) {
        return last;
      }
      for (IngestedObject o : page) {
        last = o.getSequence();
        if (!visitor.test(o)) {
          return last;
        }
      }
    }
  }

  /** Format 1: up to {@link #SCAN_PAGE} objects after sequence {@code from}. */
  private List<IngestedObject> scanObjects(Txn<ByteBuffer> txn, long from) {
    List<IngestedObject> out = new ArrayList<>(SCAN_PAGE);
    try (Cursor<ByteBuffer> c = objects.openCursor(txn)) {
      boolean more = from == Long.MAX_VALUE ? false : c.get(longKey(from + 1), GetOp.MDB_SET_RANGE);
      while (more && out.size() < SCAN_PAGE) {
        out.add(parseObject(c.val()));
        more = c.next();
      }
    }
    return out;
  }

  /** Format 2: up to {@link #SCAN_PAGE} objects after sequence {@code from} (or a few more: whole chunks). */
  private List<IngestedObject> scanChunks(Txn<ByteBuffer> txn, long from) {
    List<IngestedObject> out = new ArrayList<>(SCAN_PAGE);
    if (from == Long.MAX_VALUE) {
      return out;
    }
    try (Cursor<ByteBuffer> c = objects.openCursor(txn)) {
      for (boolean more = seekChunk(c, from + 1); more && out.size() < SCAN_PAGE; more = c.next()) {
        readChunk(c, from + 1, Long.MAX_VALUE, out);
      }
    }
    return out;
  }

  /** Format 2: positions {@code c} at the chunk that would hold {@code seq} (the last key at or below it). */
  private boolean seekChunk(Cursor<ByteBuffer> c, long seq) {
    if (c.get(longKey(seq), GetOp.MDB_SET_RANGE)) {
      return readLong(c.key()) == seq || c.prev();
    }
    return c.last();
  }

  /**
   * Format 2: adds the objects of the chunk at {@code c} with sequences from {@code from} to {@code
   * to} to {@code out}, as {@link IngestedObject}s with their sequence and ingest time.
   */
  private void readChunk(Cursor<ByteBuffer> c, long from, long to, List<IngestedObject> out) {
    if (c.key().remaining() != 8) {
      throw corruptChunk(-1, "key of " + c.key().remaining() + " bytes (expected: 8)");
    }
    long seq = readLong(c.key());
    ByteBuffer v = c.val().duplicate();
    long now = readVarint(v, seq);
    long count = readVarint(v, seq);
    if (count < 1 || count > v.remaining()) {
      throw corruptChunk(seq, "count " + count + " (expected: 1 to " + v.remaining() + ")");
    }
    for (long k = 0; k < count && seq <= to; k++, seq++) {
      long length = readVarint(v, seq);
      if (length > v.remaining()) {
        throw corruptChunk(seq, "object of " + length + " bytes, " + v.remaining() + " left");
      }
      if (seq < from) {
        v.position(v.position() + (int) length);
        continue;
      }
      ByteBuffer record = v.slice().limit((int) length);
      v.position(v.position() + (int) length);
      try {
        out.add(IngestedObject.newBuilder().mergeFrom(com.google.protobuf.CodedInputStream.newInstance(record))
            .setSequence(seq).setIngestedAtMs(now).build());
      } catch (java.io.IOException e) {
        throw new SinkException("LMDB ingest store at " + env.directory() + ": corrupt object record " + seq + ": "
            + e.getMessage(), e);
      }
    }
    if (seq <= to && v.hasRemaining()) {
      throw corruptChunk(seq, v.remaining() + " bytes after its objects");
    }
  }

  private long readVarint(ByteBuffer v, long seq) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!v.hasRemaining()) {
        throw corruptChunk(seq, "truncated varint");
      }
      byte b = v.get();
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw corruptChunk(seq, "varint over 10 bytes");
  }

  private SinkException corruptChunk(long seq, String what) {
    return new SinkException("LMDB ingest store at " + env.directory() + ": corrupt objects chunk"
        + (seq < 0 ? "" : " at sequence " + seq) + ": " + what, null);
  }

  /** Format 2: {@link #find}. */
  private Optional<IngestedObject> findInChunks(String className, Value primaryKey) {
    return call(
        () ->
            env.read(
                txn -> {
                  byte[] number = classNumber(txn, className, false);
                  if (number == null) {
                    return Optional.<IngestedObject>empty();
                  }
                  ByteBuffer k = bytes(Keys.primaryKey(number, primaryKey));
                  ByteBuffer v = pkPartitions.get(partition(k)).get(txn, k);
                  if (v == null) {
                    return Optional.<IngestedObject>empty();
                  }
                  long seq = readSequenceValue(v);
                  List<IngestedObject> out = new ArrayList<>(1);
                  try (Cursor<ByteBuffer> c = objects.openCursor(txn)) {
                    if (seekChunk(c, seq)) {
                      readChunk(c, seq, seq, out);
                    }
                  }
                  return out.isEmpty() ? Optional.<IngestedObject>empty() : Optional.of(out.get(0));
                }),
        "find " + className);
  }

  @Override
  public List<ClientFileRecord> clientFiles() {
    return call(
        () ->
            env.read(
                txn -> {
                  List<ClientFileRecord> out = new ArrayList<>();
                  try (Cursor<ByteBuffer> c = clientFiles.openCursor(txn)) {
                    for (boolean more = c.first(); more; more = c.next()) {
                      out.add(parseFile(c.val()));
                    }
                  }
                  return out;
                }),
        "read client files");
  }

  private IngestedObject parseObject(ByteBuffer v) {
    try {
      return IngestedObject.parseFrom(v.duplicate());
    } catch (InvalidProtocolBufferException e) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": corrupt object record: " + e.getMessage(), e);
    }
  }

  private ClientFileRecord parseFile(ByteBuffer v) {
    try {
      return ClientFileRecord.parseFrom(v.duplicate());
    } catch (InvalidProtocolBufferException e) {
      throw new SinkException(
          "LMDB ingest store at " + env.directory() + ": corrupt client file record: " + e.getMessage(), e);
    }
  }

  private <T> T call(java.util.function.Supplier<T> op, String what) {
    try {
      return op.get();
    } catch (SinkException e) {
      throw e;
    } catch (UploadLogException.StorageTimeoutException e) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": " + what + ": " + e.getMessage(), e, true);
    } catch (RuntimeException e) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": " + what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (trim != null) {
      trim.close();
    }
    env.close();
  }

  @Override
  public String toString() {
    return "LmdbIngestSink{" + env.directory() + '}';
  }
}
