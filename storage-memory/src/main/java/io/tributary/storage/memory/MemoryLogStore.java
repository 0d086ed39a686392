package io.tributary.storage.memory;

import io.tributary.core.spi.SyncProgress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The contents of one in-memory upload log: entries, counters and metadata. Outlives the {@link
 * MemoryUploadLog} handles opened on it, so a {@link MemoryStorage} can be closed and opened again
 * like a durable one (within one process).
 *
 * <p>Not thread safe: every access is made by a handle holding the storage's lock.
 *
 * <p>Layout, chosen so that an append allocates nothing once the log has warmed up: entry fields
 * live in parallel primitive arrays used as a ring (index {@code (head + i) & mask}), and changeset
 * bytes are copied into large {@link Chunk}s filled front to back. Entries leave in FIFO order
 * (acknowledge and drop both delete the oldest), so a chunk empties as a whole and goes back to a
 * pool (at most 64 chunks, and no more than the bound can fill). Only an entry larger than a
 * quarter of a chunk gets its own array.
 */
final class MemoryLogStore {
  /** What {@code sizeBytes} counts per entry beyond its changeset (its fixed fields). */
  static final int ENTRY_OVERHEAD_BYTES = 32;

  private static final int MIN_CHUNK_BYTES = 64 * 1024;
  private static final int MAX_CHUNK_BYTES = 1024 * 1024;

  /** At most this many empty chunks are kept for reuse (64 MiB of 1 MiB chunks). */
  private static final int MAX_POOLED_CHUNKS = 64;

  private static final int INITIAL_RING = 64;

  /** A block of changeset bytes; entries are appended at {@code used}. */
  static final class Chunk {
    final byte[] data;
    int used;
    int live;

    Chunk(int capacity) {
      this.data = new byte[capacity];
    }
  }

  // entry ring
  private long[] versions = new long[INITIAL_RING];
  private long[] timestamps = new long[INITIAL_RING];
  private long[] serverVersions = new long[INITIAL_RING];
  private int[] objectCounts = new int[INITIAL_RING];
  private int[] offsets = new int[INITIAL_RING];
  private int[] lengths = new int[INITIAL_RING];
  private Chunk[] chunks = new Chunk[INITIAL_RING];
  private int head;
  private int count;

  // chunk arena
  private int chunkBytes = MIN_CHUNK_BYTES;
  private int pooledChunks = 2;
  private Chunk current;
  private final ArrayDeque<Chunk> freeChunks = new ArrayDeque<>();

  // counters and metadata
  long lastAssignedVersion;
  long sizeBytes;
  long pendingObjects;
  long droppedEntries;
  long droppedObjects;
  long clientFileIdent;
  long clientFileSalt;
  SyncProgress progress = SyncProgress.NONE;
  byte[] schema;
  byte[] identity;

  /** Whether a handle is open on this store. */
  boolean attached;

