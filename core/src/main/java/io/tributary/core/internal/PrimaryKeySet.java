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
  private int lastAdded = -1;

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
    if (lastAdded >= 0 && (int) (table[lastAdded * STRIDE] >>> 32) == stamp) {
      table[lastAdded * STRIDE] = (long) (stamp - 1) << 32;
      refs[lastAdded] = null;
      size--;
    }
    lastAdded = -1;
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
        add(cls, oldTable[i * STRIDE + 1], oldTable[i * STRIDE + 2],
            (tag & 1) != 0 ? oldRefs[i] : null);
        if (i == oldLast) {
          newLast = lastAdded;
        }
      }
    }
    lastAdded = newLast;
  }
}
