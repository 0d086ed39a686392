package io.tributary.protocol.changeset;

import java.util.Arrays;

/**
 * The strings a {@link ChangesetWriter} has interned in the current changeset: String → intern
 * index, plus the UTF-8 length of each index (for the name-length limits).
 *
 * <p>Open addressing with linear probing, keyed by the String's content (identity is tried
 * first, so the constant names of a schema hit with one reference comparison). Slots are stamped
 * with a generation, so {@link #clear()} costs O(strings interned), not O(capacity), and it drops
 * the references it held. After warm-up (the table has grown to the working size) nothing is
 * allocated.
 */
final class WriterInternTable {
  private static final int INITIAL_SLOTS = 64;

  private String[] keys = new String[INITIAL_SLOTS];
  private int[] indexes = new int[INITIAL_SLOTS];
  private int[] stamps = new int[INITIAL_SLOTS];
  private int mask = INITIAL_SLOTS - 1;
  private int generation = 1;

  /** By intern index: UTF-8 length and the slot holding the string. */
  private int[] lengths = new int[INITIAL_SLOTS / 2];

  private int[] slots = new int[INITIAL_SLOTS / 2];
  /** By intern index: the string (one load to verify a {@link Name}'s hint). */
  private String[] byIndex = new String[INITIAL_SLOTS / 2];

  private int count;

  int size() {
    return count;
  }

  int utf8Length(int index) {
    return lengths[index];
  }

  /**
   * The strings by intern index, {@code null} at and after {@link #size()}: the array changes when
   * it grows (after {@link #add}).
   */
  String[] byIndex() {
    return byIndex;
  }

  /**
   * Whether intern index {@code index} holds exactly the String instance {@code s} (a {@link
   * Name}'s hint check: identity, one load).
   */
  boolean holds(int index, String s) {
    return index < count && index >= 0 && byIndex[index] == s;
  }

  /**
   * Finds {@code s}.
   *
   * @return its intern index (≥ 0), or {@code -(slot + 1)} where it would be inserted
   */
  int find(String s) {
    int m = mask;
    int i = mix(s.hashCode()) & m;
    int[] st = stamps;
    int g = generation;
    String[] k = keys;
    while (st[i] == g) {
      String key = k[i];
      if (key == s || key.equals(s)) {
        return indexes[i];
      }
      i = (i + 1) & m;
    }
    return -(i + 1);
  }

  /**
   * Adds {@code s} (not present) at the slot {@link #find} returned.
   *
   * @return its new intern index
   */
  int add(int findResult, String s, int utf8Length) {
    int slot = -(findResult + 1);
    int index = count;
    keys[slot] = s;
    indexes[slot] = index;
    stamps[slot] = generation;
    if (index == lengths.length) {
      lengths = Arrays.copyOf(lengths, index * 2);
      slots = Arrays.copyOf(slots, index * 2);
      byIndex = Arrays.copyOf(byIndex, index * 2);
    }
    lengths[index] = utf8Length;
    byIndex[index] = s;
    slots[index] = slot;
    count = index + 1;
    if (count * 2 > keys.length) {
      rehash();
    }
    return index;
  }

  /** Forgets every string. */
  void clear() {
    for (int i = 0; i < count; i++) {
      keys[slots[i]] = null;
      byIndex[i] = null;
    }
    count = 0;
    generation++;
    if (generation == 0) {
      Arrays.fill(stamps, 0);
      generation = 1;
    }
  }

  private void rehash() {
    String[] oldKeys = keys;
    int[] oldIndexes = indexes;
    int[] oldStamps = stamps;
    int g = generation;
    int n = oldKeys.length * 2;
    keys = new String[n];
    indexes = new int[n];
    stamps = new int[n];
    mask = n - 1;
    generation = 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldStamps[i] == g) {
        int j = mix(oldKeys[i].hashCode()) & mask;
        while (stamps[j] == 1) {
          j = (j + 1) & mask;
        }
        keys[j] = oldKeys[i];
        indexes[j] = oldIndexes[i];
        stamps[j] = 1;
        slots[oldIndexes[i]] = j;
      }
    }
  }

  private static int mix(int h) {
    // spread the bits: String.hashCode of short names differs mostly in the low bits
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
