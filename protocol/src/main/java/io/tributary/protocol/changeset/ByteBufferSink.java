package io.tributary.protocol.changeset;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link ByteSink} over a {@link ByteBuffer}, heap or direct.
 *
 * <ul>
 *   <li>{@link #wrap(ByteBuffer)}: writes into a caller's buffer from its position up to its
 *       limit, advancing its position, and never grows (for an LMDB reserved value, a Netty
 *       {@code nioBuffer}, a memory-mapped region). Bytes beyond the limit throw {@link
 *       SinkOverflowException}.
 *   <li>{@link #allocateDirect(int, int)}: owns a direct buffer that grows by 1.5x up to a maximum
 *       capacity (a new buffer, content copied).
 * </ul>
 *
 * <p>If the buffer has an accessible array (a writable heap buffer), {@link #reserveArray} exposes
 * it, so a {@link ChangesetWriter} writes straight into it; for direct buffers the writer stages
 * small windows of bytes and copies them with one bulk {@code put} per window.
 *
 * <p>Not thread safe.
 */
public final class ByteBufferSink implements ByteSink {
  private ByteBuffer buffer;
  private final int start;
  private final boolean growable;
  private final int maxCapacity;

  private ByteBufferSink(ByteBuffer buffer, boolean growable, int maxCapacity) {
    this.buffer = buffer;
    this.start = buffer.position();
    this.growable = growable;
    this.maxCapacity = maxCapacity;
  }

  /**
   * A fixed-size sink writing into {@code target} from its position to its limit. The sink moves
   * the buffer's position as bytes are written; it never changes the limit.
   *
   * @param target the buffer; borrowed for the life of the sink
   * @return the sink
   * @throws java.nio.ReadOnlyBufferException if {@code target} is read-only
   */
  public static ByteBufferSink wrap(ByteBuffer target) {
    if (target.isReadOnly()) {
      throw new java.nio.ReadOnlyBufferException();
    }
    return new ByteBufferSink(target, false, target.limit() - target.position());
  }

  /**
   * A growable sink over a direct buffer that this sink owns.
   *
   * @param initialCapacity bytes to allocate now, 0 … {@code maxCapacity}
   * @param maxCapacity the most bytes the sink will hold, ≥ 0
   * @return the sink
   * @throws IllegalArgumentException if a capacity is out of range
   */
  public static ByteBufferSink allocateDirect(int initialCapacity, int maxCapacity) {
    if (maxCapacity < 0) {
      throw new IllegalArgumentException("maxCapacity: " + maxCapacity + " (expected: >= 0)");
    }
    if (initialCapacity < 0 || initialCapacity > maxCapacity) {
      throw new IllegalArgumentException(
          "initialCapacity: " + initialCapacity + " (expected: 0.." + maxCapacity + ")");
    }
    return new ByteBufferSink(ByteBuffer.allocateDirect(initialCapacity), true, maxCapacity);
  }

  @Override
  public long position() {
    return buffer.position() - start;
  }

  /** The most bytes this sink can hold. */
  public int maxCapacity() {
    return maxCapacity;
  }

  /**
   * The current buffer. For a growable sink it changes when the sink grows; its content is {@code
   * [0, position())}.
   */
  public ByteBuffer buffer() {
    return buffer;
  }

  /**
   * A view of the bytes written so far (position 0, limit = bytes written), sharing content with
   * the buffer; valid until the sink grows.
   */
  public ByteBuffer written() {
    ByteBuffer d = buffer.duplicate();
    d.limit(buffer.position()).position(start);
    return d.slice();
  }

  /**
   * Forgets the content of a growable sink (position back to the start).
   *
   * @throws IllegalStateException for a {@link #wrap wrapped} buffer, whose position belongs to
   *     the caller
   */
  public void clear() {
    if (!growable) {
      throw new IllegalStateException("clear: not supported for a wrapped buffer");
    }
    buffer.clear();
  }

  private void ensureWritable(int additional) {
    if (buffer.remaining() >= additional) {
      return;
    }
    long written = position();
    long required = written + additional;
    if (!growable || required > maxCapacity) {
      throw new SinkOverflowException(written, additional, maxCapacity);
    }
    long newCapacity = Math.max(required, buffer.capacity() + (buffer.capacity() >> 1));
    newCapacity = Math.min(Math.max(newCapacity, 64), maxCapacity);
    ByteBuffer bigger = ByteBuffer.allocateDirect((int) newCapacity);
    buffer.flip();
    bigger.put(buffer);
    buffer = bigger;
  }

  @Override
  public void write(byte[] src, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, src.length);
    ensureWritable(length);
    buffer.put(src, offset, length);
  }

  @Override
  public byte[] reserveArray(int minBytes) {
    if (!buffer.hasArray()) {
      return null;
    }
    ensureWritable(minBytes);
    return buffer.array();
  }

  @Override
  public int arrayPosition() {
    requireArray();
    return buffer.arrayOffset() + buffer.position();
  }

  @Override
  public int arrayLimit() {
    requireArray();
    return buffer.arrayOffset() + buffer.limit();
  }

  @Override
  public void advance(int count) {
    requireArray();
    if (count < 0 || count > buffer.remaining()) {
      throw new IllegalArgumentException(
          "advance: " + count + " (expected: 0.." + buffer.remaining() + ")");
    }
    buffer.position(buffer.position() + count);
  }

  private void requireArray() {
    if (!buffer.hasArray()) {
      throw new UnsupportedOperationException("direct buffer: this sink has no array");
    }
  }

  @Override
  public String toString() {
    return "ByteBufferSink{written=" + position() + ", direct=" + buffer.isDirect()
        + ", growable=" + growable + ", maxCapacity=" + maxCapacity + "}";
  }
}
