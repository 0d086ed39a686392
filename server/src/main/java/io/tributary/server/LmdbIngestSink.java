package io.tributary.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tributary.core.spi.Durability;
import io.tributary.core.spi.UploadLogException;
import io.tributary.server.internal.ingest.DirectIngest;
import io.tributary.server.internal.store.Keys;
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
 * commit:
 *
 * <table>
 *   <caption>Databases</caption>
 *   <tr><th>name</th><th>key</th><th>value</th></tr>
 *   <tr><td>{@code objects}</td><td>sequence (u64 big-endian): ingest order</td><td>{@link IngestedObject}</td></tr>
 *   <tr><td>{@code pk_index}</td><td>(class, primary key), see {@link Keys}</td><td>sequence</td></tr>
 *   <tr><td>{@code client_files}</td><td>client file ident (u64 big-endian)</td><td>{@link ClientFileRecord}</td></tr>
 *   <tr><td>{@code class_counts}</td><td>class name (UTF-8)</td><td>object count (u64)</td></tr>
 *   <tr><td>{@code meta}</td><td>{@code format}, {@code last_sequence}, {@code last_ident}, {@code setting:<key>}</td><td></td></tr>
 * </table>
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
  private static final int FORMAT_VERSION = 1;
  private static final String OBJECTS = "objects";
  private static final String PK_INDEX = "pk_index";
  private static final String CLIENT_FILES = "client_files";
  private static final String CLASS_COUNTS = "class_counts";
  private static final String META = "meta";
  private static final Set<String> NAMES = Set.of(OBJECTS, PK_INDEX, CLIENT_FILES, CLASS_COUNTS, META);
  private static final PutFlags[] NO_OVERWRITE = {PutFlags.MDB_NOOVERWRITE};
  private static final PutFlags[] APPEND = {PutFlags.MDB_APPEND};
  private static final PutFlags[] APPEND_NO_OVERWRITE = {PutFlags.MDB_APPEND, PutFlags.MDB_NOOVERWRITE};
  private static final PutFlags[] NONE = {};
  private static final int SCAN_PAGE = 512;

  private final LmdbEnvironment env;
  private final Clock clock;

  // storage thread only
  private Dbi<ByteBuffer> objects;
  private Dbi<ByteBuffer> pkIndex;
  private Dbi<ByteBuffer> clientFiles;
  private Dbi<ByteBuffer> classCounts;
  private Dbi<ByteBuffer> meta;
  private final ByteBuffer key = ByteBuffer.allocateDirect(Keys.MAX_KEY_BYTES);
  private final ByteBuffer u64 = ByteBuffer.allocateDirect(8).order(ByteOrder.BIG_ENDIAN);
  // an object's trailer: sequence and ingested_at_ms fields (two tags, two varints of <= 10 bytes)
  private final byte[] trailer = new byte[22];

  private LmdbIngestSink(LmdbEnvironment env, Clock clock) {
    this.env = env;
    this.clock = clock;
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
    LmdbEnvironment env;
    try {
      env =
          LmdbEnvironment.newBuilder(directory)
              .durability(durability)
              .maxDatabases(8)
              .threadName("tributary-sink")
              .open();
    } catch (RuntimeException e) {
      throw new SinkException("LMDB ingest store at " + directory + ": cannot open: " + e.getMessage(), e);
    }
    LmdbIngestSink sink = new LmdbIngestSink(env, clock);
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
              + " (expected: a Tributary ingest store: " + new TreeMap<>(Map.of(OBJECTS, 0, PK_INDEX, 0, CLIENT_FILES, 0, CLASS_COUNTS, 0, META, 0)).keySet() + ")",
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
      v.put(MAGIC).putInt(FORMAT_VERSION);
    } else {
      byte[] magic = new byte[MAGIC.length];
      if (format.remaining() != MAGIC.length + 4 || !java.util.Arrays.equals(readBytes(format, magic), MAGIC)) {
        throw new SinkException(
            "LMDB ingest store at " + env.directory() + ": foreign format record (expected: "
                + new String(MAGIC, StandardCharsets.US_ASCII) + ")",
            null);
      }
      int version = format.order(ByteOrder.BIG_ENDIAN).getInt(MAGIC.length);
      if (version != FORMAT_VERSION) {
        throw new SinkException(
            "LMDB ingest store at " + env.directory() + ": format version " + version
                + " (expected: " + FORMAT_VERSION + ")",
            null);
      }
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
    return call(() -> env.write(txn -> store(txn, batch, now)), "commit");
  }

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
    boolean append = true;
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
      if (!(append && pkCursor.put(pk, value, APPEND_NO_OVERWRITE))) {
        append = false;
        if (!pkCursor.put(pk, value, NO_OVERWRITE)) {
          duplicates.set(i);
          continue;
        }
      }
      last = seq;
      if (first == 0) {
        first = seq;
      }
      putObject(objectCursor, data, list.offset(i), list.length(i), seq, now);
      count[0]++;
    }
    }
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
    return new CommitResult(list.size(), duplicates, first, first == 0 ? 0 : last);
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
    int total = length + n;
    ByteBuffer value = cursor.reserve(longKey(seq), total, APPEND);
    if (value.remaining() != total) {
      throw new SinkException("LMDB ingest store at " + env.directory() + ": object " + seq + ": reserved "
          + value.remaining() + " bytes (expected: " + total + ")", null);
    }
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
    return call(() -> env.read(txn -> objects.stat(txn).entries), "count objects");
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
                      txn -> {
                        List<IngestedObject> out = new ArrayList<>(SCAN_PAGE);
                        try (Cursor<ByteBuffer> c = objects.openCursor(txn)) {
                          boolean more =
                              from == Long.MAX_VALUE ? false : c.get(longKey(from + 1), GetOp.MDB_SET_RANGE);
                          while (more && out.size() < SCAN_PAGE) {
                            out.add(parseObject(c.val()));
                            more = c.next();
                          }
                        }
                        return out;
                      }),
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
    env.close();
  }

  @Override
  public String toString() {
    return "LmdbIngestSink{" + env.directory() + '}';
  }
}
