package io.tributary.protocol.changeset;

import io.tributary.protocol.ObjectId;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes a Realm sync changeset (spec changeset.md) straight into a {@link ByteSink}, byte for
 * byte as realm-core's client history does, and allocates nothing per object once warmed up.
 *
 * <h2>Records it writes</h2>
 *
 * <pre>
 *   InternString   3F  index:u32  length:u64  utf8[length]                       (§4)
 *   AddTable       00  table:u32  table_type:u8  [pk_field:u32 pk_type:i64 pk_nullable:u8]
 *   EraseTable     01  table:u32
 *   CreateObject   02  table:u32  PrimaryKey
 *   EraseObject    03  table:u32  PrimaryKey
 *   AddColumn      06  table:u32  field:u32  type:i64  nullable:u8  collection:u8
 *                      [link_target:u32 if type = Link] [key_type:i64 if collection = Dictionary]
 *   EraseColumn    07  table:u32  field:u32
 *   path instructions:  code  table:u32  PrimaryKey  field:u32  count:u32  element*  ...
 *     Update       04  ... Payload  (prior_size:u32 if the path ends with an index, else is_default:u8)
 *     AddInteger   05  ... value:i64
 *     ArrayInsert  08  ... Payload  prior_size:u32      (path ends with the insert position)
 *     ArrayMove    09  ... ndx_2:u32  prior_size:u32    (path ends with the from-index)
 *     ArrayErase   0A  ... prior_size:u32               (path ends with the index)
 *     Clear        0B  ... collection:u8
 *     SetInsert    0C  ... Payload
 *     SetErase     0D  ... Payload
 *   PrimaryKey  = type:i64 [Int: i64 | String: u32 intern | ObjectId: 12 bytes | UUID: 16 bytes
 *                           | GlobalKey: hi:u64 lo:u64 | Null: nothing]                    (§5.2)
 *   element     = index:i64 (0 … 2^32-1)  |  40 key:u32 (intern)                          (§5.3)
 *   Payload     = type:i64 data (§5.1)
 * </pre>
 *
 * Every integer is a Realm varint (§2.1, see {@link Varint}); strings used as names (classes,
 * fields, path keys, string primary keys) are interned: the writer emits an InternString record
 * right before the first record that uses a string, exactly like realm-core's client history
 * (§9, §10), and never interns a string twice in one changeset.
 *
 * <h2>How to write an object</h2>
 *
 * <pre>{@code
 * ArrayByteSink sink = new ArrayByteSink();
 * ChangesetWriter w = new ChangesetWriter(sink);
 * w.createObject("Reading", id);                 // CreateObject; selects Reading[id]
 * w.update("sensor").stringValue("t1");          // Update .sensor = "t1"
 * w.update("value").doubleValue(21.5);
 * w.update("ts").timestampValue(instant);
 * w.update("location").objectValue();            // Update .location = ObjectValue
 * w.update("location").key("lat").inEmbedded("Location").doubleValue(52.1);
 * w.update("location").key("lon").inEmbedded("Location").doubleValue(4.3);
 * long size = w.finish();                        // sink.array()[0 .. size) is the changeset
 * }</pre>
 *
 * On a hot path, prepare the schema's names once as {@link Name}s and use the {@code Name}
 * overloads ({@code createObject(Name, ..)}, {@code update(Name)}, {@code key(Name)}, {@code
 * inEmbedded(Name)}, ...): a name's intern index is then found with one comparison instead of a
 * hash lookup, and its UTF-8 form is computed once. Both kinds of names can be mixed; equal names
 * share one InternString record.
 *
 * <p>Faster still, prepare each Update target once as a {@link FieldPath} and write an Update in
 * one call: the same bytes, with the encoded path cached and copied as one word.
 *
 * <pre>{@code
 * static final FieldPath VALUE = FieldPath.of(Name.of("value"));
 * static final FieldPath LAT =
 *     FieldPath.ofEmbedded(Name.of("location"), Name.of("lat"), Name.of("Location"));
 * w.createObject(READING, id);
 * w.doubleValue(VALUE, 21.5);   // = w.update("value").doubleValue(21.5)
 * w.doubleValue(LAT, 52.1);     // = w.update("location").key("lat").inEmbedded("Location")
 *                               //     .doubleValue(52.1)
 * }</pre>
 *
 * Path instructions address the <em>selected object</em> (set by {@code createObject} or {@code
 * object}). An opener ({@link #update}, {@link #arrayInsert}, {@link #setInsert}, {@link
 * #setErase}, {@link #addInteger}, {@link #arrayMove}, {@link #arrayErase}, {@link #clear}) names
 * the field; {@link #index} and {@link #key} extend the path; {@link #priorSize}, {@link
 * #isDefault} and {@link #inEmbedded} add details; a terminal ({@code xxxValue(..)}, {@link
 * #amount}, {@link #moveTo}, {@link #erase}, {@link #collection}) writes the record. Paths are held
 * in reusable arrays, so nothing is allocated.
 *
 * <h2>Matching realm-core byte for byte</h2>
 *
 * realm-core interns two kinds of strings nothing refers to (§10): the empty string {@code ""} as
 * the link target of every non-link AddColumn (this writer does the same in {@link #addColumn}),
 * and the class name of an embedded object when it first writes an instruction that sets a
 * property <em>of</em> that embedded object (realm-core's {@code select_table} of the embedded
 * table). Name that class with {@link #inEmbedded(String)} on such instructions; the writer interns
 * it before the field and path names, as realm-core does. Without it the changeset has the same
 * meaning (realm-core's parser reads it the same) but is shorter than realm-core's.
 *
 * <p>With {@link Layout#INTERN_STRINGS_FIRST} the writer reproduces realm-core's {@code
 * encode_changeset()} layout instead: every InternString record first, then the instructions.
 *
 * <h2>Java values</h2>
 *
 * Strings are encoded to UTF-8 directly into the sink (an unpaired surrogate is refused);
 * timestamps are truncated toward zero (§3.5); Decimal128 values come from {@link BigDecimal}
 * (coefficient below 10^34, exponent −6176 … 6111, §3.6); ObjectId and UUID are written in the
 * byte order of their text form (§3.4); float and double keep their raw bits (NaN payloads too).
 *
 * <h2>Limits</h2>
 *
 * String values and interned strings at most {@link #MAX_STRING_BYTES} UTF-8 bytes, class names at
 * most {@link #MAX_CLASS_NAME_BYTES}, property names at most {@link #MAX_PROPERTY_NAME_BYTES};
 * violations throw {@link IllegalArgumentException} before anything of that record is written.
 *
 * <h2>Sink, failures, threads</h2>
 *
 * The sink is borrowed from {@link #reset(ByteSink)} until the next reset. The writer writes bytes
 * into the sink's array window (sinks without an array: a staging array, copied to the sink per
 * window) and publishes them lazily; call {@link #flush()} or {@link #finish()} before reading the
 * sink, and do not write to the sink yourself while a changeset is open.
 *
 * <p>The hot paths (CreateObject and the prepared Updates) store through {@code RawStores}: one
 * bounds check per record (its reservation in the window) instead of one per store; where {@code
 * sun.misc.Unsafe} is not available they use the same checked stores as the other records.
 *
 * <p>An {@link IllegalArgumentException} or {@link IllegalStateException} from a method leaves
 * the changeset valid (at most an extra, unused InternString record was written); an {@code
 * IllegalArgumentException} from a terminal also drops the open instruction (open it again), while
 * an {@code IllegalStateException} (for example a missing {@link #priorSize}) leaves it open. A {@link
 * SinkOverflowException} can leave a partial record in the sink: {@link #reset} the writer (and
 * discard the sink's content) before using it again.
 *
 * <p>Not thread safe: one thread at a time. Null arguments throw {@link NullPointerException}
 * unless a parameter says otherwise.
 */
public final class ChangesetWriter {
  /** Longest string value or interned string, in UTF-8 bytes ({@code Table::max_string_size}). */
  public static final int MAX_STRING_BYTES = 16_777_199;

  /** Longest class name, in UTF-8 bytes (realm-core: table names are {@code "class_" + name}). */
  public static final int MAX_CLASS_NAME_BYTES = 57;

  /** Longest property name, in UTF-8 bytes. */
  public static final int MAX_PROPERTY_NAME_BYTES = 63;

  /** Largest unsigned 32-bit value: the bound of list indices and {@code prior_size}. */
  public static final long MAX_UINT32 = 0xFFFF_FFFFL;

  /** Where InternString records go. */
  public enum Layout {
    /** Each InternString right before the first record that uses it (realm-core's client). */
    INTERLEAVED,
    /** All InternStrings first, then the instructions (realm-core's {@code encode_changeset}). */
    INTERN_STRINGS_FIRST
  }

  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private static final byte[] EMPTY = new byte[0];
  private static final int STAGING_BYTES = 4096;
  /** Most bytes a fixed part of a record needs at once (header, payload data, trailer). */
  private static final int MAX_FIXED = 64;
  /** Strings up to this many chars are written in one pass when they are ASCII. */
  private static final int FAST_STRING_CHARS = 1024;

  private static final int CLASS = MAX_CLASS_NAME_BYTES;
  private static final int PROPERTY = MAX_PROPERTY_NAME_BYTES;
  private static final int STRING = MAX_STRING_BYTES;

  // pending path instruction kinds; NONE = open with no instruction pending, CLOSED = no
  // changeset open (detached or finished): one compare checks both on the hot path
  private static final int NONE = -1;
  private static final int CLOSED = -2;
  private static final int UPDATE = 4;
  private static final int ADD_INTEGER = 5;
  private static final int ARRAY_INSERT = 8;
  private static final int ARRAY_MOVE = 9;
  private static final int ARRAY_ERASE = 10;
  private static final int CLEAR = 11;
  private static final int SET_INSERT = 12;
  private static final int SET_ERASE = 13;

  private static final int DETACHED = 0;
  private static final int OPEN = 1;
  private static final int FINISHED = 2;

  private final Layout layout;
  private final WriterInternTable interns = new WriterInternTable();
  /** {@code interns.byIndex()}, held here for the one-load check of a {@link Name}'s hint. */
  private String[] internByIndex = interns.byIndex();
  /** Instruction bytes in {@link Layout#INTERN_STRINGS_FIRST}. */
  private final ArrayByteSink body;

  private ByteSink sink;
  private long sinkStart;
  private int state = DETACHED;

  /** Where the window's bytes go: the sink, or {@link #body}. */
  private ByteSink target;

  // The window: bytes go to buf[pos..limit); buf[windowStart..pos) is not yet published.
  // The hot paths (CreateObject, prepared Updates) store through RawStores: after one require(n)
  // per record, without a range check per store (see RawStores for the invariant).
  private byte[] buf = EMPTY;
  private int pos;
  private int limit;
  private int windowStart;
  private boolean windowIsSinkArray;
  private byte[] staging = EMPTY;

  // The selected object: table (varint) and PrimaryKey, encoded once.
  private static final int OBJECT_KEY_BYTES = 32;
  private final byte[] objectKey = new byte[OBJECT_KEY_BYTES];
  // ... and as four words, copied into each record with four 8-byte stores
  private long key0;
  private long key1;
  private long key2;
  private long key3;
  private int objectKeyLength = -1;
  // ... and, for keys of fewer than 16 bytes, an Update's code and the key as two words (the key
  // words shifted by one byte), built once per selected object rather than once per Update
  private long head0;
  private long head1;

  // The pending path instruction.
  private int pending = CLOSED;
  private String pendingField;
  private Name pendingName;
  private String ownerClass;
  private Name ownerName;
  private int pathLength;
  /** Per element: the index, or -1 for a key. */
  private long[] pathIndexes = new long[8];

  private String[] pathKeys = new String[8];
  private Name[] pathNames = new Name[8];
  private int[] pathKeyInterned = new int[8];
  private long priorSize = -1;
  private boolean isDefault;

  // The fast shapes of an open Update whose names were all interned before (only ints are
  // stored, so no reference store and no GC write barrier per instruction): S_FIELD is
  // update(Name) on the selected object; S_KEY adds one key(Name) (a property of an embedded
  // object). inEmbedded(Name) of an interned class needs no state (realm-core's intern of it
  // writes nothing). Anything else converts to the general state first (toGeneral()). In a fast
  // shape pathLength is 0, priorSize -1, isDefault false and there is no owner class.
  private static final int S_GENERAL = 0;
  private static final int S_FIELD = 1;
  private static final int S_KEY = 2;
  /** Fast shapes take field and key intern indices below this: varints of one or two bytes. */
  private static final int FAST_INDEX_LIMIT = 1 << 13;
  private int shape = S_GENERAL;
  private int fieldIndex;
  private int keyIndex;

  /** Slots of {@link #pathWords} (a power of two): a writer's table is 4 KiB. */
  static final int PATH_SLOTS = 256;
  /** An empty table shared by writers that remembered no path yet: never written. */
  private static final long[] NO_PATHS = new long[2 * PATH_SLOTS];
  /**
   * Prepared paths remembered in this changeset, direct-mapped by the low bits of {@link
   * FieldPath#id}: slot {@code s} is a tag at {@code 2s} ({@code pathStamp} in the high 32 bits,
   * the id in the low 32) and the encoded path ({@code field 00} or {@code field 01 40 key}) at
   * {@code 2s + 1}. A tag with another stamp is from an earlier changeset, one with another id is
   * another path's. Only this writer reads or writes it: nothing shared across threads is trusted.
   */
  private long[] pathWords = NO_PATHS;
  /** The changeset's generation for {@link #pathWords}: never 0, so a 0 tag never matches. */
  private int pathStamp = 1;
  /** {@code (long) pathStamp << 32}: the high half of this changeset's tags. */
  private long stampTag = 1L << 32;

  /** A detached writer in {@link Layout#INTERLEAVED} layout; call {@link #reset(ByteSink)}. */
  public ChangesetWriter() {
    this(Layout.INTERLEAVED);
  }

  /**
   * A detached writer with the given layout; call {@link #reset(ByteSink)}.
   *
   * @param layout where InternString records go
   */
  public ChangesetWriter(Layout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.body = layout == Layout.INTERN_STRINGS_FIRST ? new ArrayByteSink() : null;
  }

  /**
   * A writer in {@link Layout#INTERLEAVED} layout, starting a changeset in {@code sink}.
   *
   * @param sink where the changeset goes, from its current position; borrowed until the next reset
   */
  public ChangesetWriter(ByteSink sink) {
    this(Layout.INTERLEAVED);
    reset(sink);
  }

  /** The layout chosen at construction. */
  public Layout layout() {
    return layout;
  }

  /**
   * Starts a new, empty changeset in {@code sink} at its current position, forgetting interned
   * strings, the selected object and any unfinished instruction.
   *
   * @param sink where the changeset goes; borrowed until the next reset
   * @return this writer
   */
  public ChangesetWriter reset(ByteSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
    return reset();
  }

  /**
   * Starts a new, empty changeset in the current sink at its current position (clear an {@link
   * ArrayByteSink} first to reuse its array).
   *
   * @return this writer
   * @throws IllegalStateException if no sink was ever given
   */
  public ChangesetWriter reset() {
    if (sink == null) {
      throw new IllegalStateException("reset: no sink (expected: reset(ByteSink) first)");
    }
    interns.clear();
    if (++pathStamp == 0) { // after 2^32 changesets: forget every entry rather than reuse a stamp
      if (pathWords != NO_PATHS) {
        Arrays.fill(pathWords, 0);
      }
      pathStamp = 1;
    }
    stampTag = (long) pathStamp << 32;
    emptyWindow();
    objectKeyLength = -1;
    clearPending();
    Arrays.fill(pathKeys, null);
    Arrays.fill(pathNames, null);
    sinkStart = sink.position();
    if (body != null) {
      body.clear();
      target = body;
    } else {
      target = sink;
    }
    state = OPEN;
    return this;
  }

  /**
   * The size of the changeset written so far, in bytes (including bytes not yet published to the
   * sink).
   */
  public long size() {
    long n = sink == null ? 0 : sink.position() - sinkStart;
    if (body != null && state == OPEN) {
      n += body.position();
    }
    return n + (pos - windowStart);
  }

  /** The number of strings interned in this changeset. */
  public int internedCount() {
    return interns.size();
  }

  /**
   * Publishes every byte written so far to the sink (in {@link Layout#INTERN_STRINGS_FIRST}, the
   * instructions stay buffered until {@link #finish()}).
   *
   * @return this writer
   */
  public ChangesetWriter flush() {
    commit();
    return this;
  }

  /**
   * Completes the changeset: publishes everything to the sink. The writer accepts no more records
   * until {@link #reset}.
   *
   * @return the changeset's size in bytes
   * @throws IllegalStateException if an instruction was opened but not written, or no changeset
   *     is open
   */
  public long finish() {
    checkOpen();
    if (pending >= 0) {
      throw new IllegalStateException(
          "finish: instruction " + kindName(pending) + " on field '" + pendingFieldName()
              + "' was opened but not written (expected: a terminal such as doubleValue(..))");
    }
    invalidateWindow();
    if (body != null) {
      sink.write(body.array(), 0, body.size());
      body.clear();
    }
    state = FINISHED;
    pending = CLOSED;
    return sink.position() - sinkStart;
  }

  // ---------------------------------------------------------------------------------------------
  // Schema instructions

  /**
   * Writes AddTable for a top-level class (asymmetric or not) with its primary key.
   *
   * @param table class name (without {@code class_}), at most 57 UTF-8 bytes
   * @param type {@link TableType#TOP_LEVEL_ASYMMETRIC} or {@link TableType#TOP_LEVEL}
   * @param pkField primary-key property name ({@code "_id"} for synced realms), at most 63 bytes
   * @param pkType INT, STRING, OBJECT_ID, UUID (or GLOBAL_KEY for a table without primary key)
   * @param pkNullable whether the primary key may be null
   * @return this writer
   * @throws IllegalArgumentException for an embedded type, an invalid primary-key type or a name
   *     that is too long
   */
  public ChangesetWriter addTable(
      String table, TableType type, String pkField, PayloadType pkType, boolean pkNullable) {
    checkIdle();
    Objects.requireNonNull(pkField, "pkField");
    if (type == TableType.EMBEDDED) {
      throw new IllegalArgumentException(
          "addTable type: Embedded (expected: TopLevel or TopLevelAsymmetric; use"
              + " addEmbeddedTable)");
    }
    if (!pkType.isTablePrimaryKeyType()) {
      throw new IllegalArgumentException(
          "addTable pkType: " + pkType + " (expected: INT, STRING, OBJECT_ID, UUID or GLOBAL_KEY)");
    }
    int t = intern(table, CLASS, "table");
    int f = intern(pkField, PROPERTY, "pkField");
    require(MAX_FIXED);
    byte[] b = buf;
    int p = pos;
    b[p++] = 0;
    p = Varint.write(b, p, t);
    b[p++] = (byte) type.code();
    p = Varint.write(b, p, f);
    p = Varint.write(b, p, pkType.code());
    b[p++] = (byte) (pkNullable ? 1 : 0);
    pos = p;
    return this;
  }

  /**
   * Writes AddTable for an embedded class (table type 1, no primary key).
   *
   * @param table class name, at most 57 UTF-8 bytes
   * @return this writer
   */
  public ChangesetWriter addEmbeddedTable(String table) {
    checkIdle();
    int t = intern(table, CLASS, "table");
    require(MAX_FIXED);
    buf[pos++] = 0;
    pos = Varint.write(buf, pos, t);
    buf[pos++] = (byte) TableType.EMBEDDED.code();
    return this;
  }

  /**
   * Writes AddColumn for a single (non-collection), non-link column.
   *
   * @param table class name
   * @param field property name, at most 63 UTF-8 bytes
   * @param type the column type, not {@link ColumnType#LINK}
   * @param nullable whether values may be null (always true for {@link ColumnType#MIXED})
   * @return this writer
   */
  public ChangesetWriter addColumn(String table, String field, ColumnType type, boolean nullable) {
    return addColumn(table, field, type, nullable, CollectionType.SINGLE, null, null);
  }

  /**
   * Writes AddColumn (spec changeset.md §6, §7.2). Interns the table, the field, then the link
   * target for a link column or the (unused) empty string for any other column, as realm-core
   * does.
   *
   * @param table class name
   * @param field property name, at most 63 UTF-8 bytes
   * @param type the column (element) type
   * @param nullable whether values (elements) may be null
   * @param collection single, list, set or dictionary
   * @param linkTarget the target class if {@code type} is {@link ColumnType#LINK}; otherwise
   *     {@code null}
   * @param keyType the key type of a dictionary ({@code null} means {@link ColumnType#STRING});
   *     {@code null} for other collections
   * @return this writer
   * @throws IllegalArgumentException if {@code linkTarget} or {@code keyType} does not fit {@code
   *     type} and {@code collection}, or a name is too long
   */
  public ChangesetWriter addColumn(
      String table,
      String field,
      ColumnType type,
      boolean nullable,
      CollectionType collection,
      String linkTarget,
      ColumnType keyType) {
    checkIdle();
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(collection, "collection");
    if ((type == ColumnType.LINK) != (linkTarget != null)) {
      throw new IllegalArgumentException(
          "addColumn linkTarget: "
              + (linkTarget == null ? "null" : "'" + linkTarget + "'")
              + " (expected: a class name exactly when type is LINK, here "
              + type
              + ")");
    }
    if (collection == CollectionType.DICTIONARY) {
      if (keyType == null) {
        keyType = ColumnType.STRING;
      }
    } else if (keyType != null) {
      throw new IllegalArgumentException(
          "addColumn keyType: " + keyType + " (expected: null unless collection is DICTIONARY)");
    }
    int t = intern(table, CLASS, "table");
    int f = intern(field, PROPERTY, "field");
    int target = linkTarget != null ? intern(linkTarget, CLASS, "linkTarget") : intern("", STRING,
        "linkTarget");
    require(MAX_FIXED);
    byte[] b = buf;
    int p = pos;
    b[p++] = 6;
    p = Varint.write(b, p, t);
    p = Varint.write(b, p, f);
    b[p++] = (byte) type.code();
    b[p++] = (byte) (nullable ? 1 : 0);
    b[p++] = (byte) collection.code();
    if (linkTarget != null) {
      p = Varint.write(b, p, target);
    }
    if (collection == CollectionType.DICTIONARY) {
      b[p++] = (byte) keyType.code();
    }
    pos = p;
    return this;
  }

  /**
   * Writes EraseTable (never produced by ingest clients; for tools and tests).
   *
   * @param table class name
   * @return this writer
   */
  public ChangesetWriter eraseTable(String table) {
    checkIdle();
    int t = intern(table, CLASS, "table");
    require(MAX_FIXED);
    buf[pos++] = 1;
    pos = Varint.write(buf, pos, t);
    return this;
  }

  /**
   * Writes EraseColumn (never produced by ingest clients; for tools and tests).
   *
   * @param table class name
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter eraseColumn(String table, String field) {
    checkIdle();
    int t = intern(table, CLASS, "table");
    int f = intern(field, PROPERTY, "field");
    require(MAX_FIXED);
    buf[pos++] = 7;
    pos = Varint.write(buf, pos, t);
    pos = Varint.write(buf, pos, f);
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // Objects

  /**
   * Selects the object {@code table[id]} for the following path instructions, without writing.
   *
   * @param table class name
   * @param id the primary key
   * @return this writer
   */
  public ChangesetWriter object(String table, ObjectId id) {
    checkIdle();
    return selectObject(intern(table, CLASS, "table"), id);
  }

  /**
   * Selects the object {@code table[id]} (prepared table name) without writing.
   *
   * @param table class name
   * @param id the primary key
   * @return this writer
   */
  public ChangesetWriter object(Name table, ObjectId id) {
    checkIdle();
    return selectObject(internName(table, CLASS, "table"), id);
  }

  private ChangesetWriter selectObject(int t, ObjectId id) {
    if (t < 64) {
      // [t] [0A] [12 id bytes, big-endian] as two little-endian words, built in registers
      long low = Long.reverseBytes(id.low());
      key0 = t | (long) PayloadType.OBJECT_ID.code() << 8
          | (Integer.reverseBytes(id.high()) & 0xFFFF_FFFFL) << 16 | low << 48;
      key1 = low >>> 16;
      objectKeyLength = 2 + ObjectId.BYTES;
      return selectedHead();
    }
    int p = Varint.write(objectKey, 0, t);
    objectKey[p++] = (byte) PayloadType.OBJECT_ID.code();
    INT_BE.set(objectKey, p, id.high());
    LONG_BE.set(objectKey, p + 4, id.low());
    return keySelected(p + ObjectId.BYTES);
  }

  /**
   * Selects the object {@code table[pk]} (Int primary key) without writing.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter object(String table, long pk) {
    checkIdle();
    return selectObject(intern(table, CLASS, "table"), pk);
  }

  /**
   * Selects the object {@code table[pk]} (prepared table name, Int key) without writing.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter object(Name table, long pk) {
    checkIdle();
    return selectObject(internName(table, CLASS, "table"), pk);
  }

  private ChangesetWriter selectObject(int t, long pk) {
    int p = Varint.write(objectKey, 0, t);
    objectKey[p++] = (byte) PayloadType.INT.code();
    return keySelected(Varint.write(objectKey, p, pk));
  }

  /**
   * Selects the object {@code table[pk]} (String primary key, interned after the table name)
   * without writing.
   *
   * @param table class name
   * @param pk the primary key, at most {@link #MAX_STRING_BYTES} UTF-8 bytes
   * @return this writer
   */
  public ChangesetWriter object(String table, String pk) {
    checkIdle();
    return selectObject(intern(table, CLASS, "table"), pk);
  }

  /**
   * Selects the object {@code table[pk]} (prepared table name, String key) without writing.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter object(Name table, String pk) {
    checkIdle();
    return selectObject(internName(table, CLASS, "table"), pk);
  }

  private ChangesetWriter selectObject(int t, String pk) {
    int s = intern(pk, STRING, "primary key");
    int p = Varint.write(objectKey, 0, t);
    objectKey[p++] = (byte) PayloadType.STRING.code();
    return keySelected(Varint.write(objectKey, p, s));
  }

  /**
   * Selects the object {@code table[pk]} (UUID primary key) without writing.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter object(String table, UUID pk) {
    checkIdle();
    return selectObject(intern(table, CLASS, "table"), pk);
  }

  /**
   * Selects the object {@code table[pk]} (prepared table name, UUID key) without writing.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter object(Name table, UUID pk) {
    checkIdle();
    return selectObject(internName(table, CLASS, "table"), pk);
  }

  private ChangesetWriter selectObject(int t, UUID pk) {
    int p = Varint.write(objectKey, 0, t);
    objectKey[p++] = (byte) PayloadType.UUID.code();
    LONG_BE.set(objectKey, p, pk.getMostSignificantBits());
    LONG_BE.set(objectKey, p + 8, pk.getLeastSignificantBits());
    return keySelected(p + 16);
  }

  /**
   * Selects the object of {@code table} whose (nullable) primary key is null, without writing.
   *
   * @param table class name
   * @return this writer
   */
  public ChangesetWriter objectWithNullKey(String table) {
    checkIdle();
    int t = intern(table, CLASS, "table");
    int p = Varint.write(objectKey, 0, t);
    objectKey[p++] = (byte) PayloadType.NULL.code();
    return keySelected(p);
  }

  /**
   * Selects the object of a table without primary key by its GlobalKey, without writing (not used
   * by sync; for tools and tests).
   *
   * @param table class name
   * @param hi the high part, unsigned
   * @param lo the low part, unsigned
   * @return this writer
   */
  public ChangesetWriter objectWithGlobalKey(String table, long hi, long lo) {
    checkIdle();
    int t = intern(table, CLASS, "table");
    int p = Varint.write(objectKey, 0, t);
    objectKey[p++] = 0x40; // -1 as a varint
    p = Varint.writeUnsigned(objectKey, p, hi);
    return keySelected(Varint.writeUnsigned(objectKey, p, lo));
  }

  /**
   * Selects {@code table[key]} for any primary-key kind, without writing.
   *
   * @param table class name
   * @param key the primary key
   * @return this writer
   */
  public ChangesetWriter object(String table, PrimaryKey key) {
    if (key instanceof PrimaryKey.ObjectIdKey) {
      return object(table, ((PrimaryKey.ObjectIdKey) key).value());
    } else if (key instanceof PrimaryKey.IntKey) {
      return object(table, ((PrimaryKey.IntKey) key).value());
    } else if (key instanceof PrimaryKey.StringKey) {
      return object(table, ((PrimaryKey.StringKey) key).value());
    } else if (key instanceof PrimaryKey.UuidKey) {
      return object(table, ((PrimaryKey.UuidKey) key).value());
    } else if (key instanceof PrimaryKey.NullKey) {
      return objectWithNullKey(table);
    } else {
      PrimaryKey.GlobalKey g = (PrimaryKey.GlobalKey) Objects.requireNonNull(key, "key");
      return objectWithGlobalKey(table, g.hi(), g.lo());
    }
  }

  /**
   * Writes CreateObject for the selected object.
   *
   * @return this writer
   * @throws IllegalStateException if no object is selected
   */
  public ChangesetWriter createObject() {
    return writeObjectRecord(2);
  }

  /**
   * Writes EraseObject for the selected object (never produced for asymmetric classes).
   *
   * @return this writer
   * @throws IllegalStateException if no object is selected
   */
  public ChangesetWriter eraseObject() {
    return writeObjectRecord(3);
  }

  /**
   * Writes CreateObject {@code table[id]} and selects it.
   *
   * @param table class name
   * @param id the primary key
   * @return this writer
   */
  public ChangesetWriter createObject(String table, ObjectId id) {
    return object(table, id).writeObjectRecord(2);
  }

  /**
   * Writes CreateObject {@code table[pk]} (Int key) and selects it.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter createObject(String table, long pk) {
    return object(table, pk).writeObjectRecord(2);
  }

  /**
   * Writes CreateObject {@code table[pk]} (String key, interned) and selects it.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter createObject(String table, String pk) {
    return object(table, pk).writeObjectRecord(2);
  }

  /**
   * Writes CreateObject {@code table[pk]} (UUID key) and selects it.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter createObject(String table, UUID pk) {
    return object(table, pk).writeObjectRecord(2);
  }

  /**
   * Writes CreateObject {@code table[id]} (prepared table name) and selects it.
   *
   * @param table class name
   * @param id the primary key
   * @return this writer
   */
  public ChangesetWriter createObject(Name table, ObjectId id) {
    return object(table, id).writeObjectRecord(2);
  }

  /**
   * Writes CreateObject {@code table[pk]} (prepared table name, Int key) and selects it.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter createObject(Name table, long pk) {
    return object(table, pk).writeObjectRecord(2);
  }

  /**
   * Writes CreateObject {@code table[pk]} (prepared table name, String key) and selects it.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter createObject(Name table, String pk) {
    return object(table, pk).writeObjectRecord(2);
  }

  /**
   * Writes CreateObject {@code table[pk]} (prepared table name, UUID key) and selects it.
   *
   * @param table class name
   * @param pk the primary key
   * @return this writer
   */
  public ChangesetWriter createObject(Name table, UUID pk) {
    return object(table, pk).writeObjectRecord(2);
  }

  /**
   * Writes CreateObject for the object of {@code table} with a null (nullable) primary key and
   * selects it.
   *
   * @param table class name
   * @return this writer
   */
  public ChangesetWriter createObjectWithNullKey(String table) {
    return objectWithNullKey(table).writeObjectRecord(2);
  }

  private ChangesetWriter writeObjectRecord(int code) {
    checkIdle();
    if (objectKeyLength < 0) {
      throw new IllegalStateException(
          "no object selected (expected: createObject(..) or object(..) first)");
    }
    require(1 + OBJECT_KEY_BYTES);
    int p = pos;
    byte[] b = buf;
    long a = RawStores.at(p);
    int n = objectKeyLength;
    RawStores.putByte(b, a, code);
    copyObjectKeyRaw(b, a + 1, n);
    pos = p + 1 + n;
    return this;
  }

  /**
   * {@link #copyObjectKey} by raw stores at offset {@code a}, {@code n} = {@link
   * #objectKeyLength}: {@link #OBJECT_KEY_BYTES} reserved there.
   */
  private void copyObjectKeyRaw(byte[] b, long a, int n) {
    long k0 = key0;
    long k1 = key1;
    RawStores.putLong(b, a, k0);
    RawStores.putLong(b, a + 8, k1);
    if (n > 16) { // UUID, long Int and GlobalKey keys, large table indices
      long k2 = key2;
      long k3 = key3;
      RawStores.putLong(b, a + 16, k2);
      RawStores.putLong(b, a + 24, k3);
    }
  }

  /**
   * {@link #updateHead} by raw stores at offset {@code a}: 1 + {@link #OBJECT_KEY_BYTES}
   * reserved there. Returns the bytes written ({@code 1 + objectKeyLength}).
   */
  private int updateHeadRaw(byte[] b, long a) {
    int n = objectKeyLength;
    if (n < 16) { // ObjectId keys, small Int keys: the code and the key words shifted by one byte
      long h0 = head0;
      long h1 = head1;
      RawStores.putLong(b, a, h0);
      RawStores.putLong(b, a + 8, h1);
      return 1 + n;
    }
    RawStores.putByte(b, a, UPDATE);
    copyObjectKeyRaw(b, a + 1, n);
    return 1 + n;
  }

  /**
   * Copies the selected object's encoded table and key to {@code b[p]}: always all {@link
   * #OBJECT_KEY_BYTES} bytes (four 8-byte moves; the bytes after the key are garbage that the
   * next write overwrites, inside the window the caller reserved).
   *
   * @return the index after the key
   */
  private int copyObjectKey(byte[] b, int p) {
    int n = objectKeyLength;
    LONG_LE.set(b, p, key0);
    LONG_LE.set(b, p + 8, key1);
    if (n > 16) { // UUID, long Int and GlobalKey keys, large table indices
      LONG_LE.set(b, p + 16, key2);
      LONG_LE.set(b, p + 24, key3);
    }
    return p + n;
  }

  /**
   * Writes an Update's code and the selected object's table and key at {@code b[p]}: 16 or 33
   * bytes, of which the bytes after the key are garbage that the next write overwrites (inside
   * the window the caller reserved).
   *
   * @return the index after the key
   */
  private int updateHead(byte[] b, int p) {
    int n = objectKeyLength;
    if (n < 16) { // ObjectId keys, small Int keys: the code and the key words shifted by one byte
      LONG_LE.set(b, p, head0);
      LONG_LE.set(b, p + 8, head1);
      return p + 1 + n;
    }
    b[p] = UPDATE;
    return copyObjectKey(b, p + 1);
  }

  /** Encodes the selected object's table and key from {@link #objectKey} into the key words. */
  private ChangesetWriter keySelected(int length) {
    byte[] k = objectKey;
    key0 = (long) LONG_LE.get(k, 0);
    key1 = (long) LONG_LE.get(k, 8);
    key2 = (long) LONG_LE.get(k, 16);
    key3 = (long) LONG_LE.get(k, 24);
    objectKeyLength = length;
    return selectedHead();
  }

  /** Builds {@link #head0} and {@link #head1} from the key words (used for keys below 16 bytes). */
  private ChangesetWriter selectedHead() {
    long k0 = key0;
    head0 = UPDATE | k0 << 8;
    head1 = k0 >>> 56 | key1 << 8;
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // Path instructions: openers

  /**
   * Opens an Update of {@code field} of the selected object. Finish with a payload terminal
   * ({@code xxxValue(..)}).
   *
   * @param field property name of the selected (top-level) object
   * @return this writer
   * @throws IllegalStateException if no object is selected or another instruction is open
   */
  public ChangesetWriter update(String field) {
    return open(UPDATE, field);
  }

  /**
   * Opens an ArrayInsert into the list {@code field}: add the insert position with {@link
   * #index(long)} (last element) and {@link #priorSize(long)}, then a payload terminal.
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter arrayInsert(String field) {
    return open(ARRAY_INSERT, field);
  }

  /**
   * Opens a SetInsert into the set {@code field}; finish with a payload terminal.
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter setInsert(String field) {
    return open(SET_INSERT, field);
  }

  /**
   * Opens a SetErase from the set {@code field}; finish with a payload terminal.
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter setErase(String field) {
    return open(SET_ERASE, field);
  }

  /**
   * Opens an AddInteger on {@code field}; finish with {@link #amount(long)}.
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter addInteger(String field) {
    return open(ADD_INTEGER, field);
  }

  /**
   * Opens an ArrayMove in the list {@code field}: add the from-index with {@link #index(long)},
   * {@link #priorSize(long)}, then {@link #moveTo(long)}.
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter arrayMove(String field) {
    return open(ARRAY_MOVE, field);
  }

  /**
   * Opens an ArrayErase in the list {@code field}: add the index with {@link #index(long)},
   * {@link #priorSize(long)}, then {@link #erase()}.
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter arrayErase(String field) {
    return open(ARRAY_ERASE, field);
  }

  /**
   * Opens a Clear of the collection {@code field}; finish with {@link
   * #collection(CollectionType)}.
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter clear(String field) {
    return open(CLEAR, field);
  }

  /**
   * Opens an Update of a prepared field (see {@link #update(String)}).
   *
   * @param field property name of the selected object
   * @return this writer
   */
  public ChangesetWriter update(Name field) {
    return open(UPDATE, field);
  }

  /**
   * Opens an ArrayInsert into a prepared list field (see {@link #arrayInsert(String)}).
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter arrayInsert(Name field) {
    return open(ARRAY_INSERT, field);
  }

  /**
   * Opens a SetInsert into a prepared set field (see {@link #setInsert(String)}).
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter setInsert(Name field) {
    return open(SET_INSERT, field);
  }

  /**
   * Opens a SetErase from a prepared set field (see {@link #setErase(String)}).
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter setErase(Name field) {
    return open(SET_ERASE, field);
  }

  /**
   * Opens a Clear of a prepared collection field (see {@link #clear(String)}).
   *
   * @param field property name
   * @return this writer
   */
  public ChangesetWriter clear(Name field) {
    return open(CLEAR, field);
  }

  private ChangesetWriter open(int kind, String field) {
    checkIdle();
    Objects.requireNonNull(field, "field");
    if (objectKeyLength < 0) {
      throw new IllegalStateException(
          "no object selected (expected: createObject(..) or object(..) before "
              + kindName(kind)
              + ")");
    }
    pending = kind;
    pendingField = field;
    pendingName = null;
    return this;
  }

  private ChangesetWriter open(int kind, Name field) {
    if (kind == UPDATE && pending == NONE && objectKeyLength >= 0) {
      int h = field.hint;
      String[] byIndex = internByIndex;
      if (h < FAST_INDEX_LIMIT && h < byIndex.length && byIndex[h] == field.value()
          && field.utf8Length <= PROPERTY) {
        fieldIndex = h;
        shape = S_FIELD;
        pending = UPDATE;
        return this;
      }
    }
    open(kind, field.value());
    pendingName = field;
    return this;
  }

  /** Leaves a fast shape: writes the open instruction's names into the general state. */
  private void toGeneral() {
    int s = shape;
    if (s == S_GENERAL) {
      return;
    }
    shape = S_GENERAL;
    String[] byIndex = internByIndex;
    pendingField = byIndex[fieldIndex];
    pendingName = null;
    if (s == S_KEY) {
      int i = growPath();
      pathIndexes[i] = -1;
      pathKeys[i] = byIndex[keyIndex];
      pathNames[i] = null;
    }
  }

  /** The open instruction's field name, for messages. */
  private String pendingFieldName() {
    return shape != S_GENERAL ? internByIndex[fieldIndex]
        : pendingName != null ? pendingName.value() : pendingField;
  }

  // ---------------------------------------------------------------------------------------------
  // Path instructions: path and details

  /**
   * Appends a list index to the path of the open instruction.
   *
   * @param index 0 … 2^32−1
   * @return this writer
   * @throws IllegalArgumentException if {@code index} is out of range
   */
  public ChangesetWriter index(long index) {
    checkPending();
    toGeneral();
    if (index < 0 || index > MAX_UINT32) {
      throw new IllegalArgumentException(
          "path index: " + index + " (expected: 0.." + MAX_UINT32 + ")");
    }
    int i = growPath();
    pathIndexes[i] = index;
    pathKeys[i] = null;
    pathNames[i] = null;
    return this;
  }

  /**
   * Appends a string element (a property of an embedded object, or a dictionary key) to the path
   * of the open instruction; it is interned when the instruction is written.
   *
   * @param key property name or dictionary key, at most {@link #MAX_STRING_BYTES} UTF-8 bytes
   * @return this writer
   */
  public ChangesetWriter key(String key) {
    checkPending();
    toGeneral();
    Objects.requireNonNull(key, "key");
    int i = growPath();
    pathIndexes[i] = -1;
    pathKeys[i] = key;
    pathNames[i] = null;
    return this;
  }

  /**
   * Appends a prepared string element (see {@link #key(String)}).
   *
   * @param key property name or dictionary key
   * @return this writer
   */
  public ChangesetWriter key(Name key) {
    if (shape == S_FIELD) {
      int h = key.hint;
      String[] byIndex = internByIndex;
      if (h < FAST_INDEX_LIMIT && h < byIndex.length && byIndex[h] == key.value()) {
        keyIndex = h;
        shape = S_KEY;
        return this;
      }
    }
    return keyGeneral(key);
  }

  private ChangesetWriter keyGeneral(Name key) {
    checkPending();
    toGeneral();
    int i = growPath();
    pathIndexes[i] = -1;
    pathKeys[i] = key.value();
    pathNames[i] = key;
    return this;
  }

  /**
   * Sets {@code prior_size}, the size of the list before the operation: required for ArrayInsert,
   * ArrayMove, ArrayErase and for an Update whose path ends with an index.
   *
   * @param size 0 … 2^32−1
   * @return this writer
   */
  public ChangesetWriter priorSize(long size) {
    checkPending();
    toGeneral();
    if (size < 0 || size > MAX_UINT32) {
      throw new IllegalArgumentException(
          "priorSize: " + size + " (expected: 0.." + MAX_UINT32 + ")");
    }
    priorSize = size;
    return this;
  }

  /**
   * Sets {@code is_default} of an Update whose path is empty or ends with a string (default
   * false: the value came from the application, not from a schema default).
   *
   * @param value the flag
   * @return this writer
   */
  public ChangesetWriter isDefault(boolean value) {
    checkPending();
    toGeneral();
    isDefault = value;
    return this;
  }

  /**
   * Says that the property this instruction sets belongs to an embedded object of class {@code
   * className} (the path goes into that object): realm-core interns that class name before the
   * field and path names, although no record refers to it (see the class Javadoc).
   *
   * @param className the embedded class, at most 57 UTF-8 bytes
   * @return this writer
   */
  public ChangesetWriter inEmbedded(String className) {
    checkPending();
    toGeneral();
    ownerClass = Objects.requireNonNull(className, "className");
    ownerName = null;
    return this;
  }

  /**
   * Names the embedded class, prepared (see {@link #inEmbedded(String)}).
   *
   * @param className the embedded class, at most 57 UTF-8 bytes
   * @return this writer
   */
  public ChangesetWriter inEmbedded(Name className) {
    if (shape != S_GENERAL) {
      int h = className.hint;
      String[] byIndex = internByIndex;
      if (h < byIndex.length && byIndex[h] == className.value()
          && className.utf8Length <= CLASS) {
        return this; // interned already: realm-core's intern of it writes nothing
      }
    }
    return inEmbeddedGeneral(className);
  }

  private ChangesetWriter inEmbeddedGeneral(Name className) {
    checkPending();
    toGeneral();
    ownerClass = className.value();
    ownerName = className;
    return this;
  }

  private int growPath() {
    int i = pathLength;
    if (i == pathIndexes.length) {
      pathIndexes = Arrays.copyOf(pathIndexes, i * 2);
      pathKeys = Arrays.copyOf(pathKeys, i * 2);
      pathNames = Arrays.copyOf(pathNames, i * 2);
      pathKeyInterned = Arrays.copyOf(pathKeyInterned, i * 2);
    }
    pathLength = i + 1;
    return i;
  }

  // ---------------------------------------------------------------------------------------------
  // Path instructions: payload terminals (Update, ArrayInsert, SetInsert, SetErase)

  /**
   * Writes the open instruction with a Null payload.
   *
   * @return this writer
   * @throws IllegalStateException if no payload instruction is open, or its path/prior size is
   *     incomplete
   */
  public ChangesetWriter nullValue() {
    return markerValue(PayloadType.NULL);
  }

  /**
   * Writes the open instruction with an Int payload.
   *
   * @param value any 64-bit integer
   * @return this writer
   */
  public ChangesetWriter intValue(long value) {
    if (shape == S_GENERAL) {
      return intValueGeneral(value);
    }
    int p = fastHeader(1 + Varint.MAX_BYTES_64 + 1);
    byte[] b = buf;
    b[p] = (byte) PayloadType.INT.code();
    p = Varint.write(b, p + 1, value);
    b[p] = 0; // is_default
    return fastEnd(p + 1);
  }

  private ChangesetWriter intValueGeneral(long value) {
    beginPayload();
    buf[pos++] = (byte) PayloadType.INT.code();
    pos = Varint.write(buf, pos, value);
    return endPayload();
  }

  /**
   * Writes the open instruction with a Bool payload.
   *
   * @param value the value
   * @return this writer
   */
  public ChangesetWriter boolValue(boolean value) {
    if (shape == S_GENERAL) {
      return boolValueGeneral(value);
    }
    int p = fastHeader(3);
    byte[] b = buf;
    b[p] = (byte) PayloadType.BOOL.code();
    b[p + 1] = (byte) (value ? 1 : 0);
    b[p + 2] = 0; // is_default
    return fastEnd(p + 3);
  }

  private ChangesetWriter boolValueGeneral(boolean value) {
    beginPayload();
    buf[pos++] = (byte) PayloadType.BOOL.code();
    buf[pos++] = (byte) (value ? 1 : 0);
    return endPayload();
  }

  /**
   * Writes the open instruction with a String payload, UTF-8 encoded inline (not interned).
   *
   * @param value at most {@link #MAX_STRING_BYTES} UTF-8 bytes, no unpaired surrogates
   * @return this writer
   * @throws IllegalArgumentException if the string is too long or has an unpaired surrogate
   */
  public ChangesetWriter stringValue(String value) {
    if (shape != S_GENERAL && value.length() < 64) {
      int n = value.length();
      // one byte of length; ASCII is copied while checked, else the general path below
      int p = fastHeader(2 + n + 1);
      byte[] b = buf;
      b[p] = (byte) PayloadType.STRING.code();
      b[p + 1] = (byte) n;
      int q = p + 2;
      if (copyAsciiRaw(value, n, b, RawStores.at(q))) {
        b[q + n] = 0; // is_default
        return fastEnd(q + n + 1);
      }
    }
    return stringValueGeneral(value);
  }

  private ChangesetWriter stringValueGeneral(String value) {
    checkPayloadInstruction();
    int n = value.length();
    if (n <= FAST_STRING_CHARS) {
      // One pass for ASCII: reserve the whole record, copy while checking, and undo if a char
      // needs more than one byte (nothing is published between the reservation and the undo).
      int field = internPathNames();
      require(1 + OBJECT_KEY_BYTES + 10 + 16 * pathLength + MAX_FIXED + 2 + n + 10);
      int start = pos;
      writePathHeader(field);
      byte[] b = buf;
      int p = pos;
      b[p++] = (byte) PayloadType.STRING.code();
      p = Varint.write(b, p, n);
      if (RawStores.copyAsciiAny(value, n, b, RawStores.at(p))) {
        pos = p + n;
        return endVariablePayload();
      }
      pos = start;
    }
    int len;
    try {
      len = checkedUtf8Length(value, STRING, "string value");
    } catch (IllegalArgumentException e) {
      throw abandon(e);
    }
    writePathHeader(internPathNames());
    buf[pos++] = (byte) PayloadType.STRING.code();
    pos = Varint.write(buf, pos, len);
    writeUtf8(value, len);
    return endVariablePayload();
  }

  /**
   * Writes the open instruction with a Binary payload.
   *
   * @param value the bytes; borrowed for the duration of the call
   * @return this writer
   */
  public ChangesetWriter binaryValue(byte[] value) {
    return binaryValue(value, 0, value.length);
  }

  /**
   * Writes the open instruction with a Binary payload of {@code value[offset, offset + length)}.
   *
   * @param value the bytes; borrowed for the duration of the call
   * @param offset first byte
   * @param length number of bytes
   * @return this writer
   * @throws IndexOutOfBoundsException if the range is outside {@code value}
   */
  public ChangesetWriter binaryValue(byte[] value, int offset, int length) {
    try {
      Objects.checkFromIndexSize(offset, length, value.length);
    } catch (IndexOutOfBoundsException e) {
      clearPending();
      throw e;
    }
    beginPayload();
    buf[pos++] = (byte) PayloadType.BINARY.code();
    pos = Varint.write(buf, pos, length);
    int from = offset;
    int remaining = length;
    while (remaining > 0) {
      if (pos == limit) {
        require(Math.min(remaining, STAGING_BYTES));
      }
      int n = Math.min(remaining, limit - pos);
      System.arraycopy(value, from, buf, pos, n);
      pos += n;
      from += n;
      remaining -= n;
    }
    return endVariablePayload();
  }

  /**
   * Writes the open instruction with a Binary payload of {@code value}'s remaining bytes, without
   * changing its position.
   *
   * @param value the bytes; borrowed for the duration of the call
   * @return this writer
   */
  public ChangesetWriter binaryValue(ByteBuffer value) {
    int from = value.position();
    int remaining = value.remaining();
    beginPayload();
    buf[pos++] = (byte) PayloadType.BINARY.code();
    pos = Varint.write(buf, pos, remaining);
    while (remaining > 0) {
      if (pos == limit) {
        require(Math.min(remaining, STAGING_BYTES));
      }
      int n = Math.min(remaining, limit - pos);
      value.get(from, buf, pos, n);
      pos += n;
      from += n;
      remaining -= n;
    }
    return endVariablePayload();
  }

  /**
   * Writes the open instruction with a Timestamp payload from an {@link Instant}, truncated toward
   * zero (an instant before 1970 with a fraction gets seconds + 1 and nanoseconds − 10^9, so both
   * have the same sign; spec changeset.md §3.5).
   *
   * @param value the instant
   * @return this writer
   */
  public ChangesetWriter timestampValue(Instant value) {
    long seconds = value.getEpochSecond();
    int nanos = value.getNano();
    if (seconds < 0 && nanos > 0) {
      seconds += 1;
      nanos -= 1_000_000_000;
    }
    return writeTimestamp(seconds, nanos);
  }

  /**
   * Writes the open instruction with a Timestamp payload (seconds and nanoseconds since the epoch,
   * truncated toward zero).
   *
   * @param seconds seconds since 1970-01-01T00:00:00Z
   * @param nanos −999 999 999 … 999 999 999, with the sign of {@code seconds} (or 0)
   * @return this writer
   * @throws IllegalArgumentException if the pair is not normalized
   */
  public ChangesetWriter timestampValue(long seconds, int nanos) {
    if (nanos <= -1_000_000_000 || nanos >= 1_000_000_000
        || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
      throw abandon(new IllegalArgumentException(
          "timestamp: (" + seconds + " s, " + nanos + " ns) (expected: |nanos| < 10^9 and"
              + " seconds and nanos of the same sign)"));
    }
    return writeTimestamp(seconds, nanos);
  }

  private ChangesetWriter writeTimestamp(long seconds, int nanos) {
    if (shape == S_GENERAL) {
      return writeTimestampGeneral(seconds, nanos);
    }
    int p = fastHeader(1 + 2 * Varint.MAX_BYTES_64 + 1);
    byte[] b = buf;
    b[p] = (byte) PayloadType.TIMESTAMP.code();
    p = writeTimestampData(b, p + 1, seconds, nanos);
    b[p] = 0; // is_default
    return fastEnd(p + 1);
  }

  /**
   * Writes a timestamp's two varints at {@code b[p]} without loops (20 bytes reserved), and
   * returns the index after them. Today's seconds take exactly 5 bytes: written without
   * measuring, so that where the nanoseconds (1 to 5 bytes, unpredictable) go is known at once.
   */
  private static int writeTimestampData(byte[] b, int p, long seconds, int nanos) {
    if (seconds - Varint.FIVE_MIN + Long.MIN_VALUE < Varint.FIVE_SPAN + Long.MIN_VALUE) {
      // seconds > 0, so the (normalized) nanoseconds are 0 or more: no sign to encode
      Varint.writeFive(b, p, seconds);
      return Varint.writeNonNegativeInt(b, p + 5, nanos);
    }
    return Varint.writeWord(b, Varint.writeWord(b, p, seconds), nanos);
  }

  private ChangesetWriter writeTimestampGeneral(long seconds, int nanos) {
    beginPayload();
    buf[pos++] = (byte) PayloadType.TIMESTAMP.code();
    pos = Varint.write(buf, pos, seconds);
    pos = Varint.write(buf, pos, nanos);
    return endPayload();
  }

  /**
   * Writes the open instruction with a Float payload (raw bits, NaN payloads kept).
   *
   * @param value the value
   * @return this writer
   */
  public ChangesetWriter floatValue(float value) {
    if (shape == S_GENERAL) {
      return floatValueGeneral(value);
    }
    int p = fastHeader(6);
    byte[] b = buf;
    b[p] = (byte) PayloadType.FLOAT.code();
    INT_LE.set(b, p + 1, Float.floatToRawIntBits(value));
    b[p + 5] = 0; // is_default
    return fastEnd(p + 6);
  }

  private ChangesetWriter floatValueGeneral(float value) {
    beginPayload();
    buf[pos++] = (byte) PayloadType.FLOAT.code();
    INT_LE.set(buf, pos, Float.floatToRawIntBits(value));
    pos += 4;
    return endPayload();
  }

  /**
   * Writes the open instruction with a Double payload (raw bits, NaN payloads kept).
   *
   * @param value the value
   * @return this writer
   */
  public ChangesetWriter doubleValue(double value) {
    if (shape == S_GENERAL) {
      return doubleValueGeneral(value);
    }
    int p = fastHeader(10);
    byte[] b = buf;
    b[p] = (byte) PayloadType.DOUBLE.code();
    LONG_LE.set(b, p + 1, Double.doubleToRawLongBits(value));
    b[p + 9] = 0; // is_default
    return fastEnd(p + 10);
  }

  private ChangesetWriter doubleValueGeneral(double value) {
    beginPayload();
    byte[] b = buf;
    int p = pos;
    b[p] = (byte) PayloadType.DOUBLE.code();
    LONG_LE.set(b, p + 1, Double.doubleToRawLongBits(value));
    pos = p + 9;
    return endPayload();
  }

  /**
   * Writes the open instruction with a Decimal payload from a {@link BigDecimal}: coefficient =
   * |unscaled value|, exponent = −scale, sign = negative (spec changeset.md §3.6). A value outside
   * the Decimal128 ranges is brought inside only when that is exact (trailing zeros moved between
   * coefficient and exponent, like BSON's Decimal128 conversion).
   *
   * @param value the value
   * @return this writer
   * @throws IllegalArgumentException if the value needs more than 34 significant digits or its
   *     exponent cannot be brought into −6176 … 6111 exactly
   */
  public ChangesetWriter decimalValue(BigDecimal value) {
    long[] parts;
    try {
      parts = Decimals.fromBigDecimal(value);
    } catch (IllegalArgumentException e) {
      throw abandon(e);
    }
    return decimalValue(parts[0], parts[1], (int) parts[2], parts[3] != 0);
  }

  /**
   * Writes the open instruction with a Decimal payload from its parts (no allocation).
   *
   * @param coefficientHigh the high 64 bits of the unsigned coefficient
   * @param coefficientLow the low 64 bits of the unsigned coefficient
   * @param exponent −6176 … 6111
   * @param negative the sign
   * @return this writer
   * @throws IllegalArgumentException if the coefficient is ≥ 10^34 or the exponent out of range
   */
  public ChangesetWriter decimalValue(
      long coefficientHigh, long coefficientLow, int exponent, boolean negative) {
    try {
      Decimals.check(coefficientHigh, coefficientLow, exponent);
    } catch (IllegalArgumentException e) {
      throw abandon(e);
    }
    beginPayload();
    buf[pos++] = (byte) PayloadType.DECIMAL.code();
    pos = Varint.write128(buf, pos, coefficientHigh, coefficientLow);
    pos = Varint.write(buf, pos, exponent);
    buf[pos++] = (byte) (negative ? 1 : 0);
    return endPayload();
  }

  /**
   * Writes the open instruction with a Decimal payload from IEEE 754-2008 BID bits (as realm-core
   * stores a Decimal128).
   *
   * @param high the high 64 bits (sign, combination, exponent, coefficient bits 64–112)
   * @param low the low 64 bits of the coefficient
   * @return this writer
   * @throws IllegalArgumentException for NaN and infinities, which the changeset format cannot
   *     carry, and for non-canonical encodings
   */
  public ChangesetWriter decimalBid128Value(long high, long low) {
    if ((high & 0x7800_0000_0000_0000L) == 0x7800_0000_0000_0000L) {
      throw abandon(new IllegalArgumentException(
          "decimal: " + ((high & 0x7C00_0000_0000_0000L) == 0x7C00_0000_0000_0000L ? "NaN"
              : "Infinity")
              + " (expected: a finite value; NaN and infinities have no (coefficient, exponent,"
              + " sign) form in a changeset)"));
    }
    if ((high & 0x6000_0000_0000_0000L) == 0x6000_0000_0000_0000L) {
      throw abandon(new IllegalArgumentException(
          "decimal: non-canonical BID encoding 0x" + Long.toHexString(high)
              + " (expected: a coefficient below 10^34)"));
    }
    int exponent = (int) ((high >>> 49) & 0x3FFF) - Decimals.EXPONENT_BIAS;
    long coefficientHigh = high & 0x0001_FFFF_FFFF_FFFFL;
    return decimalValue(coefficientHigh, low, exponent, high < 0);
  }

  /**
   * Writes the open instruction with an ObjectId payload.
   *
   * @param value the id
   * @return this writer
   */
  public ChangesetWriter objectIdValue(ObjectId value) {
    if (shape == S_GENERAL) {
      return objectIdValueGeneral(value);
    }
    int high = value.high(); // NPE before anything is written
    int p = fastHeader(14);
    byte[] b = buf;
    b[p] = (byte) PayloadType.OBJECT_ID.code();
    INT_BE.set(b, p + 1, high);
    LONG_BE.set(b, p + 5, value.low());
    b[p + 13] = 0; // is_default
    return fastEnd(p + 14);
  }

  private ChangesetWriter objectIdValueGeneral(ObjectId value) {
    beginPayload();
    byte[] b = buf;
    int p = pos;
    b[p] = (byte) PayloadType.OBJECT_ID.code();
    INT_BE.set(b, p + 1, value.high());
    LONG_BE.set(b, p + 5, value.low());
    pos = p + 13;
    return endPayload();
  }

  /**
   * Writes the open instruction with a UUID payload (most significant bits first, big-endian).
   *
   * @param value the UUID
   * @return this writer
   */
  public ChangesetWriter uuidValue(UUID value) {
    if (shape == S_GENERAL) {
      return uuidValueGeneral(value);
    }
    long msb = value.getMostSignificantBits(); // NPE before anything is written
    int p = fastHeader(18);
    byte[] b = buf;
    b[p] = (byte) PayloadType.UUID.code();
    LONG_BE.set(b, p + 1, msb);
    LONG_BE.set(b, p + 9, value.getLeastSignificantBits());
    b[p + 17] = 0; // is_default
    return fastEnd(p + 18);
  }

  private ChangesetWriter uuidValueGeneral(UUID value) {
    beginPayload();
    byte[] b = buf;
    int p = pos;
    b[p] = (byte) PayloadType.UUID.code();
    LONG_BE.set(b, p + 1, value.getMostSignificantBits());
    LONG_BE.set(b, p + 9, value.getLeastSignificantBits());
    pos = p + 17;
    return endPayload();
  }

  /**
   * Writes the open instruction with an ObjectValue payload: creates an empty embedded object at
   * the addressed position. Set its properties with further instructions whose path goes into it,
   * marked with {@link #inEmbedded(String)}.
   *
   * @return this writer
   */
  public ChangesetWriter objectValue() {
    return markerValue(PayloadType.OBJECT_VALUE);
  }

  /**
   * Writes the open instruction with a List payload: makes a Mixed position an empty list.
   *
   * @return this writer
   */
  public ChangesetWriter listValue() {
    return markerValue(PayloadType.LIST);
  }

  /**
   * Writes the open instruction with a Dictionary payload: makes a Mixed position an empty
   * dictionary.
   *
   * @return this writer
   */
  public ChangesetWriter dictionaryValue() {
    return markerValue(PayloadType.DICTIONARY);
  }

  /**
   * Writes the open instruction with a Set payload: makes a Mixed position an empty set.
   *
   * @return this writer
   */
  public ChangesetWriter setValue() {
    return markerValue(PayloadType.SET);
  }

  /**
   * Writes the open instruction with an Erased payload (erases a dictionary key).
   *
   * @return this writer
   */
  public ChangesetWriter erasedValue() {
    return markerValue(PayloadType.ERASED);
  }

  /**
   * Writes the open instruction with a Link payload to {@code targetTable[key]} (links to
   * top-level objects are not allowed by Tributary's schema rules; for tools and tests). The
   * target table, then a string key, are interned after the path's names.
   *
   * @param targetTable the target class
   * @param key the target's primary key (not a GlobalKey... any {@link PrimaryKey})
   * @return this writer
   */
  public ChangesetWriter linkValue(String targetTable, PrimaryKey key) {
    checkPayloadInstruction();
    Objects.requireNonNull(targetTable, "targetTable");
    Objects.requireNonNull(key, "key");
    int field = internPathNames();
    int t;
    int keyString;
    try {
      t = intern(targetTable, CLASS, "link target table");
      keyString = key instanceof PrimaryKey.StringKey
          ? intern(((PrimaryKey.StringKey) key).value(), STRING, "link primary key") : -1;
    } catch (IllegalArgumentException e) {
      throw abandon(e);
    }
    writePathHeader(field);
    buf[pos++] = (byte) PayloadType.LINK.code();
    pos = Varint.write(buf, pos, t);
    pos = writeKey(buf, pos, key, keyString);
    return endPayload();
  }

  /**
   * Writes the open instruction with any payload given as a {@link Payload} value (for tools,
   * tests and re-encoding a parsed changeset).
   *
   * @param value the payload
   * @return this writer
   */
  public ChangesetWriter value(Payload value) {
    if (value instanceof Payload.IntValue) {
      return intValue(((Payload.IntValue) value).value());
    } else if (value instanceof Payload.StringValue) {
      return stringValue(((Payload.StringValue) value).value());
    } else if (value instanceof Payload.DoubleValue) {
      return doubleValue(Double.longBitsToDouble(((Payload.DoubleValue) value).bits()));
    } else if (value instanceof Payload.FloatValue) {
      return floatValue(Float.intBitsToFloat(((Payload.FloatValue) value).bits()));
    } else if (value instanceof Payload.BoolValue) {
      return boolValue(((Payload.BoolValue) value).value());
    } else if (value instanceof Payload.TimestampValue) {
      Payload.TimestampValue t = (Payload.TimestampValue) value;
      return timestampValue(t.seconds(), t.nanos());
    } else if (value instanceof Payload.BinaryValue) {
      return binaryValue(((Payload.BinaryValue) value).bytes());
    } else if (value instanceof Payload.DecimalValue) {
      Payload.DecimalValue d = (Payload.DecimalValue) value;
      return decimalValue(d.coefficientHigh(), d.coefficientLow(), d.exponent(), d.negative());
    } else if (value instanceof Payload.ObjectIdValue) {
      return objectIdValue(((Payload.ObjectIdValue) value).value());
    } else if (value instanceof Payload.UuidValue) {
      return uuidValue(((Payload.UuidValue) value).value());
    } else if (value instanceof Payload.LinkValue) {
      Payload.LinkValue l = (Payload.LinkValue) value;
      return linkValue(l.targetTable(), l.key());
    } else {
      return markerValue(Objects.requireNonNull(value, "value").type());
    }
  }

  private ChangesetWriter markerValue(PayloadType type) {
    if (shape == S_GENERAL) {
      return markerValueGeneral(type);
    }
    int code = type.code(); // -6..0: a one-byte varint
    int p = fastHeader(2);
    byte[] b = buf;
    b[p] = (byte) (code < 0 ? 0x40 | ~code : code);
    b[p + 1] = 0; // is_default
    return fastEnd(p + 2);
  }

  private ChangesetWriter markerValueGeneral(PayloadType type) {
    beginPayload();
    pos = Varint.write(buf, pos, type.code()); // codes -6..0: one byte (-2 is 0x41)
    return endPayload();
  }

  // ---------------------------------------------------------------------------------------------
  // Prepared paths: a whole Update in one call

  /**
   * Writes Update {@code path = value} (Int payload) on the selected object: the same bytes as
   * {@code update(..)[.key(..).inEmbedded(..)].intValue(value)}. See {@link FieldPath}.
   *
   * @param path the prepared property path
   * @param value any 64-bit integer
   * @return this writer
   * @throws IllegalStateException if no object is selected or an instruction is open
   */
  public ChangesetWriter intValue(FieldPath path, long value) {
    int p = preparedHeader(path, 1 + Varint.MAX_BYTES_64 + 1);
    if (p < 0) {
      return slowRoute(path, K_INT, value, 0, null);
    }
    byte[] b = buf;
    long a = RawStores.at(p);
    RawStores.putByte(b, a, PayloadType.INT.code());
    int k = varintRaw(b, a + 1, value);
    RawStores.putByte(b, a + 1 + k, 0); // is_default
    pos = p + 2 + k;
    return this;
  }

  /**
   * Writes Update {@code path = value} (Bool payload); see {@link #intValue(FieldPath, long)}.
   *
   * @param path the prepared property path
   * @param value the value
   * @return this writer
   */
  public ChangesetWriter boolValue(FieldPath path, boolean value) {
    int p = preparedHeader(path, 3);
    if (p < 0) {
      return slowRoute(path, K_BOOL, value ? 1 : 0, 0, null);
    }
    byte[] b = buf;
    long a = RawStores.at(p);
    RawStores.putByte(b, a, PayloadType.BOOL.code());
    RawStores.putByte(b, a + 1, value ? 1 : 0);
    RawStores.putByte(b, a + 2, 0); // is_default
    pos = p + 3;
    return this;
  }

  /**
   * Writes Update {@code path = value} (String payload, UTF-8 inline); see {@link
   * #intValue(FieldPath, long)} and {@link #stringValue(String)}.
   *
   * @param path the prepared property path
   * @param value at most {@link #MAX_STRING_BYTES} UTF-8 bytes, no unpaired surrogates
   * @return this writer
   * @throws IllegalArgumentException if the string is too long or has an unpaired surrogate
   */
  public ChangesetWriter stringValue(FieldPath path, String value) {
    int n = value.length(); // NPE before anything is written
    if (n < 64) {
      int p = preparedHeader(path, 2 + n + 1);
      if (p >= 0) {
        // one byte of length; ASCII is copied while checked, else the fluent route below
        byte[] b = buf;
        long a = RawStores.at(p);
        RawStores.putByte(b, a, PayloadType.STRING.code());
        RawStores.putByte(b, a + 1, n);
        if (copyAsciiRaw(value, n, b, a + 2)) {
          RawStores.putByte(b, a + 2 + n, 0); // is_default
          pos = p + 3 + n;
          return this;
        }
      }
    }
    return slowRoute(path, K_STRING, 0, 0, value);
  }

  /**
   * Writes Update {@code path = value} (Timestamp payload, truncated toward zero like {@link
   * #timestampValue(Instant)}); see {@link #intValue(FieldPath, long)}.
   *
   * @param path the prepared property path
   * @param value the instant
   * @return this writer
   */
  public ChangesetWriter timestampValue(FieldPath path, Instant value) {
    long seconds = value.getEpochSecond();
    int nanos = value.getNano();
    if (seconds < 0 && nanos > 0) {
      seconds += 1;
      nanos -= 1_000_000_000;
    }
    return preparedTimestamp(path, seconds, nanos);
  }

  /**
   * Writes Update {@code path = (seconds, nanos)} (Timestamp payload); see {@link
   * #timestampValue(long, int)}.
   *
   * @param path the prepared property path
   * @param seconds seconds since 1970-01-01T00:00:00Z
   * @param nanos −999 999 999 … 999 999 999, with the sign of {@code seconds} (or 0)
   * @return this writer
   * @throws IllegalArgumentException if the pair is not normalized
   */
  public ChangesetWriter timestampValue(FieldPath path, long seconds, int nanos) {
    if (nanos <= -1_000_000_000 || nanos >= 1_000_000_000
        || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
      return slowRoute(path, K_TIMESTAMP, seconds, nanos, null); // throws
    }
    return preparedTimestamp(path, seconds, nanos);
  }

  private ChangesetWriter preparedTimestamp(FieldPath path, long seconds, int nanos) {
    int p = preparedHeader(path, 1 + 2 * Varint.MAX_BYTES_64 + 1);
    if (p < 0) {
      return slowRoute(path, K_TIMESTAMP, seconds, nanos, null);
    }
    byte[] b = buf;
    long a = RawStores.at(p);
    RawStores.putByte(b, a, PayloadType.TIMESTAMP.code());
    if (seconds - Varint.FIVE_MIN + Long.MIN_VALUE < Varint.FIVE_SPAN + Long.MIN_VALUE) {
      // seconds > 0 (1974-2514), so the nanoseconds are 0 or more; their word's bytes after the
      // varint (at most 5 of its 8) are zero, the first of them is is_default
      RawStores.putLong(b, a + 1, Varint.fiveWord(seconds));
      RawStores.putLong(b, a + 6, Varint.nonNegativeIntWord(nanos));
      pos = p + 7 + Varint.nonNegativeIntSize(nanos);
      return this;
    }
    int k = timestampRaw(b, a + 1, seconds, nanos);
    RawStores.putByte(b, a + 1 + k, 0); // is_default
    pos = p + 2 + k;
    return this;
  }

  /**
   * Writes Update {@code path = value} (Float payload, raw bits); see {@link
   * #intValue(FieldPath, long)}.
   *
   * @param path the prepared property path
   * @param value the value
   * @return this writer
   */
  public ChangesetWriter floatValue(FieldPath path, float value) {
    int p = preparedHeader(path, 6);
    if (p < 0) {
      return slowRoute(path, K_FLOAT, 0, Float.floatToRawIntBits(value), null);
    }
    byte[] b = buf;
    long a = RawStores.at(p);
    RawStores.putByte(b, a, PayloadType.FLOAT.code());
    RawStores.putInt(b, a + 1, Float.floatToRawIntBits(value));
    RawStores.putByte(b, a + 5, 0); // is_default
    pos = p + 6;
    return this;
  }

  /**
   * Writes Update {@code path = value} (Double payload, raw bits); see {@link
   * #intValue(FieldPath, long)}.
   *
   * @param path the prepared property path
   * @param value the value
   * @return this writer
   */
  public ChangesetWriter doubleValue(FieldPath path, double value) {
    int p = preparedHeader(path, 10);
    if (p < 0) {
      return slowRoute(path, K_DOUBLE, Double.doubleToRawLongBits(value), 0, null);
    }
    byte[] b = buf;
    long a = RawStores.at(p);
    RawStores.putByte(b, a, PayloadType.DOUBLE.code());
    RawStores.putLong(b, a + 1, Double.doubleToRawLongBits(value));
    RawStores.putByte(b, a + 9, 0); // is_default
    pos = p + 10;
    return this;
  }

  /**
   * Writes Update {@code path = value} (ObjectId payload); see {@link
   * #intValue(FieldPath, long)}.
   *
   * @param path the prepared property path
   * @param value the id
   * @return this writer
   */
  public ChangesetWriter objectIdValue(FieldPath path, ObjectId value) {
    int high = value.high(); // NPE before anything is written
    int p = preparedHeader(path, 14);
    if (p < 0) {
      return slowRoute(path, K_OBJECT_ID, 0, 0, value);
    }
    byte[] b = buf;
    long a = RawStores.at(p);
    RawStores.putByte(b, a, PayloadType.OBJECT_ID.code());
    RawStores.putInt(b, a + 1, Integer.reverseBytes(high)); // big-endian, as the text form
    RawStores.putLong(b, a + 5, Long.reverseBytes(value.low()));
    RawStores.putByte(b, a + 13, 0); // is_default
    pos = p + 14;
    return this;
  }

  /**
   * Writes Update {@code path = null} (Null payload); see {@link #intValue(FieldPath, long)}.
   *
   * @param path the prepared property path
   * @return this writer
   */
  public ChangesetWriter nullValue(FieldPath path) {
    return preparedMarker(path, PayloadType.NULL);
  }

  /**
   * Writes Update {@code path = ObjectValue} (creates the embedded object); see {@link
   * #objectValue()} and {@link #intValue(FieldPath, long)}.
   *
   * @param path the prepared property path
   * @return this writer
   */
  public ChangesetWriter objectValue(FieldPath path) {
    return preparedMarker(path, PayloadType.OBJECT_VALUE);
  }

  private ChangesetWriter preparedMarker(FieldPath path, PayloadType type) {
    int p = preparedHeader(path, 2);
    if (p < 0) {
      return slowRoute(path, K_MARKER, 0, 0, type);
    }
    int code = type.code(); // -6..0: a one-byte varint
    byte[] b = buf;
    long a = RawStores.at(p);
    RawStores.putByte(b, a, code < 0 ? 0x40 | ~code : code);
    RawStores.putByte(b, a + 1, 0); // is_default
    pos = p + 2;
    return this;
  }

  /**
   * Copies the {@code n} chars of {@code s} to {@code b} at raw offset {@code a} ({@link
   * RawStores#at}), {@code n} bytes reserved there, as bytes while they are ASCII ({@link
   * RawStores#copyAscii}: a compact string's own bytes, 8 at a time). Apart from the terminals
   * (fluent and prepared) so that their compiled code stays small enough to be inlined.
   *
   * @return whether every char was ASCII (else the bytes written are garbage)
   */
  private static boolean copyAsciiRaw(String s, int n, byte[] b, long a) {
    return RawStores.copyAscii(s, n, b, a);
  }

  /**
   * {@link Varint#write(byte[], int, long)} by raw stores at offset {@code a}, with {@link
   * Varint#MAX_BYTES_64} bytes reserved there; returns the bytes written.
   */
  private static int varintRaw(byte[] b, long a, long value) {
    if ((value >>> 6) == 0) {
      RawStores.putByte(b, a, (int) value); // 0..63: one byte, the common case
      return 1;
    }
    int k = Varint.wordSize(value);
    if (k <= 8) {
      RawStores.putLong(b, a, Varint.word(value, k));
      return k;
    }
    long n = value ^ (value >> 63);
    for (int i = 0; i < k - 1; i++) {
      RawStores.putByte(b, a + i, 0x80 | (int) (n & 0x7F));
      n >>>= 7;
    }
    RawStores.putByte(b, a + k - 1, (int) n | (int) (value >>> 57 & 0x40));
    return k;
  }

  /**
   * {@link #writeTimestampData} by raw stores at offset {@code a}, 20 bytes reserved there;
   * returns the bytes written. (The common 5-byte seconds are written by the caller.)
   */
  private static int timestampRaw(byte[] b, long a, long seconds, int nanos) {
    int k = varintRaw(b, a, seconds);
    return k + varintRaw(b, a + k, nanos);
  }

  /**
   * The fast route of a prepared Update: if this changeset remembered {@code path} (see {@link
   * #slowRoute}) and the writer is idle, writes code, object key and path into the window (not yet
   * published) and returns the index after them, with {@code more} bytes reserved after it;
   * otherwise returns −1 and writes nothing. A remembered path implies a selected object: the
   * fluent route that remembered it required one, and only a reset unselects it.
   */
  private int preparedHeader(FieldPath path, int more) {
    int id = path.id;
    long[] t = pathWords;
    int s = (id & (PATH_SLOTS - 1)) << 1;
    // not remembered in this changeset, or not idle (pending != NONE): one test and branch
    if (((t[s] ^ (stampTag | id)) | (pending - NONE)) != 0) {
      return -1;
    }
    long c = t[s + 1];
    int pathBytes = path.pathBytes;
    require(1 + OBJECT_KEY_BYTES + 8 + more);
    int p = pos;
    byte[] b = buf;
    long a = RawStores.at(p);
    int h = updateHeadRaw(b, a);
    // the path in its low bytes; the rest is overwritten by the payload
    RawStores.putLong(b, a + h, c);
    return p + h + pathBytes;
  }

  private static final int K_INT = 0;
  private static final int K_BOOL = 1;
  private static final int K_STRING = 2;
  private static final int K_TIMESTAMP = 3;
  private static final int K_FLOAT = 4;
  private static final int K_DOUBLE = 5;
  private static final int K_OBJECT_ID = 6;
  private static final int K_MARKER = 7;

  /**
   * The slow route of every prepared Update (first use of a path in a changeset, intern indices
   * above 63, a non-ASCII or long string, or a state error): the fluent calls, then the path is
   * remembered for the rest of the changeset when its indices fit the fast route. It was written,
   * so its names are interned and their {@link Name} hints point at them unless equal Strings of
   * other instances were interned first; the hints are checked by identity against the intern
   * table, so remembering costs no hash lookups.
   *
   * <p>One method for all payloads, with the value passed as raw parts, and with the remembering
   * in it rather than in a method of its own, so that it is larger than C2's limit for inlining at
   * a frequent call site ({@code FreqInlineSize}, 325 bytecodes on x86-64): each terminal's call
   * site runs once a changeset, often enough for C2 to count it hot, and a smaller slow route was
   * inlined into some terminals and not others. Never inlined, it keeps the terminals' compiled code small and alike in every JVM
   * (docs/benchmarks.md, 2026-12-07: a few per cent less CPU per sensor reading, heap sink). {@code
   * WriterCodeSizeTest} checks the size.
   */
  private ChangesetWriter slowRoute(FieldPath path, int kind, long bits, int bits2, Object ref) {
    update(path.field);
    if (path.key != null) {
      key(path.key).inEmbedded(path.embeddedClass);
    }
    switch (kind) {
      case K_INT:
        intValue(bits);
        break;
      case K_BOOL:
        boolValue(bits != 0);
        break;
      case K_STRING:
        stringValue((String) ref);
        break;
      case K_TIMESTAMP:
        timestampValue(bits, bits2);
        break;
      case K_FLOAT:
        floatValue(Float.intBitsToFloat(bits2));
        break;
      case K_DOUBLE:
        doubleValue(Double.longBitsToDouble(bits));
        break;
      case K_OBJECT_ID:
        objectIdValue((ObjectId) ref);
        break;
      default:
        markerValue((PayloadType) ref);
        break;
    }
    // remember the path
    int id = path.id;
    if (id == FieldPath.NO_ID) {
      return this;
    }
    int f = path.field.hint;
    int k = 0;
    int e = 0;
    if (path.key != null) {
      k = path.key.hint;
      e = path.embeddedClass.hint;
    }
    int max = FieldPath.MAX_CACHED_INDEX;
    if ((f | k | e) >= 0 && f <= max && k <= max && e <= max
        && path.internedAt(f, k, e, internByIndex)) {
      long[] t = pathWords;
      if (t == NO_PATHS) {
        t = pathWords = new long[2 * PATH_SLOTS];
      }
      int s = (id & (PATH_SLOTS - 1)) << 1;
      t[s] = stampTag | id;
      t[s + 1] = path.word(f, k);
    }
    return this;
  }

  /** Sets the changeset generation of the remembered paths (tests: its wrap-around). */
  void pathStamp(int stamp) {
    pathStamp = stamp;
    stampTag = (long) stamp << 32;
  }

  /** The word remembered for {@code path} in this changeset, or 0 (for tests). */
  long rememberedPath(FieldPath path) {
    int s = (path.id & (PATH_SLOTS - 1)) << 1;
    if (pathWords[s] != ((long) pathStamp << 32 | path.id)) {
      return 0;
    }
    return pathWords[s + 1];
  }

  // ---------------------------------------------------------------------------------------------
  // Path instructions: other terminals

  /**
   * Writes the open AddInteger: adds {@code value} to the integer at the path.
   *
   * @param value the amount, any 64-bit integer
   * @return this writer
   * @throws IllegalStateException if the open instruction is not AddInteger
   */
  public ChangesetWriter amount(long value) {
    expectPending(ADD_INTEGER, "amount");
    writePathHeader(internPathNames());
    pos = Varint.write(buf, pos, value);
    return endPath();
  }

  /**
   * Writes the open ArrayMove: moves the element at the path's last index to {@code toIndex}.
   *
   * @param toIndex 0 … 2^32−1
   * @return this writer
   * @throws IllegalStateException if the open instruction is not ArrayMove, its path does not end
   *     with an index or {@link #priorSize} is missing
   */
  public ChangesetWriter moveTo(long toIndex) {
    expectPending(ARRAY_MOVE, "moveTo");
    if (toIndex < 0 || toIndex > MAX_UINT32) {
      throw abandon(new IllegalArgumentException(
          "moveTo: " + toIndex + " (expected: 0.." + MAX_UINT32 + ")"));
    }
    checkArrayPath();
    writePathHeader(internPathNames());
    pos = Varint.writeUnsigned(buf, pos, toIndex);
    pos = Varint.writeUnsigned(buf, pos, priorSize);
    return endPath();
  }

  /**
   * Writes the open ArrayErase: erases the element at the path's last index.
   *
   * @return this writer
   * @throws IllegalStateException if the open instruction is not ArrayErase, its path does not end
   *     with an index or {@link #priorSize} is missing
   */
  public ChangesetWriter erase() {
    expectPending(ARRAY_ERASE, "erase");
    checkArrayPath();
    writePathHeader(internPathNames());
    pos = Varint.writeUnsigned(buf, pos, priorSize);
    return endPath();
  }

  /**
   * Writes the open Clear of a collection of the given kind.
   *
   * @param type the kind of collection cleared (realm-core writes List or Dictionary for Mixed
   *     collections, and the column's collection type otherwise)
   * @return this writer
   * @throws IllegalStateException if the open instruction is not Clear
   */
  public ChangesetWriter collection(CollectionType type) {
    expectPending(CLEAR, "collection");
    Objects.requireNonNull(type, "type");
    writePathHeader(internPathNames());
    buf[pos++] = (byte) type.code();
    return endPath();
  }

  // ---------------------------------------------------------------------------------------------
  // Materialised instructions

  /**
   * Writes a materialised instruction (for tools, tests and re-encoding a parsed changeset).
   * Path instructions select their object first.
   *
   * @param instruction the instruction
   * @param embeddedOwner for a path instruction that sets a property of an embedded object: that
   *     object's class (see {@link #inEmbedded}); otherwise {@code null}
   * @return this writer
   */
  public ChangesetWriter write(Instruction instruction, String embeddedOwner) {
    if (instruction instanceof Instruction.PathInstruction) {
      Instruction.PathInstruction pi = (Instruction.PathInstruction) instruction;
      object(pi.table(), pi.key());
      open(pi.type().code(), pi.field());
      for (PathElement e : pi.path()) {
        if (e instanceof PathElement.Index) {
          index(((PathElement.Index) e).index());
        } else {
          key(((PathElement.Key) e).key());
        }
      }
      if (embeddedOwner != null) {
        inEmbedded(embeddedOwner);
      }
    }
    if (instruction instanceof Instruction.Update) {
      Instruction.Update u = (Instruction.Update) instruction;
      if (u.isArrayUpdate()) {
        priorSize(u.priorSize());
      } else {
        isDefault(u.isDefault());
      }
      return value(u.value());
    } else if (instruction instanceof Instruction.CreateObject) {
      Instruction.CreateObject c = (Instruction.CreateObject) instruction;
      return object(c.table(), c.key()).createObject();
    } else if (instruction instanceof Instruction.ArrayInsert) {
      Instruction.ArrayInsert a = (Instruction.ArrayInsert) instruction;
      return priorSize(a.priorSize()).value(a.value());
    } else if (instruction instanceof Instruction.AddColumn) {
      Instruction.AddColumn c = (Instruction.AddColumn) instruction;
      return addColumn(c.table(), c.field(), c.columnType(), c.nullable(), c.collection(),
          c.linkTarget(), c.collection() == CollectionType.DICTIONARY ? c.keyType() : null);
    } else if (instruction instanceof Instruction.AddTable) {
      Instruction.AddTable t = (Instruction.AddTable) instruction;
      return t.tableType() == TableType.EMBEDDED ? addEmbeddedTable(t.table())
          : addTable(t.table(), t.tableType(), t.pkField(), t.pkType(), t.pkNullable());
    } else if (instruction instanceof Instruction.SetInsert) {
      return value(((Instruction.SetInsert) instruction).value());
    } else if (instruction instanceof Instruction.SetErase) {
      return value(((Instruction.SetErase) instruction).value());
    } else if (instruction instanceof Instruction.Clear) {
      return collection(((Instruction.Clear) instruction).collection());
    } else if (instruction instanceof Instruction.AddInteger) {
      return amount(((Instruction.AddInteger) instruction).value());
    } else if (instruction instanceof Instruction.ArrayMove) {
      Instruction.ArrayMove m = (Instruction.ArrayMove) instruction;
      return priorSize(m.priorSize()).moveTo(m.toIndex());
    } else if (instruction instanceof Instruction.ArrayErase) {
      return priorSize(((Instruction.ArrayErase) instruction).priorSize()).erase();
    } else if (instruction instanceof Instruction.EraseObject) {
      Instruction.EraseObject e = (Instruction.EraseObject) instruction;
      return object(e.table(), e.key()).eraseObject();
    } else if (instruction instanceof Instruction.EraseTable) {
      return eraseTable(((Instruction.EraseTable) instruction).table());
    } else {
      Instruction.EraseColumn e =
          (Instruction.EraseColumn) Objects.requireNonNull(instruction, "instruction");
      return eraseColumn(e.table(), e.field());
    }
  }

  /**
   * Writes materialised instructions in order, none of them inside an embedded object.
   *
   * @param instructions the instructions
   * @return this writer
   */
  public ChangesetWriter writeAll(List<? extends Instruction> instructions) {
    for (Instruction i : instructions) {
      write(i, null);
    }
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // Internals: pending instruction

  private void checkOpen() {
    if (state != OPEN) {
      throw new IllegalStateException(
          state == DETACHED
              ? "no sink (expected: reset(ByteSink) first)"
              : "changeset finished (expected: reset() before writing another)");
    }
  }

  private void checkIdle() {
    if (pending != NONE) {
      idleFailure();
    }
  }

  private void idleFailure() {
    checkOpen();
    if (pending >= 0) {
      throw new IllegalStateException(
          "instruction " + kindName(pending) + " on field '" + pendingFieldName()
              + "' was opened but not written (expected: a terminal such as doubleValue(..))");
    }
  }

  private void checkPending() {
    if (pending < 0) {
      checkOpen();
      throw new IllegalStateException(
          "no open instruction (expected: update(field), arrayInsert(field), ... first)");
    }
  }

  private void expectPending(int kind, String terminal) {
    checkPending();
    toGeneral();
    if (pending != kind) {
      throw new IllegalStateException(
          terminal + "(..) writes " + kindName(kind) + ", but the open instruction is "
              + kindName(pending));
    }
  }

  private void checkPayloadInstruction() {
    checkPending();
    toGeneral();
    int k = pending;
    if (k != UPDATE && k != ARRAY_INSERT && k != SET_INSERT && k != SET_ERASE) {
      throw new IllegalStateException(
          "a payload terminal writes Update, ArrayInsert, SetInsert or SetErase, but the open"
              + " instruction is " + kindName(k));
    }
    if (k == ARRAY_INSERT) {
      checkArrayPath();
    } else if (k == UPDATE && lastElementIsIndex() && priorSize < 0) {
      throw new IllegalStateException(
          "Update of a list element (path ends with an index) needs priorSize(..)");
    }
  }

  private boolean lastElementIsIndex() {
    return pathLength > 0 && pathIndexes[pathLength - 1] >= 0;
  }

  private void checkArrayPath() {
    if (!lastElementIsIndex()) {
      throw new IllegalStateException(
          kindName(pending) + " on field '" + pendingFieldName()
              + "': path must end with an index (expected: index(..) last)");
    }
    if (priorSize < 0) {
      throw new IllegalStateException(
          kindName(pending) + " on field '" + pendingFieldName() + "' needs priorSize(..)");
    }
  }

  /** Interns the names of the open path instruction in realm-core's order; returns the field's. */
  private int internPathNames() {
    try {
      if (ownerName != null) {
        internName(ownerName, CLASS, "embedded class");
      } else if (ownerClass != null) {
        intern(ownerClass, CLASS, "embedded class");
      }
      int field = pendingName != null
          ? internName(pendingName, PROPERTY, "field") : intern(pendingField, PROPERTY, "field");
      for (int i = 0; i < pathLength; i++) {
        if (pathIndexes[i] < 0) {
          Name n = pathNames[i];
          pathKeyInterned[i] = n != null
              ? internName(n, STRING, "path key") : intern(pathKeys[i], STRING, "path key");
        }
      }
      return field;
    } catch (IllegalArgumentException e) {
      throw abandon(e);
    }
  }

  /** A terminal refused its arguments: the open instruction is dropped, nothing of it written. */
  private IllegalArgumentException abandon(IllegalArgumentException e) {
    clearPending();
    return e;
  }

  /**
   * Writes code, object key, field and path of the open instruction, and leaves room for {@link
   * #MAX_FIXED} more bytes (fixed payload data and the trailer).
   */
  private void writePathHeader(int field) {
    require(1 + OBJECT_KEY_BYTES + 10 + MAX_FIXED);
    byte[] b = buf;
    int p = pos;
    b[p++] = (byte) pending;
    p = copyObjectKey(b, p);
    p = Varint.write(b, p, field);
    int len = pathLength;
    if (len == 0) {
      b[p++] = 0;
      pos = p;
      return;
    }
    p = Varint.write(b, p, len);
    pos = p;
    for (int i = 0; i < len; i++) {
      require(16 + MAX_FIXED);
      long index = pathIndexes[i];
      if (index >= 0) {
        pos = Varint.write(buf, pos, index);
      } else {
        buf[pos++] = 0x40; // -1: a string element follows (§5.3)
        pos = Varint.write(buf, pos, pathKeyInterned[i]);
      }
    }
  }

  /**
   * Writes the header of the open Update in a fast shape (code, object key, field, path) into the
   * window without publishing it, and returns the index after it; {@code more} bytes after it are
   * reserved.
   */
  private int fastHeader(int more) {
    require(1 + OBJECT_KEY_BYTES + 5 + 2 + 5 + more);
    byte[] b = buf;
    int p = writeSmallIndex(b, updateHead(b, pos), fieldIndex);
    if (shape == S_FIELD) {
      b[p] = 0; // empty path
      return p + 1;
    }
    b[p] = 1; // one element: a string (-1, then its intern index; spec changeset.md §5.3)
    b[p + 1] = 0x40;
    return writeSmallIndex(b, p + 2, keyIndex);
  }

  /** The varint of {@code index} < {@link #FAST_INDEX_LIMIT}: one or two bytes. */
  private static int writeSmallIndex(byte[] b, int p, int index) {
    if (index < 64) {
      b[p] = (byte) index;
      return p + 1;
    }
    b[p] = (byte) (0x80 | (index & 0x7F));
    b[p + 1] = (byte) (index >>> 7);
    return p + 2;
  }

  /** Publishes a fast-shape instruction ending at {@code p} and closes it. */
  private ChangesetWriter fastEnd(int p) {
    pos = p;
    pending = NONE;
    shape = S_GENERAL;
    return this;
  }

  /** Header of a payload instruction; room is left for the fixed payload data and trailer. */
  private void beginPayload() {
    checkPayloadInstruction();
    writePathHeader(internPathNames());
  }

  /** The trailer after variable-length payload data (which may have used up the window). */
  private ChangesetWriter endVariablePayload() {
    require(10);
    return endPayload();
  }

  /** Writes the trailer (prior_size or is_default) into room reserved by the header. */
  private ChangesetWriter endPayload() {
    int k = pending;
    if (k == UPDATE) {
      if (pathLength > 0 && pathIndexes[pathLength - 1] >= 0) {
        pos = Varint.writeUnsigned(buf, pos, priorSize);
      } else {
        buf[pos++] = (byte) (isDefault ? 1 : 0);
      }
    } else if (k == ARRAY_INSERT) {
      pos = Varint.writeUnsigned(buf, pos, priorSize);
    }
    return endPath();
  }

  private ChangesetWriter endPath() {
    clearPending();
    return this;
  }

  private void clearPending() {
    // path keys stay referenced until overwritten or reset: no per-instruction loop
    pending = NONE;
    shape = S_GENERAL;
    ownerClass = null;
    ownerName = null;
    pathLength = 0;
    priorSize = -1;
    isDefault = false;
  }

  private static String kindName(int kind) {
    return InstructionType.ofCode(kind).dumpName();
  }

  private static int writeKey(byte[] b, int p, PrimaryKey key, int internedString) {
    p = Varint.write(b, p, key.type().code());
    if (key instanceof PrimaryKey.IntKey) {
      p = Varint.write(b, p, ((PrimaryKey.IntKey) key).value());
    } else if (key instanceof PrimaryKey.StringKey) {
      p = Varint.write(b, p, internedString);
    } else if (key instanceof PrimaryKey.ObjectIdKey) {
      ObjectId id = ((PrimaryKey.ObjectIdKey) key).value();
      INT_BE.set(b, p, id.high());
      LONG_BE.set(b, p + 4, id.low());
      p += 12;
    } else if (key instanceof PrimaryKey.UuidKey) {
      UUID u = ((PrimaryKey.UuidKey) key).value();
      LONG_BE.set(b, p, u.getMostSignificantBits());
      LONG_BE.set(b, p + 8, u.getLeastSignificantBits());
      p += 16;
    } else if (key instanceof PrimaryKey.GlobalKey) {
      p = Varint.writeUnsigned(b, p, ((PrimaryKey.GlobalKey) key).hi());
      p = Varint.writeUnsigned(b, p, ((PrimaryKey.GlobalKey) key).lo());
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  // Internals: interning and strings

  /** Interns {@code s} (emitting its record if new) and checks it against {@code maxBytes}. */
  private int intern(String s, int maxBytes, String what) {
    Objects.requireNonNull(s, what);
    int found = interns.find(s);
    if (found >= 0) {
      int len = interns.utf8Length(found);
      if (len > maxBytes) {
        throw tooLong(what, s, len, maxBytes);
      }
      return found;
    }
    int len = checkedUtf8Length(s, maxBytes, what);
    int index = interns.add(found, s, len);
    internByIndex = interns.byIndex();
    emitIntern(index, s, len);
    return index;
  }

  /** Interns a prepared name: its hint is checked first (one load and compare). */
  private int internName(Name n, int maxBytes, String what) {
    int h = n.hint; // >= 0: only intern indices are ever stored
    String[] byIndex = internByIndex; // null at and after internedCount(): no count check
    if (h < byIndex.length && byIndex[h] == n.value()) {
      if (n.utf8Length > maxBytes) {
        throw tooLong(what, n.value(), n.utf8Length, maxBytes);
      }
      return h;
    }
    return internNameSlow(n, maxBytes, what);
  }

  private int internNameSlow(Name n, int maxBytes, String what) {
    String s = n.value();
    int len = n.utf8Length();
    if (len > maxBytes) {
      throw tooLong(what, s, len, maxBytes);
    }
    int index = interns.find(s);
    if (index < 0) {
      index = interns.add(index, s, len);
      internByIndex = interns.byIndex();
      emitIntern(index, s, len);
    }
    n.hint = index; // a racy hint by design: any value is checked before use
    return index;
  }

  private static int checkedUtf8Length(String s, int maxBytes, String what) {
    long len = Utf8.encodedLength(s, what);
    if (len > maxBytes) {
      throw tooLong(what, s, len, maxBytes);
    }
    return (int) len;
  }

  private static IllegalArgumentException tooLong(String what, String s, long len, int max) {
    String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return new IllegalArgumentException(
        what + " '" + shown + "': " + len + " UTF-8 bytes (expected: at most " + max + ")");
  }

  private void emitIntern(int index, String s, int len) {
    if (body != null) {
      // INTERN_STRINGS_FIRST: interned strings go to the sink now, instructions at finish()
      invalidateWindow();
      target = sink;
    }
    require(21);
    buf[pos++] = InstructionType.INTERN_STRING_CODE;
    pos = Varint.write(buf, pos, index);
    pos = Varint.write(buf, pos, len);
    writeUtf8(s, len);
    if (body != null) {
      invalidateWindow();
      target = body;
    }
  }

  private void writeUtf8(String s, int utf8Length) {
    int n = s.length();
    int i = 0;
    if (utf8Length == n) {
      // every char is ASCII (any other char takes more than one byte)
      while (i < n) {
        if (pos == limit) {
          require(Math.min(n - i, STAGING_BYTES));
        }
        int end = Math.min(n, i + (limit - pos));
        byte[] b = buf;
        int p = pos;
        for (; i < end; i++) {
          b[p++] = (byte) s.charAt(i);
        }
        pos = p;
      }
      return;
    }
    while (i < n) {
      int end = Math.min(n, i + STAGING_BYTES / 4);
      if (end < n && Character.isHighSurrogate(s.charAt(end - 1))) {
        end--; // never split a surrogate pair
      }
      require(3 * (end - i) + 1);
      pos = Utf8.encode(s, i, end, buf, pos);
      i = end;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Internals: the window

  /** Makes room for {@code n} bytes at {@code buf[pos]}. */
  private void require(int n) {
    if (limit - pos < n) {
      refill(n);
    }
  }

  private void refill(int n) {
    commit();
    byte[] a;
    try {
      a = target.reserveArray(n);
    } catch (SinkOverflowException e) {
      // n is an upper bound; near the end of a fixed-size sink stage the bytes instead, so
      // only the bytes actually written are checked against the capacity (in commit)
      a = null;
    }
    if (a != null) {
      int start = target.arrayPosition();
      int end = target.arrayLimit();
      // the raw stores (RawStores) trust the window: a sink breaking its contract is refused here
      // rather than written past its array
      if (start < 0 || end > a.length || end - start < n) {
        throw new IllegalStateException(
            "sink " + target.getClass().getName() + ": reserveArray(" + n + ") gave the window ["
                + start + ", " + end + ") of a " + a.length + "-byte array (expected: at least "
                + n + " bytes inside the array)");
      }
      buf = a;
      pos = windowStart = start;
      limit = end;
      windowIsSinkArray = true;
    } else {
      if (staging.length < n) {
        staging = new byte[Math.max(n, STAGING_BYTES)];
      }
      buf = staging;
      pos = windowStart = 0;
      limit = staging.length;
      windowIsSinkArray = false;
    }
  }

  /** Publishes {@code buf[windowStart, pos)} to the target; the window stays usable. */
  private void commit() {
    int n = pos - windowStart;
    if (n == 0) {
      return;
    }
    if (windowIsSinkArray) {
      target.advance(n);
      windowStart = pos;
    } else {
      target.write(staging, windowStart, n);
      pos = windowStart = 0;
    }
  }

  private void invalidateWindow() {
    commit();
    emptyWindow();
  }

  private void emptyWindow() {
    buf = EMPTY;
    pos = limit = windowStart = 0;
    windowIsSinkArray = false;
  }

  @Override
  public String toString() {
    return "ChangesetWriter{layout=" + layout + ", state="
        + (state == OPEN ? "open" : state == FINISHED ? "finished" : "detached") + ", size="
        + size() + ", interned=" + interns.size() + "}";
  }
}
