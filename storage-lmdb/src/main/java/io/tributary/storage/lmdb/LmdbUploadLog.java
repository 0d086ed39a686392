package io.tributary.storage.lmdb;

import static io.tributary.storage.lmdb.LogFormat.HEADER_LENGTH;

import io.tributary.core.spi.EntryVisitor;
import io.tributary.core.spi.LogEntry;
import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.OverflowPolicy;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLog.AcknowledgeCallback;
import io.tributary.core.spi.UploadLogException.LogClosedException;
import io.tributary.core.spi.UploadLogException.LogCorruptException;
import io.tributary.core.spi.UploadLogException.LogFullException;
import io.tributary.core.spi.UploadLogException.StorageFailureException;
import io.tributary.core.spi.UploadLogException.StorageTimeoutException;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.storage.lmdb.LmdbEnvironment.Operation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * The durable {@link UploadLog} on an {@link LmdbEnvironment} (format: {@link LogFormat}).
 *
 * <p>Every call is an {@link Operation} run by the environment's storage thread; appends from
 * concurrent threads share write transactions (group commit) and get their versions in commit
 * order. An append copies the changeset once, from the caller's buffer into the value space LMDB
 * reserved for it ({@code MDB_RESERVE}), under the next big-endian version key ({@code
 * MDB_APPEND}). Each thread reuses one append operation, so an append allocates nothing per call
 * beyond what lmdbjava itself allocates (see the benchmarks).
 *
 * <p>Visitors run on the storage thread inside a read transaction; {@link LogEntry#changeset()} is
 * a read-only view into the memory map, valid until the visitor returns. Using it later reads
 * unmapped memory after the map grew (a crash of the JVM), so copy what you keep.
 *
 * <p>The state record (last assigned version, progress, client file, counters) lives in the
 * metadata database and is rewritten once per write transaction that changed it; the storage thread
 * keeps it in two copies: {@code committed} and the current batch's {@code working} copy, which a
 * rolled-back transaction discards.
 *
 * <p>Back-pressure: an append that does not fit under {@link OverflowPolicy#BLOCK} is queued (in
 * storage-thread order, so service is FIFO) and its thread waits on a condition, not the storage
 * thread; whenever an acknowledgement frees space, or the head of the queue leaves, the epoch moves
 * on and the waiters try again. Appends that find others queued queue behind them.
 */
final class LmdbUploadLog implements UploadLog {
  private static final PutFlags[] APPEND = {PutFlags.MDB_APPEND};
  private static final PutFlags[] NO_FLAGS = {};

  private final Core core;
  private final ThreadLocal<AppendOp> appendOps;

  private LmdbUploadLog(Core core) {
    this.core = core;
    this.appendOps = ThreadLocal.withInitial(() -> new AppendOp(core));
  }

  /** Opens (creating if needed) the log in {@code storage}'s directory. */
  static LmdbUploadLog open(LmdbStorage storage, UploadLogOptions options) {
    return open(storage, options, LmdbEnvironment.MAX_DEFERRAL_DEFAULT);
  }

  /**
   * As {@link #open(LmdbStorage, UploadLogOptions)}, with how long an {@link #acknowledgeAsync}
   * waits for a write to share its commit (tests make it long to see what does not wait).
   */
  static LmdbUploadLog open(LmdbStorage storage, UploadLogOptions options, Duration maxDeferral) {
    Objects.requireNonNull(options, "options");
    long maxMapSize = storage.maxMapSizeBytesFor(options.maxBytes());
    long minimum = LmdbStorage.minimumMapSizeBytesFor(options.maxBytes());
    if (maxMapSize < minimum) {
      throw new IllegalArgumentException(
          "maxMapSizeBytes: "
              + maxMapSize
              + " (expected: >= "
              + minimum
              + " = 3 * maxBytes + 1 MiB, so that the bound is reached before the map is full)");
    }
    LmdbEnvironment env =
        LmdbEnvironment.newBuilder(storage.directory())
            .durability(options.durability())
            .timeout(options.storageTimeout())
            .initialMapSizeBytes(Math.min(storage.initialMapSizeBytes(), maxMapSize))
            .maxMapSizeBytes(maxMapSize)
            .maxDatabases(4)
            .maxDeferral(maxDeferral)
            .threadName("tributary-upload-log")
            .open();
    try {
      Core core = new Core(env, options, System::nanoTime);
      env.writeExclusive(core::initialize);
      env.addWriteListener(core);
      return new LmdbUploadLog(core);
    } catch (RuntimeException | Error e) {
      try {
        env.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The environment (for tests of the threading rules). */
  LmdbEnvironment environment() {
    return core.env;
  }

  @Override
  public long append(ByteBuffer changeset, int objectCount, long originTimestamp) {
    Objects.requireNonNull(changeset, "changeset");
    requireNonNegative(objectCount, "objectCount");
    requireNonNegative(originTimestamp, "originTimestamp");
    long needed = (long) changeset.remaining() + HEADER_LENGTH;
    if (needed > core.maxBytes) {
      throw new LogFullException(
          "entry of "
              + needed
              + " bytes is larger than the whole bound: maxBytes "
              + core.maxBytes
              + " (policy "
              + core.policy
              + ")");
    }
    core.checkUsable();
    long startNs = core.nanoClock.getAsLong();
    AppendOp op = appendOps.get();
    op.changeset = changeset;
    op.objectCount = objectCount;
    op.originTimestamp = originTimestamp;
    try {
      while (true) {
        submit(op);
        switch (op.result) {
          case AppendOp.OK:
            return op.version;
          case AppendOp.FULL:
            throw core.full(op.sizeAtDecision, needed, "");
          case AppendOp.NO_SPACE:
          default:
            if (!core.awaitSpace(op, startNs)) {
              core.leaveQueue(op);
              if (core.closed) {
                throw core.closedException();
              }
              throw core.full(op.sizeAtDecision, needed, ", waited " + core.options.blockTimeout());
            }
            break;
        }
      }
    } finally {
      op.changeset = null;
    }
  }

  private void submit(AppendOp op) {
    try {
      core.env.execute(op);
    } catch (RuntimeException e) {
      if (e instanceof StorageTimeoutException) {
        appendOps.remove(); // the op is abandoned for good
      }
      core.leaveQueue(op);
      throw e;
    }
  }

  @Override
  public int read(long afterVersion, long maxBytes, EntryVisitor visitor) {
    requireNonNegative(afterVersion, "afterVersion");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
    }
    Objects.requireNonNull(visitor, "visitor");
    core.checkUsable();
    ReadOp op = new ReadOp(core, afterVersion, maxBytes, visitor);
    core.env.execute(op);
    return op.visited;
  }

  @Override
  public void acknowledge(SyncProgress progress) {
    Objects.requireNonNull(progress, "progress");
    core.checkUsable();
    AcknowledgeOp op = new AcknowledgeOp(core, progress);
    core.env.execute(op);
    IllegalArgumentException rejected = op.rejection();
    if (rejected != null) {
      throw rejected;
    }
  }

  /**
   * Submits the acknowledgement to the storage thread without waiting, deferred ({@link
   * LmdbEnvironment#submitDeferred}): it rides, first, in the transaction of the next operation
   * any thread submits (typically the next append: one sync for both), or commits alone after the
   * environment's {@link LmdbEnvironment.Builder#maxDeferral} (100 ms) if none comes, or at {@link
   * #close()}; as durably as the log's {@link io.tributary.core.spi.Durability}. {@code whenDone}
   * runs on the storage thread after that commit. A crash before it loses nothing: the entries
   * are still in the log, with the progress stored before.
   */
  @Override
  public void acknowledgeAsync(SyncProgress progress, AcknowledgeCallback whenDone) {
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(whenDone, "whenDone");
    AcknowledgeOp op = new AcknowledgeOp(core, progress);
    op.whenDone = whenDone;
    try {
      core.checkUsable();
      core.env.submitDeferred(op);
    } catch (RuntimeException e) {
      whenDone.acknowledged(-1, e);
    }
  }

  @Override
  public void storeClientFile(long ident, long salt) {
    requirePositive(ident, "ident");
    requirePositive(salt, "salt");
    core.checkUsable();
    core.env.execute(
        new Operation(Operation.Kind.WRITE) {
          @Override
          protected void run(Txn<ByteBuffer> txn) {
            core.working.clientFileIdent = ident;
            core.working.clientFileSalt = salt;
            core.dirty = true;
          }
        });
  }

  @Override
  public void storeSchema(ByteBuffer schema) {
    Objects.requireNonNull(schema, "schema");
    putMetadata(LogFormat.SCHEMA_KEY, schema);
  }

  /** Replaces the metadata record under {@code key} with the bytes of {@code record}. */
  private void putMetadata(byte[] key, ByteBuffer record) {
    core.checkUsable();
    core.env.execute(
        new Operation(Operation.Kind.WRITE) {
          @Override
          protected void run(Txn<ByteBuffer> txn) {
            int length = record.remaining();
            ByteBuffer value = core.meta.reserve(txn, core.key(key), length, NO_FLAGS);
            value.put(0, record, record.position(), length);
          }
        });
  }

  @Override
  public void storeIdentity(ByteBuffer identity) {
    Objects.requireNonNull(identity, "identity");
    UploadLog.checkIdentitySize(identity);
    putMetadata(LogFormat.IDENTITY_KEY, identity);
  }

  @Override
  public LogMetadata metadata() {
    core.checkUsable();
    MetadataOp op = new MetadataOp(core);
    core.env.execute(op);
    return op.metadata;
  }

  @Override
  public LogStats stats() {
    core.checkUsable();
    return core.stats;
  }

  @Override
  public void close() {
    if (core.env.isStorageThread()) {
      throw new IllegalStateException("close called from inside an EntryVisitor of this log");
    }
    core.closed = true;
    core.bumpEpoch();
    core.env.close();
  }

  @Override
  public String toString() {
    return "LmdbUploadLog{" + core.env.directory() + ", " + core.options + '}';
  }

  private static void requireNonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
  }

  private static void requirePositive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** The counters and metadata mirrored in the state record. */
  static final class State {
    long lastAssignedVersion;
    long clientFileIdent;
    long clientFileSalt;
    SyncProgress progress = SyncProgress.NONE;
    long droppedEntries;
    long droppedObjects;
    long entryCount;
    long sizeBytes;
    long pendingObjects;
    // derived from the entries at open, then maintained; not in the record
    long firstVersion;
    long lastVersion;

    void copyFrom(State o) {
      lastAssignedVersion = o.lastAssignedVersion;
      clientFileIdent = o.clientFileIdent;
      clientFileSalt = o.clientFileSalt;
      progress = o.progress;
      droppedEntries = o.droppedEntries;
      droppedObjects = o.droppedObjects;
      entryCount = o.entryCount;
      sizeBytes = o.sizeBytes;
      pendingObjects = o.pendingObjects;
      firstVersion = o.firstVersion;
      lastVersion = o.lastVersion;
    }

    void writeTo(ByteBuffer b) {
      b.order(ByteOrder.BIG_ENDIAN);
      int i = 0;
      b.putLong(i, lastAssignedVersion);
      b.putLong(i += 8, clientFileIdent);
      b.putLong(i += 8, clientFileSalt);
      b.putLong(i += 8, progress.downloadServerVersion());
      b.putLong(i += 8, progress.downloadClientVersion());
      b.putLong(i += 8, progress.latestServerVersion());
      b.putLong(i += 8, progress.latestServerVersionSalt());
      b.putLong(i += 8, progress.uploadClientVersion());
      b.putLong(i += 8, progress.uploadServerVersion());
      b.putLong(i += 8, droppedEntries);
      b.putLong(i += 8, droppedObjects);
      b.putLong(i += 8, entryCount);
      b.putLong(i += 8, sizeBytes);
      b.putLong(i += 8, pendingObjects);
    }

    /** Reads a state record; throws IllegalArgumentException for negative fields. */
    void readFrom(ByteBuffer b) {
      b.order(ByteOrder.BIG_ENDIAN);
      int i = 0;
      lastAssignedVersion = nonNegative(b.getLong(i), "lastAssignedVersion");
      clientFileIdent = nonNegative(b.getLong(i += 8), "clientFileIdent");
      clientFileSalt = nonNegative(b.getLong(i += 8), "clientFileSalt");
      progress =
          new SyncProgress(
              b.getLong(i += 8),
              b.getLong(i += 8),
              b.getLong(i += 8),
              b.getLong(i += 8),
              b.getLong(i += 8),
              b.getLong(i += 8));
      droppedEntries = nonNegative(b.getLong(i += 8), "droppedEntries");
      droppedObjects = nonNegative(b.getLong(i += 8), "droppedObjects");
      entryCount = nonNegative(b.getLong(i += 8), "entryCount");
      sizeBytes = nonNegative(b.getLong(i += 8), "sizeBytes");
      pendingObjects = nonNegative(b.getLong(i += 8), "pendingObjects");
    }

    private static long nonNegative(long value, String name) {
      if (value < 0) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
      }
      return value;
    }
  }

  /**
   * Everything the storage thread works with; the parts shared with callers are volatile or
   * concurrent. Deliberately holds no reference to the handle's {@link ThreadLocal}, so that
   * per-thread append operations do not keep a closed log reachable.
   */
  static final class Core implements LmdbEnvironment.WriteListener {
    final LmdbEnvironment env;
    final UploadLogOptions options;
    final OverflowPolicy policy;
    final long maxBytes;
    final long blockTimeoutNs;
    final LongSupplier nanoClock;
    final Path path;

    // storage thread only
    Dbi<ByteBuffer> entries;
    Dbi<ByteBuffer> meta;
    final State committed = new State();
    final State working = new State();
    boolean dirty;
    boolean spaceFreed;
    boolean headLeft;
    private final ByteBuffer versionKey = ByteBuffer.allocateDirect(8).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer metaKey = ByteBuffer.allocateDirect(16);
    final CRC32C crc = new CRC32C();
    final LmdbLogEntry flyweight = new LmdbLogEntry();

    // shared with callers
    final ConcurrentLinkedDeque<AppendOp> waiters = new ConcurrentLinkedDeque<>();
    private final ReentrantLock spaceLock = new ReentrantLock();
    private final Condition spaceChanged = spaceLock.newCondition();
    volatile long spaceEpoch;
    volatile boolean closed;
    volatile LogStats stats;

    Core(LmdbEnvironment env, UploadLogOptions options, LongSupplier nanoClock) {
      this.env = env;
      this.options = options;
      this.policy = options.overflowPolicy();
      this.maxBytes = options.maxBytes();
      this.blockTimeoutNs = options.blockTimeout().toNanos();
      this.nanoClock = nanoClock;
      this.path = env.directory();
    }

    // -------------------------------------------------------------------------------------------
    // open: runs as an exclusive write on the storage thread

    Void initialize(Txn<ByteBuffer> txn) {
      env.requireStorageThread();
      Dbi<ByteBuffer> main = env.env().openDbi(txn, (byte[]) null, null, false);
      List<String> names = new ArrayList<>();
      try (Cursor<ByteBuffer> cursor = main.openCursor(txn)) {
        for (boolean more = cursor.first(); more; more = cursor.next()) {
          ByteBuffer key = cursor.key();
          byte[] bytes = new byte[key.remaining()];
          key.get(bytes);
          names.add(new String(bytes, StandardCharsets.ISO_8859_1));
        }
      }
      if (names.isEmpty()) {
        create(txn);
      } else if (names.contains(LogFormat.META_DB)) {
        load(txn, names);
      } else {
        throw corrupt("not a Tributary upload log: the LMDB environment holds " + names);
      }
      committed.copyFrom(working);
      publishStats();
      return null;
    }

    private void create(Txn<ByteBuffer> txn) {
      meta =
          env.env()
              .openDbi(
                  txn,
                  LogFormat.META_DB.getBytes(StandardCharsets.US_ASCII),
                  null,
                  false,
                  DbiFlags.MDB_CREATE);
      entries =
          env.env()
              .openDbi(
                  txn,
                  LogFormat.ENTRIES_DB.getBytes(StandardCharsets.US_ASCII),
                  null,
                  false,
                  DbiFlags.MDB_CREATE);
      ByteBuffer format =
          meta.reserve(txn, key(LogFormat.FORMAT_KEY), LogFormat.FORMAT_RECORD_LENGTH, NO_FLAGS);
      format.order(ByteOrder.BIG_ENDIAN);
      format.put(0, LogFormat.MAGIC);
      format.putInt(LogFormat.MAGIC.length, LogFormat.FORMAT_VERSION);
      working.copyFrom(new State());
      working.writeTo(
          meta.reserve(txn, key(LogFormat.STATE_KEY), LogFormat.STATE_RECORD_LENGTH, NO_FLAGS));
    }

    private void load(Txn<ByteBuffer> txn, List<String> names) {
      try {
        meta =
            env.env()
                .openDbi(txn, LogFormat.META_DB.getBytes(StandardCharsets.US_ASCII), null, false);
      } catch (LmdbException e) {
        throw corrupt("metadata database cannot be opened: " + e.getMessage());
      }
      ByteBuffer format = meta.get(txn, key(LogFormat.FORMAT_KEY));
      if (format == null) {
        throw corrupt("not a Tributary upload log: no format record in " + LogFormat.META_DB);
      }
      format.order(ByteOrder.BIG_ENDIAN);
      byte[] magic = new byte[LogFormat.MAGIC.length];
      if (format.remaining() != LogFormat.FORMAT_RECORD_LENGTH
          || !java.util.Arrays.equals(readBytes(format, magic), LogFormat.MAGIC)) {
        throw corrupt(
            "not a Tributary upload log: foreign format record (" + format.remaining() + " bytes)");
      }
      int version = format.getInt(LogFormat.MAGIC.length);
      if (version > LogFormat.FORMAT_VERSION) {
        throw corrupt(
            "format version "
                + version
                + " is newer than this build supports (expected: <= "
                + LogFormat.FORMAT_VERSION
                + ")");
      }
      if (version < 1) {
        throw corrupt("format version " + version + " (expected: 1)");
      }
      if (!names.contains(LogFormat.ENTRIES_DB)) {
        throw corrupt("entries database " + LogFormat.ENTRIES_DB + " is missing");
      }
      try {
        entries =
            env.env()
                .openDbi(
                    txn, LogFormat.ENTRIES_DB.getBytes(StandardCharsets.US_ASCII), null, false);
      } catch (LmdbException e) {
        throw corrupt("entries database cannot be opened: " + e.getMessage());
      }
      ByteBuffer state = meta.get(txn, key(LogFormat.STATE_KEY));
      if (state == null || state.remaining() != LogFormat.STATE_RECORD_LENGTH) {
        throw corrupt(
            "state record of "
                + (state == null ? "no" : state.remaining())
                + " bytes (expected: "
                + LogFormat.STATE_RECORD_LENGTH
                + ")");
      }
      try {
        working.readFrom(state);
      } catch (IllegalArgumentException e) {
        throw corrupt("state record: " + e.getMessage());
      }
      scan(txn);
    }

    /** Validates every entry and checks the state record's counters against a recount. */
    private void scan(Txn<ByteBuffer> txn) {
      long count = 0;
      long size = 0;
      long objects = 0;
      long first = 0;
      long last = 0;
      try (Cursor<ByteBuffer> cursor = entries.openCursor(txn)) {
        for (boolean more = cursor.first(); more; more = cursor.next()) {
          ByteBuffer key = cursor.key();
          if (key.remaining() != 8) {
            throw corrupt("entry key of " + key.remaining() + " bytes (expected: 8)");
          }
          long version = key.order(ByteOrder.BIG_ENDIAN).getLong(0);
          if (version < 1 || version > working.lastAssignedVersion) {
            throw corrupt(
                "entry version "
                    + version
                    + " (expected: 1.."
                    + working.lastAssignedVersion
                    + ", the last assigned version)");
          }
          ByteBuffer value = cursor.val();
          String problem = LogFormat.validate(version, value, crc);
          if (problem != null) {
            throw corrupt(problem);
          }
          if (first == 0) {
            first = version;
          }
          last = version;
          count++;
          size += value.limit();
          objects += value.getInt(LogFormat.OBJECT_COUNT_OFFSET);
        }
      }
      if (count != working.entryCount
          || size != working.sizeBytes
          || objects != working.pendingObjects) {
        throw corrupt(
            "state record counts "
                + working.entryCount
                + " entries, "
                + working.sizeBytes
                + " bytes, "
                + working.pendingObjects
                + " objects (expected: the recount "
                + count
                + ", "
                + size
                + ", "
                + objects
                + ")");
      }
      working.firstVersion = first;
      working.lastVersion = last;
    }

    private static byte[] readBytes(ByteBuffer from, byte[] into) {
      from.get(0, into);
      return into;
    }

    LogCorruptException corrupt(String problem) {
      return new LogCorruptException(
          "upload log at " + path + " is damaged or foreign: " + problem);
    }

    /** The metadata key buffer holding {@code key} (storage thread only). */
    ByteBuffer key(byte[] key) {
      metaKey.clear();
      metaKey.put(key).flip();
      return metaKey;
    }

    ByteBuffer versionKey(long version) {
      versionKey.putLong(0, version);
      return versionKey;
    }

    // -------------------------------------------------------------------------------------------
    // write listener: the working state follows the transaction

    @Override
    public void beforeBatch(Txn<ByteBuffer> txn) {
      working.copyFrom(committed);
      dirty = false;
      spaceFreed = false;
      headLeft = false;
    }

    @Override
    public void beforeCommit(Txn<ByteBuffer> txn) {
      if (dirty) {
        working.writeTo(
            meta.reserve(txn, key(LogFormat.STATE_KEY), LogFormat.STATE_RECORD_LENGTH, NO_FLAGS));
      }
    }

    @Override
    public void afterCommit() {
      if (dirty) {
        committed.copyFrom(working);
        publishStats();
      }
      if ((spaceFreed || headLeft) && !waiters.isEmpty()) {
        bumpEpoch();
      }
    }

    private void publishStats() {
      State c = committed;
      stats =
          new LogStats(
              c.entryCount,
              c.sizeBytes,
              c.pendingObjects,
              c.firstVersion,
              c.lastVersion,
              c.lastAssignedVersion,
              maxBytes,
              c.droppedEntries,
              c.droppedObjects);
    }

    // -------------------------------------------------------------------------------------------
    // operations' work (storage thread)

    long writeEntry(Txn<ByteBuffer> txn, ByteBuffer changeset, int objectCount, long timestamp) {
      State w = working;
      long version = w.lastAssignedVersion + 1;
      int length = changeset.remaining();
      ByteBuffer value = entries.reserve(txn, versionKey(version), HEADER_LENGTH + length, APPEND);
      value.order(ByteOrder.BIG_ENDIAN);
      value.put(LogFormat.FORMAT_OFFSET, (byte) LogFormat.ENTRY_FORMAT);
      value.put(LogFormat.FLAGS_OFFSET, (byte) 0);
      value.putShort(2, (short) 0);
      value.putInt(LogFormat.OBJECT_COUNT_OFFSET, objectCount);
      value.putLong(LogFormat.TIMESTAMP_OFFSET, timestamp);
      value.putLong(LogFormat.SERVER_VERSION_OFFSET, w.progress.downloadServerVersion());
      value.putInt(LogFormat.LENGTH_OFFSET, length);
      // the one copy: caller's buffer -> LMDB's reserved page space (absolute: no position change)
      value.put(HEADER_LENGTH, changeset, changeset.position(), length);
      value.putInt(LogFormat.CRC_OFFSET, LogFormat.crc(crc, value));
      w.lastAssignedVersion = version;
      w.entryCount++;
      w.sizeBytes += HEADER_LENGTH + length;
      w.pendingObjects += objectCount;
      w.lastVersion = version;
      if (w.firstVersion == 0) {
        w.firstVersion = version;
      }
      dirty = true;
      return version;
    }

    /**
     * Deletes entries from the oldest while {@code condition} holds; returns the objects deleted.
     * With {@code drop} they count as dropped.
     */
    void deleteOldest(Txn<ByteBuffer> txn, long throughVersion, long neededBytes, boolean drop) {
      State w = working;
      try (Cursor<ByteBuffer> cursor = entries.openCursor(txn)) {
        while (cursor.first()) {
          long version = cursor.key().order(ByteOrder.BIG_ENDIAN).getLong(0);
          if (drop ? w.sizeBytes + neededBytes <= maxBytes : version > throughVersion) {
            break;
          }
          ByteBuffer value = cursor.val().order(ByteOrder.BIG_ENDIAN);
          int objects = value.getInt(LogFormat.OBJECT_COUNT_OFFSET);
          int size = value.limit();
          cursor.delete();
          w.entryCount--;
          w.sizeBytes -= size;
          w.pendingObjects -= objects;
          if (drop) {
            w.droppedEntries++;
            w.droppedObjects += objects;
          }
          spaceFreed = true;
        }
        if (cursor.first()) {
          w.firstVersion = cursor.key().order(ByteOrder.BIG_ENDIAN).getLong(0);
        } else {
          w.firstVersion = 0;
          w.lastVersion = 0;
        }
      }
      dirty = true;
    }

    // -------------------------------------------------------------------------------------------
    // callers' side

    void checkUsable() {
      if (closed) {
        throw closedException();
      }
      if (env.isStorageThread()) {
        throw new IllegalStateException(
            "upload log called from inside one of its EntryVisitors (visitors must not call back)");
      }
    }

    LogClosedException closedException() {
      return new LogClosedException("upload log is closed: " + path);
    }

    LogFullException full(long sizeBytes, long needed, String waited) {
      return new LogFullException(
          "upload log full: sizeBytes "
              + sizeBytes
              + " + entry "
              + needed
              + " > maxBytes "
              + maxBytes
              + " (policy "
              + policy
              + waited
              + ")");
    }

    /**
     * Waits until the space epoch moved past the one {@code op} saw, the log closed, or the block
     * deadline passed. Returns {@code true} to try again.
     */
    boolean awaitSpace(AppendOp op, long startNs) {
      long deadline = startNs + blockTimeoutNs;
      spaceLock.lock();
      try {
        while (spaceEpoch == op.epoch && !closed) {
          long remaining = deadline - nanoClock.getAsLong();
          if (remaining <= 0) {
            return false;
          }
          try {
            spaceChanged.awaitNanos(remaining);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leaveQueue(op);
            throw new StorageTimeoutException(
                "append interrupted while waiting for space: nothing was appended");
          }
        }
        return !closed;
      } finally {
        spaceLock.unlock();
      }
    }

    /** Takes {@code op} out of the waiting queue (it gave up); the next head gets a chance. */
    void leaveQueue(AppendOp op) {
      if (op.waiting) {
        op.waiting = false;
        if (waiters.remove(op)) {
          bumpEpoch();
        }
      }
    }

    void bumpEpoch() {
      spaceLock.lock();
      try {
        spaceEpoch++;
        spaceChanged.signalAll();
      } finally {
        spaceLock.unlock();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // operations

  /** One thread's reusable append. */
  static final class AppendOp extends Operation {
    static final int OK = 0;
    static final int FULL = 1;
    static final int NO_SPACE = 2;

    private final Core core;
    // arguments (borrowed from the caller while in flight)
    ByteBuffer changeset;
    int objectCount;
    long originTimestamp;
    // results
    int result;
    long version;
    long sizeAtDecision;
    long epoch;

    /** In core.waiters; changed by the storage thread while in flight, by the owner otherwise. */
    volatile boolean waiting;

    AppendOp(Core core) {
      super(Kind.WRITE);
      this.core = core;
    }

    @Override
    protected void run(Txn<ByteBuffer> txn) {
      Core c = core;
      State w = c.working;
      long needed = (long) changeset.remaining() + HEADER_LENGTH;
      boolean behindOthers =
          c.policy == OverflowPolicy.BLOCK && !c.waiters.isEmpty() && c.waiters.peekFirst() != this;
      if (behindOthers || w.sizeBytes + needed > c.maxBytes) {
        switch (c.policy) {
          case FAIL:
            result = FULL;
            sizeAtDecision = w.sizeBytes;
            return;
          case DROP_OLDEST:
            c.deleteOldest(txn, 0, needed, true);
            break;
          case BLOCK:
          default:
            if (!waiting) {
              waiting = true;
              c.waiters.addLast(this);
            }
            result = NO_SPACE;
            sizeAtDecision = w.sizeBytes;
            epoch = c.spaceEpoch;
            return;
        }
      }
      version = c.writeEntry(txn, changeset, objectCount, originTimestamp);
      if (waiting) {
        waiting = false;
        c.waiters.remove(this);
        c.headLeft = true;
      }
      result = OK;
    }
  }

  private static final class AcknowledgeOp extends Operation {
    private final Core core;
    private final SyncProgress progress;
    long rejectedLastAssigned = -1;
    /** For {@link LmdbUploadLog#acknowledgeAsync}: told the outcome; else null. */
    AcknowledgeCallback whenDone;
    /** The last assigned version when the step ran (entries after it carry its stamp). */
    long appendedBefore;

    AcknowledgeOp(Core core, SyncProgress progress) {
      super(Kind.WRITE);
      this.core = core;
      this.progress = progress;
    }

    @Override
    protected void run(Txn<ByteBuffer> txn) {
      State w = core.working;
      long through = progress.uploadClientVersion();
      if (through > w.lastAssignedVersion) {
        rejectedLastAssigned = w.lastAssignedVersion;
        return;
      }
      rejectedLastAssigned = -1;
      appendedBefore = w.lastAssignedVersion;
      w.progress = progress;
      core.dirty = true;
      if (w.entryCount > 0 && w.firstVersion <= through) {
        core.deleteOldest(txn, through, 0, false);
      }
    }

    /** The error for a progress beyond the last assigned version, or null if it was accepted. */
    IllegalArgumentException rejection() {
      if (rejectedLastAssigned < 0) {
        return null;
      }
      return new IllegalArgumentException(
          "uploadClientVersion: "
              + progress.uploadClientVersion()
              + " (expected: <= last assigned version "
              + rejectedLastAssigned
              + ")");
    }

    /** Not held back while appends wait for space (under BLOCK): the delete may free it. */
    @Override
    protected boolean mayWait() {
      return core.waiters.isEmpty();
    }

    @Override
    protected void completed(Throwable failure) {
      RuntimeException outcome;
      if (failure == null && rejectedLastAssigned >= 0) {
        outcome = rejection();
      } else if (failure == null || failure instanceof RuntimeException) {
        outcome = (RuntimeException) failure;
      } else {
        outcome = new StorageFailureException("acknowledgement failed: " + failure, failure);
      }
      whenDone.acknowledged(outcome == null ? appendedBefore : -1, outcome);
    }
  }

  private static final class ReadOp extends Operation {
    private final Core core;
    private final long afterVersion;
    private final long maxBytes;
    private final EntryVisitor visitor;
    int visited;

    ReadOp(Core core, long afterVersion, long maxBytes, EntryVisitor visitor) {
      super(Kind.READ);
      this.core = core;
      this.afterVersion = afterVersion;
      this.maxBytes = maxBytes;
      this.visitor = visitor;
    }

    @Override
    protected void run(Txn<ByteBuffer> txn) {
      Core c = core;
      LmdbLogEntry entry = c.flyweight;
      long sum = 0;
      // afterVersion + 1 overflows only for Long.MAX_VALUE, whose big-endian form then sorts
      // after every version: nothing is found, which is right
      try (Cursor<ByteBuffer> cursor = c.entries.openCursor(txn)) {
        if (!cursor.get(c.versionKey(afterVersion + 1), GetOp.MDB_SET_RANGE)) {
          return;
        }
        do {
          long version = cursor.key().order(ByteOrder.BIG_ENDIAN).getLong(0);
          ByteBuffer value = cursor.val();
          String problem = LogFormat.validate(version, value, c.crc);
          if (problem != null) {
            throw c.corrupt(problem);
          }
          int length = value.limit() - HEADER_LENGTH;
          if (visited > 0 && sum + length > maxBytes) {
            break;
          }
          entry.point(version, value);
          visited++;
          sum += length;
          if (!visitor.visit(entry)) {
            break;
          }
        } while (cursor.next());
      } finally {
        entry.clear();
      }
    }
  }

  private static final class MetadataOp extends Operation {
    private final Core core;
    LogMetadata metadata;

    MetadataOp(Core core) {
      super(Kind.READ);
      this.core = core;
    }

    @Override
    protected void run(Txn<ByteBuffer> txn) {
      State c = core.committed;
      ByteBuffer value = core.meta.get(txn, core.key(LogFormat.SCHEMA_KEY));
      byte[] schema = copy(value);
      byte[] identity = copy(core.meta.get(txn, core.key(LogFormat.IDENTITY_KEY)));
      metadata =
          new LogMetadata(
              c.clientFileIdent, c.clientFileSalt, c.progress, c.lastAssignedVersion, schema,
              identity);
    }

    private static byte[] copy(ByteBuffer value) {
      if (value == null) {
        return null;
      }
      byte[] bytes = new byte[value.remaining()];
      value.get(value.position(), bytes);
      return bytes;
    }
  }

  /** The flyweight handed to visitors: fields decoded from the header, a view for the bytes. */
  static final class LmdbLogEntry implements LogEntry {
    private long version;
    private ByteBuffer value;

    void point(long version, ByteBuffer value) {
      this.version = version;
      this.value = value;
    }

    void clear() {
      value = null;
    }

    private ByteBuffer value() {
      if (value == null) {
        throw new IllegalStateException(
            "LogEntry used after its visitor returned (it is borrowed)");
      }
      return value;
    }

    @Override
    public long version() {
      return version;
    }

    @Override
    public long originTimestamp() {
      return value().getLong(LogFormat.TIMESTAMP_OFFSET);
    }

    @Override
    public long lastIntegratedServerVersion() {
      return value().getLong(LogFormat.SERVER_VERSION_OFFSET);
    }

    @Override
    public int objectCount() {
      return value().getInt(LogFormat.OBJECT_COUNT_OFFSET);
    }

    @Override
    public ByteBuffer changeset() {
      ByteBuffer view = value().asReadOnlyBuffer();
      view.position(HEADER_LENGTH);
      return view.slice();
    }

    @Override
    public String toString() {
      return "LogEntry{version=" + version + '}';
    }
  }
}
