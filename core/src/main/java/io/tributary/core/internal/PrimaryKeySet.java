package io.tributary.core.internal;

import java.util.Arrays;

/**
 * The primary keys created in the current transaction, per class, to refuse a duplicate ("existing
 * primary key", spec changeset.md §9.3) without allocating per object.
 *
 * <p>Open addressing over one {@code long[]} with three longs per slot (tag, a, b), so that an
 * insert touches one or two cache lines, and a parallel {@code Object[]} read only for keys that
 * have a reference. A key is (class index, two longs, a reference): ObjectId (high, low), int
 * (value, 0), UUID (msb, lsb), string (0, 0, the String), null (0, 0, {@link #NULL_KEY}). The tag
 * is (stamp, class index, whether the key has a reference); a slot is occupied only if its tag's
 * stamp equals the current stamp, so {@link #clear()} is O(1). Not thread safe: one per
 * transaction context.
 *
 * <p>Keys without a reference that come in increasing order (class index, then a, then b, as
 * signed longs) skip the table: such a run cannot hold a duplicate, so they are only appended to a
 * log, one comparison with the previous key each. Apps' keys often do come that way (ObjectIds
 * from one generator, counters). The first key out of order, or with a reference, moves the
 * logged keys into the table, which then serves the rest of the transaction.
 */
final class PrimaryKeySet {
  /** The reference part of a null primary key. */
  static final Object NULL_KEY = new Object();

  private static final int INITIAL = 64;
  /** Tables larger than this (slots) are dropped at {@link #clear()} instead of being kept. */
  private static final int MAX_RETAINED = 1 << 14;
  private static final int STRIDE = 3;

  /** Per slot: tag (stamp << 32 | class << 1 | has-reference), a, b. */
  private long[] table;
  /** Per slot: the reference, meaningful only if the slot's tag says it has one. */
  private Object[] refs;
  private int capacity;
  private int mask;
  private int size;
  private int stamp = 1;
  /**
   * The last successful add: a slot of the table, or (before the table is used) an index in the
   * log; -1 if none or undone.
   */
  private int lastAdded = -1;

  /** Whether the table holds the keys; if false, the log does (see the class comment). */
  private boolean hashed;
  /** The keys added while not {@link #hashed}, in increasing order: (class, a, b) per key. */
  private long[] log = new long[INITIAL * STRIDE];
  private int logSize;
  /** The last logged key (meaningful while {@code logSize > 0}). */
  private int lastCls;
  private long lastA;
  private long lastB;

  PrimaryKeySet() {
    allocate(INITIAL);
  }

  private void allocate(int slots) {
    table = new long[slots * STRIDE];
    refs = new Object[slots];
    capacity = slots;
    mask = slots - 1;
    size = 0;
  }

  /** Forgets every key. */
  void clear() {
    hashed = false;
    logSize = 0;
    lastAdded = -1;
    if (log.length > MAX_RETAINED * STRIDE) {
      log = new long[INITIAL * STRIDE];
    }
    if (capacity > MAX_RETAINED) {
      allocate(INITIAL);
      stamp = 1;
      return;
    }
    size = 0;
    if (++stamp == 0) {
      Arrays.fill(table, 0);
      Arrays.fill(refs, null);
      stamp = 1;
    }
  }

  int size() {
    return size;
  }

  private static long tag(int stamp, int cls, Object ref) {
    return ((long) stamp << 32) | ((long) cls << 1) | (ref != null ? 1 : 0);
  }

  /**
   * Adds a key.
   *
   * @param cls the class index, 0..2^31-1
   * @return false if it was already present
   */
  boolean add(int cls, long a, long b, Object ref) {
    if (!hashed) {
      int n = logSize;
      if (ref == null
          && (n == 0
              || cls > lastCls
              || (cls == lastCls && (a > lastA || (a == lastA && b > lastB))))) {
        long[] l = log;
        int at = n * STRIDE;
        if (at == l.length) {
          l = growLog();
        }
        l[at] = cls;
        l[at + 1] = a;
        l[at + 2] = b;
        lastCls = cls;
        lastA = a;
        lastB = b;
        logSize = n + 1;
        size++;
        lastAdded = n;
        return true;
      }
      toHashed();
    }
    return addHashed(cls, a, b, ref);
  }

