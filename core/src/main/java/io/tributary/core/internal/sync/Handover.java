package io.tributary.core.internal.sync;

import io.tributary.protocol.message.UploadBuilder;
import java.nio.ByteBuffer;

/**
 * Copies of changesets handed over at commit time, so that a caught-up session frames them
 * without reading them back through the log (for LMDB: a hop to the log's storage thread and a
 * copy). Only an optimisation: whatever is not here (not offered, over the budget, purged) the
 * session reads from the log, which stays the source of truth. An entry offered here was appended
 * and made durable by the log before it was offered, and its bytes, object count and origin
 * timestamp are the ones the log stored.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES} entries and {@code budget} bytes. The bytes live in one
 * arena, filled from its start and reset whenever no entry is held, so that after warm-up nothing
 * is allocated per entry.
 *
 * <p>Thread safe: {@link #offer} runs on committing threads, the rest on the session thread; one
 * monitor guards everything (held during the copies, which are memcpy of one changeset).
 */
final class Handover {
  /** Entries held at most. */
  static final int MAX_ENTRIES = 256;

  private final int budget;
  private byte[] arena = new byte[0];
  private ByteBuffer arenaView = ByteBuffer.wrap(arena);
  private int used;
  private final long[] versions = new long[MAX_ENTRIES];
  private final long[] origins = new long[MAX_ENTRIES];
  private final int[] objects = new int[MAX_ENTRIES];
  private final int[] offsets = new int[MAX_ENTRIES];
  private final int[] lengths = new int[MAX_ENTRIES];
  private int count;
  /** Versions <= floor are refused and purged (sent, acknowledged, or not usable). */
  private long floor;
  private boolean closed;

  /** Entries and bytes {@link #take} added to the builder; read on the session thread. */
  int takenEntries;

  long takenLastVersion;

  // statistics, for tests and reports (guarded by this)
  private long offered;
  private long accepted;
  private long taken;

  /**
   * @param budget bytes of changesets held at most, > 0
   * @param floor versions up to this one are never held (the log's last assigned version)
   */
  Handover(int budget, long floor) {
    if (budget <= 0) {
      throw new IllegalArgumentException("budget: " + budget + " (expected: > 0)");
    }
    this.budget = budget;
    this.floor = floor;
  }

  /**
   * Holds a copy of a committed changeset if it is newer than the floor and fits.
   *
   * @param changeset read from {@code offset} for {@code length} bytes (absolute: its position is
   *     untouched); borrowed
   * @return whether it was taken
   */
  synchronized boolean offer(
      long version, int objectCount, long originTimestamp, ByteBuffer changeset, int offset,
      int length) {
    offered++;
    if (closed || version <= floor || count == MAX_ENTRIES || length > budget - used) {
      return false;
    }
    if (used + length > arena.length) {
      int n = (int) Math.min(budget, Math.max(Math.max(4096L, 2L * arena.length),
          (long) used + length));
      byte[] a = new byte[n];
      System.arraycopy(arena, 0, a, 0, used);
      arena = a;
      arenaView = ByteBuffer.wrap(a);
    }
    changeset.get(offset, arena, used, length);
    int i = count++;
    versions[i] = version;
    origins[i] = originTimestamp;
    objects[i] = objectCount;
    offsets[i] = used;
    lengths[i] = length;
    used += length;
    accepted++;
    return true;
  }

  /**
   * Adds the held entries {@code after + 1}, {@code after + 2}, ... to {@code builder} while they
   * are consecutive and total at most {@code maxBytes} (the first one always), and forgets them and
   * everything older. Sets {@link #takenEntries} and {@link #takenLastVersion}.
   *
   * @param serverVersion the last integrated server version the log stamped on these entries
   * @param ring receives each entry taken
   * @return the number of entries taken; 0 if entry {@code after + 1} is not held
   */
  synchronized int take(long after, long maxBytes, long serverVersion, UploadBuilder builder,
      EntryRing ring) {
    long v = after;
    long bytes = 0;
    int n = 0;
    while (true) {
      int i = indexOf(v + 1);
      if (i < 0 || (n > 0 && bytes + lengths[i] > maxBytes)) {
        break;
      }
      v++;
      int len = lengths[i];
      arenaView.limit(offsets[i] + len).position(offsets[i]);
      builder.addEntry(v, serverVersion, origins[i], 0, arenaView);
      ring.push(v, objects[i], len);
      bytes += len;
      n++;
    }
    takenEntries = n;
    takenLastVersion = v;
    taken += n;
    raiseFloorLocked(v);
    return n;
  }

  /** Refuses and forgets every version up to {@code version}. Session thread. */
  synchronized void raiseFloor(long version) {
    raiseFloorLocked(version);
  }

  /** Forgets everything and refuses every later offer. */
  synchronized void close() {
    closed = true;
    count = 0;
    used = 0;
    arena = new byte[0];
    arenaView = ByteBuffer.wrap(arena);
  }

  synchronized int size() {
    return count;
  }

  /** Offers seen, accepted and entries taken, in that order. */
  synchronized long[] counts() {
    return new long[] {offered, accepted, taken};
  }

  private void raiseFloorLocked(long version) {
    if (version > floor) {
      floor = version;
    }
    int k = 0;
    for (int i = 0; i < count; i++) {
      if (versions[i] > floor) {
        if (k != i) {
          versions[k] = versions[i];
          origins[k] = origins[i];
          objects[k] = objects[i];
          offsets[k] = offsets[i];
          lengths[k] = lengths[i];
        }
        k++;
      }
    }
    count = k;
    if (k == 0) {
      used = 0; // no entry points into the arena: fill it from the start again
    }
  }

  private int indexOf(long version) {
    for (int i = 0; i < count; i++) {
      if (versions[i] == version) {
        return i;
      }
    }
    return -1;
  }
}
