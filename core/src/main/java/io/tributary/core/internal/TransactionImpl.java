package io.tributary.core.internal;

import io.tributary.core.AsymmetricObjectException;
import io.tributary.core.ChangesetTooLargeException;
import io.tributary.core.DuplicatePrimaryKeyException;
import io.tributary.core.ObjectSchema;
import io.tributary.core.ObjectWriter;
import io.tributary.core.PropertyType;
import io.tributary.core.Transaction;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.SinkOverflowException;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One thread's transaction context for one realm, reused by every transaction that thread runs:
 * the changeset buffer and writer, the primary keys created so far, and pooled object writers. A
 * transaction allocates nothing per object once the context has warmed up (up to {@link
 * #POOL_CAP} objects per transaction; objects beyond that get a fresh writer each).
 *
 * <p>Confined to its thread: only {@link #unusable} and the checks of writers on other threads
 * read its fields from elsewhere, racily, and only to throw.
 */
final class TransactionImpl implements Transaction {
  /** Pooled writers per transaction (roots) and per collection (embedded elements). */
  static final int POOL_CAP = 1024;

  private final SchemaModel model;
  /** The number of classes, for writers' per-class caches. */
  final int classCount;
  private final Committer committer;
  private final AtomicBoolean closed;
  private final TxSink sink;
  final ChangesetWriter writer;
  private final PrimaryKeySet keys = new PrimaryKeySet();

  /** Incremented when a transaction ends: writers assigned before then become unusable. */
  int gen;
  /** The thread running the current transaction, or null between transactions. */
  Thread thread;
  long stampCounter;
  /**
   * The {@link ObjectWriterImpl#stamp} of the root object the changeset writer has selected; 0 if
   * none. A stamp rather than the writer itself: this object and the pooled writers live long (old
   * generation), and a reference stored here per created object would dirty a GC card each time
   * (G1's refinement threads then rescan it); a long store costs no barrier.
   */
  long selectedStamp;
  private boolean active;
  private int objectCount;
  private ObjectWriterImpl[] roots = new ObjectWriterImpl[16];
  /**
   * The last (class name, key type) that passed {@link #creatable}'s checks and its model: a
   * transaction usually creates objects of one class, named by one literal String.
   */
  private String creatableName;
  private PropertyType creatableType;
  private ClassModel creatableClass;

  TransactionImpl(
      SchemaModel model, Committer committer, int maxChangesetBytes, AtomicBoolean closed) {
    this.model = model;
    this.classCount = model.classCount();
    this.committer = committer;
    this.closed = closed;
    this.sink = new TxSink(maxChangesetBytes);
    this.writer = new ChangesetWriter();
  }

  /**
   * Runs {@code body} as one transaction and commits it.
   *
   * @return the client version the log assigned, or 0 if the body created no object (nothing is
   *     appended then)
   */
  long run(Consumer<? super Transaction> body) {
    if (active) {
      throw new IllegalStateException(
          "write: a transaction is already running on this thread (expected: no write call inside"
              + " a write body)");
    }
    active = true;
    thread = Thread.currentThread();
    objectCount = 0;
    selectedStamp = 0;
    keys.clear();
    sink.reset();
    writer.reset(sink);
    try {
      body.accept(this);
      return commit();
    } catch (SinkOverflowException e) {
      throw tooLarge(e);
    } finally {
      active = false;
      thread = null;
      gen++;
      selectedStamp = 0;
      sink.reset();
    }
  }

  private long commit() {
    if (objectCount == 0) {
      return 0;
    }
    if (sink.overflowed()) {
      throw tooLarge(null);
    }
    writer.finish();
    WriteEngine.checkOpen(closed, "write");
    return committer.commit(sink.contents(), objectCount);
  }

  private ChangesetTooLargeException tooLarge(SinkOverflowException e) {
    return new ChangesetTooLargeException(
        "transaction: changeset of " + objectCount + " objects exceeds maxChangesetBytes "
            + sink.maxCapacity() + " (expected: at most " + sink.maxCapacity()
            + " bytes; split the objects across several write calls); nothing was written", e);
  }

  IllegalStateException unusable(String what) {
    Thread owner = thread;
    Thread current = Thread.currentThread();
    if (owner != null && owner != current) {
      return new IllegalStateException(
          what + " used from thread '" + current.getName() + "', but its transaction runs on"
              + " thread '" + owner.getName() + "' (expected: the transaction's thread)");
    }
    return new IllegalStateException(
        what + " used after its transaction ended (expected: use transactions and writers only"
            + " inside the body of write)");
  }

  private void checkActive(String method) {
    if (!active || thread != Thread.currentThread()) {
      throw unusable("transaction (" + method + ")");
    }
  }

  /** Selects {@code root} in the changeset writer (after another object was written). */
  void select(ObjectWriterImpl root) {
    ClassModel c = root.cls;
    switch (root.keyKind) {
      case ObjectWriterImpl.KEY_OBJECT_ID:
        // rebuilt only when the app goes back to an earlier object (see assignRoot)
        writer.object(c.preparedName, ObjectId.of(root.keyHigh(), root.keyLong));
        break;
      case ObjectWriterImpl.KEY_INT:
        writer.object(c.preparedName, root.keyLong);
        break;
      case ObjectWriterImpl.KEY_STRING:
        writer.object(c.preparedName, (String) root.keyRef);
        break;
      case ObjectWriterImpl.KEY_UUID:
        writer.object(c.preparedName, new UUID(root.keyMsb, root.keyLong));
        break;
      default:
        writer.objectWithNullKey(c.name);
        break;
    }
    selectedStamp = root.stamp;
  }

  // -------------------------------------------------------------------------------------------
  // Transaction

  /** The asymmetric class {@code className}, whose primary key must have type {@code type}. */
  private ClassModel creatable(String className, PropertyType type, String given) {
    checkActive("create");
    if (className == creatableName && type == creatableType && className != null) {
      return creatableClass;
    }
    Objects.requireNonNull(className, "className");
    ClassModel c = model.find(className);
    if (c == null) {
      throw new IllegalArgumentException(
          "Unknown class '" + className + "' (expected one of: " + model.asymmetricNames() + ")");
    }
    if (c.kind != ObjectSchema.Kind.ASYMMETRIC) {
      throw new IllegalArgumentException(
          className + " is " + (c.kind == ObjectSchema.Kind.EMBEDDED ? "an embedded" : "a "
              + c.kind) + " class: its objects cannot be created on their own (expected: an"
              + " asymmetric class; create embedded objects through a property of their parent,"
              + " e.g. embedded(..))");
    }
    if (type != null && c.primaryKey.type != type) {
      throw new IllegalArgumentException(
          c.name + "." + c.primaryKey.name + ": cannot use " + given + " as primary key (expected: "
              + c.primaryKey.type.realmName() + ")");
    }
    creatableName = className;
    creatableType = type;
    creatableClass = c;
    return c;
  }

  private ObjectWriterImpl nextRoot() {
    int i = objectCount;
    if (i >= POOL_CAP) {
      return new ObjectWriterImpl(this);
    }
    ObjectWriterImpl[] r = roots;
    if (i == r.length) {
      r = roots = Arrays.copyOf(r, Math.min(POOL_CAP, r.length * 2));
    }
    ObjectWriterImpl w = r[i];
    if (w == null) {
      w = r[i] = new ObjectWriterImpl(this);
    }
    return w;
  }

  private ObjectWriter created(ClassModel c, int kind, long keyLong, Object keyRef) {
    return created(c, kind, 0, keyLong, keyRef);
  }

  private ObjectWriter created(
      ClassModel c, int kind, long keyHighOrMsb, long keyLong, Object keyRef) {
    ObjectWriterImpl w = nextRoot();
    w.assignRoot(c, kind, keyHighOrMsb, keyLong, keyRef);
    selectedStamp = w.stamp;
    objectCount++;
    return w;
  }

  private DuplicatePrimaryKeyException duplicate(ClassModel c, String key) {
    return new DuplicatePrimaryKeyException(
        c.name + "." + c.primaryKey.name + ": existing primary key " + key + " (this transaction"
            + " already created a " + c.name + " with that key)");
  }

  private IllegalArgumentException missingKey(ClassModel c) {
    return new IllegalArgumentException(
        c.name + "." + c.primaryKey.name + ": missing primary key: null (expected: "
            + c.primaryKey.type.realmName() + ", not nullable)");
  }

  @Override
  public ObjectWriter create(String className, ObjectId primaryKey) {
    ClassModel c = creatable(className, PropertyType.OBJECT_ID, "an objectId");
    if (primaryKey == null) {
      return createNull(c);
    }
    if (!keys.add(c.index, primaryKey.high(), primaryKey.low(), null)) {
      throw duplicate(c, primaryKey.toHexString());
    }
    writer.createObject(c.preparedName, primaryKey);
    return created(
        c, ObjectWriterImpl.KEY_OBJECT_ID, primaryKey.high(), primaryKey.low(), null);
  }

  @Override
  public ObjectWriter create(String className, long primaryKey) {
    ClassModel c = creatable(className, PropertyType.INT, "an int");
    if (!keys.add(c.index, primaryKey, 0, null)) {
      throw duplicate(c, Long.toString(primaryKey));
    }
    writer.createObject(c.preparedName, primaryKey);
    return created(c, ObjectWriterImpl.KEY_INT, primaryKey, null);
  }

  @Override
  public ObjectWriter create(String className, String primaryKey) {
    ClassModel c = creatable(className, PropertyType.STRING, "a string");
    if (primaryKey == null) {
      return createNull(c);
    }
    if (!keys.add(c.index, 0, 0, primaryKey)) {
      throw duplicate(c, "\"" + primaryKey + "\"");
    }
    try {
      writer.createObject(c.preparedName, primaryKey); // checks length and UTF-16 first
    } catch (IllegalArgumentException e) {
      keys.undoLastAdd();
      throw new IllegalArgumentException(c.name + "." + c.primaryKey.name + ": " + e.getMessage(), e);
    }
    return created(c, ObjectWriterImpl.KEY_STRING, 0, primaryKey);
  }

  @Override
  public ObjectWriter create(String className, UUID primaryKey) {
    ClassModel c = creatable(className, PropertyType.UUID, "a uuid");
    if (primaryKey == null) {
      return createNull(c);
    }
    if (!keys.add(
        c.index, primaryKey.getMostSignificantBits(), primaryKey.getLeastSignificantBits(), null)) {
      throw duplicate(c, primaryKey.toString());
    }
    writer.createObject(c.preparedName, primaryKey);
    return created(
        c,
        ObjectWriterImpl.KEY_UUID,
        primaryKey.getMostSignificantBits(),
        primaryKey.getLeastSignificantBits(),
        null);
  }

  @Override
  public ObjectWriter createWithNullKey(String className) {
    return createNull(creatable(className, null, null));
  }

  private ObjectWriter createNull(ClassModel c) {
    if (!c.primaryKey.nullable) {
      throw missingKey(c);
    }
    if (!keys.add(c.index, 0, 0, PrimaryKeySet.NULL_KEY)) {
      throw duplicate(c, "null");
    }
    writer.createObjectWithNullKey(c.name);
    return created(c, ObjectWriterImpl.KEY_NULL, 0, null);
  }

  @Override
  public int objectCount() {
    checkActive("objectCount");
    return objectCount;
  }

  @Override
  public void delete(String className, Object primaryKey) {
    checkActive("delete");
    Objects.requireNonNull(className, "className");
    ClassModel c = model.find(className);
    if (c == null) {
      throw new IllegalArgumentException(
          "Unknown class '" + className + "' (expected one of: " + model.asymmetricNames() + ")");
    }
    throw new AsymmetricObjectException(
        c.kind == ObjectSchema.Kind.EMBEDDED
            ? "Embedded objects of asymmetric objects cannot be deleted: " + c.name
            : "Asymmetric Realm objects cannot be deleted manually: " + c.name);
  }

  @Override
  public String toString() {
    return "Transaction{" + (active ? "running on " + thread.getName() + ", objects="
        + objectCount : "not running") + "}";
  }
}
