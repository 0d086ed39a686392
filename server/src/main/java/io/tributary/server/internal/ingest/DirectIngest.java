package io.tributary.server.internal.ingest;

import com.google.protobuf.CodedOutputStream;
import io.tributary.protocol.changeset.ChangesetFormatException;
import io.tributary.protocol.changeset.ChangesetReader;
import io.tributary.protocol.changeset.InstructionType;
import io.tributary.protocol.changeset.PayloadType;
import io.tributary.server.AppSchema;
import io.tributary.server.AppSchema.ClassKind;
import io.tributary.server.AppSchema.CollectionKind;
import io.tributary.server.AppSchema.ObjectClass;
import io.tributary.server.AppSchema.Property;
import io.tributary.server.AppSchema.PropertyType;
import io.tributary.server.Values;
import io.tributary.server.proto.EmbeddedObject;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.server.spi.IngestRecords;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The ingestor's direct path for the instruction order realm-core writes for new asymmetric
 * objects: CreateObject, then Updates of that object's single-value properties, embedded objects
 * set with an ObjectValue and filled through key paths. Each leaf value is encoded straight from
 * the reader into one reused arena as the whole map entry of its property (tag, length, key and
 * protobuf {@link Value}), so that the entries of properties set in schema order lie back to back
 * and are copied into the record in one piece; the records are assembled from there, in the same
 * bytes {@link ChangesetIngestor}'s general path writes (spec changeset.md §11.2).
 *
 * <p>Two tries, each reading the whole changeset: first {@link #stream}, which takes changesets
 * whose objects' properties are set in schema order (as in every realm-core vector we have) and writes
 * each record straight into the output as its instructions come, with no arena and no second
 * pass; at the first instruction out of that order it takes back what it appended and the arena
 * path above reads the changeset again.
 *
 * <p>It never reports an error: at the first instruction it does not handle, or that the general
 * path would refuse (a format error, an unknown class or property, a type mismatch, a duplicate
 * object, an Update of an object other than the last created, a collection, a link, a schema
 * instruction, ...), {@link #ingest} returns false having appended nothing, and the caller runs the
 * general path on the whole changeset, which accepts it or reports the error exactly as before.
 *
 * <p>Not thread safe; one per ingestor. Memory: the arena and tables grow to the largest changeset
 * handled (at most {@link #MAX_ARENA} bytes of encoded entries and {@link #MAX_SLOTS} property slots;
 * larger changesets take the general path).
 */
public final class DirectIngest {
  /** Largest entry arena kept; a changeset needing more takes the general path. */
  static final int MAX_ARENA = 8 << 20;

  /**
   * Most property slots (over all objects and embedded objects) of one changeset; more take the
   * general path. Bounds the tables kept between changesets (slots, and objects and nodes, each
   * of which has at least one slot) to a few MiB.
   */
  static final int MAX_SLOTS = 1 << 18;

  // unaligned word access to byte arrays (any byte order: copy only moves the bytes)
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  // text in reading order: the first character at the lowest address
  private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  /** Longest entry header {@link Plan#header} keeps (two words). */
  private static final int HEADER_WORDS_BYTES = 16;

  private final ChangesetReader reader;

  // classes and their encoding plans, valid for planSchema
  private AppSchema planSchema;
  private final Map<ObjectClass, Plan> plans = new IdentityHashMap<>();

  // per changeset: a generation stamps the lookup tables below instead of clearing them
  private int generation;
  private Plan[] tablePlans = new Plan[16]; // by table intern index
  private int[] tableStamps = new int[16];

  // the entry arena: encoded map entries of the properties set (tag of the node's fields field,
  // entry length, key, Value field), and the primary keys' entries (whose Value createObject notes)
  private byte[] arena = new byte[1 << 16];
  private int arenaSize;

  // nodes (objects and embedded objects): plan, first slot, encoded size of the fields (map
  // entries only)
  private Plan[] nodePlans = new Plan[256];
  private int[] nodeSlots = new int[256];
  private int[] nodeSizes = new int[256];
  private int nodeCount;
  // per property of a node: -1 unset, >= 0 arena offset of its map entry (slotLengths: its
  // length), <= -2 embedded node -ref-2
  private int[] slotRefs = new int[2048];
  private int[] slotLengths = new int[2048];
  private int slotCount;

  // created objects, in creation order
  private int[] objNodes = new int[256];
  private int[] objTables = new int[256];
  private PayloadType[] objKeyTypes = new PayloadType[256];
  // the key: Int value, String intern index, ObjectId high and low, UUID most and least
  // significant bits (read as numbers: small bulk copies out of a ByteBuffer cost more)
  private long[] objKeyA = new long[256];
  private long[] objKeyB = new long[256];
  private int[] objPkOffsets = new int[256]; // the primary key's Value in the arena (in its entry)
  private int[] objPkLengths = new int[256];
  private int objCount;
  // open addressing over objects (index + 1; 0 = empty), for duplicate CreateObjects
  private int[] objHash = new int[1024];
  /**
   * Whether {@link #objHash} holds every object so far; until then (keys in ascending order) it is
   * all zeros and {@link #register} only compares each key with the one before.
   */
  private boolean hashed;

  // streaming (see stream): the records' output while streaming (null: the arena path)
  private IngestRecords sink;
  private int trailerSize;
  private long streamedChangesets;
  // the open levels of the object being written: 0 the object, 1.. its open embedded objects (at
  // most MAX_PATH_LENGTH: an Update deeper than that is the general path's error)
  private int depth;
  // the object created last (its key, as sameKey reads it from the tables)
  private int lastTable;
  private PayloadType lastKeyType;
  private long lastKeyA;
  private long lastKeyB;
  private final Plan[] openPlans = new Plan[ChangesetIngestor.MAX_PATH_LENGTH + 1];
  /** Per level: its first property not written yet. */
  private final int[] openNext = new int[ChangesetIngestor.MAX_PATH_LENGTH + 1];
  /** Per level from 1: its property in the level above, and where its entry's header goes and its length. */
  private final int[] openProps = new int[ChangesetIngestor.MAX_PATH_LENGTH + 1];
  private final int[] openHeaders = new int[ChangesetIngestor.MAX_PATH_LENGTH + 1];
  private final int[] openHeaderLengths = new int[ChangesetIngestor.MAX_PATH_LENGTH + 1];

  private byte[] trailer = new byte[64];
  private byte[] decimal; // between scalarSize and encodeScalar

  DirectIngest(ChangesetReader reader) {
    this.reader = reader;
  }

  /**
   * Reads {@code changeset} from its position and, if every instruction is on the direct path,
   * appends one record per created object to {@code out} in creation order.
   *
   * @return true if handled; false if the general path must run (nothing appended)
   */
  boolean ingest(java.nio.ByteBuffer changeset, AppSchema schema, ChangesetIngestor.Origin origin,
      IngestRecords out) {
    if (schema != planSchema) {
      plans.clear();
      planSchema = schema;
    }
    if (++generation == 0) { // wrapped: stamps of 0 must not look current
      Arrays.fill(tableStamps, 0);
      for (Plan p : plans.values()) {
        Arrays.fill(p.internStamps, 0);
      }
      generation = 1;
    }
    if (stream(changeset, origin, out)) {
      streamedChangesets++;
      return true;
    }
    // the intern-indexed tables (generation) stay valid: the same changeset is read again
    arenaSize = 0;
    nodeCount = 0;
    slotCount = 0;
    objCount = 0;
    clearHash();
    reader.reset(changeset);
    try {
      while (reader.next()) {
        InstructionType t = reader.instruction();
        if (t == InstructionType.UPDATE) {
          if (!update()) {
            return false;
          }
        } else if (t == InstructionType.CREATE_OBJECT) {
          if (!createObject()) {
            return false;
          }
        } else {
          return false;
        }
      }
    } catch (ChangesetFormatException e) {
      return false; // the general path reports it
    }
    finish(origin, out);
    return true;
  }

  /** How many changesets {@link #stream} handled (for tests). */
  long streamedChangesets() {
    return streamedChangesets;
  }

  // --- streaming: each record written where it goes, as its instructions come ---

  /**
   * The first try at a changeset: if every object's properties are set in schema order (each
   * embedded object's too, right after its ObjectValue), each record is written straight into
   * {@code out}'s array as its instructions are read, with the defaults of the properties not set
   * and the primary key's entry written in between: no arena, no second pass. The arena and its
   * {@link #writeFields} only come in for other orders. While streaming, {@link #arena} is {@code
   * out}'s array ({@link #reserve} grows it through {@code out}), so the encoders are the same.
   *
   * <p>An embedded object's entry header (its lengths) is written when the object ends: the space
   * left for it is the header's length for the size this property's embedded object had last time
   * (usually the same), and the object's bytes move if the header turns out longer or shorter; the
   * bytes are those of {@link Plan#embeddedHeaderLength} either way.
   *
   * @return true if every instruction was handled (the records appended); false having appended
   *     nothing otherwise, the reader then needs a reset
   */
  private boolean stream(java.nio.ByteBuffer changeset, ChangesetIngestor.Origin origin, IngestRecords out) {
    int mark = out.size();
    trailerSize = trailer(origin);
    objCount = 0;
    clearHash();
    byte[] own = arena;
    sink = out;
    arena = out.reserve(0);
    arenaSize = out.end();
    boolean ok = false;
    reader.reset(changeset);
    try {
      while (reader.next()) {
        InstructionType t = reader.instruction();
        if (t == InstructionType.UPDATE) {
          if (!streamUpdate()) {
            return false;
          }
        } else if (t == InstructionType.CREATE_OBJECT) {
          if ((objCount > 0 && !endObject()) || !streamCreate()) {
            return false;
          }
        } else {
          return false;
        }
      }
      ok = objCount == 0 || endObject();
      return ok;
    } catch (ChangesetFormatException | IngestRecords.LimitExceededException e) {
      return false; // the arena path, then the general path: each as before
    } finally {
      sink = null;
      arena = own;
      if (!ok) {
        out.truncate(mark);
      }
    }
  }

  /** CreateObject while streaming: the record's class name and primary_key fields. */
  private boolean streamCreate() {
    int table = reader.table();
    Plan plan = tablePlan(table);
    int o = readKey(table, plan);
    if (o < 0 || o >= MAX_SLOTS) {
      return false;
    }
    int valueSize = keyValueSize(o);
    reserve(plan.classNameField.length + 1 + 5 + valueSize);
    byte[] a = arena;
    int p = put(a, arenaSize, plan.classNameField);
    a[p++] = 0x12; // IngestedObject.primary_key
    arenaSize = putVarint(a, p, valueSize);
    objPkOffsets[o] = arenaSize;
    writeKeyValue(o);
    objPkLengths[o] = valueSize;
    if (!register(o)) {
      return false;
    }
    objCount = o + 1;
    if (hashed && objCount * 2 > objHash.length) {
      rehash();
    }
    openPlans[0] = plan;
    openNext[0] = 0;
    depth = 0;
    lastTable = table;
    lastKeyType = objKeyTypes[o];
    lastKeyA = objKeyA[o];
    lastKeyB = objKeyB[o];
    return true;
  }

  /**
   * Update while streaming: a property of the object created last, or of its embedded objects
   * still open, after the properties set before it in that object.
   */
  private boolean streamUpdate() {
    if (objCount == 0 || !reader.objectKeyMatches(lastTable, lastKeyType, lastKeyA, lastKeyB)) {
      return false;
    }
    int n = reader.pathLength();
    if (n > depth) {
      return false; // not into an open embedded object
    }
    Plan plan = openPlans[0];
    int prop = plan.property(reader, reader.field(), generation);
    for (int i = 0; i < n; i++) {
      // the path names the open embedded objects, by property name
      if (prop < 0 || prop != openProps[i + 1] || reader.isPathIndex(i)) {
        return false;
      }
      plan = openPlans[i + 1];
      prop = plan.property(reader, reader.pathKey(i), generation);
    }
    if (prop < 0) {
      return false;
    }
    while (depth > n) {
      closeEmbedded();
    }
    if (prop < openNext[n]) {
      return false; // set before, or after a property that comes later: the arena path
    }
    if (prop > openNext[n]) { // properties skipped (usually only the primary key's, before the first Update)
      fillTo(n, prop);
    }
    PayloadType t = reader.valueType();
    switch (t) {
      case NULL:
        if (!plan.nullable[prop]) {
          return false;
        }
        openEntry(plan, prop, 2);
        arena[arenaSize++] = 0x08; // Value.null_value = NULL_VALUE (0)
        arena[arenaSize++] = 0;
        break;
      case OBJECT_VALUE:
        return openEmbedded(plan, prop);
      // the usual types sized and encoded in their case (one dispatch per Update, not three)
      case DOUBLE:
        if (!takes(plan, prop, t)) {
          return false;
        }
        openEntry(plan, prop, 9);
        encodeDouble();
        break;
      case STRING:
      case BINARY:
        {
          if (!takes(plan, prop, t)) {
            return false;
          }
          int len = reader.valueLength();
          openEntry(plan, prop, 1 + varintSize(len) + len);
          encodeBytes(t);
          break;
        }
      case TIMESTAMP:
        {
          if (!takes(plan, prop, t)) {
            return false;
          }
          long s = reader.timestampSeconds();
          long ns = reader.timestampNanos(); // int32: sign-extended, like protobuf
          int size = timestampSize(s, ns);
          openEntry(plan, prop, 2 + size);
          putTimestamp(s, ns, size);
          break;
        }
      case INT:
        {
          if (!takes(plan, prop, t)) {
            return false;
          }
          long v = reader.intValue();
          openEntry(plan, prop, 1 + varintSize(v));
          arena[arenaSize++] = 0x10;
          putVarint(v);
          break;
        }
      case BOOL:
      case FLOAT:
      case DECIMAL:
      case OBJECT_ID:
      case UUID:
        if (!takes(plan, prop, t)) {
          return false;
        }
        openEntry(plan, prop, scalarSize(t));
        encodeScalar(t);
        break;
      default: // links, collections, markers: the general path
        return false;
    }
    openNext[n] = prop + 1;
    return true;
  }

  /** Whether property {@code prop} takes a scalar of type {@code t} (GLOBAL_KEY: mixed, any). */
  private static boolean takes(Plan plan, int prop, PayloadType t) {
    PayloadType declared = plan.types[prop];
    return declared == t || declared == PayloadType.GLOBAL_KEY;
  }

  /**
   * Writes the entries of the properties of open level {@code level} before {@code prop} that no
   * Update set: defaults, and the primary key's entry (its Value copied from the record's
   * primary_key field).
   */
  private void fillTo(int level, int prop) {
    Plan plan = openPlans[level];
    for (int j = openNext[level]; j < prop; j++) {
      if (level == 0 && j == plan.primaryKey) {
        int o = objCount - 1;
        int length = objPkLengths[o];
        openEntry(plan, j, length);
        arenaSize = copy(arena, objPkOffsets[o], arena, arenaSize, length);
      } else {
        byte[] d = plan.defaultEntries[j];
        reserve(d.length);
        arenaSize = put(arena, arenaSize, d);
      }
    }
    openNext[level] = prop;
  }

  /** Opens an embedded object as property {@code prop} of the deepest open level, {@code plan}. */
  private boolean openEmbedded(Plan plan, int prop) {
    Plan child = plan.embedded(prop);
    int d = depth + 1;
    if (child == null || d == openPlans.length) {
      return false;
    }
    int last = plan.embeddedHeaderSizes[prop];
    int length = last >= 0 ? plan.embeddedHeaderLengths[prop] : plan.embeddedHeaderLength(prop, child, 0);
    reserve(length);
    openHeaders[d] = arenaSize;
    arenaSize += length; // the header's room, written by closeEmbedded
    openHeaderLengths[d] = length;
    openPlans[d] = child;
    openProps[d] = prop;
    openNext[d] = 0;
    openNext[depth] = prop + 1;
    depth = d;
    return true;
  }

  /** Ends the deepest open embedded object: its remaining defaults, then its entry's header. */
  private void closeEmbedded() {
    int d = depth;
    Plan child = openPlans[d];
    if (openNext[d] < child.properties.length) {
      fillTo(d, child.properties.length);
    }
    Plan parent = openPlans[d - 1];
    int prop = openProps[d];
    int at = openHeaders[d];
    int room = openHeaderLengths[d];
    int body = at + room;
    int size = child.classNameField.length + (arenaSize - body);
    int length = parent.embeddedHeaderLength(prop, child, size);
    if (length != room) { // another size than last time, with lengths of other widths: move the fields
      int shift = length - room;
      reserve(Math.max(shift, 0));
      System.arraycopy(arena, body, arena, body + shift, arenaSize - body);
      arenaSize += shift;
    }
    copy(parent.embeddedHeaders[prop], 0, arena, at, length);
    depth = d - 1;
  }

  /** Ends the object created last: open embedded objects, remaining properties, origin fields. */
  private boolean endObject() {
    while (depth > 0) {
      closeEmbedded();
    }
    Plan plan = openPlans[0];
    if (openNext[0] < plan.properties.length) {
      fillTo(0, plan.properties.length);
    }
    reserve(trailerSize);
    arenaSize = copy(trailer, 0, arena, arenaSize, trailerSize);
    int start = sink.end();
    int size = arenaSize - start;
    arena = sink.reserve(size); // no copy (the room is there): the records' byte limit
    add(sink, plan.cls.name(), objCount - 1, size);
    return true;
  }

  // --- instructions ---

  private Plan tablePlan(int table) {
    if (table >= tableStamps.length) {
      int n = Math.max(table + 1, tableStamps.length * 2);
      tableStamps = Arrays.copyOf(tableStamps, n);
      tablePlans = Arrays.copyOf(tablePlans, n);
    }
    if (tableStamps[table] != generation) {
      ObjectClass c = planSchema.objectClass(reader.internedString(table)).orElse(null);
      tablePlans[table] = c == null ? null : plan(c);
      tableStamps[table] = generation;
    }
    return tablePlans[table];
  }

  private boolean createObject() {
    int table = reader.table();
    Plan plan = tablePlan(table);
    int o = readKey(table, plan);
    if (o < 0) {
      return false;
    }
    int pk = plan.primaryKey;
    int entry = arenaSize;
    int pkOffset = openEntry(plan, pk, keyValueSize(o));
    if (pkOffset < 0) {
      return false;
    }
    writeKeyValue(o);
    objPkOffsets[o] = pkOffset;
    objPkLengths[o] = arenaSize - pkOffset;
    if (!register(o)) {
      return false;
    }
    int node = newNode(plan);
    if (node < 0) {
      return false;
    }
    // the primary key is set by CreateObject only (Updates of it take the general path)
    slotRefs[nodeSlots[node] + pk] = entry;
    slotLengths[nodeSlots[node] + pk] = arenaSize - entry;
    objNodes[o] = node;
    objCount = o + 1;
    if (hashed && objCount * 2 > objHash.length) {
      rehash();
    }
    return true;
  }

  /**
   * Notes the CreateObject's table and key as object {@link #objCount} (not counted yet) if the
   * direct path takes it: an asymmetric class of the schema with a primary key of the key's type.
   *
   * @return the object's index, or -1 for the general path
   */
  private int readKey(int table, Plan plan) {
    if (plan == null || plan.cls.kind() != ClassKind.ASYMMETRIC || plan.primaryKey < 0) {
      return -1;
    }
    PayloadType kt = reader.objectKeyType();
    if (kt != plan.primaryKeyType) { // also refuses null keys: the general path handles them
      return -1;
    }
    int o = objCount;
    if (o == objNodes.length) {
      growObjects();
    }
    objTables[o] = table;
    objKeyTypes[o] = kt;
    switch (kt) {
      case INT:
        objKeyA[o] = reader.objectKeyInt();
        objKeyB[o] = 0;
        break;
      case STRING:
        objKeyA[o] = reader.objectKeyString(); // interned once per changeset (the reader refuses duplicates)
        objKeyB[o] = 0;
        break;
      default: // OBJECT_ID, UUID
        objKeyA[o] = reader.objectKeyHigh();
        objKeyB[o] = reader.objectKeyLow();
        break;
    }
    return o;
  }

  /** The size of object {@code o}'s primary key as a Value message. */
  private int keyValueSize(int o) {
    switch (objKeyTypes[o]) {
      case INT:
        return 1 + varintSize(objKeyA[o]);
      case STRING:
        {
          int len = reader.internedLength((int) objKeyA[o]);
          return 1 + varintSize(len) + len;
        }
      case OBJECT_ID:
        return 26;
      default:
        return 38;
    }
  }

  /** Appends object {@code o}'s primary key as a Value message ({@link #keyValueSize} bytes, reserved). */
  private void writeKeyValue(int o) {
    switch (objKeyTypes[o]) {
      case INT:
        arena[arenaSize++] = 0x10; // Value.int_value
        putVarint(objKeyA[o]);
        return;
      case STRING:
        {
          int k = (int) objKeyA[o];
          arena[arenaSize++] = 0x22; // Value.string_value
          putVarint(reader.internedLength(k));
          arenaSize += reader.copyInterned(k, arena, arenaSize);
          return;
        }
      case OBJECT_ID:
        arena[arenaSize++] = 0x52; // Value.object_id_value
        arena[arenaSize++] = 24;
        putHex(objKeyA[o] & 0xFFFFFFFFL, 4);
        putHex(objKeyB[o], 8);
        return;
      default: // UUID
        arena[arenaSize++] = 0x5a; // Value.uuid_value
        arena[arenaSize++] = 36;
        putUuid(objKeyA[o], objKeyB[o]);
        return;
    }
  }

  /**
   * Enters object {@code o} into the duplicate table; false if the changeset created the same
   * table and key before (the general path reports it).
   */
  private boolean register(int o) {
    if (!hashed) {
      if (o == 0 || ascends(o - 1, o)) {
        // keys in strictly ascending order so far (a device's ObjectIds, counters): all distinct,
        // no table needed
        return true;
      }
      hashAll(o);
    }
    int hash = keyHash(o);
    int mask = objHash.length - 1;
    for (int s = (hash >>> 7) & mask; ; s = (s + 1) & mask) {
      int other = objHash[s] - 1;
      if (other < 0) {
        objHash[s] = o + 1;
        return true;
      }
      if (sameKey(other)) {
        return false;
      }
    }
  }

  /**
   * Whether object {@code o}'s table and key come strictly after object {@code p}'s, ordered by
   * table, key type, then the key's words (signed): a total order, so keys that ascend all along
   * are distinct ({@link #sameKey} compares the same table, type and words).
   */
  private boolean ascends(int p, int o) {
    if (objTables[o] != objTables[p]) {
      return objTables[o] > objTables[p];
    }
    if (objKeyTypes[o] != objKeyTypes[p]) {
      return objKeyTypes[o].ordinal() > objKeyTypes[p].ordinal();
    }
    if (objKeyA[o] != objKeyA[p]) {
      return objKeyA[o] > objKeyA[p];
    }
    return objKeyB[o] > objKeyB[p];
  }

  /**
   * Enters objects {@code 0..n-1} (distinct) into the all-zero {@link #objHash}, grown first if
   * it would be more than half full.
   */
  private void hashAll(int n) {
    int size = objHash.length;
    while ((long) (n + 1) * 2 > size) {
      size *= 2;
    }
    if (size != objHash.length) {
      objHash = new int[size];
    }
    int mask = size - 1;
    for (int i = 0; i < n; i++) {
      int s = (keyHash(i) >>> 7) & mask;
      while (objHash[s] != 0) {
        s = (s + 1) & mask;
      }
      objHash[s] = i + 1;
    }
    hashed = true;
  }

  /** Empties the duplicate table for a new changeset (nothing to do if it was not needed). */
  private void clearHash() {
    if (hashed) {
      Arrays.fill(objHash, 0);
      hashed = false;
    }
  }

  /** Whether object {@code o} has the current instruction's table and key: one reader call. */
  private boolean sameKey(int o) {
    return reader.objectKeyMatches(objTables[o], objKeyTypes[o], objKeyA[o], objKeyB[o]);
  }

  private int keyHash(int o) {
    long h = objKeyA[o] * 0x9E3779B97F4A7C15L + objKeyB[o];
    h = (h ^ (h >>> 29)) * 0xBF58476D1CE4E5B9L + objTables[o];
    return (int) (h ^ (h >>> 32));
  }

  private boolean update() {
    if (objCount == 0) {
      return false;
    }
    int last = objCount - 1;
    // only the object created last: anything else (or an unknown object) takes the general path
    if (!sameKey(last)) {
      return false;
    }
    int n = reader.pathLength();
    if (n > ChangesetIngestor.MAX_PATH_LENGTH) {
      return false;
    }
    int node = objNodes[last];
    Plan plan = nodePlans[node];
    int prop = plan.property(reader, reader.field(), generation);
    for (int i = 0; i < n; i++) {
      // the path goes down through embedded objects only, by property name
      if (prop < 0 || plan.embedded(prop) == null || reader.isPathIndex(i)) {
        return false;
      }
      int ref = slotRefs[nodeSlots[node] + prop];
      if (ref > -2) {
        return false; // no embedded object there (unset or null): the general path reports it
      }
      node = -ref - 2;
      plan = nodePlans[node];
      prop = plan.property(reader, reader.pathKey(i), generation);
    }
    if (prop < 0) {
      return false;
    }
    return setValue(node, plan, prop);
  }

  /** Encodes the Update's payload as property {@code prop} of {@code node}. */
  private boolean setValue(int node, Plan plan, int prop) {
    PayloadType t = reader.valueType();
    int slot = nodeSlots[node] + prop;
    switch (t) {
      case NULL:
        {
          if (!plan.nullable[prop]) {
            return false;
          }
          int entry = arenaSize;
          if (openEntry(plan, prop, 2) < 0) {
            return false;
          }
          arena[arenaSize++] = 0x08; // Value.null_value = NULL_VALUE (0)
          arena[arenaSize++] = 0;
          slotRefs[slot] = entry;
          slotLengths[slot] = arenaSize - entry;
          return true;
        }
      case OBJECT_VALUE:
        {
          Plan child = plan.embedded(prop);
          if (child == null) {
            return false;
          }
          int c = newNode(child); // replaces any earlier embedded object, like the general path
          if (c < 0) {
            return false;
          }
          slotRefs[nodeSlots[node] + prop] = -c - 2;
          return true;
        }
      case INT:
      case BOOL:
      case STRING:
      case BINARY:
      case TIMESTAMP:
      case FLOAT:
      case DOUBLE:
      case DECIMAL:
      case OBJECT_ID:
      case UUID:
        if (plan.types[prop] != t && plan.types[prop] != PayloadType.GLOBAL_KEY) { // GLOBAL_KEY: mixed
          return false;
        }
        {
          int entry = arenaSize;
          if (openEntry(plan, prop, scalarSize(t)) < 0) {
            return false;
          }
          encodeScalar(t);
          slotRefs[slot] = entry;
          slotLengths[slot] = arenaSize - entry;
          return true;
        }
      default: // links, collections, markers: the general path
        return false;
    }
  }

  /**
   * Writes the header of property {@code prop}'s map entry in a node of {@code plan} (the node's
   * fields tag, the entry length, the key, the Value field's tag and length) for a Value of {@code
   * valueSize} bytes, with room for the Value after it.
   *
   * @return the arena offset where the Value goes, or -1 past {@link #MAX_ARENA}
   */
  private int openEntry(Plan plan, int prop, int valueSize) {
    if (valueSize <= plan.smallMax[prop]) {
      // the usual case: a short key and a Value under 128 bytes whatever its size (texts,
      // timestamps and varints of any length): the header's two words with its two one-byte
      // lengths patched in; whatever follows the header is overwritten by the value
      if (!reserve(HEADER_WORDS_BYTES + valueSize)) {
        return -1;
      }
      byte[] a = arena;
      int p = arenaSize;
      int length = plan.smallLengths[prop];
      LONG.set(a, p, plan.smallWords[2 * prop]);
      LONG.set(a, p + 8, plan.smallWords[2 * prop + 1]);
      a[p + 1] = (byte) (length - 2 + valueSize); // the entry: key, Value tag and length, Value
      a[p + length - 1] = (byte) valueSize;
      arenaSize = p + length;
      return arenaSize;
    }
    if (plan.headerValueSizes[prop] == valueSize) {
      // the usual case: the same value size as last time (fixed-size types, same-length texts):
      // the whole header as two words, whatever follows the header is overwritten by the value
      if (!reserve(HEADER_WORDS_BYTES + valueSize)) {
        return -1;
      }
      byte[] a = arena;
      int p = arenaSize;
      LONG.set(a, p, plan.headerWords[2 * prop]);
      LONG.set(a, p + 8, plan.headerWords[2 * prop + 1]);
      arenaSize = p + plan.headerLengths[prop];
      return arenaSize;
    }
    return openNewEntry(plan, prop, valueSize);
  }

  /** {@link #openEntry} for a value size other than the last one: the header written out. */
  private int openNewEntry(Plan plan, int prop, int valueSize) {
    byte[] key = plan.keys[prop];
    int entry = key.length + 1 + varintSize(valueSize) + valueSize;
    if (!reserve(HEADER_WORDS_BYTES + 1 + 5 + entry)) { // keepHeader reads two words
      return -1;
    }
    byte[] a = arena;
    int start = arenaSize;
    int p = start;
    a[p++] = plan.fieldTag;
    p = putVarint(a, p, entry);
    p = copy(key, 0, a, p, key.length);
    a[p++] = 0x12; // entry value
    p = putVarint(a, p, valueSize);
    arenaSize = p;
    plan.keepHeader(prop, valueSize, a, start, p - start);
    return p;
  }

  /**
   * The size of the current scalar payload's Value message, as {@link #encodeScalar} writes it.
   * A decimal is encoded here already (into {@link #decimal}).
   */
  private int scalarSize(PayloadType t) {
    switch (t) {
      case INT:
        return 1 + varintSize(reader.intValue());
      case BOOL:
        return 2;
      case STRING:
      case BINARY:
        {
          int len = reader.valueLength();
          return 1 + varintSize(len) + len;
        }
      case TIMESTAMP:
        return 2 + timestampSize(reader.timestampSeconds(), reader.timestampNanos());
      case FLOAT:
        return 5;
      case DOUBLE:
        return 9;
      case OBJECT_ID:
        return 26;
      case UUID:
        return 38;
      default: // DECIMAL: rare; its text form needs BigDecimal anyway
        decimal = Values.of(reader.payload()).toByteArray();
        return decimal.length;
    }
  }

  private static int timestampSize(long s, long ns) {
    return (s != 0 ? 1 + varintSize(s) : 0) + (ns != 0 ? 1 + varintSize(ns) : 0);
  }

  /**
   * Appends the current scalar payload as a Value message (changeset.md §11.2 conversions), in
   * the {@link #scalarSize} bytes {@link #openEntry} made room for.
   */
  private void encodeScalar(PayloadType t) {
    // one small method per type: this dispatch stays small enough for C2 to inline into
    // setValue (a single method with every case was "hot method too big": a call per Update)
    switch (t) {
      case INT:
        encodeInt();
        return;
      case BOOL:
        arena[arenaSize++] = 0x18;
        arena[arenaSize++] = (byte) (reader.boolValue() ? 1 : 0);
        return;
      case STRING:
      case BINARY:
        encodeBytes(t);
        return;
      case TIMESTAMP:
        encodeTimestamp();
        return;
      case FLOAT:
        arena[arenaSize++] = 0x3d; // fixed32, little-endian raw bits
        putFixed(Float.floatToRawIntBits(reader.floatValue()) & 0xFFFFFFFFL, 4);
        return;
      case DOUBLE:
        encodeDouble();
        return;
      case OBJECT_ID:
        encodeObjectId();
        return;
      case UUID:
        encodeUuid();
        return;
      default: // DECIMAL, encoded by scalarSize
        encodeDecimal();
        return;
    }
  }

  private void encodeInt() {
    arena[arenaSize++] = 0x10;
    putVarint(reader.intValue());
  }

  private void encodeBytes(PayloadType t) {
    int len = reader.valueLength();
    arena[arenaSize++] = (byte) (t == PayloadType.STRING ? 0x22 : 0x2a);
    putVarint(len);
    // the reader checked the UTF-8: its bytes are the String's encoding
    arenaSize += reader.copyValue(arena, arenaSize);
  }

  private void encodeTimestamp() {
    long s = reader.timestampSeconds();
    long ns = reader.timestampNanos(); // int32: sign-extended, like protobuf
    putTimestamp(s, ns, timestampSize(s, ns));
  }

  /** A timestamp Value of {@code s} seconds, {@code ns} nanoseconds, {@code size} ({@link #timestampSize}) bytes of fields. */
  private void putTimestamp(long s, long ns, int size) {
    arena[arenaSize++] = 0x32;
    arena[arenaSize++] = (byte) size; // at most 22
    if (s != 0) {
      arena[arenaSize++] = 0x08;
      putVarint(s);
    }
    if (ns != 0) {
      arena[arenaSize++] = 0x10;
      putVarint(ns);
    }
  }

  private void encodeDouble() {
    arena[arenaSize++] = 0x41; // fixed64, little-endian raw bits
    LONG.set(arena, arenaSize, Double.doubleToRawLongBits(reader.doubleValue()));
    arenaSize += 8;
  }

  private void encodeObjectId() {
    arena[arenaSize++] = 0x52;
    arena[arenaSize++] = 24;
    putHex(reader.objectIdValueHigh() & 0xFFFFFFFFL, 4);
    putHex(reader.objectIdValueLow(), 8);
  }

  private void encodeUuid() {
    arena[arenaSize++] = 0x5a;
    arena[arenaSize++] = 36;
    putUuid(reader.uuidMostSignificantBits(), reader.uuidLeastSignificantBits());
  }

  private void encodeDecimal() {
    System.arraycopy(decimal, 0, arena, arenaSize, decimal.length);
    arenaSize += decimal.length;
    decimal = null;
  }

  // --- finishing: the same bytes as ChangesetIngestor.finish ---

  private void finish(ChangesetIngestor.Origin origin, IngestRecords out) {
    int trailerSize = trailer(origin);
    // sizes bottom-up: an embedded node is always created after its parent
    for (int node = nodeCount - 1; node >= 0; node--) {
      Plan plan = nodePlans[node];
      int base = nodeSlots[node];
      int size = 0;
      for (int i = 0; i < plan.properties.length; i++) {
        int ref = slotRefs[base + i];
        if (ref >= 0) {
          size += slotLengths[base + i];
        } else if (ref == -1) {
          size += plan.defaultEntries[i].length;
        } else {
          size += embeddedEntrySize(plan, i, -ref - 2);
        }
      }
      nodeSizes[node] = size;
    }
    for (int o = 0; o < objCount; o++) {
      int node = objNodes[o];
      Plan plan = nodePlans[node];
      int pkLength = objPkLengths[o];
      int size = plan.classNameField.length + 1 + varintSize(pkLength) + pkLength + nodeSizes[node] + trailerSize;
      // straight into the records' shared buffer: no array per object
      byte[] bytes = out.reserve(size);
      int start = out.end();
      int p = put(bytes, start, plan.classNameField);
      bytes[p++] = 0x12; // IngestedObject.primary_key
      p = putVarint(bytes, p, pkLength);
      p = copy(arena, objPkOffsets[o], bytes, p, pkLength);
      p = writeFields(bytes, p, node);
      p = copy(trailer, 0, bytes, p, trailerSize);
      if (p - start != size) { // sizes and writes mirror each other; a mismatch is a bug here, not bad input
        throw new IllegalStateException(
            "object " + plan.cls.name() + ": serialised size " + size + " does not match its " + (p - start) + " bytes");
      }
      add(out, plan.cls.name(), o, size);
    }
  }

  /** The size of an EmbeddedObject message: class name and fields. */
  private int embeddedSize(int node) {
    return nodePlans[node].classNameField.length + nodeSizes[node];
  }

  /** The size of property {@code i}'s map entry holding embedded node {@code child}. */
  private int embeddedEntrySize(Plan plan, int i, int child) {
    // the entry is its header (up to the embedded class name) and the child's fields
    return plan.embeddedHeaderLength(i, nodePlans[child], embeddedSize(child)) + nodeSizes[child];
  }

  /**
   * Writes every property of {@code node} as map entries, in schema order: the entries of set
   * properties from the arena (those lying back to back in one copy), defaults, embedded objects.
   */
  private int writeFields(byte[] b, int p, int node) {
    Plan plan = nodePlans[node];
    int base = nodeSlots[node];
    int runStart = 0;
    int runEnd = -1; // no run
    for (int i = 0; i < plan.properties.length; i++) {
      int slot = base + i;
      int ref = slotRefs[slot];
      if (ref >= 0) {
        if (ref != runEnd) {
          if (runEnd >= 0) {
            p = copy(arena, runStart, b, p, runEnd - runStart);
          }
          runStart = ref;
        }
        runEnd = ref + slotLengths[slot];
        continue;
      }
      if (runEnd >= 0) {
        p = copy(arena, runStart, b, p, runEnd - runStart);
        runEnd = -1;
      }
      if (ref == -1) {
        p = put(b, p, plan.defaultEntries[i]);
      } else {
        int child = -ref - 2;
        int length = plan.embeddedHeaderLength(i, nodePlans[child], embeddedSize(child));
        p = copy(plan.embeddedHeaders[i], 0, b, p, length);
        p = writeFields(b, p, child);
      }
    }
    if (runEnd >= 0) {
      p = copy(arena, runStart, b, p, runEnd - runStart);
    }
    return p;
  }

  /** Ends object {@code o}'s record of {@code size} bytes: its key as numbers, no {@code Value} or hex string. */
  private void add(IngestRecords out, String className, int o, int size) {
    switch (objKeyTypes[o]) {
      case INT:
        out.addIntKey(className, objKeyA[o], size);
        return;
      case STRING:
        out.addStringKey(className, reader.internedString((int) objKeyA[o]), size);
        return;
      case OBJECT_ID:
        out.addObjectIdKey(className, (int) objKeyA[o], objKeyB[o], size);
        return;
      default:
        out.addUuidKey(className, objKeyA[o], objKeyB[o], size);
        return;
    }
  }

  /** Encodes the origin fields every object of the changeset ends with; returns their size. */
  private int trailer(ChangesetIngestor.Origin origin) {
    int size = origin.trailerSize();
    if (trailer.length < size) {
      trailer = new byte[size];
    }
    CodedOutputStream out = CodedOutputStream.newInstance(trailer, 0, size);
    try {
      origin.writeTrailer(out);
      out.checkNoSpaceLeft();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("origin of " + size + " bytes: " + e.getMessage(), e);
    }
    return size;
  }

  // --- storage ---

  private int newNode(Plan plan) {
    int n = nodeCount;
    if (n == nodePlans.length) {
      nodePlans = Arrays.copyOf(nodePlans, n * 2);
      nodeSlots = Arrays.copyOf(nodeSlots, n * 2);
      nodeSizes = Arrays.copyOf(nodeSizes, n * 2);
    }
    int slots = plan.properties.length;
    if (slotCount + slots > slotRefs.length) {
      long want = Math.max((long) slotRefs.length * 2, (long) slotCount + slots);
      if (want > MAX_SLOTS) {
        return -1;
      }
      slotRefs = Arrays.copyOf(slotRefs, (int) want);
      slotLengths = Arrays.copyOf(slotLengths, (int) want);
    }
    nodePlans[n] = plan;
    nodeSlots[n] = slotCount;
    int[] refs = slotRefs;
    for (int i = slotCount, end = slotCount + slots; i < end; i++) {
      refs[i] = -1;
    }
    slotCount += slots;
    nodeCount = n + 1;
    return n;
  }

  private void growObjects() {
    int n = objNodes.length * 2;
    objNodes = Arrays.copyOf(objNodes, n);
    objTables = Arrays.copyOf(objTables, n);
    objKeyTypes = Arrays.copyOf(objKeyTypes, n);
    objKeyA = Arrays.copyOf(objKeyA, n);
    objKeyB = Arrays.copyOf(objKeyB, n);
    objPkOffsets = Arrays.copyOf(objPkOffsets, n);
    objPkLengths = Arrays.copyOf(objPkLengths, n);
  }

  /** Doubles {@link #objHash}, which holds objects {@code 0..objCount-1}, and enters them again. */
  private void rehash() {
    objHash = new int[objHash.length * 2];
    hashAll(objCount);
  }

  /**
   * Makes room for {@code n} more arena bytes; false past {@link #MAX_ARENA}. While streaming, the
   * arena is the records' array: grown by them, up to their byte limit (past it, their {@link
   * IngestRecords.LimitExceededException}).
   */
  private boolean reserve(int n) {
    if (arenaSize + n <= arena.length) {
      return true;
    }
    if (sink != null) { // streaming: the arena is the records' array (LimitExceededException past their limit)
      arena = sink.reserve(arenaSize - sink.end() + n);
      return true;
    }
    long want = Math.max((long) arena.length * 2, (long) arenaSize + n);
    if (want > MAX_ARENA) {
      return false;
    }
    arena = Arrays.copyOf(arena, (int) want);
    return true;
  }

  private void putVarint(long v) {
    arenaSize = putVarint(arena, arenaSize, v);
  }

  private void putFixed(long v, int n) {
    byte[] a = arena;
    int p = arenaSize;
    for (int i = 0; i < n; i++, v >>>= 8) {
      a[p + i] = (byte) v;
    }
    arenaSize = p + n;
  }

  /**
   * A protobuf varint at {@code b[p]}: {@code v} as unsigned, 7 bits a byte, low bits first (int64
   * as uint64); returns the index after it. Also the LMDB sink's record trailer.
   */
  public static int putVarint(byte[] b, int p, long v) {
    if ((v & ~0x7FL) == 0) { // most lengths and small values: one byte
      b[p] = (byte) v;
      return p + 1;
    }
    if ((v & ~0x3FFFL) == 0) {
      b[p] = (byte) (v | 0x80);
      b[p + 1] = (byte) (v >>> 7);
      return p + 2;
    }
    while ((v & ~0x7FL) != 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p++] = (byte) v;
    return p;
  }

  static int varintSize(long v) {
    return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
  }

  private static int put(byte[] b, int p, byte[] src) {
    return copy(src, 0, b, p, src.length);
  }

  /**
   * Copies {@code n} bytes; returns {@code to + n}. Short copies (most keys and values) move 8 or
   * 4 bytes at a time, the last word overlapping the one before: arraycopy's call costs more, and
   * a byte loop was a tenth of the ingest thread's samples.
   */
  private static int copy(byte[] src, int from, byte[] dst, int to, int n) {
    if (n >= 8) {
      if (n > 32) {
        System.arraycopy(src, from, dst, to, n);
        return to + n;
      }
      int last = n - 8;
      for (int i = 0; i < last; i += 8) {
        LONG.set(dst, to + i, (long) LONG.get(src, from + i));
      }
      LONG.set(dst, to + last, (long) LONG.get(src, from + last));
    } else if (n >= 4) {
      INT.set(dst, to, (int) INT.get(src, from));
      INT.set(dst, to + n - 4, (int) INT.get(src, from + n - 4));
    } else {
      for (int i = 0; i < n; i++) {
        dst[to + i] = src[from + i];
      }
    }
    return to + n;
  }

  /**
   * The {@code n} (2, 4, 6 or 8) low bytes of {@code v}, big-endian, as lower-case hex digits: up
   * to eight digits at a time ({@link #hex8}).
   */
  private void putHex(long v, int n) {
    byte[] a = arena;
    int p = arenaSize;
    if ((n & 2) != 0) { // a leading 2-byte group: the last four of its eight digits
      n -= 2;
      INT_BE.set(a, p, (int) hex8((int) (v >>> (8 * n)) & 0xFFFF));
      p += 4;
    }
    while (n > 0) {
      n -= 4;
      LONG_BE.set(a, p, hex8((int) (v >>> (8 * n))));
      p += 8;
    }
    arenaSize = p;
  }

  /**
   * The eight lower-case hex digits of {@code x} as ASCII bytes, the first digit in the most
   * significant byte: each nibble spread into a byte of its own, then offset to '0'..'9' or
   * 'a'..'f' (no carry crosses a byte).
   */
  static long hex8(int x) {
    long v = x & 0xFFFFFFFFL;
    v = (v | v << 16) & 0x0000FFFF0000FFFFL;
    v = (v | v << 8) & 0x00FF00FF00FF00FFL;
    v = (v | v << 4) & 0x0F0F0F0F0F0F0F0FL;
    long letters = ((v + 0x0606060606060606L) >>> 4) & 0x0101010101010101L; // 1 per digit >= 10
    return v + 0x3030303030303030L + letters * ('a' - '0' - 10);
  }

  /** The 36-character form of a UUID, as {@link java.util.UUID#toString()}. */
  private void putUuid(long msb, long lsb) {
    putHex(msb >>> 32, 4);
    arena[arenaSize++] = '-';
    putHex(msb >>> 16, 2);
    arena[arenaSize++] = '-';
    putHex(msb, 2);
    arena[arenaSize++] = '-';
    putHex(lsb >>> 48, 2);
    arena[arenaSize++] = '-';
    putHex(lsb, 6);
  }

  private Plan plan(ObjectClass c) {
    Plan p = plans.get(c);
    if (p == null) {
      p = new Plan(c);
      plans.put(c, p);
    }
    return p;
  }

  /** A class's properties in schema order with what the direct path accepts for each. */
  private final class Plan {
    final ObjectClass cls;
    final Property[] properties;
    final int primaryKey; // index, -1 for embedded classes
    final PayloadType primaryKeyType;
    /** Per property: its map entry holding its default Value (changeset.md §11.2). */
    final byte[][] defaultEntries;
    /** The tag byte of the fields (map) field of this class's messages. */
    final byte fieldTag;
    /**
     * Per property: the value size its last map entry header was written for (-1: none kept),
     * the header's length and its bytes as two little-endian words (headers of up to {@link
     * DirectIngest#HEADER_WORDS_BYTES} bytes).
     */
    final int[] headerValueSizes;
    final int[] headerLengths;
    final long[] headerWords;
    /**
     * Per property whose entry header is at most {@link DirectIngest#HEADER_WORDS_BYTES} bytes
     * with one-byte lengths: the largest Value size that keeps both lengths one byte (-1: none),
     * the header's length, and its bytes as two little-endian words with both lengths zero
     * (fields tag, entry length, key, Value tag, Value length), for {@link #openEntry} to patch.
     */
    final int[] smallMax;
    final int[] smallLengths;
    final long[] smallWords;
    /** Per property: its name as a map entry's key (field 1: tag, length, UTF-8). */
    final byte[][] keys;
    final byte[] classNameField;
    /** Per property: the scalar payload type it takes, GLOBAL_KEY for any (mixed), null for none. */
    final PayloadType[] types;
    final boolean[] nullable;
    /**
     * Per property holding an embedded object: its map entry's header up to and including the
     * embedded class name field (fields tag, entry length, key, value tag and length, object_value
     * tag and length, class name), for an EmbeddedObject of {@code embeddedHeaderSizes[i]} bytes
     * (-1: none yet), in an array kept at its largest length (no allocation when a size changes).
     */
    final byte[][] embeddedHeaders;
    final int[] embeddedHeaderSizes;
    final int[] embeddedHeaderLengths;
    private final Plan[] embedded; // resolved on first use
    private final boolean[] embeddedResolved;
    // property index by intern index of the changeset stamped: -1 for not settable directly
    int[] internProps = new int[16];
    int[] internStamps = new int[16];

    Plan(ObjectClass c) {
      cls = c;
      properties = c.properties().toArray(new Property[0]);
      int n = properties.length;
      defaultEntries = new byte[n][];
      headerValueSizes = new int[n];
      Arrays.fill(headerValueSizes, -1);
      headerLengths = new int[n];
      headerWords = new long[2 * n];
      smallMax = new int[n];
      smallLengths = new int[n];
      smallWords = new long[2 * n];
      fieldTag =
          (byte) ((c.kind() == ClassKind.EMBEDDED ? EmbeddedObject.FIELDS_FIELD_NUMBER : IngestedObject.FIELDS_FIELD_NUMBER) << 3 | 2);
      keys = new byte[n][];
      types = new PayloadType[n];
      nullable = new boolean[n];
      embedded = new Plan[n];
      embeddedResolved = new boolean[n];
      embeddedHeaders = new byte[n][];
      embeddedHeaderSizes = new int[n];
      Arrays.fill(embeddedHeaderSizes, -1);
      embeddedHeaderLengths = new int[n];
      int pk = -1;
      for (int i = 0; i < n; i++) {
        Property p = properties[i];
        if (p.name().equals(c.primaryKey())) {
          pk = i;
        }
        keys[i] = ChangesetIngestor.stringField(1, p.name());
        smallHeader(i);
        defaultEntries[i] = entry(fieldTag, keys[i], ChangesetIngestor.defaultValue(p).toByteArray());
        nullable[i] = p.optional();
        types[i] = p.type() == PropertyType.MIXED ? PayloadType.GLOBAL_KEY : SchemaWire.payloadType(p.type());
      }
      primaryKey = pk;
      primaryKeyType = pk < 0 ? null : SchemaWire.payloadType(properties[pk].type());
      classNameField = c.name().isEmpty() ? new byte[0] : ChangesetIngestor.stringField(1, c.name());
    }

    /** Fills {@link #smallMax}, {@link #smallLengths} and {@link #smallWords} for property {@code i}. */
    private void smallHeader(int i) {
      byte[] key = keys[i];
      int length = key.length + 4; // fields tag, entry length, key, Value tag, Value length
      if (length > HEADER_WORDS_BYTES) {
        smallMax[i] = -1;
        return;
      }
      byte[] h = new byte[HEADER_WORDS_BYTES];
      h[0] = fieldTag;
      put(h, 2, key);
      h[length - 2] = 0x12; // entry value
      smallMax[i] = 127 - (length - 2); // the entry length (length - 2 + value size) one byte too
      smallLengths[i] = length;
      smallWords[2 * i] = (long) LONG.get(h, 0);
      smallWords[2 * i + 1] = (long) LONG.get(h, 8);
    }

    /**
     * Keeps property {@code i}'s entry header of {@code length} bytes at {@code a[at]} if short
     * ({@code a} holds two words there; bytes past the header are kept too, and later overwritten
     * by the value).
     */
    void keepHeader(int i, int valueSize, byte[] a, int at, int length) {
      if (length > HEADER_WORDS_BYTES) {
        return;
      }
      headerWords[2 * i] = (long) LONG.get(a, at);
      headerWords[2 * i + 1] = (long) LONG.get(a, at + 8);
      headerLengths[i] = length;
      headerValueSizes[i] = valueSize;
    }

    private byte[] entry(byte tag, byte[] key, byte[] value) {
      int entry = key.length + 1 + varintSize(value.length) + value.length;
      byte[] b = new byte[1 + varintSize(entry) + entry];
      b[0] = tag;
      int p = putVarint(b, 1, entry);
      p = put(b, p, key);
      b[p++] = 0x12; // entry value
      p = putVarint(b, p, value.length);
      put(b, p, value);
      return b;
    }

    /**
     * The length of property {@code i}'s entry header (see {@link #embeddedHeaders}) for an
     * embedded object of class {@code child} whose EmbeddedObject message (class name and fields)
     * is {@code size} bytes; the header is in {@code embeddedHeaders[i]} afterwards. Built again
     * only when the size differs from the last one (same-sized embedded objects: one compare).
     */
    int embeddedHeaderLength(int i, Plan child, int size) {
      if (embeddedHeaderSizes[i] == size) {
        return embeddedHeaderLengths[i];
      }
      int valueSize = 1 + varintSize(size) + size;
      int entry = keys[i].length + 1 + varintSize(valueSize) + valueSize;
      // 1 + 5 + key + 1 + 5 + 1 + 5 + class name: the longest header (varints of sizes < 2^31),
      // plus a word of slack for copy()
      int room = 18 + keys[i].length + child.classNameField.length + 8;
      byte[] h = embeddedHeaders[i];
      if (h == null || h.length < room) {
        h = new byte[room];
        embeddedHeaders[i] = h;
      }
      h[0] = fieldTag;
      int p = putVarint(h, 1, entry);
      p = put(h, p, keys[i]);
      h[p++] = 0x12; // entry value
      p = putVarint(h, p, valueSize);
      h[p++] = 0x62; // Value.object_value
      p = putVarint(h, p, size);
      p = put(h, p, child.classNameField);
      embeddedHeaderLengths[i] = p;
      embeddedHeaderSizes[i] = size;
      return p;
    }

    /** The plan of property {@code i}'s embedded class, or null if it holds no embedded object. */
    Plan embedded(int i) {
      if (!embeddedResolved[i]) {
        Property p = properties[i];
        if (p.type() == PropertyType.OBJECT && p.collection() == CollectionKind.SINGLE) {
          ObjectClass target = planSchema.objectClass(p.objectType()).orElse(null);
          if (target != null && target.kind() == ClassKind.EMBEDDED) {
            embedded[i] = plan(target);
          }
        }
        embeddedResolved[i] = true;
      }
      return embedded[i];
    }

    /**
     * The index of the property named by intern index {@code intern}, or -1 if the direct path
     * cannot set it (unknown, the primary key, a collection).
     */
    int property(ChangesetReader r, int intern, int gen) {
      if (intern >= internStamps.length) {
        int n = Math.max(intern + 1, internStamps.length * 2);
        internStamps = Arrays.copyOf(internStamps, n);
        internProps = Arrays.copyOf(internProps, n);
      }
      if (internStamps[intern] != gen) {
        int found = -1;
        String name = r.internedString(intern);
        for (int i = 0; i < properties.length; i++) {
          if (properties[i].name().equals(name)) {
            if (i != primaryKey && properties[i].collection() == CollectionKind.SINGLE) {
              found = i;
            }
            break;
          }
        }
        internProps[intern] = found;
        internStamps[intern] = gen;
      }
      return internProps[intern];
    }
  }
}
