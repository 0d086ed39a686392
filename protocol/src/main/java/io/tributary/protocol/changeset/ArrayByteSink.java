package io.tributary.protocol.changeset;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link ByteSink} over a growable heap {@code byte[]}: the content is {@code array()[0 ..
 * position())}.
 *
 * <p>It grows by 1.5x (at least to what a request needs), up to a maximum capacity fixed at
 * construction; a request beyond it throws {@link SinkOverflowException}. All size arithmetic is
 * done in {@code long}, so requests near {@link Integer#MAX_VALUE} fail cleanly instead of
 * overflowing. {@link #clear()} keeps the array, so a reused sink allocates nothing once it has
 * reached its working size.
 *
 * <p>Not thread safe.
 */
public final class ArrayByteSink implements ByteSink {
  /** Initial capacity of {@link #ArrayByteSink()}, in bytes. */
  public static final int DEFAULT_INITIAL_CAPACITY = 1024;

  /** The largest array this sink allocates (some JVMs refuse arrays closer to 2^31). */
  public static final int MAX_ARRAY_CAPACITY = Integer.MAX_VALUE - 8;

  private byte[] array;
  private int position;
  private final int maxCapacity;

  /** A sink with {@link #DEFAULT_INITIAL_CAPACITY} and a maximum of {@link #MAX_ARRAY_CAPACITY}. */
  public ArrayByteSink() {
    this(DEFAULT_INITIAL_CAPACITY, MAX_ARRAY_CAPACITY);
  }

  /**
   * A sink with the given initial capacity and a maximum of {@link #MAX_ARRAY_CAPACITY}.
   *
   * @param initialCapacity bytes to allocate now, ≥ 0
   * @throws IllegalArgumentException if {@code initialCapacity} is out of range
   */
  public ArrayByteSink(int initialCapacity) {
    this(initialCapacity, MAX_ARRAY_CAPACITY);
  }

  /**
   * A sink with the given initial and maximum capacity.
   *
   * @param initialCapacity bytes to allocate now, 0 … {@code maxCapacity}
   * @param maxCapacity the most bytes this sink will hold, 0 … {@link #MAX_ARRAY_CAPACITY}
   * @throws IllegalArgumentException if a capacity is out of range
   */
  public ArrayByteSink(int initialCapacity, int maxCapacity) {
    if (maxCapacity < 0 || maxCapacity > MAX_ARRAY_CAPACITY) {
      throw new IllegalArgumentException(
          "maxCapacity: " + maxCapacity + " (expected: 0.." + MAX_ARRAY_CAPACITY + ")");
    }
    if (initialCapacity < 0 || initialCapacity > maxCapacity) {
      throw new IllegalArgumentException(
          "initialCapacity: " + initialCapacity + " (expected: 0.." + maxCapacity + ")");
    }
    this.array = new byte[initialCapacity];
    this.maxCapacity = maxCapacity;
  }

  @Override
  public long position() {
    return position;
  }

  /** The number of bytes written, as an int (always ≤ {@link #MAX_ARRAY_CAPACITY}). */
  public int size() {
    return position;
  }

  /** The current array length in bytes. */
  public int capacity() {
    return array.length;
  }

  /** The most bytes this sink will hold. */
  public int maxCapacity() {
    return maxCapacity;
  }

  /**
   * The backing array; the content is {@code [0, size())}. Borrowed: valid until the next write
   * that grows the sink.
   */
  public byte[] array() {
    return array;
  }

  /** Forgets the content (position 0) and keeps the array for reuse. */
  public void clear() {
    position = 0;
  }

  /** A copy of the content. */
  public byte[] toByteArray() {
    return Arrays.copyOf(array, position);
  }

  /**
   * A heap buffer viewing the content {@code [0, size())} without copying; position 0, limit
   * {@code size()}. Valid until the sink grows or is cleared and written again.
   */
  public ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(array, 0, position).slice();
  }

  /**
   * Makes sure {@code additional} more bytes fit without another allocation.
   *
   * @param additional bytes, ≥ 0
   * @throws SinkOverflowException if that would exceed {@link #maxCapacity()}
   */
  public void ensureWritable(int additional) {
    if (additional < 0) {
      throw new IllegalArgumentException("additional: " + additional + " (expected: >= 0)");
    }
    if (array.length - position < additional) {
      grow(additional);
    }
  }

  private void grow(int additional) {
    long required = (long) position + additional;
    if (required > maxCapacity) {
      throw new SinkOverflowException(position, additional, maxCapacity);
    }
    long newCapacity = Math.max(required, array.length + (array.length >> 1));
    newCapacity = Math.max(newCapacity, 64);
    newCapacity = Math.min(newCapacity, maxCapacity);
    array = Arrays.copyOf(array, (int) newCapacity);
  }

  @Override
  public void write(byte[] src, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, src.length);
    if (array.length - position < length) {
      grow(length);
    }
    System.arraycopy(src, offset, array, position, length);
    position += length;
  }

  @Override
  public byte[] reserveArray(int minBytes) {
    ensureWritable(minBytes);
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

  @Override
  public String toString() {
    return "ArrayByteSink{size=" + position + ", capacity=" + array.length + ", maxCapacity="
        + maxCapacity + "}";
  }
}
