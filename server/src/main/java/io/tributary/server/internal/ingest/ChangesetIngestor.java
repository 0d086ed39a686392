package io.tributary.server.internal.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.changeset.ChangesetFormatException;
import io.tributary.protocol.changeset.ChangesetReader;
import io.tributary.protocol.changeset.CollectionType;
import io.tributary.protocol.changeset.InstructionType;
import io.tributary.protocol.changeset.Payload;
import io.tributary.protocol.changeset.PayloadType;
import io.tributary.protocol.changeset.PrimaryKey;
import io.tributary.protocol.changeset.TableType;
import io.tributary.server.AppSchema;
import io.tributary.server.AppSchema.ClassKind;
import io.tributary.server.AppSchema.CollectionKind;
import io.tributary.server.AppSchema.ObjectClass;
import io.tributary.server.AppSchema.Property;
import io.tributary.server.AppSchema.PropertyType;
import io.tributary.server.SchemaException;
import io.tributary.server.Values;
import io.tributary.server.proto.Decimal128;
import io.tributary.server.proto.EmbeddedObject;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Link;
import io.tributary.server.proto.RealmTimestamp;
import io.tributary.server.proto.Value;
import io.tributary.server.proto.ValueList;
import io.tributary.server.proto.ValueMap;
import io.tributary.server.spi.IngestRecord;
import io.tributary.server.spi.IngestRecords;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns changesets into new objects (spec changeset.md §11): validates schema instructions
 * against the app schema (adopting new classes and properties in development mode), accepts only
 * CreateObject of asymmetric classes and instructions that address objects created earlier in the
 * same changeset, applies them to an in-memory object tree and emits one record (the serialised
 * {@link IngestedObject}, into {@link IngestRecords} or as an {@link IngestRecord}) per created object, with defaults for properties never
 * set. Changesets in realm-core's usual order (CreateObject, then Updates of that object and its
 * embedded objects) take a direct path ({@link DirectIngest}) that writes the same bytes without
 * the tree; any other changeset, and every error, goes through the general path.
 *
 * <p>One UPLOAD at a time: {@link #begin} with the schema in force, {@link #ingest} per
 * changeset, then {@link #schema()} holds the schema after any adoption (the caller keeps it only
 * if the whole UPLOAD is accepted). Not thread safe; reuse one per ingest thread.
 */
public final class ChangesetIngestor {
  /**
   * Longest path accepted: each path element nests the stored record about three protobuf levels
   * deeper, and protobuf refuses to parse records nested more than 100 levels.
   */
  static final int MAX_PATH_LENGTH = 30;

  private static final Value ZERO_DECIMAL = zeroDecimal();
  private static final Value NULL = Values.nullValue();

  private final ChangesetReader reader = new ChangesetReader();
  private final IngestRecords scratch = new IngestRecords(); // for the List flavour of ingest
  // realm-core's usual instruction order straight to bytes; null: the general path only (tests)
  private final DirectIngest direct;
  private long directChangesets;
  private AppSchema schema = AppSchema.empty();
  private boolean developmentMode;
  private boolean schemaChanged;

  private final Map<ObjectClass, Plan> plans = new java.util.IdentityHashMap<>();

  // per changeset
  private final Map<ObjKey, ObjNode> created = new LinkedHashMap<>();
  // property lookups by intern index: valid where propertyClasses[i] is the class looked in
  private ObjectClass[] propertyClasses = new ObjectClass[16];
  private Property[] properties = new Property[16];
  private int cachedProperties;
  // the object the last CreateObject or path instruction addressed, by the reader's raw key
  // (intern indexes are per changeset): consecutive instructions on one object skip the lookup
  private ObjNode lastNode;
  private int lastTable;
  private PayloadType lastKeyType;
  private long lastKey;
  private final byte[] lastKeyBytes = new byte[16];
  private final byte[] keyBytes = new byte[16];
  private long clientVersion;

  /** An ingestor that takes the direct path for realm-core's usual instruction order. */
  public ChangesetIngestor() {
    this(true);
  }

  /** With {@code direct} false, every changeset takes the general path (to compare the two). */
  ChangesetIngestor(boolean direct) {
    this.direct = direct ? new DirectIngest(reader) : null;
  }

  /** How many changesets the direct path handled (for tests). */
  long directChangesets() {
    return directChangesets;
  }

  /** How many of those the direct path wrote as it read them, without its arena (for tests). */
  long streamedChangesets() {
    return direct == null ? 0 : direct.streamedChangesets();
  }

  /** Where a changeset came from, copied into every object it creates. */
  public record Origin(long fileIdent, long clientVersion, long originTimestamp, String userId) {
    /** Checks for null. */
    public Origin {
      Objects.requireNonNull(userId, "userId");
    }

    /** The origin time in Unix milliseconds (origin_timestamp_ms of the record). */
    long timestampMs() {
      return originTimestamp + Values.REALM_EPOCH_OFFSET_MS;
    }

    /**
     * The size of the origin fields every record of this changeset ends with (protobuf: only
     * fields that are not zero or empty), as {@link #writeTrailer} writes them.
     */
    int trailerSize() {
      long timestampMs = timestampMs();
      int size = 0;
      if (fileIdent != 0) {
        size += CodedOutputStream.computeUInt64Size(IngestedObject.ORIGIN_FILE_IDENT_FIELD_NUMBER, fileIdent);
      }
      if (clientVersion != 0) {
        size += CodedOutputStream.computeUInt64Size(IngestedObject.CLIENT_VERSION_FIELD_NUMBER, clientVersion);
      }
      if (timestampMs != 0) {
        size += CodedOutputStream.computeInt64Size(IngestedObject.ORIGIN_TIMESTAMP_MS_FIELD_NUMBER, timestampMs);
      }
      if (!userId.isEmpty()) {
        size += CodedOutputStream.computeStringSize(IngestedObject.USER_ID_FIELD_NUMBER, userId);
      }
      return size;
    }

    /** Writes the origin fields ({@link #trailerSize} bytes). */
    void writeTrailer(CodedOutputStream out) throws java.io.IOException {
      long timestampMs = timestampMs();
      if (fileIdent != 0) {
        out.writeUInt64(IngestedObject.ORIGIN_FILE_IDENT_FIELD_NUMBER, fileIdent);
      }
      if (clientVersion != 0) {
        out.writeUInt64(IngestedObject.CLIENT_VERSION_FIELD_NUMBER, clientVersion);
      }
      if (timestampMs != 0) {
        out.writeInt64(IngestedObject.ORIGIN_TIMESTAMP_MS_FIELD_NUMBER, timestampMs);
      }
      if (!userId.isEmpty()) {
        out.writeString(IngestedObject.USER_ID_FIELD_NUMBER, userId);
      }
    }
  }

  /**
   * Starts an UPLOAD.
   *
   * @param schema the app schema in force
   * @param developmentMode whether unknown classes and properties are adopted
   */
  public void begin(AppSchema schema, boolean developmentMode) {
    if (schema != this.schema) {
      plans.clear(); // keyed by class identity: drop the classes of a schema no longer in force
    }
    this.schema = Objects.requireNonNull(schema, "schema");
    this.developmentMode = developmentMode;
    this.schemaChanged = false;
  }

  /** The schema after the changesets ingested since {@link #begin}. */
  public AppSchema schema() {
    return schema;
  }

  /** Whether a changeset since {@link #begin} adopted a class or property. */
  public boolean schemaChanged() {
    return schemaChanged;
  }

  /**
   * Validates one changeset and appends the objects it creates to {@code out}, in creation order
   * (as {@link #ingest(ByteBuffer, Origin, IngestRecords)}, then a record per object: tests, tools).
   *
   * @param changeset the changeset bytes, position to limit; borrowed for the call
   * @param origin copied into each object
   * @param out receives the objects; on failure, nothing is appended
   * @throws IngestException 212 or 225 with what was wrong and at which byte
   */
  public void ingest(ByteBuffer changeset, Origin origin, List<IngestRecord> out) throws IngestException {
    IngestRecords records = scratch;
    records.clear();
    ingest(changeset, origin, records);
    for (int i = 0; i < records.size(); i++) {
      out.add(records.record(i));
    }
    records.clear();
  }

  /**
   * Validates one changeset and appends the objects it creates to {@code out}, in creation order.
   *
   * @param changeset the changeset bytes, position to limit; borrowed for the call
   * @param origin copied into each object
   * @param out receives the objects; on failure, nothing is appended
   * @throws IngestException 212 or 225 with what was wrong and at which byte; 212 naming the limit
   *     if the objects would pass {@code out}'s byte limit
   */
  public void ingest(ByteBuffer changeset, Origin origin, IngestRecords out) throws IngestException {
    int mark = out.size();
    boolean done = false;
    try {
      ingestInto(changeset, origin, out);
      done = true;
    } catch (IngestRecords.LimitExceededException e) { // unreachable under the round caps today
      throw new IngestException(ProtocolError.BAD_CHANGESET,
          "changeset " + origin.clientVersion() + ": its objects do not fit: " + e.getMessage());
    } finally {
      if (!done) {
        out.truncate(mark); // nothing of a failed changeset (nor of a bug's exception)
      }
    }
  }

  private void ingestInto(ByteBuffer changeset, Origin origin, IngestRecords out) throws IngestException {
    if (direct != null && direct.ingest(changeset, schema, origin, out)) {
      directChangesets++;
      return;
    }
    // the general path: any instruction order, every check with its error
    created.clear();
    java.util.Arrays.fill(propertyClasses, 0, cachedProperties, null); // intern indexes are per changeset
    java.util.Arrays.fill(properties, 0, cachedProperties, null);
    cachedProperties = 0;
    lastNode = null;
    clientVersion = origin.clientVersion();
    reader.reset(changeset);
    try {
      while (reader.next()) {
        apply();
      }
    } catch (ChangesetFormatException e) {
      throw new IngestException(
          ProtocolError.BAD_CHANGESET,
          "changeset " + clientVersion + ": does not parse: " + e.getMessage());
    }
    for (Map.Entry<ObjKey, ObjNode> e : created.entrySet()) {
      out.add(finish(e.getKey(), e.getValue(), origin));
    }
    created.clear();
  }

  // ---------------------------------------------------------------------------------------------

  private void apply() throws IngestException {
    InstructionType t = reader.instruction();
    switch (t) {
      case ADD_TABLE:
        addTable();
        return;
      case ADD_COLUMN:
        addColumn();
        return;
      case ERASE_TABLE:
      case ERASE_COLUMN:
        throw bad(t.dumpName() + " " + reader.tableName()
            + ": schema removal (expected: only additive schema changes)");
      case CREATE_OBJECT:
        createObject();
        return;
      case ERASE_OBJECT:
        throw bad("EraseObject " + reader.tableName() + "[" + reader.objectKey()
            + "]: erasing objects (expected: only new objects; an ingest server never erases)");
      default:
        pathInstruction(t);
    }
  }

  // --- schema instructions (changeset.md §11.1) ---

  private void addTable() throws IngestException {
    String name = reader.tableName();
    TableType tt = reader.tableType();
    ClassKind kind = SchemaWire.classKind(tt);
    String pkField = reader.fieldName();
    PayloadType pkType = reader.primaryKeyType();
    boolean pkNullable = reader.primaryKeyNullable();
    String actual = describeTable(tt, pkField, pkType, pkNullable);
    ObjectClass c = schema.objectClass(name).orElse(null);
    if (c != null) {
      String expected = describe(c);
      if (!expected.equals(actual)) {
        throw schemaError("AddTable " + name + ": " + actual + " (expected: " + expected + ", per the app schema)");
      }
      return;
    }
    if (!developmentMode) {
      throw schemaError("AddTable " + name + ": class not in the app schema (expected: one of "
          + classNames() + ")");
    }
    List<Property> props = new ArrayList<>();
    if (tt != TableType.EMBEDDED) {
      PropertyType type = SchemaWire.primaryKeyType(pkType);
      if (type == null) {
        throw schemaError("AddTable " + name + ": primary key type " + pkType.dumpName()
            + " (expected: Int, String, ObjectId or UUID)");
      }
      props.add(Property.of(pkField, type, pkNullable));
    }
    adopt(new ObjectClass(name, kind, tt == TableType.EMBEDDED ? null : pkField, props), "AddTable " + name);
  }

  private static String describeTable(TableType tt, String pkField, PayloadType pkType, boolean nullable) {
    return tt == TableType.EMBEDDED
        ? "type=" + tt.dumpName()
        : "type=" + tt.dumpName() + " pk_field=\"" + pkField + "\" pk_type=" + pkType.dumpName()
            + " pk_nullable=" + nullable;
  }

  private static String describe(ObjectClass c) {
    TableType tt = SchemaWire.tableType(c.kind());
    if (tt == TableType.EMBEDDED) {
      return describeTable(tt, null, null, false);
    }
    Property pk = c.primaryKeyProperty().orElseThrow();
    PayloadType type = SchemaWire.payloadType(pk.type());
    return describeTable(tt, pk.name(), type, pk.optional());
  }

  private void addColumn() throws IngestException {
    String table = reader.tableName();
    String field = reader.fieldName();
    int link = reader.linkTargetTable();
    SchemaWire.Column actual =
        new SchemaWire.Column(
            reader.columnType(),
            reader.nullable(),
            reader.collectionType(),
            link < 0 ? null : reader.internedString(link),
            reader.dictionaryKeyType());
    ObjectClass c = schema.objectClass(table).orElse(null);
    if (c == null) {
      throw schemaError("AddColumn " + table + "." + field + ": class not in the app schema (expected: one of "
          + classNames() + ")");
    }
    if (field.equals(c.primaryKey())) {
      throw schemaError("AddColumn " + table + "." + field
          + ": column for the primary key (expected: the primary key only in AddTable)");
    }
    Property p = c.property(field).orElse(null);
    if (p != null) {
      SchemaWire.Column expected = SchemaWire.expected(p);
      if (!expected.equals(actual)) {
        throw schemaError("AddColumn " + table + "." + field + ": " + actual + " (expected: " + expected
            + ", per the app schema)");
      }
      return;
    }
    if (!developmentMode) {
      throw schemaError("AddColumn " + table + "." + field + ": property not in the app schema (expected: one of "
          + propertyNames(c) + ")");
    }
    Property adopted;
    try {
      adopted = SchemaWire.property(field, actual);
    } catch (SchemaException e) {
      throw schemaError("AddColumn " + table + "." + field + ": " + e.getMessage());
    }
    if (adopted == null || !SchemaWire.expected(adopted).equals(actual)) {
      throw schemaError("AddColumn " + table + "." + field + ": " + actual
          + " (expected: a column the app schema can describe)");
    }
    adopt(c.withProperty(adopted), "AddColumn " + table + "." + field);
  }

  private void adopt(ObjectClass c, String what) throws IngestException {
    try {
      schema = schema.with(c);
      schemaChanged = true;
    } catch (SchemaException e) {
      throw schemaError(what + ": " + e.getMessage());
    }
  }

  private String classNames() {
    List<String> names = new ArrayList<>();
    for (ObjectClass c : schema.classes()) {
      names.add(c.name());
    }
    return names.isEmpty() ? "none: the app schema is empty" : String.join(", ", names);
  }

  private static String propertyNames(ObjectClass c) {
    List<String> names = new ArrayList<>();
    for (Property p : c.properties()) {
      names.add(p.name());
    }
    return String.join(", ", names);
  }

  // --- CreateObject ---

  private void createObject() throws IngestException {
    String table = reader.tableName();
    PrimaryKey key = reader.objectKey();
    ObjectClass c = asymmetricClass("CreateObject", table, key);
    Property pk = c.primaryKeyProperty().orElseThrow();
    checkKey("CreateObject", table, key, pk);
    ObjKey k = new ObjKey(table, key);
    if (created.containsKey(k)) {
      throw bad("CreateObject " + table + "[" + key + "]: created twice in one changeset (expected: once)");
    }
    ObjNode node = new ObjNode(table);
    created.put(k, node);
    rememberLast(node);
  }

  /** Whether the current instruction addresses {@link #lastNode}: same table, same raw key. */
  private boolean sameObjectAsLast() {
    if (lastNode == null || reader.table() != lastTable || reader.objectKeyType() != lastKeyType) {
      return false;
    }
    switch (lastKeyType) {
      case INT:
        return reader.objectKeyInt() == lastKey;
      case STRING:
        return reader.objectKeyString() == lastKey; // the same intern index: the same string
      default: // OBJECT_ID, UUID
        int n = reader.copyObjectKeyBytes(keyBytes, 0);
        return java.util.Arrays.equals(keyBytes, 0, n, lastKeyBytes, 0, n);
    }
  }

  private void rememberLast(ObjNode node) {
    PayloadType t = reader.objectKeyType();
    switch (t) {
      case INT:
        lastKey = reader.objectKeyInt();
        break;
      case STRING:
        lastKey = reader.objectKeyString();
        break;
      case OBJECT_ID:
      case UUID:
        reader.copyObjectKeyBytes(lastKeyBytes, 0);
        break;
      default:
        lastNode = null; // e.g. a null key: no fast path
        return;
    }
    lastTable = reader.table();
    lastKeyType = t;
    lastNode = node;
  }

  private ObjectClass asymmetricClass(String instruction, String table, PrimaryKey key) throws IngestException {
    ObjectClass c = schema.objectClass(table).orElse(null);
    if (c == null) {
      throw bad(instruction + " " + table + "[" + key + "]: class not in the app schema");
    }
    if (c.kind() == ClassKind.EMBEDDED) {
      throw bad(instruction + " " + table + "[" + key
          + "]: embedded class (expected: embedded objects only inside their parent)");
    }
    if (c.kind() == ClassKind.TOP_LEVEL) {
      throw bad(instruction + " " + table + "[" + key + "]: write to top-level class " + table
          + " (expected: asymmetric classes only; this server ingests inserts of asymmetric objects)");
    }
    return c;
  }

  private void checkKey(String instruction, String table, PrimaryKey key, Property pk) throws IngestException {
    PayloadType kt = key.type();
    if (kt == PayloadType.NULL ? !pk.optional() : kt != SchemaWire.payloadType(pk.type())) {
      throw bad(instruction + " " + table + "[" + key + "]: primary key of type " + kt.dumpName()
          + " (expected: " + pk.shortForm() + ")");
    }
  }

  // --- path instructions (changeset.md §11.2) ---

  private void pathInstruction(InstructionType t) throws IngestException {
    ObjNode root;
    if (sameObjectAsLast()) {
      root = lastNode;
    } else {
      String table = reader.tableName();
      PrimaryKey key = reader.objectKey();
      root = created.get(new ObjKey(table, key));
      if (root == null) {
        asymmetricClass(t.dumpName(), table, key);
      } else {
        rememberLast(root);
      }
    } // a found object's class passed asymmetricClass at CreateObject; adoption never changes a kind
    if (reader.pathLength() > MAX_PATH_LENGTH) {
      throw bad(where() + ": path of " + reader.pathLength() + " elements (expected: at most " + MAX_PATH_LENGTH
          + "; deeper values cannot be stored)");
    }
    if (root == null) {
      throw bad(where() + ": object not created in this changeset (expected: only new objects; updates of"
          + " existing objects are not accepted)");
    }
    Target target = resolve(root);
    switch (t) {
      case UPDATE:
        update(target);
        return;
      case ADD_INTEGER:
        addInteger(target);
        return;
      case ARRAY_INSERT:
        {
          ListNode list = listElement(target);
          int idx = (Integer) target.key;
          checkPrior(list);
          if (idx > list.items.size()) {
            throw bad(where() + ": insert at " + idx + " into a list of " + list.items.size()
                + " (expected: 0.." + list.items.size() + ")");
          }
          list.items.add(idx, convert(reader.payload(), target.slot));
          return;
        }
      case ARRAY_MOVE:
        {
          ListNode list = listElement(target);
          int from = (Integer) target.key;
          long to = reader.moveTo();
          checkPrior(list);
          if (from >= list.items.size() || to >= list.items.size()) {
            throw bad(where() + ": move " + from + " to " + to + " in a list of " + list.items.size()
                + " (expected: both < " + list.items.size() + ")");
          }
          list.items.add((int) to, list.items.remove(from));
          return;
        }
      case ARRAY_ERASE:
        {
          ListNode list = listElement(target);
          int idx = (Integer) target.key;
          checkPrior(list);
          if (idx >= list.items.size()) {
            throw bad(where() + ": erase " + idx + " in a list of " + list.items.size()
                + " (expected: < " + list.items.size() + ")");
          }
          list.items.remove(idx);
          return;
        }
      case CLEAR:
        clear(target);
        return;
      case SET_INSERT:
      case SET_ERASE:
        {
          if (target.key != null || !(target.container instanceof SetNode)) {
            throw bad(where() + ": not a set property");
          }
          Object v = convert(reader.payload(), target.slot);
          if (!(v instanceof Value)) {
            throw bad(where() + ": " + reader.valueType().dumpName() + " in a set (expected: a plain value)");
          }
          SetNode set = (SetNode) target.container;
          if (t == InstructionType.SET_INSERT) {
            set.items.add((Value) v);
          } else {
            set.items.remove(v);
          }
          return;
        }
      default:
        throw bad(where() + ": unexpected instruction");
    }
  }

  /** The current path instruction, for error messages. */
  private String where() {
    return reader.instruction().dumpName() + " " + reader.tableName() + "[" + reader.objectKey() + "]."
        + reader.fieldName() + pathText();
  }

  private String pathText() {
    int n = reader.pathLength();
    if (n == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      if (reader.isPathIndex(i)) {
        sb.append(reader.pathIndex(i));
      } else {
        sb.append('"').append(reader.internedString(reader.pathKey(i))).append('"');
      }
    }
    return sb.append(']').toString();
  }

  /** Where a path points: {@code container[key]} holding a {@code slot} value, or a whole collection. */
  private static final class Target {
    final Object container;
    final Object key; // String (object property or dictionary key), Integer (list index), null
    final Slot slot;

    Target(Object container, Object key, Slot slot) {
      this.container = container;
      this.key = key;
      this.slot = slot;
    }
  }

  /** The type of the value at a position. */
  private record Slot(PropertyType type, String objectType, boolean nullable) {
    static final Slot MIXED = new Slot(PropertyType.MIXED, null, true);

    static Slot of(Property p) {
      return new Slot(p.type(), p.objectType(), p.optional());
    }

    String describe() {
      return (type == PropertyType.OBJECT ? objectType : type.jsonName()) + (nullable ? "?" : "");
    }
  }

  private ObjectClass classOf(ObjNode node) {
    if (node.classIn != schema) { // resolved once per schema: adoption replaces the schema object
      node.cls = schema.objectClass(node.className).orElseThrow();
      node.classIn = schema;
    }
    return node.cls;
  }

  /**
   * {@link #property(ObjNode, String)} for the interned name {@code intern}, remembered per
   * changeset (an intern index names one string for the whole changeset) and class object.
   */
  private Property property(ObjNode obj, int intern) throws IngestException {
    ObjectClass c = classOf(obj);
    if (intern < propertyClasses.length && propertyClasses[intern] == c) {
      return properties[intern];
    }
    Property p = property(obj, reader.internedString(intern)); // throws as before
    if (intern >= propertyClasses.length) {
      int n = Math.max(intern + 1, propertyClasses.length * 2);
      propertyClasses = java.util.Arrays.copyOf(propertyClasses, n);
      properties = java.util.Arrays.copyOf(properties, n);
    }
    propertyClasses[intern] = c;
    properties[intern] = p;
    cachedProperties = Math.max(cachedProperties, intern + 1);
    return p;
  }

  private Property property(ObjNode obj, String name) throws IngestException {
    ObjectClass c = classOf(obj);
    Property p = c.property(name).orElse(null);
    if (p == null) {
      throw bad(where() + ": class " + c.name() + " has no property '" + name + "' (expected: one of "
          + propertyNames(c) + ")");
    }
    if (name.equals(c.primaryKey())) {
      throw bad(where() + ": sets the primary key (expected: the key only in CreateObject)");
    }
    return p;
  }

  private Target resolve(ObjNode root) throws IngestException {
    ObjNode obj = root;
    Property prop = property(obj, reader.field());
    int n = reader.pathLength();
    int i = 0;
    while (true) {
      Object coll;
      Slot elem;
      if (prop.collection() == CollectionKind.SINGLE) {
        Slot s = Slot.of(prop);
        if (i == n) {
          return new Target(obj, prop.name(), s);
        }
        Object v = obj.values.get(prop.name());
        if (s.type == PropertyType.OBJECT && isEmbedded(s.objectType)) {
          if (!(v instanceof ObjNode)) {
            throw bad(where() + ": no embedded object at '" + prop.name()
                + "' (expected: an ObjectValue update before its properties)");
          }
          obj = (ObjNode) v;
          prop = property(obj, pathKeyIndex(i));
          i++;
          continue;
        }
        if (s.type == PropertyType.MIXED && (v instanceof ListNode || v instanceof DictNode)) {
          coll = v;
          elem = Slot.MIXED;
        } else {
          throw bad(where() + ": path continues below '" + prop.name() + "', a " + s.describe()
              + " value (expected: an embedded object, or a list or dictionary in a mixed value)");
        }
      } else {
        coll = collection(obj, prop);
        elem = Slot.of(prop);
        if (i == n) {
          return new Target(coll, null, elem);
        }
      }
      // inside a collection: index or key elements, possibly through nested mixed collections
      while (true) {
        Object child;
        if (coll instanceof ListNode list) {
          if (!reader.isPathIndex(i)) {
            throw bad(where() + ": key '" + reader.internedString(reader.pathKey(i))
                + "' into a list (expected: an index)");
          }
          long idx = reader.pathIndex(i);
          if (i + 1 == n) {
            if (idx > Integer.MAX_VALUE) {
              throw bad(where() + ": index " + idx + " (expected: < " + list.items.size() + ")");
            }
            return new Target(list, (int) idx, elem);
          }
          if (idx >= list.items.size()) {
            throw bad(where() + ": index " + idx + " into a list of " + list.items.size()
                + " (expected: < " + list.items.size() + ")");
          }
          child = list.items.get((int) idx);
        } else if (coll instanceof DictNode dict) {
          String k = pathKey(i);
          if (i + 1 == n) {
            return new Target(dict, k, elem);
          }
          child = dict.items.get(k);
          if (child == null) {
            throw bad(where() + ": no entry '" + k + "' in the dictionary (expected: an existing entry)");
          }
        } else {
          throw bad(where() + ": path continues into a set (expected: a set is addressed as a whole)");
        }
        i++;
        if (elem.type == PropertyType.OBJECT && isEmbedded(elem.objectType) && child instanceof ObjNode o) {
          obj = o;
          prop = property(obj, pathKeyIndex(i));
          i++;
          break;
        }
        if (elem.type == PropertyType.MIXED && (child instanceof ListNode || child instanceof DictNode)) {
          coll = child;
          continue;
        }
        throw bad(where() + ": path continues below a " + elem.describe()
            + " element (expected: an embedded object, or a list or dictionary in a mixed value)");
      }
    }
  }

  /** {@link #pathKey} as the intern index. */
  private int pathKeyIndex(int i) throws IngestException {
    if (reader.isPathIndex(i)) {
      throw bad(where() + ": index " + reader.pathIndex(i) + " at path element " + i
          + " (expected: a property name or dictionary key)");
    }
    return reader.pathKey(i);
  }

  private String pathKey(int i) throws IngestException {
    if (reader.isPathIndex(i)) {
      throw bad(where() + ": index " + reader.pathIndex(i) + " at path element " + i
          + " (expected: a property name or dictionary key)");
    }
    return reader.internedString(reader.pathKey(i));
  }

  private boolean isEmbedded(String className) {
    return schema.objectClass(className).map(c -> c.kind() == ClassKind.EMBEDDED).orElse(false);
  }

  /** The collection of a collection property of a new object (created empty on first use). */
  private static Object collection(ObjNode obj, Property p) {
    Object c = obj.values.get(p.name());
    if (c == null) {
      switch (p.collection()) {
        case LIST:
          c = new ListNode();
          break;
        case SET:
          c = new SetNode();
          break;
        default:
          c = new DictNode();
          break;
      }
      obj.values.put(p.name(), c);
    }
    return c;
  }

  private ListNode listElement(Target target) throws IngestException {
    if (!(target.container instanceof ListNode) || !(target.key instanceof Integer)) {
      throw bad(where() + ": not a list element");
    }
    return (ListNode) target.container;
  }

  private void checkPrior(ListNode list) throws IngestException {
    long prior = reader.priorSize();
    if (prior != list.items.size()) {
      throw bad(where() + ": prior_size " + prior + " (expected: " + list.items.size()
          + ", the list's current size)");
    }
  }

  private void update(Target target) throws IngestException {
    if (target.key == null) {
      throw bad(where() + ": update of a whole collection (expected: an element, key or value position)");
    }
    Payload p = reader.payload();
    if (target.container instanceof ObjNode obj) {
      obj.values.put((String) target.key, convert(p, target.slot));
    } else if (target.container instanceof ListNode list) {
      int idx = (Integer) target.key;
      checkPrior(list);
      if (idx >= list.items.size()) {
        throw bad(where() + ": update of element " + idx + " in a list of " + list.items.size()
            + " (expected: < " + list.items.size() + ")");
      }
      list.items.set(idx, convert(p, target.slot));
    } else {
      DictNode dict = (DictNode) target.container;
      if (p.type() == PayloadType.ERASED) {
        dict.items.remove(target.key);
      } else {
        dict.items.put((String) target.key, convert(p, target.slot));
      }
    }
  }

  private void addInteger(Target target) throws IngestException {
    if (target.key == null
        || !(target.slot.type == PropertyType.INT || target.slot.type == PropertyType.MIXED)) {
      throw bad(where() + ": AddInteger on a " + target.slot.describe() + " position (expected: an int)");
    }
    Object current = get(target);
    long base;
    if (current == null && target.slot.type == PropertyType.INT && !target.slot.nullable) {
      base = 0; // a required int never set holds 0
    } else if (current instanceof Value v && v.getKindCase() == Value.KindCase.INT_VALUE) {
      base = v.getIntValue();
    } else {
      throw bad(where() + ": AddInteger on a value that is not an int (expected: an int value)");
    }
    put(target, Values.ofInt(base + reader.amount())); // wraps like realm-core
  }

  private static Object get(Target t) {
    if (t.container instanceof ObjNode o) {
      return o.values.get(t.key);
    } else if (t.container instanceof ListNode l) {
      int idx = (Integer) t.key;
      return idx < l.items.size() ? l.items.get(idx) : null;
    }
    return ((DictNode) t.container).items.get(t.key);
  }

  private void put(Target t, Object v) throws IngestException {
    if (t.container instanceof ObjNode o) {
      o.values.put((String) t.key, v);
    } else if (t.container instanceof ListNode l) {
      int idx = (Integer) t.key;
      if (idx >= l.items.size()) {
        throw bad("element " + idx + " of a list of " + l.items.size());
      }
      l.items.set(idx, v);
    } else {
      ((DictNode) t.container).items.put((String) t.key, v);
    }
  }

  private void clear(Target target) throws IngestException {
    Object coll = target.key == null ? target.container : get(target);
    CollectionType type = reader.collectionType();
    boolean matches =
        coll instanceof ListNode && type == CollectionType.LIST
            || coll instanceof DictNode && type == CollectionType.DICTIONARY
            || coll instanceof SetNode && type == CollectionType.SET;
    if (!matches) {
      throw bad(where() + ": Clear of a " + type.dumpName() + " where there is "
          + (coll == null ? "nothing" : coll.getClass().getSimpleName()) + " (expected: a collection of that kind)");
    }
    if (coll instanceof ListNode l) {
      l.items.clear();
    } else if (coll instanceof DictNode d) {
      d.items.clear();
    } else {
      ((SetNode) coll).items.clear();
    }
  }

  /** A payload as the value of a position of type {@code slot} (changeset.md §11.2). */
  private Object convert(Payload p, Slot slot) throws IngestException {
    PayloadType t = p.type();
    switch (t) {
      case NULL:
        if (!slot.nullable) {
          throw bad(where() + ": Null (expected: a " + slot.describe() + " value; the property is required)");
        }
        return NULL;
      case OBJECT_VALUE:
        if (slot.type == PropertyType.OBJECT && isEmbedded(slot.objectType)) {
          return new ObjNode(slot.objectType);
        }
        break;
      case LIST:
        if (slot.type == PropertyType.MIXED) {
          return new ListNode();
        }
        break;
      case DICTIONARY:
        if (slot.type == PropertyType.MIXED) {
          return new DictNode();
        }
        break;
      case LINK:
        {
          Payload.LinkValue l = (Payload.LinkValue) p;
          ObjectClass target = schema.objectClass(l.targetTable()).orElse(null);
          boolean typeOk =
              slot.type == PropertyType.MIXED
                  || slot.type == PropertyType.OBJECT && l.targetTable().equals(slot.objectType);
          if (typeOk && target != null && target.kind() == ClassKind.TOP_LEVEL) {
            Property pk = target.primaryKeyProperty().orElseThrow();
            checkKey(where() + " Link", l.targetTable(), l.key(), pk);
            return Value.newBuilder()
                .setLinkValue(Link.newBuilder().setTargetClass(l.targetTable()).setPrimaryKey(Values.of(l.key())))
                .build();
          }
          break;
        }
      case SET:
      case ERASED:
      case GLOBAL_KEY:
        break;
      default:
        if (slot.type == PropertyType.MIXED || SchemaWire.payloadType(slot.type) == t) {
          return Values.of(p);
        }
        break;
    }
    throw bad(where() + ": " + t.dumpName() + " (expected: a " + slot.describe() + " value)");
  }

  // --- finishing ---

  // Each object is written as IngestedObject bytes (ingested_object.proto) straight from the
  // object tree, without building message objects: sizes first (length prefixes), then bytes.
  // Field order and presence follow protobuf's own serialisation (proto3: scalars only when not
  // zero; map entries in insertion order, key and value always written), so the bytes equal
  // IngestedObject.toByteArray() of the same object.

  private IngestRecord finish(ObjKey key, ObjNode node, Origin origin) {
    Plan plan = plan(classOf(node));
    Value pk = Values.of(key.key);
    // the schema's class of the same name: IngestedObject.class_name is field 1 too
    int size = plan.classNameField.length;
    size += CodedOutputStream.computeMessageSize(IngestedObject.PRIMARY_KEY_FIELD_NUMBER, pk);
    size += fieldsSize(plan, node, pk, IngestedObject.FIELDS_FIELD_NUMBER);
    size += origin.trailerSize();
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeRawBytes(plan.classNameField);
      out.writeMessage(IngestedObject.PRIMARY_KEY_FIELD_NUMBER, pk);
      writeFields(out, plan, node, pk, IngestedObject.FIELDS_FIELD_NUMBER);
      origin.writeTrailer(out);
      out.checkNoSpaceLeft();
    } catch (java.io.IOException | IllegalStateException e) {
      // sizes and writes above mirror each other; a mismatch is a bug here, not bad input
      throw new IllegalStateException(
          "object " + key.table + ": serialised size " + size + " does not match its bytes: " + e.getMessage(), e);
    }
    return new IngestRecord(classOf(node).name(), pk, bytes);
  }

  /**
   * The values to encode for every property of {@code node}, in schema order (its primary key,
   * the value set, or the default); looked up once per node and kept in it.
   */
  private static Object[] resolved(Plan plan, ObjNode node, Value pk) {
    Object[] values = node.resolved;
    if (values == null) {
      values = new Object[plan.properties.length];
      for (int i = 0; i < values.length; i++) {
        if (i == plan.primaryKey) {
          values[i] = pk;
        } else {
          Object set = node.values.get(plan.properties[i].name());
          values[i] = set == null ? plan.defaults[i] : set;
        }
      }
      node.resolved = values;
    }
    return values;
  }

  /** Size of every property of {@code node} as entries of map field {@code field}, schema order. */
  private int fieldsSize(Plan plan, ObjNode node, Value pk, int field) {
    Object[] values = resolved(plan, node, pk);
    int size = 0;
    for (int i = 0; i < values.length; i++) {
      size += lengthDelimitedSize(field, plan.keys[i].length + lengthDelimitedSize(2, valueSize(values[i])));
    }
    return size;
  }

  private void writeFields(CodedOutputStream out, Plan plan, ObjNode node, Value pk, int field)
      throws java.io.IOException {
    Object[] values = resolved(plan, node, pk);
    for (int i = 0; i < values.length; i++) {
      int valueSize = valueSize(values[i]);
      out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(plan.keys[i].length + lengthDelimitedSize(2, valueSize));
      out.writeRawBytes(plan.keys[i]);
      out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(valueSize);
      writeValue(out, values[i]);
    }
  }

  /** A map<string, Value> entry as field {@code field}: tag, length, key (1), value (2). */
  private static int entrySize(int field, String key, int valueSize) {
    int entry = CodedOutputStream.computeStringSize(1, key) + lengthDelimitedSize(2, valueSize);
    return lengthDelimitedSize(field, entry);
  }

  private void writeEntry(CodedOutputStream out, int field, String key, Object value) throws java.io.IOException {
    int valueSize = valueSize(value);
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(CodedOutputStream.computeStringSize(1, key) + lengthDelimitedSize(2, valueSize));
    out.writeString(1, key);
    out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(valueSize);
    writeValue(out, value);
  }

  private static int lengthDelimitedSize(int field, int size) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  /** The encoded size of a Value message holding {@code v} (a Value or a node of the tree). */
  private int valueSize(Object v) {
    if (v instanceof Value value) {
      return value.getSerializedSize(); // memoised by the message
    } else if (v instanceof ObjNode o) {
      return lengthDelimitedSize(Value.OBJECT_VALUE_FIELD_NUMBER, embeddedSize(o));
    } else if (v instanceof ListNode l) {
      if (l.size < 0) {
        l.size = itemsSize(l.items);
      }
      return lengthDelimitedSize(Value.LIST_VALUE_FIELD_NUMBER, l.size);
    } else if (v instanceof SetNode s) {
      if (s.size < 0) {
        s.size = itemsSize(s.items);
      }
      return lengthDelimitedSize(Value.SET_VALUE_FIELD_NUMBER, s.size);
    } else {
      DictNode d = (DictNode) v;
      if (d.size < 0) {
        d.size = entriesSize(d);
      }
      return lengthDelimitedSize(Value.DICTIONARY_VALUE_FIELD_NUMBER, d.size);
    }
  }

  private void writeValue(CodedOutputStream out, Object v) throws java.io.IOException {
    if (v instanceof Value value) {
      value.writeTo(out);
    } else if (v instanceof ObjNode o) {
      Plan plan = plan(classOf(o));
      out.writeTag(Value.OBJECT_VALUE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(embeddedSize(o));
      out.writeRawBytes(plan.classNameField);
      writeFields(out, plan, o, null, EmbeddedObject.FIELDS_FIELD_NUMBER); // no primary key
    } else if (v instanceof ListNode l) {
      writeItems(out, Value.LIST_VALUE_FIELD_NUMBER, l.items, l.size);
    } else if (v instanceof SetNode s) {
      writeItems(out, Value.SET_VALUE_FIELD_NUMBER, s.items, s.size);
    } else {
      DictNode d = (DictNode) v;
      out.writeTag(Value.DICTIONARY_VALUE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(d.size); // set by valueSize, always called first
      for (Map.Entry<String, Object> e : d.items.entrySet()) {
        writeEntry(out, ValueMap.ENTRIES_FIELD_NUMBER, e.getKey(), e.getValue());
      }
    }
  }

  /** Size of an EmbeddedObject: class name and every property of its class. */
  private int embeddedSize(ObjNode o) {
    if (o.size < 0) {
      Plan plan = plan(classOf(o));
      o.size = plan.classNameField.length + fieldsSize(plan, o, null, EmbeddedObject.FIELDS_FIELD_NUMBER);
    }
    return o.size;
  }

  /** Size of a ValueList of {@code items}. */
  private int itemsSize(java.util.Collection<?> items) {
    int size = 0;
    for (Object item : items) {
      size += lengthDelimitedSize(ValueList.VALUES_FIELD_NUMBER, valueSize(item));
    }
    return size;
  }

  private void writeItems(CodedOutputStream out, int field, java.util.Collection<?> items, int size)
      throws java.io.IOException {
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(size); // set by valueSize, always called first
    for (Object item : items) {
      out.writeTag(ValueList.VALUES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(valueSize(item));
      writeValue(out, item);
    }
  }

  /** Size of a ValueMap of {@code d}'s entries. */
  private int entriesSize(DictNode d) {
    int size = 0;
    for (Map.Entry<String, Object> e : d.items.entrySet()) {
      size += entrySize(ValueMap.ENTRIES_FIELD_NUMBER, e.getKey(), valueSize(e.getValue()));
    }
    return size;
  }

  /** A class's properties as an array, its primary key's index, and its defaults (all immutable). */
  private static final class Plan {
    final Property[] properties;
    final int primaryKey;
    final Value[] defaults;
    /** Per property: its name encoded as a map entry's key (field 1: tag, length, UTF-8). */
    final byte[][] keys;
    /** The class name encoded as field 1 (EmbeddedObject.class_name), empty if the name is. */
    final byte[] classNameField;

    Plan(ObjectClass c) {
      properties = c.properties().toArray(new Property[0]);
      defaults = new Value[properties.length];
      keys = new byte[properties.length][];
      int pk = -1;
      for (int i = 0; i < properties.length; i++) {
        if (properties[i].name().equals(c.primaryKey())) {
          pk = i;
        }
        defaults[i] = defaultValue(properties[i]);
        keys[i] = stringField(1, properties[i].name());
      }
      primaryKey = pk;
      classNameField = c.name().isEmpty() ? new byte[0] : stringField(EmbeddedObject.CLASS_NAME_FIELD_NUMBER, c.name());
    }
  }

  /** {@code value} as a protobuf string field, encoded as protobuf does (both paths' bytes). */
  static byte[] stringField(int field, String value) {
    byte[] b = new byte[CodedOutputStream.computeStringSize(field, value)];
    CodedOutputStream out = CodedOutputStream.newInstance(b);
    try {
      out.writeString(field, value);
      out.checkNoSpaceLeft();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("encoding " + value + ": " + e.getMessage(), e);
    }
    return b;
  }

  private Plan plan(ObjectClass c) {
    Plan p = plans.get(c);
    if (p == null) {
      p = new Plan(c);
      plans.put(c, p);
    }
    return p;
  }

  /**
   * The value of a property never set: an empty collection, null when optional, else the type's
   * zero value as realm-core stores it (changeset.md §11.2).
   */
  static Value defaultValue(Property p) {
    switch (p.collection()) {
      case LIST:
        return Value.newBuilder().setListValue(ValueList.getDefaultInstance()).build();
      case SET:
        return Value.newBuilder().setSetValue(ValueList.getDefaultInstance()).build();
      case DICTIONARY:
        return Value.newBuilder().setDictionaryValue(ValueMap.getDefaultInstance()).build();
      default:
        break;
    }
    if (p.optional()) {
      return NULL;
    }
    Value.Builder b = Value.newBuilder();
    switch (p.type()) {
      case INT:
        return b.setIntValue(0).build();
      case BOOL:
        return b.setBoolValue(false).build();
      case STRING:
        return b.setStringValue("").build();
      case DATA:
        return b.setBinaryValue(ByteString.EMPTY).build();
      case DATE:
        return b.setTimestampValue(RealmTimestamp.getDefaultInstance()).build();
      case FLOAT:
        return b.setFloatValue(0f).build();
      case DOUBLE:
        return b.setDoubleValue(0d).build();
      case DECIMAL:
        return ZERO_DECIMAL;
      case OBJECT_ID:
        return b.setObjectIdValue("000000000000000000000000").build();
      case UUID:
        return b.setUuidValue("00000000-0000-0000-0000-000000000000").build();
      default:
        return NULL; // mixed and links are always optional
    }
  }

  private static Value zeroDecimal() {
    Payload.DecimalValue zero = Payload.DecimalValue.of(BigDecimal.ZERO);
    return Value.newBuilder()
        .setDecimalValue(
            Decimal128.newBuilder().setValue("0").setBidHigh(zero.bid128High()).setBidLow(zero.bid128Low()))
        .build();
  }

  private IngestException bad(String detail) {
    return new IngestException(
        ProtocolError.BAD_CHANGESET, "changeset " + clientVersion + " at byte " + reader.offset() + ": " + detail);
  }

  private IngestException schemaError(String detail) {
    return new IngestException(
        ProtocolError.INVALID_SCHEMA_CHANGE,
        "changeset " + clientVersion + " at byte " + reader.offset() + ": " + detail);
  }

  // --- the object tree of one changeset ---

  private record ObjKey(String table, PrimaryKey key) {}

  /** A new object (top-level or embedded): property name → value or collection. */
  private static final class ObjNode {
    final String className;
    final LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    ObjectClass cls; // of className in classIn
    AppSchema classIn;
    // set when the finished tree is serialised (no instruction changes it after that)
    Object[] resolved; // per property of its plan: the value to encode
    int size = -1; // encoded size of its fields (and class name, if embedded)

    ObjNode(String className) {
      this.className = className;
    }
  }

  private static final class ListNode {
    final ArrayList<Object> items = new ArrayList<>();
    int size = -1; // encoded ValueList size, set when serialised
  }

  private static final class SetNode {
    final LinkedHashSet<Value> items = new LinkedHashSet<>();
    int size = -1; // encoded ValueList size, set when serialised
  }

  private static final class DictNode {
    final LinkedHashMap<String, Object> items = new LinkedHashMap<>();
    int size = -1; // encoded ValueMap size, set when serialised
  }
}
