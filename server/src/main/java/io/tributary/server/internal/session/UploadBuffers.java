package io.tributary.server.internal.session;

import java.util.ArrayDeque;

/**
 * Reused arrays for the copies of UPLOAD messages that the event loops hand to the ingest thread.
 *
 * <p>Why: an UPLOAD waits in the engine's queue until its round (hundreds of milliseconds under
 * full load, with several devices a hundred or more messages of ~180 KB), so a fresh copy per
 * message outlives young collections: it is copied to a survivor space, promoted and collected
 * from the old generation. With 8 devices that was 0.3–0.5 µs of GC CPU per ingested object. A
 * reused array is allocated once and stays put.
 *
 * <p>Arrays come in size classes, two per power of two (2<sup>k</sup> and 1.5·2<sup>k</sup>, from
 * 1 KiB to 16 MiB), so a message of n bytes gets an array of at most ~1.5 n. At most {@code
 * maxPooledBytes} are kept; an array given back beyond that, or of another length, is left to the
 * garbage collector. An array never given back (its message dropped) is simply garbage: forgetting
 * one is never a leak.
 *
 * <p>Thread safe: {@link #take} on the event loops, {@link #give} on the ingest thread.
 */
final class UploadBuffers {
  private static final int MIN_SHIFT = 10;
  private static final int MAX_SHIFT = 24;
  private static final int CLASSES = 2 * (MAX_SHIFT - MIN_SHIFT + 1);

  private final long maxPooledBytes;
  @SuppressWarnings("unchecked")
  private final ArrayDeque<byte[]>[] free = new ArrayDeque[CLASSES];
  private long pooledBytes; // guarded by this

  /**
   * @param maxPooledBytes the most bytes kept for reuse (0: none)
   */
  UploadBuffers(long maxPooledBytes) {
    if (maxPooledBytes < 0) {
      throw new IllegalArgumentException("maxPooledBytes: " + maxPooledBytes + " (expected: >= 0)");
    }
    this.maxPooledBytes = maxPooledBytes;
    for (int i = 0; i < CLASSES; i++) {
      free[i] = new ArrayDeque<>();
    }
  }

  /** The default bound: a sixteenth of the maximum heap, at most 64 MiB. */
  static long defaultMaxPooledBytes() {
    return Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16);
  }

  /**
   * An array of at least {@code length} bytes (contents undefined).
   *
   * @throws IllegalArgumentException if {@code length} is negative
   */
  byte[] take(int length) {
    int c = sizeClass(length);
    if (c < 0) {
      return new byte[length];
    }
    synchronized (this) {
      byte[] b = free[c].pollLast();
      if (b != null) {
        pooledBytes -= b.length;
        return b;
      }
    }
    return new byte[classLength(c)];
  }

  /** Gives an array from {@link #take} back for reuse (after its last use). */
  void give(byte[] b) {
    int c = sizeClass(b.length);
    if (c < 0 || classLength(c) != b.length) {
      return;
    }
    synchronized (this) {
      if (pooledBytes + b.length <= maxPooledBytes) {
        free[c].addLast(b);
        pooledBytes += b.length;
      }
    }
  }

  /** The bytes kept for reuse now. */
  synchronized long pooledBytes() {
    return pooledBytes;
  }

  /** The smallest class holding {@code length} bytes, or -1 above the largest class. */
  static int sizeClass(int length) {
    if (length < 0) {
      throw new IllegalArgumentException("length: " + length + " (expected: >= 0)");
    }
    if (length <= 1 << MIN_SHIFT) {
      return 0;
    }
    int shift = 32 - Integer.numberOfLeadingZeros(length - 1); // 2^shift >= length > 2^(shift-1)
    if (shift > MAX_SHIFT) {
      return -1;
    }
    int c = 2 * (shift - MIN_SHIFT);
    // 1.5 * 2^(shift-1) = 3 * 2^(shift-2) is the class just below 2^shift
    return length <= 3 << (shift - 2) ? c - 1 : c;
  }

  /** The array length of class {@code c}. */
  static int classLength(int c) {
    int shift = MIN_SHIFT + (c + 1) / 2;
    return (c & 1) == 0 ? 1 << shift : 3 << (shift - 2);
  }
}
