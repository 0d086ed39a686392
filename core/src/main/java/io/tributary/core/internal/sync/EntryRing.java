package io.tributary.core.internal.sync;

/**
 * The log entries sent on the current binding and not yet acknowledged, in version order: their
 * sizes make the window of bytes in flight, their object counts the acknowledged-objects figure.
 * Primitive arrays that grow once and are then reused: nothing is allocated per entry after
 * warm-up.
 *
 * <p>Not thread safe. {@link #push} runs inside {@code UploadLog.read}'s visitor (possibly on the
 * log's thread) while the session thread waits for the read; everything else runs on the session
 * thread.
 */
final class EntryRing {
  private long[] versions = new long[256];
  private int[] objects = new int[256];
  private int[] sizes = new int[256];
  private int head;
  private int size;
  private long totalBytes;
  private long maxPushed;

  /** Entries, objects and bytes of the entries removed by the last {@link #popThrough}. */
  int poppedEntries;

  long poppedObjects;

  long poppedBytes;

  /** Empties the ring; versions up to {@code base} count as covered (already acknowledged). */
  void clear(long base) {
    head = 0;
    size = 0;
    totalBytes = 0;
    maxPushed = base;
  }

  /** Adds an entry newer than every entry in the ring. */
  void push(long version, int objectCount, int bytes) {
    if (size == versions.length) {
      grow();
    }
    int i = (head + size) & (versions.length - 1);
    versions[i] = version;
    objects[i] = objectCount;
    sizes[i] = bytes;
    size++;
    totalBytes += bytes;
    maxPushed = version;
  }

  /** Removes the entries with version <= {@code version}, summing them into the popped fields. */
  void popThrough(long version) {
    long o = 0;
    long b = 0;
    int n = 0;
    int mask = versions.length - 1;
    while (size > 0 && versions[head] <= version) {
      n++;
      o += objects[head];
      b += sizes[head];
      head = (head + 1) & mask;
      size--;
    }
    totalBytes -= b;
    poppedEntries = n;
    poppedObjects = o;
    poppedBytes = b;
    if (size == 0) {
      head = 0;
    }
  }

  /** Changeset bytes of the entries in the ring. */
  long totalBytes() {
    return totalBytes;
  }

  /** The newest version pushed (or the base of the last {@link #clear}). */
  long maxPushed() {
    return maxPushed;
  }

  int size() {
    return size;
  }

  private void grow() {
    int n = versions.length;
    long[] v = new long[n * 2];
    int[] o = new int[n * 2];
    int[] s = new int[n * 2];
    for (int k = 0; k < size; k++) {
      int i = (head + k) & (n - 1);
      v[k] = versions[i];
      o[k] = objects[i];
      s[k] = sizes[i];
    }
    versions = v;
    objects = o;
    sizes = s;
    head = 0;
  }
}
