package io.tributary.protocol.changeset;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetFormatException.Reason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A validating, zero-copy cursor over a Realm sync changeset (spec changeset.md) in a {@link
 * ByteBuffer}, heap or direct.
 *
 * <pre>
 *   changeset = record*                                   (no header, no terminator, §1)
 *   record    = 3F index:u32 length:u64 utf8[length]       InternString (§4), consumed by next()
 *             | code:u64 (0..13) fields                    an instruction (§6), returned by next()
 *
 *   code  instruction   fields after the code
 *   0     AddTable      table:u32 table_type:u8 [pk_field:u32 pk_type:i64 pk_nullable:u8]
 *   1     EraseTable    table:u32
 *   2     CreateObject  table:u32 PrimaryKey
 *   3     EraseObject   table:u32 PrimaryKey
 *   4     Update        prefix Payload (prior_size:u32 if the path ends with an index | is_default:u8)
 *   5     AddInteger    prefix value:i64
 *   6     AddColumn     table:u32 field:u32 type:i64 nullable:u8 collection:u8 [link:u32] [key_type:i64]
 *   7     EraseColumn   table:u32 field:u32
 *   8     ArrayInsert   prefix Payload prior_size:u32
 *   9     ArrayMove     prefix ndx_2:u32 prior_size:u32
 *   10    ArrayErase    prefix prior_size:u32
 *   11    Clear         prefix collection:u8
 *   12    SetInsert     prefix Payload
 *   13    SetErase      prefix Payload
 *   prefix = table:u32 PrimaryKey field:u32 count:u32 (index:i64 | 40 key:u32)*        (§5.4)
 * </pre>
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * ChangesetReader r = new ChangesetReader();
 * r.reset(buffer);                       // reads buffer[position, limit); does not move it
 * while (r.next()) {                     // validates one instruction
 *   switch (r.instruction()) {
 *     case CREATE_OBJECT: ... r.table(), r.objectKeyType(), r.copyObjectKeyBytes(dst, 0) ...
 *     case UPDATE:        ... r.field(), r.pathLength(), r.valueType(), r.doubleValue() ...
 *   }
 * }
 * }</pre>
 *
 * Each {@link #next()} decodes and checks one whole instruction (and the InternString records
 * before it) and keeps its fields in this reader; the accessors read those fields and are valid
 * until the next call to {@code next()} or {@code reset()}. Names are intern indices ({@link
 * #table()}, {@link #field()}, {@link #pathKey(int)}); resolve them with the cost ladder of
 * {@link #internedString(int)} (String, cached per changeset), {@link #internedEquals(int,
 * byte[])} (compare, no allocation), {@link #copyInterned(int, byte[], int)} (copy) and {@link
 * #internedView(int)} (a view). String and Binary values likewise: skip (do nothing), {@link
 * #valueView()}, {@link #copyValue(byte[], int)} or {@link #stringValue()}. {@link #toInstruction()}
 * materialises the current instruction; {@link Changeset#parse(ByteBuffer)} the whole changeset.
 *
 * <h2>Validation</h2>
 *
 * Everything realm-core's parser rejects is rejected (§13), with a {@link
 * ChangesetFormatException} naming the field, the byte offset and what was expected; and, beyond
 * realm-core: a sign bit in an unsigned field, bools other than 0/1, invalid UTF-8, timestamps
 * with |nanoseconds| ≥ 10^9 or mixed signs, Decimal128 values out of range, negative path
 * elements other than −1, path indices ≥ 2^32 and negative column types. What realm-core's client
 * produces is accepted: unused and interleaved InternStrings, overlong varints within the field's
 * width. Every length and count is checked against the remaining bytes before it is used; the
 * reader allocates only when its reusable arrays grow (to at most a size proportional to the
 * input), so after warm-up a validating pass allocates nothing.
 *
 * <p>Heap buffers with an accessible array take optimistic fast paths for the common records
 * (single-byte names, ObjectId or small Int keys, the usual payloads); anything unusual is read
 * by the exact general parser, so results and errors do not depend on the buffer kind.
 *
 * <p>After a {@link ChangesetFormatException} the reader refuses {@code next()} until {@link
 * #reset}. Not thread safe. The buffer is borrowed until the next {@code reset} and must not
 * change while it is read. Null arguments throw {@link NullPointerException}.
 */
public final class ChangesetReader {
  private static final VarHandle INT_LE_ARRAY =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE_ARRAY =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_BE_ARRAY =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_BE_ARRAY =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_LE_BUFFER =
      MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE_BUFFER =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_BE_BUFFER =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_BE_BUFFER =
      MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private static final int MAX_STRING = ChangesetWriter.MAX_STRING_BYTES;

  // field names for error messages (constants: no allocation on the happy path)
  private static final String F_RECORD_TYPE = "record type";
  private static final String F_TABLE = "table";
  private static final String F_FIELD = "field";
  private static final String F_TABLE_TYPE = "table_type";
  private static final String F_PK_FIELD = "pk_field";
  private static final String F_PK_TYPE = "pk_type";
  private static final String F_PK_NULLABLE = "pk_nullable";
  private static final String F_OBJECT = "object";
  private static final String F_OBJECT_TYPE = "object.type";
  private static final String F_PATH_LENGTH = "path.length";
  private static final String F_PATH = "path";
  private static final String F_VALUE = "value";
  private static final String F_IS_DEFAULT = "is_default";
  private static final String F_PRIOR_SIZE = "prior_size";
  private static final String F_NDX_2 = "ndx_2";
  private static final String F_TYPE = "type";
  private static final String F_NULLABLE = "nullable";
  private static final String F_COLLECTION = "collection_type";
  private static final String F_LINK_TARGET = "link_target_table";
  private static final String F_KEY_TYPE = "key_type";

  /** A decoded primary key; two reusable instances (the object's and a link's). */
  private static final class Key {
    /** {@link PayloadType#code()}; no reference field, so no GC write barrier per key. */
    int typeCode = Integer.MIN_VALUE;

    PayloadType type() {
      return PayloadType.ofCode(typeCode);
    }
    /** Int value, String intern index, or GlobalKey hi. */
    long a;
    /** GlobalKey lo. */
    long b;
    /** Absolute index of the 12 ObjectId / 16 UUID bytes. */
    int bytes;
  }

  private ByteBuffer in;
  private byte[] array;
  /**
   * {@link #array} while {@link #next()} may take its inline fast paths; null for buffers without
   * an accessible array and after a failure (so that the fast paths need no {@link #failed} test).
   */
  private byte[] hot;
  private int arrayOffset;
  private int base;
  private int end;
  private int pos;
  private boolean failed;

  private int internCount;
  /**
   * min({@link #internCount}, 0x40): a 1-byte name index (a varint below 0x40) read as an unsigned
   * byte is valid iff it is below this, one test in the fast paths.
   */
  private int fastInterns;
  private int[] internOffsets = new int[16];
  private int[] internLengths = new int[16];
  private String[] internStrings = new String[16];
  private int[] internSlots = new int[32];
  private int[] internStamps = new int[32];
  private int internGeneration = 1;

  // the current instruction
  /**
   * The current instruction's {@link InstructionType} code, or −1: the hot path stores ints, not
   * enum references (a reference store costs a GC write barrier under G1).
   */
  private int typeCode = -1;

  private InstructionType type() {
    return typeOfCode(typeCode);
  }

  /** The instruction type of code −1 (none: null) or 0..13; one load, no range test. */
  static InstructionType typeOfCode(int code) {
    return TYPE_BY_CODE[code & 15]; // C2 knows the index is in range
  }

  /** The payload type of a payload type code or {@link #NO_VALUE} (null); one load. */
  static PayloadType valueTypeOfCode(int code) {
    return VALUE_TYPE_BY_CODE[(code - PayloadType.MIN_CODE) & 31];
  }

  /**
   * {@link InstructionType} by {@code code & 15}: codes 0..13 map to their type, −1 (none) and
   * the unused 14 and 15 to null. {@link #typeCode} only ever holds −1 or 0..13.
   */
  private static final InstructionType[] TYPE_BY_CODE = new InstructionType[16];

  /**
   * {@link PayloadType} by {@code (code - MIN_CODE) & 31}: every payload type code, and null for
   * {@link #NO_VALUE} and the unused rows. {@link #valueCode} only ever holds a code or NO_VALUE.
   */
  private static final PayloadType[] VALUE_TYPE_BY_CODE = new PayloadType[32];

  /** {@link #valueCode} before any payload was read: maps to null in VALUE_TYPE_BY_CODE. */
  static final int NO_VALUE = PayloadType.MAX_CODE + 1;

  static {
    for (InstructionType t : InstructionType.values()) {
      TYPE_BY_CODE[t.code() & 15] = t;
    }
    for (PayloadType t : PayloadType.values()) {
      VALUE_TYPE_BY_CODE[(t.code() - PayloadType.MIN_CODE) & 31] = t;
    }
  }
  private int instructionStart;
  private int table;
  private int field;
  private TableType tableType;
  private PayloadType pkType;
  private boolean pkNullable;
  private ColumnType columnType;
  private boolean nullable;
  private CollectionType collection;
  private int linkTarget;
  private ColumnType keyType;
  private final Key objectKey = new Key();
  private int pathLength;
  /** Per element: index ≥ 0, or -(intern index + 1) for a string. */
  private long[] path = new long[8];

  /** {@link PayloadType#code()} of the payload (an int, as {@link #typeCode}). */
  private int valueCode = NO_VALUE;
  private long valueBits;
  private long valueBits2;
  private int valueExponent;
  private boolean valueNegative;
  private int valueOffset;
  private int valueLength;
  private int linkTable;
  private final Key linkKey = new Key();
  private boolean isDefault;
  private long priorSize;
  private long toIndex;

  /** A reader with no input; call {@link #reset(ByteBuffer)}. */
  public ChangesetReader() {
    in = ByteBuffer.allocate(0);
  }

  /**
   * Starts reading the changeset {@code buffer[position, limit)}. The buffer's position, limit and
   * mark are not changed; its byte order does not matter.
   *
   * @param buffer the changeset; borrowed until the next reset, and must not change meanwhile
   * @return this reader
   */
  public ChangesetReader reset(ByteBuffer buffer) {
    this.in = Objects.requireNonNull(buffer, "buffer");
    if (buffer.hasArray()) {
      array = buffer.array();
      arrayOffset = buffer.arrayOffset();
    } else {
      array = null;
      arrayOffset = 0;
    }
    hot = array;
    base = buffer.position();
    end = buffer.limit();
    pos = base;
    failed = false;
    Arrays.fill(internStrings, 0, internCount, null);
    internCount = 0;
    fastInterns = 0;
    if (++internGeneration == 0) {
      Arrays.fill(internStamps, 0);
      internGeneration = 1;
    }
    typeCode = -1;
    return this;
  }

  /**
   * Reads and validates the next instruction, consuming the InternString records before it.
   *
   * @return true if an instruction was read; false at the end of the changeset
   * @throws ChangesetFormatException if the bytes are malformed; the reader then refuses to go on
   * @throws IllegalStateException if an earlier call failed
   */
  public boolean next() {
    // CreateObject and Update with a 1-byte table and an ObjectId key on a heap array (nearly
    // every record an asymmetric-sync client writes) are read by small all-or-nothing fast paths.
    // Compiled with them next() stays below the JIT's InlineSmallCode, so it is inlined into the
    // caller's loop (no call per instruction, and the caller's accessor checks see the stored type
    // codes); the rarer payloads are one call (readOtherPayloadFast), everything else and every
    // error go through nextExact. The record's first 8 bytes are one load (code, table, key type
    // and 5 key bytes), tested with one mask; the fast paths need 23 bytes left (the header, the
    // key and the next 8 bytes), so near the end the exact parser reads the last few records.
    byte[] a = hot;
    if (a != null) {
      int p = pos;
      if (end - p >= 23) {
        int i = arrayOffset + p;
        long o = RawLoads.at(i); // bytes [i, i + 23) are the changeset's: checked above
        long w = RawLoads.getLong(a, o);
        int head = (int) w & 0xFF00FF;
        int t = (int) (w >>> 8) & 0xFF;
        if (t < fastInterns) { // one unsigned test: below 0x40 (1-byte varint) and interned
          if (head == 0x0A0002) { // CreateObject, ObjectId key
            typeCode = 2;
            instructionStart = p;
            table = t;
            objectKey.typeCode = 10; // ObjectId
            objectKey.bytes = p + 3;
            pos = p + 15;
            return true;
          }
          if (head == 0x0A0004 && updateFast(a, o, i, p, t)) { // Update, ObjectId key
            return true;
          }
        }
      }
    }
    return nextExact();
  }

  /** next() beyond the fast paths: the failure check, the exact parser, the failure state. */
  private boolean nextExact() {
    if (failed) {
      throw new IllegalStateException(
          "next: an earlier call failed (expected: reset(buffer) before reading again)");
    }
    boolean ok = false;
    try {
      boolean more = readNext();
      ok = true;
      return more;
    } finally {
      if (!ok) {
        failed = true;
        hot = null;
        typeCode = -1;
      }
    }
  }

  /**
   * The rest of an Update at {@code a[i]} (its code byte, at {@code p}, with at least 23 bytes
   * left; {@code o} is {@link RawLoads#at}{@code (i)}) whose table {@code t} and ObjectId key next() has checked: a 1-byte field, at most one
   * 1-byte path element, a fast payload and tail. The 8 bytes after the key (field, path length,
   * the element, the payload type and, for the small payloads, the tail) are one load. False with
   * {@link #pos} unchanged otherwise, and the exact parser then reads the whole record again (the
   * fields stored here are overwritten, or unused for the record it finds).
   */
  private boolean updateFast(byte[] a, long o, int i, int p, int t) {
    // kept below FreqInlineSize (325 bytecode bytes) so that next() inlines it: the rarer
    // payloads and the tail are small helpers
    long v = RawLoads.getLong(a, o + 15); // 23 bytes left: checked by next()
    int f = (int) v & 0xFF;
    int len = (int) (v >>> 8) & 0xFF;
    int q; // the payload's type byte, as an offset from i (17..19)
    if (f >= fastInterns || (q = pathFast(v, len)) < 0) {
      return false;
    }
    int c = (int) (v >>> (8 * q - 120)) & 0xFF;
    int x; // the tail byte | the offset after it << 8, or -1
    if (c == 7 && end - p >= q + 10) { // Double
      valueBits = RawLoads.getLong(a, o + q + 1); // q + 10 bytes left: checked
      valueOffset = p + q + 1;
      valueLength = 8;
      valueCode = 7; // DOUBLE
      x = RawLoads.getUnsignedByte(a, o + q + 9) | (q + 10) << 8;
    } else if (c == 0x41 || c == 0) { // ObjectValue or Null: the tail is in v too
      valueCode = c == 0 ? 0 : -2; // NULL or OBJECT_VALUE
      x = ((int) (v >>> (8 * q - 112)) & 0xFF) | (q + 2) << 8;
    } else {
      x = otherPayloadFast(a, i, p, q);
    }
    return x >= 0 && updateTailFast(p, t, f, len, q == 18, x);
  }

  /**
   * The fast Update's path ({@code len} elements, its bytes from byte 2 of {@code v}, the 8 bytes
   * after the key): none, or one 1-byte index or -1 and a 1-byte intern index, stored in {@code
   * path[0]}. Returns the payload's offset from the record (17..19), or -1 for anything else.
   */
  private int pathFast(long v, int len) {
    if (len == 0) {
      return 17;
    } else if (len != 1) {
      return -1;
    }
    int e = (int) (v >>> 16) & 0xFF;
    if (e == 0x40) { // -1: a string key follows
      int k = (int) (v >>> 24) & 0xFF;
      if (k >= fastInterns) {
        return -1;
      }
      path[0] = -(long) k - 1;
      return 19;
    } else if (e < 0x40) {
      path[0] = e;
      return 18;
    }
    return -1;
  }

  /**
   * updateFast's rarer payloads (readOtherPayloadFast) at offset {@code q} from the Update at
   * {@code a[i]} ({@code p}): the tail byte | the offset after it << 8, or -1 with {@link #pos}
   * unchanged.
   */
  private int otherPayloadFast(byte[] a, int i, int p, int q) {
    if (end - p < q + 10 || !readOtherPayloadFast(a, i + q, p + q)) {
      return -1;
    }
    int r = pos;
    pos = p;
    if (r >= end) {
      return -1;
    }
    return (a[arrayOffset + r] & 0xFF) | (r - p + 1) << 8;
  }

  /**
   * Checks an Update's last byte ({@code x & 0xFF}, the record's length {@code x >>> 8}): a 1-byte
   * prior_size if the path ends with an index, else is_default 0 or 1; then stores the fast
   * Update's fields. False (and {@link #pos} unchanged) for anything else.
   */
  private boolean updateTailFast(int p, int t, int f, int len, boolean indexLast, int x) {
    int d = x & 0xFF;
    if (indexLast) {
      if (d >= 0x40) {
        return false;
      }
      isDefault = false;
      priorSize = d;
    } else {
      if ((d & ~1) != 0) {
        return false;
      }
      isDefault = d == 1;
      priorSize = -1;
    }
    table = t;
    objectKey.typeCode = 10; // ObjectId
    objectKey.bytes = p + 3;
    field = f;
    pathLength = len;
    pos = p + (x >>> 8);
    typeCode = 4;
    instructionStart = p;
    return true;
  }

  /**
   * Validates the rest of the changeset without materialising anything.
   *
   * @return the number of instructions read
   * @throws ChangesetFormatException if the bytes are malformed; the reader then refuses to go on
   * @throws IllegalStateException if an earlier call failed
   */
  public int skipAll() {
    if (failed) {
      throw new IllegalStateException(
          "skipAll: an earlier call failed (expected: reset(buffer) before reading again)");
    }
    boolean ok = false;
    try {
      int n = readAll();
      ok = true;
      return n;
    } finally {
      if (!ok) {
        failed = true;
        hot = null; // next() must refuse too, also where a fast-path record follows
        typeCode = -1;
      }
    }
  }

  /**
   * skipAll's loop. readNext is too big for the JIT to inline into a caller's loop, so the two
   * hot records on a heap array (CreateObject and Update, each written as one code byte) are read
   * here without a call per instruction; every other record, and every error, goes through
   * readNext. The Update steps repeat readNext's (a helper holding them would compile to more
   * than the JIT's InlineSmallCode and then not be inlined); ReaderFastPathPropertiesTest checks
   * that skipAll and a next() loop agree on mutated input.
   */
  private int readAll() {
    int count = 0;
    while (true) {
      int start = pos;
      byte[] a = array;
      int c;
      if (a != null && start < end && ((c = a[arrayOffset + start]) == 4 || c == 2)) {
        pos = start + 1;
        typeCode = c;
        instructionStart = start;
        if (c == 2) {
          if (!readObjectFast()) {
            table = readInternRef(F_TABLE);
            readKey(objectKey, F_OBJECT, F_OBJECT_TYPE);
          }
        } else {
          readPrefix();
          readPayload();
          if (pathEndsWithIndex()) {
            isDefault = false;
            priorSize = readU32(F_PRIOR_SIZE);
          } else {
            int p = pos;
            int d;
            if (p < end && ((d = a[arrayOffset + p]) == 0 || d == 1)) {
              isDefault = d == 1;
              pos = p + 1;
            } else {
              isDefault = readBool(F_IS_DEFAULT);
            }
            priorSize = -1;
          }
        }
      } else if (!readNext()) {
        return count;
      }
      count++;
    }
  }

  private boolean readNext() {
    while (true) {
      if (pos >= end) {
        typeCode = -1;
        return false;
      }
      int start = pos;
      typeCode = -1;
      byte[] a = array;
      int c;
      long code;
      if (a != null && (c = a[arrayOffset + start]) >= 0 && c < 0x40) {
        code = c; // heap array, one-byte code (every instruction): no general varint call
        pos = start + 1;
      } else {
        code = readU64(F_RECORD_TYPE);
      }
      if (code == InstructionType.INTERN_STRING_CODE) {
        readInternString();
        continue;
      }
      if (Long.compareUnsigned(code, InstructionType.SET_ERASE.code()) > 0) { // codes 0..13 (§6)
        throw error(Reason.UNKNOWN_INSTRUCTION, F_RECORD_TYPE, start,
            Long.toUnsignedString(code) + " (expected: 0..13 or 63)");
      }
      typeCode = (int) code;
      instructionStart = start;
      switch ((int) code) {
        case 0:
          readAddTable();
          break;
        case 1:
          table = readInternRef(F_TABLE);
          break;
        case 2:
        case 3:
          if (!readObjectFast()) {
            table = readInternRef(F_TABLE);
            readKey(objectKey, F_OBJECT, F_OBJECT_TYPE);
          }
          break;
        case 4:
          readPrefix();
          readPayload();
          if (pathEndsWithIndex()) {
            isDefault = false;
            priorSize = readU32(F_PRIOR_SIZE);
          } else {
            int p = pos;
            int d;
            if (a != null && p < end && ((d = a[arrayOffset + p]) == 0 || d == 1)) {
              isDefault = d == 1; // heap array: the usual byte without the general varint call
              pos = p + 1;
            } else {
              isDefault = readBool(F_IS_DEFAULT);
            }
            priorSize = -1;
          }
          break;
        case 5:
          readPrefix();
          valueBits = readI64(F_VALUE);
          break;
        case 6:
          readAddColumn();
          break;
        case 7:
          table = readInternRef(F_TABLE);
          field = readInternRef(F_FIELD);
          break;
        case 8:
          readPrefix();
          requireIndexLast();
          readPayload();
          priorSize = readU32(F_PRIOR_SIZE);
          break;
        case 9:
          readPrefix();
          requireIndexLast();
          toIndex = readU32(F_NDX_2);
          priorSize = readU32(F_PRIOR_SIZE);
          break;
        case 10:
          readPrefix();
          requireIndexLast();
          priorSize = readU32(F_PRIOR_SIZE);
          break;
        case 11:
          readPrefix();
          collection = readCollectionType();
          break;
        default: // 12, 13
          readPrefix();
          readPayload();
          break;
      }
      return true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Records

  private void readInternString() {
    int at = pos;
    long index = readU32("InternString.index");
    if (index != internCount) {
      throw error(Reason.BAD_INTERN_INDEX, "InternString.index", at,
          index + " (expected: " + internCount + ", the number of strings interned so far)");
    }
    int lengthAt = pos;
    long length = readU64("InternString.length");
    if (Long.compareUnsigned(length, MAX_STRING) > 0) {
      throw error(Reason.STRING_TOO_LONG, "InternString.length", lengthAt,
          Long.toUnsignedString(length) + " bytes (expected: at most " + MAX_STRING + ")");
    }
    int len = (int) length;
    int from = take(len, "InternString.bytes");
    checkUtf8(from, len, "InternString.bytes");
    int hash = hash(from, len);
    int mask = internSlots.length - 1;
    int slot = hash & mask;
    while (internStamps[slot] == internGeneration) {
      int other = internSlots[slot];
      if (internLengths[other] == len && bytesEqual(internOffsets[other], from, len)) {
        throw error(Reason.DUPLICATE_INTERN_STRING, "InternString.bytes", from - base,
            "\"" + decode(from, len) + "\" again (expected: interned once; it is #" + other
                + ")");
      }
      slot = (slot + 1) & mask;
    }
    int n = internCount;
    if (n == internOffsets.length) {
      internOffsets = Arrays.copyOf(internOffsets, n * 2);
      internLengths = Arrays.copyOf(internLengths, n * 2);
      internStrings = Arrays.copyOf(internStrings, n * 2);
    }
    internOffsets[n] = from;
    internLengths[n] = len;
    internSlots[slot] = n;
    internStamps[slot] = internGeneration;
    internCount = n + 1;
    fastInterns = Math.min(n + 1, 0x40);
    if (internCount * 2 > internSlots.length) {
      rehashInterns();
    }
  }

  private void rehashInterns() {
    int size = internSlots.length * 2;
    internSlots = new int[size];
    internStamps = new int[size];
    internGeneration = 1;
    int mask = size - 1;
    for (int i = 0; i < internCount; i++) {
      int slot = hash(internOffsets[i], internLengths[i]) & mask;
      while (internStamps[slot] == 1) {
        slot = (slot + 1) & mask;
      }
      internSlots[slot] = i;
      internStamps[slot] = 1;
    }
  }

  private void readAddTable() {
    table = readInternRef(F_TABLE);
    int at = pos;
    long t = readU8(F_TABLE_TYPE);
    tableType = TableType.ofCode(t);
    if (tableType == null) {
      throw error(Reason.BAD_TABLE_TYPE, F_TABLE_TYPE, at,
          t + " (expected: 0 TopLevel, 1 Embedded or 2 TopLevelAsymmetric)");
    }
    if (tableType == TableType.EMBEDDED) {
      field = -1;
      pkType = null;
      pkNullable = false;
      return;
    }
    field = readInternRef(F_PK_FIELD);
    at = pos;
    PayloadType p = readPayloadType(F_PK_TYPE);
    if (!p.isTablePrimaryKeyType()) {
      throw error(Reason.BAD_TABLE_PRIMARY_KEY_TYPE, F_PK_TYPE, at,
          p.code() + " " + p.dumpName() + " (expected: Int, String, ObjectId, UUID or GlobalKey)");
    }
    pkType = p;
    pkNullable = readBool(F_PK_NULLABLE);
  }

  private void readAddColumn() {
    table = readInternRef(F_TABLE);
    field = readInternRef(F_FIELD);
    columnType = readColumnType(F_TYPE);
    nullable = readBool(F_NULLABLE);
    collection = readCollectionType();
    linkTarget = columnType == ColumnType.LINK ? readInternRef(F_LINK_TARGET) : -1;
    keyType = collection == CollectionType.DICTIONARY ? readColumnType(F_KEY_TYPE) : null;
  }

  private ColumnType readColumnType(String name) {
    int at = pos;
    PayloadType p = readPayloadType(name);
    ColumnType c = ColumnType.ofCode(p.code());
    if (c == null) {
      throw error(Reason.INVALID_COLUMN_TYPE, name, at,
          p.code() + " " + p.dumpName() + " (expected: a column type 0..11)");
    }
    return c;
  }

  private CollectionType readCollectionType() {
    int at = pos;
    long c = readU8(F_COLLECTION);
    CollectionType t = CollectionType.ofCode(c);
    if (t == null) {
      throw error(Reason.BAD_COLLECTION_TYPE, F_COLLECTION, at,
          c + " (expected: 0 Single, 1 List, 2 Dictionary or 3 Set)");
    }
    return t;
  }

  /**
   * The common prefix on a heap array: single-byte table and field, an Int or ObjectId key, at
   * most one single-byte path element. Anything else (or too few bytes) returns false with nothing
   * changed, and the exact general parser reads the prefix (and reports any error).
   */
  private boolean readPrefixFast() {
    byte[] a = array;
    if (a == null) {
      return false;
    }
    int off = arrayOffset;
    int p = pos;
    int e = end;
    if (e - p < 18) {
      return false;
    }
    int i = off + p;
    int t = a[i];
    int kt = a[i + 1];
    int n = internCount;
    if (t < 0 || t >= 0x40 || t >= n) {
      return false;
    }
    int k;
    long kv = 0;
    if (kt == 10) {
      k = i + 2 + 12;
    } else if (kt == 1) {
      int v = a[i + 2];
      if (v < 0 || v >= 0x40) {
        return false;
      }
      kv = v;
      k = i + 3;
    } else {
      return false;
    }
    int f = a[k];
    int len = a[k + 1];
    if (f < 0 || f >= 0x40 || f >= n || len < 0 || len > 1) {
      return false;
    }
    int q = k + 2;
    if (len == 1 && (q = readOneElementFast(a, q, n)) < 0) {
      return false;
    }
    table = t;
    objectKey.typeCode = kt; // 10 ObjectId or 1 Int, checked above
    objectKey.bytes = p + 2;
    objectKey.a = kv;
    field = f;
    pathLength = len;
    pos = q - off;
    return true;
  }

  /**
   * The one path element of the fast prefix at {@code a[q]}: a 1-byte index, or -1 and a 1-byte
   * intern index below {@code n}; stores it in {@code path[0]} and returns the array index after
   * it, or -1 (nothing stored) for anything else.
   */
  private int readOneElementFast(byte[] a, int q, int n) {
    int el = a[q];
    if (el == 0x40) {
      int key = a[q + 1];
      if (key < 0 || key >= 0x40 || key >= n) {
        return -1;
      }
      path[0] = -(long) key - 1;
      return q + 2;
    } else if (el >= 0 && el < 0x40) {
      path[0] = el;
      return q + 1;
    }
    return -1;
  }

  private void readPrefix() {
    // small, so that the JIT inlines it and the fast path into readNext (as readPayload)
    if (!readPrefixFast()) {
      readPrefixExact();
    }
  }

  private void readPrefixExact() {
    table = readInternRef(F_TABLE);
    readKey(objectKey, F_OBJECT, F_OBJECT_TYPE);
    field = readInternRef(F_FIELD);
    int at = pos;
    long n = readU32(F_PATH_LENGTH);
    if (n > end - pos) {
      // every element takes at least one byte
      throw error(Reason.TRUNCATED, F_PATH_LENGTH, at,
          n + " elements (expected: at most " + (end - pos) + ", the bytes left)");
    }
    int len = (int) n;
    if (len > path.length) {
      path = Arrays.copyOf(path, Math.max(len, path.length * 2));
    }
    for (int i = 0; i < len; i++) {
      int elementAt = pos;
      long e = readI64(F_PATH);
      if (e >= 0) {
        if (e > ChangesetWriter.MAX_UINT32) {
          throw error(Reason.INVALID_PATH_ELEMENT, F_PATH, elementAt,
              e + " (expected: an index 0.." + ChangesetWriter.MAX_UINT32 + " or -1)");
        }
        path[i] = e;
      } else if (e == -1) {
        path[i] = -(long) readInternRef(F_PATH) - 1;
      } else {
        throw error(Reason.INVALID_PATH_ELEMENT, F_PATH, elementAt,
            e + " (expected: an index 0.." + ChangesetWriter.MAX_UINT32
                + " or -1 before a string)");
      }
    }
    pathLength = len;
  }

  private boolean pathEndsWithIndex() {
    return pathLength > 0 && path[pathLength - 1] >= 0;
  }

  private void requireIndexLast() {
    if (!pathEndsWithIndex()) {
      throw error(Reason.MISSING_ARRAY_INDEX, F_PATH, pos,
          (pathLength == 0 ? "empty" : "ends with a string")
              + " (expected: the path of " + type().dumpName() + " ends with an index)");
    }
  }

  /** {@code typeName} is {@code name + ".type"}, a constant: no concatenation per key. */
  private void readKey(Key k, String name, String typeName) {
    int at = pos;
    PayloadType t = readPayloadType(typeName);
    k.typeCode = t.code();
    switch (t) {
      case NULL:
        break;
      case INT:
        k.a = readI64(name);
        break;
      case STRING:
        k.a = readInternRef(name);
        break;
      case OBJECT_ID:
        k.bytes = take(ObjectId.BYTES, name);
        break;
      case UUID:
        k.bytes = take(16, name);
        break;
      case GLOBAL_KEY:
        k.a = readU64(name);
        k.b = readU64(name);
        break;
      default:
        throw error(Reason.BAD_PRIMARY_KEY_TYPE, typeName, at,
            t.code() + " " + t.dumpName()
                + " (expected: Null, Int, String, ObjectId, UUID or GlobalKey)");
    }
  }

  /**
   * CreateObject/EraseObject on a heap array with a 1-byte table and an ObjectId key; false (and
   * nothing changed) for anything else.
   */
  private boolean readObjectFast() {
    byte[] a = array;
    int p = pos;
    if (a == null || end - p < 14) {
      return false;
    }
    int i = arrayOffset + p;
    int t = a[i];
    if (t < 0 || t >= 0x40 || t >= internCount || a[i + 1] != 10) {
      return false;
    }
    table = t;
    objectKey.typeCode = 10; // ObjectId
    objectKey.bytes = p + 2;
    pos = p + 14;
    return true;
  }

  /**
   * The common payloads on a heap array (Double, ObjectValue, Null here; Timestamp, 1-byte Int,
   * Bool and short ASCII String in readOtherPayloadFast); false (and nothing changed) for anything
   * else, which the exact parser then reads.
   */
  private boolean readPayloadFast() {
    byte[] a = array;
    int p = pos;
    if (a == null || end - p < 10) {
      return false;
    }
    int i = arrayOffset + p;
    int c = a[i];
    if (c == 7) {
      valueCode = 7; // DOUBLE
      valueOffset = p + 1;
      valueLength = 8;
      valueBits = (long) LONG_LE_ARRAY.get(a, i + 1);
      pos = p + 9;
      return true;
    } else if (c == 0x41 || c == 0) {
      valueCode = c == 0 ? 0 : -2; // NULL or OBJECT_VALUE
      pos = p + 1;
      return true;
    }
    return readOtherPayloadFast(a, i, p);
  }

  /**
   * The fast Timestamp, 1-byte Int, Bool and short ASCII String payloads at {@code a[i]} (the
   * type byte, at {@code p}, with 10 bytes available); false (nothing changed) for anything else.
   *
   * <p>Deliberately one method of more than the JIT's FreqInlineSize (325 bytecode bytes): it is
   * then always a call, never inlined, which keeps the compiled next() small enough to be inlined
   * into its callers (InlineSmallCode). Splitting it into helpers would undo that.
   */
  private boolean readOtherPayloadFast(byte[] a, int i, int p) {
    int c = a[i];
    if (c == 5) {
      // Timestamp: seconds and nanoseconds of at most 8 varint bytes each, and valid
      int j = i + 1;
      int stop = arrayOffset + end; // no byte at or after it belongs to the changeset
      if (stop - j < 8) {
        return false;
      }
      long x = RawLoads.getLong(a, RawLoads.at(j)); // j + 8 <= stop: checked
      int k = varintLastByte(x);
      if (k > 7) {
        return false;
      }
      long seconds = varint8(x, k);
      j += k + 1;
      if (stop - j < 8) {
        return false;
      }
      long y = RawLoads.getLong(a, RawLoads.at(j));
      int m = varintLastByte(y);
      if (m > 7) {
        return false;
      }
      long nanos = varint8(y, m);
      if (nanos <= -1_000_000_000 || nanos >= 1_000_000_000
          || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
        return false; // the exact parser reports it
      }
      valueCode = 5; // TIMESTAMP
      valueBits = seconds;
      valueBits2 = nanos;
      pos = j + m + 1 - arrayOffset;
      return true;
    } else if (c == 3) {
      // String of at most 63 ASCII bytes
      int len = a[i + 1];
      if (len < 0 || len >= 0x40 || end - p < 2 + len) {
        return false;
      }
      int from = i + 2;
      if (len >= 8) {
        // 8-byte words from the start and one ending at the last byte (overlapping the one
        // before) cover the string: one test per word instead of one per byte
        // all within [from, from + len), inside the changeset (checked above)
        long at = RawLoads.at(from);
        long or = RawLoads.getLong(a, at + len - 8);
        for (int k = 0; k < len - 8; k += 8) {
          or |= RawLoads.getLong(a, at + k);
        }
        if ((or & 0x8080_8080_8080_8080L) != 0) {
          return false; // not ASCII: the exact parser checks the UTF-8
        }
      } else {
        for (int k = 0; k < len; k++) {
          if (a[from + k] < 0) {
            return false;
          }
        }
      }
      valueCode = 3; // STRING
      valueOffset = p + 2;
      valueLength = len;
      pos = p + 2 + len;
      return true;
    } else if (c == 1 || c == 2) {
      // Int of one varint byte, or Bool
      int v = a[i + 1];
      if (v < 0 || v >= 0x40 || (c == 2 && v > 1)) {
        return false;
      }
      valueCode = c; // 1 Int or 2 Bool
      valueBits = v;
      pos = p + 2;
      return true;
    }
    return false;
  }

  /**
   * The index (0..7) of the final byte (high bit clear) of the varint whose first 8 bytes are
   * {@code x} (little-endian), or 8 if all 8 have the continuation bit.
   */
  static int varintLastByte(long x) {
    return Long.numberOfTrailingZeros(~x & 0x8080_8080_8080_8080L) >>> 3;
  }

  /**
   * The value of the varint in the bytes {@code 0..k} of {@code x} (little-endian, {@code k} ≤ 7,
   * byte {@code k} the final one), without a loop: 7 bits per continuation byte, then 6 bits and
   * the sign (spec changeset.md §2.1). The magnitude has at most 55 bits, so nothing overflows.
   */
  static long varint8(long x, int k) {
    long b = x & (-1L >>> (56 - 8 * k)); // bytes 0..k
    int signAt = 8 * k + 6;
    long negative = (b >>> signAt) & 1;
    b &= ~(1L << signAt) & 0x7F7F_7F7F_7F7F_7F7FL; // 7 value bits per byte, no sign
    // pack the 7-bit groups in three halving steps (pairs of bytes, of 14 bits, of 28 bits)
    // instead of one shift and mask per byte
    b = (b & 0x007F_007F_007F_007FL) | ((b >>> 1) & 0x3F80_3F80_3F80_3F80L);
    b = (b & 0x0000_3FFF_0000_3FFFL) | ((b >>> 2) & 0x0FFF_C000_0FFF_C000L);
    b = (b & 0x0000_0000_0FFF_FFFFL) | ((b >>> 4) & 0x00FF_FFFF_F000_0000L);
    return b ^ -negative; // ~v when the sign bit was set
  }

  private void readPayload() {
    // the fast path is a separate small method so that the JIT inlines it into readNext
    // (FreqInlineSize: 325 bytecode bytes); the exact parser stays a call
    if (!readPayloadFast()) {
      readPayloadExact();
    }
  }

  private void readPayloadExact() {
    int at = pos;
    PayloadType t = readPayloadType("value.type");
    valueCode = t.code();
    switch (t.code()) {
      case -1:
        throw error(Reason.BAD_PAYLOAD_TYPE, "value.type", at,
            "-1 GlobalKey (expected: a value type; GlobalKey is only a key)");
      case 1:
        valueBits = readI64(F_VALUE);
        break;
      case 2:
        valueBits = readBool(F_VALUE) ? 1 : 0;
        break;
      case 3:
        {
          int lengthAt = pos;
          long length = readU64("value.length");
          if (Long.compareUnsigned(length, MAX_STRING) > 0) {
            throw error(Reason.STRING_TOO_LONG, "value.length", lengthAt,
                Long.toUnsignedString(length) + " bytes (expected: at most " + MAX_STRING + ")");
          }
          valueLength = (int) length;
          valueOffset = take(valueLength, F_VALUE);
          checkUtf8(valueOffset, valueLength, F_VALUE);
          break;
        }
      case 4:
        {
          int lengthAt = pos;
          long length = readU64("value.length");
          if (Long.compareUnsigned(length, end - pos) > 0) {
            throw error(Reason.TRUNCATED, "value.length", lengthAt,
                Long.toUnsignedString(length) + " bytes (expected: at most " + (end - pos)
                    + ", the bytes left)");
          }
          valueLength = (int) length;
          valueOffset = take(valueLength, F_VALUE);
          break;
        }
      case 5:
        readTimestamp();
        break;
      case 6:
        valueOffset = take(4, F_VALUE);
        valueLength = 4;
        valueBits = array != null
            ? (int) INT_LE_ARRAY.get(array, arrayOffset + valueOffset)
            : (int) INT_LE_BUFFER.get(in, valueOffset);
        break;
      case 7:
        valueOffset = take(8, F_VALUE);
        valueLength = 8;
        valueBits = array != null
            ? (long) LONG_LE_ARRAY.get(array, arrayOffset + valueOffset)
            : (long) LONG_LE_BUFFER.get(in, valueOffset);
        break;
      case 8:
        readDecimal();
        break;
      case 9:
        linkTable = readInternRef("value.table");
        readKey(linkKey, "value.key", "value.key.type");
        break;
      case 10:
        valueOffset = take(ObjectId.BYTES, F_VALUE);
        valueLength = ObjectId.BYTES;
        break;
      case 11:
        valueOffset = take(16, F_VALUE);
        valueLength = 16;
        break;
      default:
        // Null, ObjectValue, List, Dictionary, Set, Erased: no data
        break;
    }
  }

  private void readTimestamp() {
    valueBits = readI64("value.seconds");
    int at = pos;
    long nanos = readI64("value.nanoseconds");
    if (nanos > Integer.MAX_VALUE) {
      throw error(Reason.TIMESTAMP_OUT_OF_RANGE, "value.nanoseconds", at,
          nanos + " (expected: at most " + Integer.MAX_VALUE + ")");
    }
    long seconds = valueBits;
    if (nanos <= -1_000_000_000 || nanos >= 1_000_000_000
        || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
      throw error(Reason.INVALID_TIMESTAMP, "value.nanoseconds", at,
          "(" + seconds + " s, " + nanos + " ns) (expected: |nanoseconds| < 10^9 with the sign of"
              + " the seconds)");
    }
    valueBits2 = nanos;
  }

  private void readDecimal() {
    int at = pos;
    long low = 0;
    long high = 0;
    int p = pos;
    for (int i = 0; ; i++) {
      if (p >= end) {
        throw error(Reason.TRUNCATED, "value.coefficient", at,
            "input ends inside the varint (expected: more bytes)");
      }
      int b = u8(p++);
      long bits = b & 0x7F;
      int shift = 7 * i;
      if (shift < 64) {
        low |= bits << shift;
        if (shift > 57) {
          high |= bits >>> (64 - shift);
        }
      } else {
        high |= bits << (shift - 64);
      }
      if ((b & 0x80) == 0) {
        break;
      }
      if (i == Varint.MAX_BYTES_128 - 1) {
        throw error(Reason.BAD_INTEGER, "value.coefficient", at,
            "more than " + Varint.MAX_BYTES_128 + " bytes (expected: a 128-bit varint)");
      }
    }
    pos = p;
    if (!Decimals.coefficientInRange(high, low)) {
      throw error(Reason.INVALID_DECIMAL, "value.coefficient", at,
          Decimals.toBigInteger(high, low) + " (expected: below 10^34)");
    }
    int expAt = pos;
    long exponent = readI32("value.exponent");
    if (exponent < Decimals.MIN_EXPONENT || exponent > Decimals.MAX_EXPONENT) {
      throw error(Reason.INVALID_DECIMAL, "value.exponent", expAt,
          exponent + " (expected: " + Decimals.MIN_EXPONENT + ".." + Decimals.MAX_EXPONENT + ")");
    }
    int signAt = pos;
    long sign = readI32("value.sign");
    if (sign != 0 && sign != 1) {
      throw error(Reason.INVALID_DECIMAL, "value.sign", signAt, sign + " (expected: 0 or 1)");
    }
    valueBits = low;
    valueBits2 = high;
    valueExponent = (int) exponent;
    valueNegative = sign == 1;
  }

  // ---------------------------------------------------------------------------------------------
  // Primitives

  private int u8(int index) {
    byte[] a = array;
    return (a != null ? a[arrayOffset + index] : in.get(index)) & 0xFF;
  }

  /** Claims {@code n} bytes at pos; returns their absolute index. */
  private int take(int n, String name) {
    int at = pos;
    if (n > end - at) {
      throw error(Reason.TRUNCATED, name, at,
          n + " bytes (expected: at most " + (end - at) + ", the bytes left)");
    }
    pos = at + n;
    return at;
  }

  private int readInternRef(String name) {
    int at = pos;
    long index = readU32(name);
    if (index >= internCount) {
      throw error(Reason.UNDEFINED_INTERN_STRING, name, at,
          "intern index " + index + " (expected: below " + internCount
              + ", the number of strings interned so far)");
    }
    return (int) index;
  }

  private PayloadType readPayloadType(String name) {
    int at = pos;
    long code = readI64(name);
    PayloadType t = PayloadType.ofCode(code);
    if (t == null) {
      throw error(Reason.BAD_DATA_TYPE, name, at,
          code + " (expected: a payload type " + PayloadType.MIN_CODE + ".."
              + PayloadType.MAX_CODE + ")");
    }
    return t;
  }

  private boolean readBool(String name) {
    int at = pos;
    long v = readU8(name);
    if (v > 1) {
      throw error(Reason.INVALID_BOOL, name, at, v + " (expected: 0 or 1)");
    }
    return v == 1;
  }

  private long readU8(String name) {
    int p = pos;
    if (p < end) {
      int b = u8(p);
      if (b < 0x40) {
        pos = p + 1;
        return b;
      }
    }
    return readVarint(2, false, 0xFFL, name);
  }

  private long readU32(String name) {
    int p = pos;
    if (p < end) {
      int b = u8(p);
      if (b < 0x40) {
        pos = p + 1;
        return b;
      }
    }
    return readVarint(5, false, 0xFFFF_FFFFL, name);
  }

  private long readI32(String name) {
    return readVarint(5, true, Integer.MAX_VALUE, name);
  }

  private long readU64(String name) {
    int p = pos;
    if (p < end) {
      int b = u8(p);
      if (b < 0x40) {
        pos = p + 1;
        return b;
      }
    }
    return readVarint(10, false, -1L, name);
  }

  private long readI64(String name) {
    int p = pos;
    if (p < end) {
      int b = u8(p);
      if (b < 0x40) {
        pos = p + 1;
        return b;
      }
    }
    return readVarint(10, true, Long.MAX_VALUE, name);
  }

  /**
   * Decodes a Realm varint (spec changeset.md §2.1) into a field read by realm-core with
   * {@code maxBytes} (§2.2): {@code maxMagnitude} is the largest magnitude the field holds (as an
   * unsigned long; for signed fields that is also the bound of {@code ~v} for negative v).
   */
  private long readVarint(int maxBytes, boolean signed, long maxMagnitude, String name) {
    int at = pos;
    byte[] a = array;
    if (a != null && end - at >= maxBytes) {
      // heap array with the field's longest form available: no end checks, plain array reads
      int off = arrayOffset + at;
      long value = 0;
      for (int i = 0; i < maxBytes; i++) {
        int b = a[off + i];
        if (b >= 0) { // final byte
          int shift = 7 * i;
          long part = b & 0x3F;
          if (shift == 63 && part > 1) {
            throw overflow(name, at, maxMagnitude, signed);
          }
          value |= part << shift;
          if (Long.compareUnsigned(value, maxMagnitude) > 0) {
            throw overflow(name, at, maxMagnitude, signed);
          }
          if ((b & 0x40) != 0) {
            if (!signed) {
              throw error(Reason.BAD_INTEGER, name, at,
                  "sign bit set (expected: an unsigned value, last byte below 0x40)");
            }
            value = ~value;
          }
          pos = at + i + 1;
          return value;
        }
        value |= (long) (b & 0x7F) << (7 * i);
      }
      throw error(Reason.BAD_INTEGER, name, at,
          "more than " + maxBytes + " bytes (expected: at most " + maxBytes + " for this field)");
    }
    int p = at;
    long value = 0;
    for (int i = 0; ; i++) {
      if (p >= end) {
        throw error(Reason.TRUNCATED, name, at,
            "input ends inside the varint (expected: more bytes)");
      }
      int b = u8(p++);
      int shift = 7 * i;
      if ((b & 0x80) == 0) {
        long part = b & 0x3F;
        if (shift == 63 ? part > 1 : shift > 57 && (part >>> (64 - shift)) != 0) {
          throw overflow(name, at, maxMagnitude, signed);
        }
        value |= part << shift;
        if (Long.compareUnsigned(value, maxMagnitude) > 0) {
          throw overflow(name, at, maxMagnitude, signed);
        }
        if ((b & 0x40) != 0) {
          if (!signed) {
            throw error(Reason.BAD_INTEGER, name, at,
                "sign bit set (expected: an unsigned value, last byte below 0x40)");
          }
          value = ~value;
        }
        pos = p;
        return value;
      }
      if (i == maxBytes - 1) {
        throw error(Reason.BAD_INTEGER, name, at,
            "more than " + maxBytes + " bytes (expected: at most " + maxBytes + " for this field)");
      }
      value |= (long) (b & 0x7F) << shift;
    }
  }

  private ChangesetFormatException overflow(String name, int at, long max, boolean signed) {
    return error(Reason.BAD_INTEGER, name, at,
        "value too large (expected: magnitude at most " + Long.toUnsignedString(max)
            + (signed ? ", signed" : ", unsigned") + ")");
  }

  private void checkUtf8(int from, int len, String name) {
    int i = from;
    int e = from + len;
    byte[] a = array;
    if (a != null) {
      int off = arrayOffset;
      while (i < e && a[off + i] >= 0) {
        i++;
      }
    } else {
      while (i < e && in.get(i) >= 0) {
        i++;
      }
    }
    while (i < e) {
      int b = u8(i);
      if (b < 0x80) {
        i++;
        continue;
      }
      int n;
      int min;
      int cp;
      if (b >= 0xC2 && b <= 0xDF) {
        n = 1;
        min = 0x80;
        cp = b & 0x1F;
      } else if (b >= 0xE0 && b <= 0xEF) {
        n = 2;
        min = 0x800;
        cp = b & 0x0F;
      } else if (b >= 0xF0 && b <= 0xF4) {
        n = 3;
        min = 0x10000;
        cp = b & 0x07;
      } else {
        throw badUtf8(name, i, "byte 0x" + Integer.toHexString(b) + " cannot start a sequence");
      }
      if (i + n >= e) {
        throw badUtf8(name, i, "sequence cut off by the end of the string");
      }
      for (int k = 1; k <= n; k++) {
        int c = u8(i + k);
        if ((c & 0xC0) != 0x80) {
          throw badUtf8(name, i + k, "byte 0x" + Integer.toHexString(c) + " is not a continuation");
        }
        cp = (cp << 6) | (c & 0x3F);
      }
      if (cp < min) {
        throw badUtf8(name, i, "overlong encoding of U+" + Integer.toHexString(cp));
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        throw badUtf8(name, i, "code point U+" + Integer.toHexString(cp) + " is not a character");
      }
      i += n + 1;
    }
  }

  private ChangesetFormatException badUtf8(String name, int at, String what) {
    return error(Reason.INVALID_UTF8, name, at, what + " (expected: valid UTF-8)");
  }

  private int hash(int from, int len) {
    int h = len;
    for (int i = 0; i < len; i++) {
      h = 31 * h + u8(from + i);
    }
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private boolean bytesEqual(int a, int b, int len) {
    for (int i = 0; i < len; i++) {
      if (u8(a + i) != u8(b + i)) {
        return false;
      }
    }
    return true;
  }

  private String decode(int from, int len) {
    byte[] b = new byte[len];
    in.get(from, b, 0, len);
    return new String(b, StandardCharsets.UTF_8);
  }

  private ChangesetFormatException error(Reason reason, String name, int at, String detail) {
    String qualified = type() != null ? type().dumpName() + "." + name : name;
    return new ChangesetFormatException(reason, qualified, at - base, detail);
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors: position

  /** The current instruction, or {@code null} before the first and after the last. */
  public InstructionType instruction() {
    return type();
  }

  /** The byte offset of the current instruction's record type from the start of the changeset. */
  public int offset() {
    return instructionStart - base;
  }

  /** The number of bytes read so far (the offset after the current instruction). */
  public int bytesRead() {
    return pos - base;
  }

  /**
   * Throws unless {@code ok}: small enough to be inlined into every accessor (the message is
   * built out of line), so that a consumer's accessor calls cost a test each, not a call.
   */
  private void expect(boolean ok, String what) {
    if (!ok) {
      throw misuse(what);
    }
  }

  private IllegalStateException misuse(String what) {
    return new IllegalStateException(
        what + ": not a field of the current instruction " + (type() == null ? "(none)" : type().dumpName()));
  }

  /**
   * Instruction codes as bits, tested against {@link #typeCode} without an enum lookup
   * (ChangesetReaderTest pins them to {@link InstructionType}): every instruction; the path
   * instructions (4, 5, 8-13); those with a payload (Update 4, ArrayInsert 8, SetInsert 12,
   * SetErase 13); those with a field (the path instructions, AddTable 0, AddColumn 6, EraseColumn 7).
   */
  static final int INSTRUCTION_CODES = 0x3FFF;

  static final int PATH_CODES = 0x3F30;
  static final int PAYLOAD_CODES = 0x3110;
  static final int FIELD_CODES = PATH_CODES | 0xC1;
  /** Payload type codes with bytes: String 3, Binary 4, Float 6, Double 7, ObjectId 10, UUID 11. */
  static final int BYTES_VALUE_CODES = 0xCD8;

  /** Whether {@code code} (an instruction or payload type code, maybe negative) is one of {@code codes}. */
  static boolean hasCode(int codes, int code) {
    return (code & ~31) == 0 && ((codes >>> code) & 1) != 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors: interned strings

  /** The number of strings interned so far in this changeset. */
  public int internedCount() {
    return internCount;
  }

  private void checkIntern(int index) {
    Objects.checkIndex(index, internCount);
  }

  /**
   * The interned string {@code index} (allocated once per changeset, then cached).
   *
   * @param index 0 … {@link #internedCount()} − 1
   * @return the string
   */
  public String internedString(int index) {
    checkIntern(index);
    String s = internStrings[index];
    if (s == null) {
      s = decode(internOffsets[index], internLengths[index]);
      internStrings[index] = s;
    }
    return s;
  }

  /**
   * The UTF-8 length of the interned string {@code index}.
   *
   * @param index 0 … {@link #internedCount()} − 1
   * @return its length in bytes
   */
  public int internedLength(int index) {
    checkIntern(index);
    return internLengths[index];
  }

  /**
   * Whether the interned string {@code index} has exactly the UTF-8 bytes {@code utf8} (no
   * allocation; for matching names against a schema).
   *
   * @param index 0 … {@link #internedCount()} − 1
   * @param utf8 the bytes to compare with; borrowed
   * @return true if equal
   */
  public boolean internedEquals(int index, byte[] utf8) {
    checkIntern(index);
    int len = internLengths[index];
    if (len != utf8.length) {
      return false;
    }
    int from = internOffsets[index];
    for (int i = 0; i < len; i++) {
      if (u8(from + i) != (utf8[i] & 0xFF)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies the UTF-8 bytes of the interned string {@code index} into {@code dst}.
   *
   * @param index 0 … {@link #internedCount()} − 1
   * @param dst destination; borrowed
   * @param offset where to write
   * @return the number of bytes copied
   * @throws IndexOutOfBoundsException if {@code dst} is too small
   */
  public int copyInterned(int index, byte[] dst, int offset) {
    checkIntern(index);
    int len = internLengths[index];
    Objects.checkFromIndexSize(offset, len, dst.length);
    copy(internOffsets[index], dst, offset, len);
    return len;
  }

  /**
   * A read-only view of the UTF-8 bytes of the interned string {@code index} (allocates the view,
   * not the bytes); borrowed like the input buffer.
   *
   * @param index 0 … {@link #internedCount()} − 1
   * @return the view, position 0
   */
  public ByteBuffer internedView(int index) {
    checkIntern(index);
    return in.asReadOnlyBuffer().limit(internOffsets[index] + internLengths[index])
        .position(internOffsets[index]).slice();
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors: names

  /** The table (class) intern index of every instruction. */
  public int table() {
    expect(hasCode(INSTRUCTION_CODES, typeCode), "table");
    return table;
  }

  /** The table name (cached String). */
  public String tableName() {
    return internedString(table());
  }

  /**
   * The field intern index: the property of a path instruction, AddColumn and EraseColumn, or
   * the primary-key field of AddTable (−1 for an embedded table).
   */
  public int field() {
    expect(hasCode(FIELD_CODES, typeCode), "field");
    return field;
  }

  /** The field name (cached String), or {@code null} for an embedded AddTable. */
  public String fieldName() {
    int f = field();
    return f < 0 ? null : internedString(f);
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors: AddTable and AddColumn

  /** AddTable: the table type. */
  public TableType tableType() {
    expect(type() == InstructionType.ADD_TABLE, "tableType");
    return tableType;
  }

  /** AddTable: the primary-key type, or {@code null} for an embedded table. */
  public PayloadType primaryKeyType() {
    expect(type() == InstructionType.ADD_TABLE, "primaryKeyType");
    return pkType;
  }

  /** AddTable: whether the primary key is nullable (false for an embedded table). */
  public boolean primaryKeyNullable() {
    expect(type() == InstructionType.ADD_TABLE, "primaryKeyNullable");
    return pkNullable;
  }

  /** AddColumn: the column type. */
  public ColumnType columnType() {
    expect(type() == InstructionType.ADD_COLUMN, "columnType");
    return columnType;
  }

  /** AddColumn: whether values may be null. */
  public boolean nullable() {
    expect(type() == InstructionType.ADD_COLUMN, "nullable");
    return nullable;
  }

  /** AddColumn and Clear: the collection type. */
  public CollectionType collectionType() {
    expect(type() == InstructionType.ADD_COLUMN || type() == InstructionType.CLEAR, "collectionType");
    return collection;
  }

  /** AddColumn: the link target's intern index, or −1 unless the column type is Link. */
  public int linkTargetTable() {
    expect(type() == InstructionType.ADD_COLUMN, "linkTargetTable");
    return linkTarget;
  }

  /** AddColumn: the dictionary key type, or {@code null} unless the column is a dictionary. */
  public ColumnType dictionaryKeyType() {
    expect(type() == InstructionType.ADD_COLUMN, "dictionaryKeyType");
    return keyType;
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors: object key

  private boolean hasObject() {
    return addressesObject(typeCode);
  }

  /** The primary-key type of the addressed object (CreateObject, EraseObject, path instructions). */
  public PayloadType objectKeyType() {
    expect(hasObject(), "objectKeyType");
    return objectKey.type();
  }

  /**
   * Whether this instruction addresses object {@code table[key]}, the key given as the words the
   * key accessors return: an Int's value ({@link #objectKeyInt}), a String's intern index ({@link
   * #objectKeyString}), an ObjectId's or UUID's {@link #objectKeyHigh} and {@link #objectKeyLow},
   * a GlobalKey's high and low parts; {@code b} is ignored for Int and String keys, both for Null.
   * One state check instead of one per accessor, and no work in {@link #next()}: for a consumer
   * that matches each instruction's object against one it holds (realm-core writes an object's
   * Updates right after its CreateObject).
   *
   * @param table the table intern index
   * @param keyType the primary-key type
   * @param a the key's first word
   * @param b the key's second word (ObjectId, UUID, GlobalKey)
   * @return true if this is an object instruction (CreateObject, EraseObject or a path
   *     instruction) on that table with that key; false otherwise, also before the first and
   *     after the last instruction or a failure
   */
  public boolean objectKeyMatches(int table, PayloadType keyType, long a, long b) {
    Key k = objectKey;
    int kt = k.typeCode;
    if (!addressesObject(typeCode) || table != this.table || kt != keyType.code()) {
      return false;
    }
    switch (kt) {
      case 10: // ObjectId: bytes 0-3 sign-extended, 4-11
        return beInt(k.bytes) == a && beLong(k.bytes + 4) == b;
      case 11: // UUID
        return beLong(k.bytes) == a && beLong(k.bytes + 8) == b;
      case 0: // Null
        return true;
      case -1: // GlobalKey
        return k.a == a && k.b == b;
      default: // Int value, String intern index
        return k.a == a;
    }
  }

  /**
   * The instruction codes that address an object, as bits: CreateObject 2, EraseObject 3 and the
   * path instructions 4, 5, 8–13 (ChangesetReaderTest pins this to {@link InstructionType}).
   */
  private static final int OBJECT_CODES = 0x3F3C;

  /** Whether instruction code {@code code} (−1: none) addresses an object; no enum lookup. */
  static boolean addressesObject(int code) {
    return code >= 0 && code < 14 && ((OBJECT_CODES >>> code) & 1) != 0;
  }

  /** The Int primary key. */
  public long objectKeyInt() {
    expect(hasObject() && objectKey.typeCode == PayloadType.INT.code(), "objectKeyInt");
    return objectKey.a;
  }

  /** The intern index of the String primary key. */
  public int objectKeyString() {
    expect(hasObject() && objectKey.typeCode == PayloadType.STRING.code(), "objectKeyString");
    return (int) objectKey.a;
  }

  /** The ObjectId primary key (allocates; see {@link #copyObjectKeyBytes}). */
  public ObjectId objectKeyObjectId() {
    expect(hasObject() && objectKey.type() == PayloadType.OBJECT_ID, "objectKeyObjectId");
    return ObjectId.of(beInt(objectKey.bytes), beLong(objectKey.bytes + 4));
  }

  /** The UUID primary key (allocates). */
  public UUID objectKeyUuid() {
    expect(hasObject() && objectKey.type() == PayloadType.UUID, "objectKeyUuid");
    return new UUID(beLong(objectKey.bytes), beLong(objectKey.bytes + 8));
  }

  /**
   * The ObjectId or UUID primary key's high bits, without allocating: an ObjectId's bytes 0–3 as
   * {@link ObjectId#high()} (sign-extended), a UUID's most significant bits.
   *
   * @return the high bits
   * @throws IllegalStateException unless the addressed object's key is an ObjectId or a UUID
   */
  public long objectKeyHigh() {
    int kt = objectKey.typeCode;
    expect(hasObject() && (kt == PayloadType.OBJECT_ID.code() || kt == PayloadType.UUID.code()), "objectKeyHigh");
    return kt == PayloadType.OBJECT_ID.code() ? beInt(objectKey.bytes) : beLong(objectKey.bytes);
  }

  /**
   * The ObjectId or UUID primary key's low bits, without allocating: an ObjectId's bytes 4–11 as
   * {@link ObjectId#low()}, a UUID's least significant bits.
   *
   * @return the low bits
   * @throws IllegalStateException unless the addressed object's key is an ObjectId or a UUID
   */
  public long objectKeyLow() {
    int kt = objectKey.typeCode;
    expect(hasObject() && (kt == PayloadType.OBJECT_ID.code() || kt == PayloadType.UUID.code()), "objectKeyLow");
    return beLong(objectKey.bytes + (kt == PayloadType.OBJECT_ID.code() ? 4 : 8));
  }

  /**
   * Copies the 12 ObjectId or 16 UUID bytes of the primary key into {@code dst}.
   *
   * @param dst destination; borrowed
   * @param offset where to write
   * @return the number of bytes copied
   */
  public int copyObjectKeyBytes(byte[] dst, int offset) {
    PayloadType t = objectKeyType();
    expect(t == PayloadType.OBJECT_ID || t == PayloadType.UUID, "copyObjectKeyBytes");
    int n = t == PayloadType.OBJECT_ID ? ObjectId.BYTES : 16;
    Objects.checkFromIndexSize(offset, n, dst.length);
    byte[] a = array;
    if (a != null) {
      // heap: two overlapping 8-byte words (no arraycopy stub, no buffer scope check); the key's
      // n bytes are inside the changeset: next() read them for the current instruction
      long src = RawLoads.at(arrayOffset + objectKey.bytes);
      LONG_LE_ARRAY.set(dst, offset, RawLoads.getLong(a, src));
      LONG_LE_ARRAY.set(dst, offset + n - 8, RawLoads.getLong(a, src + n - 8));
    } else {
      in.get(objectKey.bytes, dst, offset, n);
    }
    return n;
  }

  /** The materialised primary key (allocates). */
  public PrimaryKey objectKey() {
    expect(hasObject(), "objectKey");
    return materialise(objectKey);
  }

  private PrimaryKey materialise(Key k) {
    switch (k.type()) {
      case NULL:
        return PrimaryKey.NULL;
      case INT:
        return new PrimaryKey.IntKey(k.a);
      case STRING:
        return new PrimaryKey.StringKey(internedString((int) k.a));
      case OBJECT_ID:
        return new PrimaryKey.ObjectIdKey(ObjectId.of(beInt(k.bytes), beLong(k.bytes + 4)));
      case UUID:
        return new PrimaryKey.UuidKey(new UUID(beLong(k.bytes), beLong(k.bytes + 8)));
      default:
        return new PrimaryKey.GlobalKey(k.a, k.b);
    }
  }

  /** Copies {@code n} input bytes from {@code index}: an arraycopy for a heap buffer (cheaper than its bulk get). */
  private void copy(int index, byte[] dst, int offset, int n) {
    if (array != null) {
      System.arraycopy(array, arrayOffset + index, dst, offset, n);
    } else {
      in.get(index, dst, offset, n);
    }
  }

  private long beLong(int index) {
    return array != null
        ? (long) LONG_BE_ARRAY.get(array, arrayOffset + index)
        : (long) LONG_BE_BUFFER.get(in, index);
  }

  private int beInt(int index) {
    return array != null
        ? (int) INT_BE_ARRAY.get(array, arrayOffset + index)
        : (int) INT_BE_BUFFER.get(in, index);
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors: path

  /** The number of path elements of a path instruction. */
  public int pathLength() {
    expect(hasCode(PATH_CODES, typeCode), "pathLength");
    return pathLength;
  }

  /**
   * Whether path element {@code i} is an index (else a string).
   *
   * @param i 0 … {@link #pathLength()} − 1
   * @return true for an index
   */
  public boolean isPathIndex(int i) {
    Objects.checkIndex(i, pathLength());
    return path[i] >= 0;
  }

  /**
   * The index of path element {@code i}.
   *
   * @param i 0 … {@link #pathLength()} − 1, an index element
   * @return 0 … 2^32−1
   */
  public long pathIndex(int i) {
    expect(isPathIndex(i), "pathIndex");
    return path[i];
  }

  /**
   * The intern index of string path element {@code i}.
   *
   * @param i 0 … {@link #pathLength()} − 1, a string element
   * @return the intern index
   */
  public int pathKey(int i) {
    expect(!isPathIndex(i), "pathKey");
    return (int) (-path[i] - 1);
  }

  /** The materialised path (allocates). */
  public List<PathElement> pathElements() {
    int n = pathLength();
    List<PathElement> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(path[i] >= 0 ? new PathElement.Index(path[i])
          : new PathElement.Key(internedString((int) (-path[i] - 1))));
    }
    return list;
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors: payload

  private boolean hasPayload() {
    return hasCode(PAYLOAD_CODES, typeCode);
  }

  private void expectValue(PayloadType t, String what) {
    expect(hasPayload() && valueCode == t.code(), what);
  }

  /** The payload type of Update, ArrayInsert, SetInsert, SetErase. */
  public PayloadType valueType() {
    expect(hasPayload(), "valueType");
    return payloadType();
  }

  private PayloadType payloadType() {
    return valueTypeOfCode(valueCode);
  }

  /** The Int payload. */
  public long intValue() {
    expectValue(PayloadType.INT, "intValue");
    return valueBits;
  }

  /** The amount of AddInteger. */
  public long amount() {
    expect(type() == InstructionType.ADD_INTEGER, "amount");
    return valueBits;
  }

  /** The Bool payload. */
  public boolean boolValue() {
    expectValue(PayloadType.BOOL, "boolValue");
    return valueBits != 0;
  }

  /** The Float payload. */
  public float floatValue() {
    expectValue(PayloadType.FLOAT, "floatValue");
    return Float.intBitsToFloat((int) valueBits);
  }

  /** The Double payload. */
  public double doubleValue() {
    expectValue(PayloadType.DOUBLE, "doubleValue");
    return Double.longBitsToDouble(valueBits);
  }

  /** The Timestamp payload's seconds since the epoch. */
  public long timestampSeconds() {
    expectValue(PayloadType.TIMESTAMP, "timestampSeconds");
    return valueBits;
  }

  /** The Timestamp payload's nanoseconds (same sign as the seconds). */
  public int timestampNanos() {
    expectValue(PayloadType.TIMESTAMP, "timestampNanos");
    return (int) valueBits2;
  }

  /** The Decimal payload's coefficient, high 64 bits. */
  public long decimalCoefficientHigh() {
    expectValue(PayloadType.DECIMAL, "decimalCoefficientHigh");
    return valueBits2;
  }

  /** The Decimal payload's coefficient, low 64 bits. */
  public long decimalCoefficientLow() {
    expectValue(PayloadType.DECIMAL, "decimalCoefficientLow");
    return valueBits;
  }

  /** The Decimal payload's exponent, −6176 … 6111. */
  public int decimalExponent() {
    expectValue(PayloadType.DECIMAL, "decimalExponent");
    return valueExponent;
  }

  /** The Decimal payload's sign. */
  public boolean decimalNegative() {
    expectValue(PayloadType.DECIMAL, "decimalNegative");
    return valueNegative;
  }

  /** The Decimal payload (allocates). */
  public BigDecimal decimalValue() {
    expectValue(PayloadType.DECIMAL, "decimalValue");
    return Decimals.toBigDecimal(valueBits2, valueBits, valueExponent, valueNegative);
  }

  /** The ObjectId payload (allocates). */
  public ObjectId objectIdValue() {
    expectValue(PayloadType.OBJECT_ID, "objectIdValue");
    return ObjectId.of(beInt(valueOffset), beLong(valueOffset + 4));
  }

  /**
   * The ObjectId payload's bytes 0–3, as {@link ObjectId#high()}, without allocating.
   *
   * @return the high bits
   * @throws IllegalStateException unless the value is an ObjectId
   */
  public int objectIdValueHigh() {
    expectValue(PayloadType.OBJECT_ID, "objectIdValueHigh");
    return beInt(valueOffset);
  }

  /**
   * The ObjectId payload's bytes 4–11, as {@link ObjectId#low()}, without allocating.
   *
   * @return the low bits
   * @throws IllegalStateException unless the value is an ObjectId
   */
  public long objectIdValueLow() {
    expectValue(PayloadType.OBJECT_ID, "objectIdValueLow");
    return beLong(valueOffset + 4);
  }

  /** The UUID payload's first 8 bytes, big-endian. */
  public long uuidMostSignificantBits() {
    expectValue(PayloadType.UUID, "uuidMostSignificantBits");
    return beLong(valueOffset);
  }

  /** The UUID payload's last 8 bytes, big-endian. */
  public long uuidLeastSignificantBits() {
    expectValue(PayloadType.UUID, "uuidLeastSignificantBits");
    return beLong(valueOffset + 8);
  }

  /** The UUID payload (allocates). */
  public UUID uuidValue() {
    return new UUID(uuidMostSignificantBits(), uuidLeastSignificantBits());
  }

  private boolean hasBytes() {
    return hasPayload() && hasCode(BYTES_VALUE_CODES, valueCode);
  }

  /** The byte length of a String, Binary, ObjectId (12), UUID (16), Float (4) or Double (8) payload. */
  public int valueLength() {
    expect(hasBytes(), "valueLength");
    return valueLength;
  }

  /**
   * Copies the bytes of a String (UTF-8), Binary, ObjectId, UUID, Float or Double (little-endian)
   * payload into {@code dst}.
   *
   * @param dst destination; borrowed
   * @param offset where to write
   * @return the number of bytes copied
   * @throws IndexOutOfBoundsException if {@code dst} is too small
   */
  public int copyValue(byte[] dst, int offset) {
    expect(hasBytes(), "copyValue");
    Objects.checkFromIndexSize(offset, valueLength, dst.length);
    copy(valueOffset, dst, offset, valueLength);
    return valueLength;
  }

  /**
   * A read-only view of the payload bytes (allocates the view, not the bytes); borrowed like the
   * input buffer.
   *
   * @return the view, position 0
   */
  public ByteBuffer valueView() {
    expect(hasBytes(), "valueView");
    return in.asReadOnlyBuffer().limit(valueOffset + valueLength).position(valueOffset).slice();
  }

  /** The String payload (allocates). */
  public String stringValue() {
    expectValue(PayloadType.STRING, "stringValue");
    return decode(valueOffset, valueLength);
  }

  /** The Link payload's target table (intern index). */
  public int linkTable() {
    expectValue(PayloadType.LINK, "linkTable");
    return linkTable;
  }

  /** The Link payload's target key (allocates). */
  public PrimaryKey linkKey() {
    expectValue(PayloadType.LINK, "linkKey");
    return materialise(linkKey);
  }

  /** Update: whether the value came from a schema default (false for list element updates). */
  public boolean isDefault() {
    expect(type() == InstructionType.UPDATE, "isDefault");
    return isDefault;
  }

  /**
   * {@code prior_size} of ArrayInsert, ArrayMove, ArrayErase, and of an Update whose path ends
   * with an index (−1 for other Updates).
   */
  public long priorSize() {
    expect(type() == InstructionType.UPDATE || type() == InstructionType.ARRAY_INSERT
        || type() == InstructionType.ARRAY_MOVE || type() == InstructionType.ARRAY_ERASE,
        "priorSize");
    return priorSize;
  }

  /** ArrayMove: the to-index ({@code ndx_2}). */
  public long moveTo() {
    expect(type() == InstructionType.ARRAY_MOVE, "moveTo");
    return toIndex;
  }

  /** The materialised payload (allocates). */
  public Payload payload() {
    expect(hasPayload(), "payload");
    switch (payloadType()) {
      case INT:
        return new Payload.IntValue(valueBits);
      case BOOL:
        return new Payload.BoolValue(valueBits != 0);
      case STRING:
        return new Payload.StringValue(stringValue());
      case BINARY:
        {
          byte[] b = new byte[valueLength];
          copyValue(b, 0);
          return new Payload.BinaryValue(b);
        }
      case TIMESTAMP:
        return new Payload.TimestampValue(valueBits, (int) valueBits2);
      case FLOAT:
        return new Payload.FloatValue((int) valueBits);
      case DOUBLE:
        return new Payload.DoubleValue(valueBits);
      case DECIMAL:
        return new Payload.DecimalValue(valueBits2, valueBits, valueExponent, valueNegative);
      case OBJECT_ID:
        return new Payload.ObjectIdValue(objectIdValue());
      case UUID:
        return new Payload.UuidValue(uuidValue());
      case LINK:
        return new Payload.LinkValue(internedString(linkTable), materialise(linkKey));
      default:
        return Payload.marker(payloadType());
    }
  }

  /** The materialised current instruction (allocates). */
  public Instruction toInstruction() {
    expect(type() != null, "toInstruction");
    switch (type()) {
      case ADD_TABLE:
        return tableType == TableType.EMBEDDED
            ? new Instruction.AddTable(tableName(), tableType, null, null, false)
            : new Instruction.AddTable(tableName(), tableType, fieldName(), pkType, pkNullable);
      case ERASE_TABLE:
        return new Instruction.EraseTable(tableName());
      case CREATE_OBJECT:
        return new Instruction.CreateObject(tableName(), objectKey());
      case ERASE_OBJECT:
        return new Instruction.EraseObject(tableName(), objectKey());
      case UPDATE:
        return new Instruction.Update(tableName(), objectKey(), fieldName(), pathElements(),
            payload(), isDefault, priorSize);
      case ADD_INTEGER:
        return new Instruction.AddInteger(tableName(), objectKey(), fieldName(), pathElements(),
            valueBits);
      case ADD_COLUMN:
        return new Instruction.AddColumn(tableName(), fieldName(), columnType, nullable,
            collection, linkTarget >= 0 ? internedString(linkTarget) : null, keyType);
      case ERASE_COLUMN:
        return new Instruction.EraseColumn(tableName(), fieldName());
      case ARRAY_INSERT:
        return new Instruction.ArrayInsert(tableName(), objectKey(), fieldName(), pathElements(),
            payload(), priorSize);
      case ARRAY_MOVE:
        return new Instruction.ArrayMove(tableName(), objectKey(), fieldName(), pathElements(),
            toIndex, priorSize);
      case ARRAY_ERASE:
        return new Instruction.ArrayErase(tableName(), objectKey(), fieldName(), pathElements(),
            priorSize);
      case CLEAR:
        return new Instruction.Clear(tableName(), objectKey(), fieldName(), pathElements(),
            collection);
      case SET_INSERT:
        return new Instruction.SetInsert(tableName(), objectKey(), fieldName(), pathElements(),
            payload());
      default:
        return new Instruction.SetErase(tableName(), objectKey(), fieldName(), pathElements(),
            payload());
    }
  }

  @Override
  public String toString() {
    return "ChangesetReader{length=" + (end - base) + ", read=" + (pos - base) + ", interned="
        + internCount + ", instruction=" + (type() == null ? "none" : type().dumpName()) + "}";
  }
}