  /**
   * Sizes chunks for a log bounded by {@code maxBytes}: a sixteenth of it, within 64 KiB..1 MiB;
   * keeps as many empty chunks for reuse as the bound can fill (at most 64), so that a log whose
   * acknowledgements lag behind its appends by a steady amount stops allocating.
   */
  void sizeChunksFor(long maxBytes) {
    long wanted = Long.highestOneBit(Math.max(1, maxBytes / 16));
    int size = (int) Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, wanted));
    if (size != chunkBytes) {
      chunkBytes = size;
      freeChunks.clear();
    }
    pooledChunks = (int) Math.min(MAX_POOLED_CHUNKS, maxBytes / size + 1);
    while (freeChunks.size() > pooledChunks) {
      freeChunks.pop();
    }
  }

  int entryCount() {
    return count;
  }

  long firstVersion() {
    return count == 0 ? 0 : versions[head];
  }

  long lastVersion() {
    return count == 0 ? 0 : versions[(head + count - 1) & (versions.length - 1)];
  }

  /**
   * Appends a copy of {@code changeset} (position to limit; its position is not changed) under the
   * next version, which the caller has checked fits.
   */
  long append(ByteBuffer changeset, int objectCount, long originTimestamp) {
    int length = changeset.remaining();
    if (count == versions.length) {
      growRing();
    }
    Chunk chunk = reserve(length);
    int offset = chunk.used - length;
    // absolute bulk get: copies without touching the caller's position
    changeset.get(changeset.position(), chunk.data, offset, length);

    long version = ++lastAssignedVersion;
    int slot = (head + count) & (versions.length - 1);
    versions[slot] = version;
    timestamps[slot] = originTimestamp;
    serverVersions[slot] = progress.downloadServerVersion();
    objectCounts[slot] = objectCount;
    offsets[slot] = offset;
    lengths[slot] = length;
    chunks[slot] = chunk;
    count++;
    sizeBytes += length + ENTRY_OVERHEAD_BYTES;
    pendingObjects += objectCount;
    return version;
  }

  /** Deletes the oldest entry; returns its object count. Requires {@code entryCount() > 0}. */
  int removeOldest() {
    int slot = head;
    Chunk chunk = chunks[slot];
    chunks[slot] = null;
    int objects = objectCounts[slot];
    sizeBytes -= lengths[slot] + ENTRY_OVERHEAD_BYTES;
    pendingObjects -= objects;
    head = (head + 1) & (versions.length - 1);
    count--;
    release(chunk);
    return objects;
  }

  /** The logical index (0 = oldest) of the first entry with a version above {@code after}. */
  int indexAfter(long after) {
    int lo = 0;
    int hi = count;
    int mask = versions.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (versions[(head + mid) & mask] <= after) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Points {@code entry} at the entry with logical index {@code index}. */
  void load(int index, MemoryLogEntry entry) {
    int slot = (head + index) & (versions.length - 1);
    entry.set(
        versions[slot],
        timestamps[slot],
        serverVersions[slot],
        objectCounts[slot],
        chunks[slot].data,
        offsets[slot],
        lengths[slot]);
  }

  int lengthAt(int index) {
    return lengths[(head + index) & (versions.length - 1)];
  }

  private Chunk reserve(int length) {
    if (length > chunkBytes / 4) {
      Chunk own = new Chunk(length);
      own.used = length;
      own.live = 1;
      return own;
    }
    if (current == null || current.data.length - current.used < length) {
      Chunk previous = current;
      current = freeChunks.isEmpty() ? new Chunk(chunkBytes) : freeChunks.pop();
      if (previous != null && previous.live == 0) {
        pool(previous);
      }
    }
    current.used += length;
    current.live++;
    return current;
  }

  private void release(Chunk chunk) {
    chunk.live--;
    if (chunk.live > 0) {
      return;
    }
    if (chunk == current) {
      chunk.used = 0; // empty: refill from the start
    } else {
      pool(chunk);
    }
  }

  private void pool(Chunk chunk) {
    if (chunk.data.length == chunkBytes && freeChunks.size() < pooledChunks) {
      chunk.used = 0;
      freeChunks.push(chunk);
    }
  }

  private void growRing() {
    int capacity = versions.length * 2;
    int mask = versions.length - 1;
    long[] v = new long[capacity];
    long[] t = new long[capacity];
    long[] s = new long[capacity];
    int[] o = new int[capacity];
    int[] off = new int[capacity];
    int[] len = new int[capacity];
    Chunk[] c = new Chunk[capacity];
    for (int i = 0; i < count; i++) {
      int from = (head + i) & mask;
      v[i] = versions[from];
      t[i] = timestamps[from];
      s[i] = serverVersions[from];
      o[i] = objectCounts[from];
      off[i] = offsets[from];
      len[i] = lengths[from];
      c[i] = chunks[from];
    }
    versions = v;
    timestamps = t;
    serverVersions = s;
    objectCounts = o;
    offsets = off;
    lengths = len;
    chunks = c;
    head = 0;
  }
}
