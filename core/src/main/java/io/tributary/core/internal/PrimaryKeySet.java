package io.tributary.core.internal;

import java.util.Arrays;

/**
 * The primary keys created in the current transaction, per class, to refuse a duplicate ("existing
 * primary key", spec changeset.md §9.3) without allocating per object.
 *
 * <p>Open addressing over parallel arrays. A key is (class index, two longs, a reference): ObjectId
 * (high, low), int (value, 0), UUID (msb, lsb), string (0, 0, the String), null (0, 0, {@link
 * #NULL_KEY}). A slot is occupied only if its stamp equals the current stamp, so {@link #clear()}
 * is O(1). Not thread safe: one per transaction context.
 */
final class PrimaryKeySet {
  /** The reference part of a null primary key. */
  static final Object NULL_KEY = new Object();

  private static final int INITIAL = 64;
  /** Tables larger than this (slots) are dropped at {@link #clear()} instead of being kept. */
  private static final int MAX_RETAINED = 1 << 14;

  private int[] stamps;
  private int[] classes;
  private long[] as;
  private long[] bs;
  private Object[] refs;
  private int mask;
  private int size;
  private int stamp = 1;
  private int lastAdded = -1;

  PrimaryKeySet() {
    allocate(INITIAL);
  }

  private void allocate(int capacity) {
    stamps = new int[capacity];
    classes = new int[capacity];
    as = new long[capacity];
    bs = new long[capacity];
    refs = new Object[capacity];
    mask = capacity - 1;
    size = 0;
  }

  /** Forgets every key. */
  void clear() {
    if (stamps.length > MAX_RETAINED) {
      allocate(INITIAL);
      stamp = 1;
      return;
    }
    size = 0;
    if (++stamp == 0) {
      Arrays.fill(stamps, 0);
      stamp = 1;
    }
  }

  int size() {
    return size;
  }

  /**
   * Adds a key.
   *
   * @return false if it was already present
   */
  boolean add(int cls, long a, long b, Object ref) {
    if ((size + 1) * 2 > stamps.length) {
      grow();
    }
    int h = hash(cls, a, b, ref);
    int i = h & mask;
    int[] st = stamps;
    for (; ; ) {
      if (st[i] != stamp) {
        st[i] = stamp;
        classes[i] = cls;
        as[i] = a;
        bs[i] = b;
        refs[i] = ref;
        size++;
        lastAdded = i;
        return true;
      }
      if (classes[i] == cls && as[i] == a && bs[i] == b
          && (refs[i] == ref || (ref != null && ref.equals(refs[i])))) {
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
    if (lastAdded >= 0 && stamps[lastAdded] == stamp) {
      stamps[lastAdded] = stamp - 1;
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

  private void grow() {
    int[] oldStamps = stamps;
    int[] oldClasses = classes;
    long[] oldAs = as;
    long[] oldBs = bs;
    Object[] oldRefs = refs;
    int current = stamp;
    allocate(oldStamps.length * 2);
    stamp = 1;
    for (int i = 0; i < oldStamps.length; i++) {
      if (oldStamps[i] == current) {
        add(oldClasses[i], oldAs[i], oldBs[i], oldRefs[i]);
      }
    }
  }
}
