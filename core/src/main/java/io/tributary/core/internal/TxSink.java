package io.tributary.core.internal;

import io.tributary.protocol.changeset.ByteSink;
import io.tributary.protocol.changeset.SinkOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The growable heap buffer a transaction's changeset is written into, bounded by the configured
 * maximum changeset size. Remembers an overflow, so that a transaction whose body caught the
 * {@link SinkOverflowException} still cannot commit a changeset with a partial record.
 *
 * <p>Not thread safe: one per transaction context.
 */
final class TxSink implements ByteSink {
  static final int INITIAL_CAPACITY = 4096;
  /** Arrays larger than this are dropped at {@link #reset()} rather than kept per thread. */
  static final int MAX_RETAINED = 1 << 20;

  private final int maxCapacity;
  private byte[] array;
  private int position;
  private boolean overflowed;
  private ByteBuffer view;

  TxSink(int maxCapacity) {
    this.maxCapacity = maxCapacity;
    this.array = new byte[Math.min(INITIAL_CAPACITY, maxCapacity)];
  }

  /** Empties the sink (and shrinks it if it grew beyond {@link #MAX_RETAINED}). */
  void reset() {
    position = 0;
    overflowed = false;
    if (array.length > MAX_RETAINED) {
      array = new byte[Math.min(INITIAL_CAPACITY, maxCapacity)];
      view = null;
    }
  }

  boolean overflowed() {
    return overflowed;
  }

  int maxCapacity() {
    return maxCapacity;
  }

  /**
   * The content as a heap buffer, position 0, limit = size. Borrowed: valid until the next write
   * or reset; the same buffer object is returned while the array is unchanged.
   */
  ByteBuffer contents() {
    ByteBuffer v = view;
    if (v == null || v.array() != array) {
      v = view = ByteBuffer.wrap(array);
    }
    v.clear();
    v.limit(position);
    return v;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public void write(byte[] src, int offset, int length) {
    if (offset < 0 || length < 0 || offset > src.length - length) {
      throw new IndexOutOfBoundsException(
          "range [" + offset + ", " + offset + " + " + length + ") out of bounds for length "
              + src.length);
    }
    if (array.length - position < length) {
      if (!grow(length)) {
        overflowed = true;
        throw new SinkOverflowException(position, length, maxCapacity);
      }
    }
    System.arraycopy(src, offset, array, position, length);
    position += length;
  }

  @Override
  public byte[] reserveArray(int minBytes) {
    // no overflow flag here: the writer falls back to staging and only what it really writes
    // counts (see ChangesetWriter's refill)
    if (array.length - position < minBytes && !grow(minBytes)) {
      throw new SinkOverflowException(position, minBytes, maxCapacity);
    }
    return array;
  }

  @Override
  public int arrayPosition() {
    return position;
  }

  @Override
  public int arrayLimit() {
    return array.length;
  }

  @Override
  public void advance(int count) {
    if (count < 0 || count > array.length - position) {
      throw new IllegalArgumentException(
          "advance: " + count + " (expected: 0.." + (array.length - position) + ")");
    }
    position += count;
  }

  private boolean grow(int additional) {
    long required = (long) position + additional;
    if (required > maxCapacity) {
      return false;
    }
    long capacity = Math.max(required, array.length + (long) (array.length >> 1));
    array = Arrays.copyOf(array, (int) Math.min(capacity, maxCapacity));
    return true;
  }
}