  private long[] growLog() {
    return log = Arrays.copyOf(log, log.length * 2);
  }

  /** {@link #add} into the table (apart, so that the logging path stays small enough to inline). */
  private boolean addHashed(int cls, long a, long b, Object ref) {
    if ((size + 1) * 2 > capacity) {
      grow();
    }
    long want = tag(stamp, cls, ref);
    int current = stamp;
    long[] t = table;
    int i = hash(cls, a, b, ref) & mask;
    for (; ; ) {
      int at = i * STRIDE;
      long tag = t[at];
      if ((int) (tag >>> 32) != current) {
        t[at] = want;
        t[at + 1] = a;
        t[at + 2] = b;
        if (ref != null) {
          refs[i] = ref;
        }
        size++;
        lastAdded = i;
        return true;
      }
      if (tag == want && t[at + 1] == a && t[at + 2] == b
          && (ref == null || ref == refs[i] || ref.equals(refs[i]))) {
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * Removes the key added by the last successful {@link #add} (safe with linear probing: no later
   * insert can have probed past its slot).
   */
  void undoLastAdd() {
    if (!hashed) {
      int n = logSize;
      if (lastAdded >= 0 && lastAdded == n - 1) {
        logSize = --n;
        size--;
        if (n > 0) { // the log is increasing: the entry before is the last key again
          int at = (n - 1) * STRIDE;
          lastCls = (int) log[at];
          lastA = log[at + 1];
          lastB = log[at + 2];
        }
      }
      lastAdded = -1;
      return;
    }
    if (lastAdded >= 0 && (int) (table[lastAdded * STRIDE] >>> 32) == stamp) {
      table[lastAdded * STRIDE] = (long) (stamp - 1) << 32;
      refs[lastAdded] = null;
      size--;
    }
    lastAdded = -1;
  }

  /**
   * Moves the logged keys into the table (through {@link #addHashed}). The mark of the last
   * successful add moves with its key: while logging it is the last entry or none (every
   * successful add appends, an undo clears it), and the last entry is added last, so no later
   * growth of the table moves it.
   */
  private void toHashed() {
    hashed = true;
    int n = logSize;
    boolean marked = lastAdded >= 0;
    long[] l = log;
    size = 0;
    for (int i = 0; i < n; i++) {
      int at = i * STRIDE;
      addHashed((int) l[at], l[at + 1], l[at + 2], null);
    }
    logSize = 0;
    if (!marked) {
      lastAdded = -1;
    }
  }

  private static int hash(int cls, long a, long b, Object ref) {
    long h = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + cls;
    if (ref != null) {
      h += ref.hashCode() * 0x165667B1L;
    }
    h ^= h >>> 32;
    return ClassModel.spread((int) h);
  }

  /**
   * Doubles the table. The last added key keeps its mark at its new slot: a later {@link #add}
   * may grow the table and then find a duplicate, and {@link #undoLastAdd} must still remove the
   * key of the last <em>successful</em> add, not whichever key was moved last.
   */
  private void grow() {
    long[] oldTable = table;
    Object[] oldRefs = refs;
    int oldCapacity = capacity;
    int current = stamp;
    int oldLast = lastAdded;
    allocate(oldCapacity * 2);
    stamp = 1;
    int newLast = -1;
    for (int i = 0; i < oldCapacity; i++) {
      long tag = oldTable[i * STRIDE];
      if ((int) (tag >>> 32) == current) {
        int cls = (int) (tag >>> 1) & 0x7FFF_FFFF;
        addHashed(cls, oldTable[i * STRIDE + 1], oldTable[i * STRIDE + 2],
            (tag & 1) != 0 ? oldRefs[i] : null);
        if (i == oldLast) {
          newLast = lastAdded;
        }
      }
    }
    lastAdded = newLast;
  }
}
