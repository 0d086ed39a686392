package io.tributary.core.internal;

import io.tributary.core.CollectionType;
import io.tributary.core.DictionaryWriter;
import io.tributary.core.ListWriter;
import io.tributary.core.ObjectWriter;
import io.tributary.core.PropertyType;
import io.tributary.core.SetWriter;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.FieldPath;
import io.tributary.protocol.changeset.Name;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The writer of one object of a transaction: an asymmetric (root) object, or an embedded object
 * below one. A flyweight: instances are pooled per transaction context and re-assigned to new
 * objects; {@link #gen} and {@link #stamp} say which assignment is current.
 *
 * <p>Every instruction addresses the root object by primary key, then a path: for the root's own
 * properties the field is the property and the path is empty; for an embedded object the field is
 * the root property that leads to it and the path continues with list indices, dictionary keys and
 * property names, and realm-core interns the embedded class name first ({@code inEmbedded}, spec
 * changeset.md §10 item 2).
 *
 * <p>Every public method checks, before writing anything, that the writer belongs to the running
 * transaction on the calling thread, that the property exists and that the value fits it; then it
 * opens the instruction and writes it completely.
 */
final class ObjectWriterImpl implements ObjectWriter {
  static final int UPDATE = 0;
  static final int ARRAY_INSERT = 1;
  static final int SET_INSERT = 2;
  static final int CLEAR = 3;

  static final int KEY_OBJECT_ID = 1;
  static final int KEY_INT = 2;
  static final int KEY_STRING = 3;
  static final int KEY_UUID = 4;
  static final int KEY_NULL = 5;

  final TransactionImpl tx;
  /** The transaction generation this writer was assigned in; -1 if never assigned. */
  int gen = -1;
  /** Unique per assignment, so collection writers notice that their object was replaced. */
  long stamp;
  ClassModel cls;
  ObjectWriterImpl root;
  private ObjectWriterImpl parent;
  /**
   * Index in {@code cls.properties} of the property after the one last looked up: apps set
   * properties in a fixed order, usually the declared one, so {@link #prop} tries it first.
   */
  private int cursor;

  // the root's primary key, to select it again after another object was written: ObjectId (high,
  // low) and UUID (msb, lsb) as longs, int as keyLong, only a String in keyRef (see assignRoot)
  int keyKind;
  long keyLong;
  /** An ObjectId's high int, or a UUID's most significant bits. */
  long keyMsb;
  Object keyRef;

  /** An ObjectId key's high int. */
  int keyHigh() {
    return (int) keyMsb;
  }

  // an embedded object's place below the root: field, then depth path elements
  private Name field;
  private int depth;
  /** Per element: a list index, or -1 for a key (then pathName or pathKey holds it). */
  private long[] pathIndex = new long[4];
  private Name[] pathName = new Name[4];
  private String[] pathKey = new String[4];

  /**
   * For an embedded object right below a root property (no list index or dictionary key between):
   * its properties' Update targets by property index, prepared once per schema property ({@link
   * PropertyModel#embeddedPaths}); otherwise null.
   */
  private FieldPath[] embeddedPaths;

  /**
   * Child and collection writers per class (a pooled root writer serves whatever class is created
   * at its position), each by non-key property index; created on first use and reused.
   */
  private Caches[] cachesByClass;

  private static final class Caches {
    final ObjectWriterImpl[] children;
    final ListWriterImpl[] lists;
    final SetWriterImpl[] sets;
    final DictionaryWriterImpl[] dictionaries;
    final ListWriterImpl[] mixedLists;
    final DictionaryWriterImpl[] mixedDictionaries;

    Caches(int properties) {
      children = new ObjectWriterImpl[properties];
      lists = new ListWriterImpl[properties];
      sets = new SetWriterImpl[properties];
      dictionaries = new DictionaryWriterImpl[properties];
      mixedLists = new ListWriterImpl[properties];
      mixedDictionaries = new DictionaryWriterImpl[properties];
    }
  }

  private Caches caches() {
    Caches[] all = cachesByClass;
    if (all == null) {
      all = cachesByClass = new Caches[tx.classCount];
    }
    Caches c = all[cls.index];
    if (c == null) {
      c = all[cls.index] = new Caches(cls.properties.length);
    }
    return c;
  }

  ObjectWriterImpl(TransactionImpl tx) {
    this.tx = tx;
  }

  /**
   * Makes this pooled writer the writer of a new root object. Pooled writers outlive young
   * collections (old generation), so this stores a reference only where it changes (the class of
   * the object at this position is usually the same in every transaction) and keeps the key in
   * longs: G1 dirties a card for every reference stored into an old object that points to another
   * region or to a young object (each new key), and its refinement threads must rescan each such
   * card; with several devices writing at full speed that cost more CPU than the writes (issue
   * 10). Only a String key is kept as a reference.
   */
  void assignRoot(ClassModel cls, int keyKind, long keyMsb, long keyLong, Object keyRef) {
    this.gen = tx.gen;
    this.stamp = ++tx.stampCounter;
    if (this.cls != cls) {
      this.cls = cls;
    }
    if (this.root != this) {
      this.root = this;
    }
    if (this.parent != null) {
      this.parent = null;
    }
    this.cursor = 0;
    if (this.field != null) {
      this.field = null;
    }
    this.depth = 0;
    if (this.embeddedPaths != null) {
      this.embeddedPaths = null;
    }
    this.keyKind = keyKind;
    this.keyMsb = keyMsb;
    this.keyLong = keyLong;
    if (this.keyRef != keyRef) {
      this.keyRef = keyRef;
    }
  }

  /**
   * Makes this the writer of the embedded object reached from {@code parent} through property
   * {@code p}, then list index {@code index} (if >= 0) or dictionary key {@code key} (if not
   * null).
   */
  void assignEmbedded(ObjectWriterImpl parent, PropertyModel p, long index, String key) {
    this.gen = tx.gen;
    this.stamp = ++tx.stampCounter;
    // references stored only where they change: see assignRoot
    if (this.cls != p.target) {
      this.cls = p.target;
    }
    if (this.root != parent.root) {
      this.root = parent.root;
    }
    if (this.parent != parent) {
      this.parent = parent;
    }
    this.cursor = 0;
    if (this.keyRef != null) {
      this.keyRef = null;
    }
    if (parent.field == null) {
      if (this.field != p.preparedName) {
        this.field = p.preparedName;
      }
      this.depth = 0;
    } else {
      this.field = parent.field;
      int n = parent.depth;
      ensurePath(n + 2);
      System.arraycopy(parent.pathIndex, 0, pathIndex, 0, n);
      System.arraycopy(parent.pathName, 0, pathName, 0, n);
      System.arraycopy(parent.pathKey, 0, pathKey, 0, n);
      this.depth = n;
      appendName(p.preparedName);
    }
    if (index >= 0) {
      ensurePath(depth + 1);
      pathIndex[depth] = index;
      pathName[depth] = null;
      pathKey[depth] = null;
      depth++;
    } else if (key != null) {
      ensurePath(depth + 1);
      pathIndex[depth] = -1;
      pathName[depth] = null;
      pathKey[depth] = key;
      depth++;
    }
    FieldPath[] paths = parent.field == null && depth == 0 ? p.embeddedPaths : null;
    if (this.embeddedPaths != paths) {
      this.embeddedPaths = paths;
    }
  }

  private void appendName(Name n) {
    pathIndex[depth] = -1;
    pathName[depth] = n;
    pathKey[depth] = null;
    depth++;
  }

  private void ensurePath(int n) {
    if (pathIndex.length < n) {
      int len = Math.max(n, pathIndex.length * 2);
      pathIndex = Arrays.copyOf(pathIndex, len);
      pathName = Arrays.copyOf(pathName, len);
      pathKey = Arrays.copyOf(pathKey, len);
    }
  }

  // -------------------------------------------------------------------------------------------
  // checks and the instruction opener

  /** Throws unless this writer belongs to the running transaction and the calling thread. */
  void checkUsable() {
    TransactionImpl t = tx;
    if (t.gen != gen || t.thread != Thread.currentThread()) {
      throw t.unusable("writer of " + describe());
    }
  }

  /** The property called {@code name} of this object, after {@link #checkUsable()}. */
  PropertyModel prop(String name) {
    checkUsable();
    // the guess is compared by identity: names written as literals are one interned String
    PropertyModel[] ps = cls.properties;
    int k = cursor;
    if (k < ps.length) {
      PropertyModel guess = ps[k];
      if (guess.name == name) {
        cursor = k + 1;
        return guess;
      }
    }
    PropertyModel p = cls.find(name);
    if (p == null) {
      throw new IllegalArgumentException(
          cls.name + "." + name + ": no such property (expected one of: " + cls.propertyNames()
              + ")");
    }
    cursor = p.index + 1; // the primary key's index is -1: then the first property
    return p;
  }

  /**
   * Opens instruction {@code op} on property {@code p} of this object: selects the root object,
   * names the field and the path down to (and including) {@code p}. The caller adds a list index
   * or dictionary key if needed and writes the terminal.
   */
  ChangesetWriter open(int op, PropertyModel p) {
    TransactionImpl t = tx;
    ChangesetWriter w = t.writer;
    if (t.selectedStamp != root.stamp) {
      t.select(root);
    }
    Name top = field == null ? p.preparedName : field;
    switch (op) {
      case UPDATE:
        w.update(top);
        break;
      case ARRAY_INSERT:
        w.arrayInsert(top);
        break;
      case SET_INSERT:
        w.setInsert(top);
        break;
      default:
        w.clear(top);
        break;
    }
    if (field != null) {
      for (int i = 0; i < depth; i++) {
        long index = pathIndex[i];
        if (index >= 0) {
          w.index(index);
        } else if (pathName[i] != null) {
          w.key(pathName[i]);
        } else {
          w.key(pathKey[i]);
        }
      }
      w.key(p.preparedName);
      w.inEmbedded(cls.preparedName);
    }
    return w;
  }

  /**
   * Selects the root object and returns the prepared Update target of {@code p} on this object
   * (a root, or an embedded object right below a root property), or null for a deeper path
   * (then use {@link #open}).
   */
  FieldPath prepared(PropertyModel p) {
    TransactionImpl t = tx;
    if (t.selectedStamp != root.stamp) {
      t.select(root);
    }
    if (field == null) {
      return p.path;
    }
    FieldPath[] a = embeddedPaths;
    return a != null ? a[p.index] : null;
  }

  private PropertyModel single(String property, PropertyType given) {
    PropertyModel p = prop(property);
    PropertyType t = p.single;
    if (t != given && t != PropertyType.MIXED) {
      throw Values.setError(p, given);
    }
    return p;
  }

  /** For setters of reference types: null is a Null payload if the property allows it. */
  private boolean writeNullIf(Object value, PropertyModel p) {
    if (value != null) {
      return false;
    }
    if (!p.nullable) {
      throw Values.nullError(p);
    }
    open(UPDATE, p).nullValue();
    return true;
  }

  String describe() {
    if (cls == null) {
      return "an unassigned object";
    }
    if (root == this) {
      return cls.name + "[" + keyText() + "]";
    }
    return "embedded " + cls.name + " of " + root.describe();
  }

  String keyText() {
    switch (keyKind) {
      case KEY_INT:
        return Long.toString(keyLong);
      case KEY_STRING:
        return "\"" + keyRef + "\"";
      case KEY_NULL:
        return "null";
      case KEY_OBJECT_ID:
        return ObjectId.of(keyHigh(), keyLong).toHexString();
      case KEY_UUID:
        return new UUID(keyMsb, keyLong).toString();
      default:
        return String.valueOf(keyRef);
    }
  }

  // -------------------------------------------------------------------------------------------
  // ObjectWriter

  @Override
  public String className() {
    return cls.name;
  }

  @Override
  public ObjectWriter set(String property, long value) {
    PropertyModel p = single(property, PropertyType.INT);
    FieldPath f = prepared(p);
    if (f != null) {
      tx.writer.intValue(f, value);
    } else {
      open(UPDATE, p).intValue(value);
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, double value) {
    PropertyModel p = single(property, PropertyType.DOUBLE);
    FieldPath f = prepared(p);
    if (f != null) {
      tx.writer.doubleValue(f, value);
    } else {
      open(UPDATE, p).doubleValue(value);
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, float value) {
    PropertyModel p = single(property, PropertyType.FLOAT);
    FieldPath f = prepared(p);
    if (f != null) {
      tx.writer.floatValue(f, value);
    } else {
      open(UPDATE, p).floatValue(value);
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, boolean value) {
    PropertyModel p = single(property, PropertyType.BOOL);
    FieldPath f = prepared(p);
    if (f != null) {
      tx.writer.boolValue(f, value);
    } else {
      open(UPDATE, p).boolValue(value);
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, String value) {
    PropertyModel p = single(property, PropertyType.STRING);
    if (!writeNullIf(value, p)) {
      FieldPath f = prepared(p);
      try {
        if (f != null) {
          tx.writer.stringValue(f, value);
        } else {
          open(UPDATE, p).stringValue(value);
        }
      } catch (IllegalArgumentException e) {
        throw Values.valueError(p, e);
      }
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, byte[] value) {
    PropertyModel p = single(property, PropertyType.BINARY);
    if (!writeNullIf(value, p)) {
      open(UPDATE, p).binaryValue(value);
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, Instant value) {
    PropertyModel p = single(property, PropertyType.TIMESTAMP);
    if (!writeNullIf(value, p)) {
      FieldPath f = prepared(p);
      if (f != null) {
        tx.writer.timestampValue(f, value);
      } else {
        open(UPDATE, p).timestampValue(value);
      }
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, BigDecimal value) {
    PropertyModel p = single(property, PropertyType.DECIMAL128);
    if (!writeNullIf(value, p)) {
      ChangesetWriter w = open(UPDATE, p);
      try {
        w.decimalValue(value);
      } catch (IllegalArgumentException e) {
        throw Values.valueError(p, e);
      }
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, ObjectId value) {
    PropertyModel p = single(property, PropertyType.OBJECT_ID);
    if (!writeNullIf(value, p)) {
      FieldPath f = prepared(p);
      if (f != null) {
        tx.writer.objectIdValue(f, value);
      } else {
        open(UPDATE, p).objectIdValue(value);
      }
    }
    return this;
  }

  @Override
  public ObjectWriter set(String property, UUID value) {
    PropertyModel p = single(property, PropertyType.UUID);
    if (!writeNullIf(value, p)) {
      open(UPDATE, p).uuidValue(value);
    }
    return this;
  }

  @Override
  public ObjectWriter setNull(String property) {
    PropertyModel p = prop(property);
    if (p.primaryKey || p.collection != CollectionType.SINGLE) {
      throw new IllegalArgumentException(
          p.qualified() + ": cannot set null on "
              + (p.primaryKey
                  ? "the primary key (expected: give it to create(..))"
                  : "a " + p.property.typeName() + " (expected: a single-value property)"));
    }
    if (!p.nullable) {
      throw Values.nullError(p);
    }
    open(UPDATE, p).nullValue();
    return this;
  }

  @Override
  public ObjectWriter setMixed(String property, Object value) {
    Objects.requireNonNull(property, "property");
    if (value == null) {
      return setNull(property);
    }
    PropertyType t = Values.mixedType(value);
    if (t == null) {
      checkUsable();
      throw Values.mixedError(cls.name + "." + property, value);
    }
    switch (t) {
      case INT:
        return set(property, ((Number) value).longValue());
      case DOUBLE:
        return set(property, (double) (Double) value);
      case FLOAT:
        return set(property, (float) (Float) value);
      case BOOL:
        return set(property, (boolean) (Boolean) value);
      case STRING:
        return set(property, (String) value);
      case BINARY:
        return set(property, (byte[]) value);
      case TIMESTAMP:
        return set(property, (Instant) value);
      case DECIMAL128:
        return set(property, (BigDecimal) value);
      case OBJECT_ID:
        return set(property, (ObjectId) value);
      default:
        return set(property, (UUID) value);
    }
  }

  @Override
  public ObjectWriter embedded(String property) {
    PropertyModel p = prop(property);
    if (p.type != PropertyType.OBJECT || p.collection != CollectionType.SINGLE) {
      throw new IllegalArgumentException(
          p.qualified() + ": is a " + p.property.typeName() + " (expected: an embedded-object"
              + " property"
              + (p.type == PropertyType.OBJECT
                  ? "; add elements with " + (p.collection == CollectionType.LIST
                      ? "list(\"" + p.name + "\").addEmbedded()"
                      : "dictionary(\"" + p.name + "\").putEmbedded(key)")
                  : "")
              + ")");
    }
    FieldPath f = prepared(p);
    if (f != null) {
      tx.writer.objectValue(f);
    } else {
      open(UPDATE, p).objectValue();
    }
    ObjectWriterImpl[] children = caches().children;
    ObjectWriterImpl c = children[p.index];
    if (c == null) {
      c = children[p.index] = new ObjectWriterImpl(tx);
    }
    c.assignEmbedded(this, p, -1, null);
    return c;
  }

  @Override
  public ObjectWriter embedded(String property, Consumer<? super ObjectWriter> body) {
    Objects.requireNonNull(body, "body");
    body.accept(embedded(property));
    return this;
  }

  @Override
  public ListWriter list(String property) {
    PropertyModel p = prop(property);
    if (p.collection != CollectionType.LIST) {
      throw collectionError(p, "list");
    }
    ListWriterImpl[] lists = caches().lists;
    ListWriterImpl l = lists[p.index];
    if (l == null) {
      l = lists[p.index] = new ListWriterImpl(this, p, p.type);
    }
    l.attach(false);
    return l;
  }

  @Override
  public SetWriter set(String property) {
    PropertyModel p = prop(property);
    if (p.collection != CollectionType.SET) {
      throw collectionError(p, "set");
    }
    SetWriterImpl[] sets = caches().sets;
    SetWriterImpl s = sets[p.index];
    if (s == null) {
      s = sets[p.index] = new SetWriterImpl(this, p);
    }
    s.attach();
    return s;
  }

  @Override
  public DictionaryWriter dictionary(String property) {
    PropertyModel p = prop(property);
    if (p.collection != CollectionType.DICTIONARY) {
      throw collectionError(p, "dictionary");
    }
    DictionaryWriterImpl[] dictionaries = caches().dictionaries;
    DictionaryWriterImpl d = dictionaries[p.index];
    if (d == null) {
      d = dictionaries[p.index] = new DictionaryWriterImpl(this, p, p.type);
    }
    d.attach(false);
    return d;
  }

  @Override
  public ListWriter mixedList(String property) {
    PropertyModel p = mixedSingle(property, "mixedList");
    ListWriterImpl[] mixedLists = caches().mixedLists;
    ListWriterImpl l = mixedLists[p.index];
    if (l == null) {
      l = mixedLists[p.index] = new ListWriterImpl(this, p, PropertyType.MIXED);
    }
    // spec changeset.md §9.2: Update(List), then Clear(List), then the elements
    open(UPDATE, p).listValue();
    open(CLEAR, p).collection(io.tributary.protocol.changeset.CollectionType.LIST);
    l.attach(true);
    return l;
  }

  @Override
  public DictionaryWriter mixedDictionary(String property) {
    PropertyModel p = mixedSingle(property, "mixedDictionary");
    DictionaryWriterImpl[] mixedDictionaries = caches().mixedDictionaries;
    DictionaryWriterImpl d = mixedDictionaries[p.index];
    if (d == null) {
      d = mixedDictionaries[p.index] = new DictionaryWriterImpl(this, p, PropertyType.MIXED);
    }
    open(UPDATE, p).dictionaryValue();
    open(CLEAR, p).collection(io.tributary.protocol.changeset.CollectionType.DICTIONARY);
    d.attach(true);
    return d;
  }

  private PropertyModel mixedSingle(String property, String method) {
    PropertyModel p = prop(property);
    if (p.single != PropertyType.MIXED) {
      throw new IllegalArgumentException(
          p.qualified() + ": " + method + " needs a single mixed property (expected: mixed, given: "
              + (p.primaryKey ? "the primary key" : p.property.typeName()) + ")");
    }
    return p;
  }

  private static IllegalArgumentException collectionError(PropertyModel p, String kind) {
    return new IllegalArgumentException(
        p.qualified() + ": is " + (p.primaryKey ? "the primary key" : "a " + p.property.typeName())
            + " (expected: a " + kind + " property)");
  }

  @Override
  public ObjectWriter parent() {
    checkUsable();
    if (parent == null) {
      throw new IllegalStateException(
          describe() + " is an asymmetric object: it has no parent (expected: an embedded"
              + " object's writer)");
    }
    return parent;
  }

  @Override
  public String toString() {
    return "ObjectWriter{" + describe() + "}";
  }
}
