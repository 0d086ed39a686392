package io.tributary.protocol.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable, growable byte buffer that encoders write one message into.
 *
 * <p>The message occupies bytes {@code [start, end)} of a backing array; encoders may start the
 * message after the beginning (they write UPLOAD/DOWNLOAD headers in front of an already written
 * body). Read it with {@link #byteBuffer()} or {@link #toByteArray()}. The buffer only grows (by
 * doubling); reuse one per connection or thread so that encoding allocates nothing once it is
 * large enough.
 *
 * <p>Not thread safe.
 */
public final class MessageBuffer {
  /** Largest capacity a buffer grows to: the largest Java array that is safe to allocate. */
  public static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

  private static final byte[] DIGIT_PAIRS = digitPairs();

  private byte[] array;
  private ByteBuffer view;
  private int start;
  private int end;

  /** A buffer with an initial capacity of 512 bytes. */
  public MessageBuffer() {
    this(512);
  }

  /**
   * A buffer with the given initial capacity.
   *
   * @throws IllegalArgumentException if {@code initialCapacity} is negative or above {@link
   *     #MAX_CAPACITY}
   */
  public MessageBuffer(int initialCapacity) {
    if (initialCapacity < 0 || initialCapacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "initialCapacity: " + initialCapacity + " (expected: 0.." + MAX_CAPACITY + ")");
    }
    array = new byte[initialCapacity];
  }

  /** Empties the buffer (keeps its capacity). */
  public void clear() {
    start = 0;
    end = 0;
  }

  /** Length of the message in bytes. */
  public int length() {
    return end - start;
  }

  /** Current capacity of the backing array in bytes. */
  public int capacity() {
    return array.length;
  }

  /**
   * The message as a read-only buffer: position = first byte, limit = end of the message.
   *
   * <p>Borrowed: the same buffer object is returned on each call and stays valid until this
   * buffer is written to or cleared; its position may be non-zero. Allocates only after the
   * backing array grew.
   */
  public ByteBuffer byteBuffer() {
    ByteBuffer v = view;
    if (v == null) {
      v = ByteBuffer.wrap(array).asReadOnlyBuffer();
      view = v;
    }
    v.limit(end).position(start);
    return v;
  }

  /** A copy of the message. */
  public byte[] toByteArray() {
    return Arrays.copyOfRange(array, start, end);
  }

  @Override
  public String toString() {
    return "MessageBuffer[length=" + length() + ", capacity=" + capacity() + "]";
  }

  // --- package-private writing API used by the encoders ---

  byte[] array() {
    return array;
  }

  int start() {
    return start;
  }

  int end() {
    return end;
  }

  /** Sets where the message begins (after writing a header in front). */
  void start(int index) {
    start = index;
  }

  /** Sets the end (the next write position). */
  void end(int index) {
    end = index;
  }

  /** Makes room for {@code n} more bytes after {@link #end()}. */
  void ensureWritable(int n) {
    long needed = (long) end + n;
    if (needed > array.length) {
      if (needed > MAX_CAPACITY) {
        throw new IllegalStateException(
            "message size: " + needed + " bytes (expected: at most " + MAX_CAPACITY + ")");
      }
      long grown = Math.max(needed, Math.max(64, (long) array.length * 2));
      array = Arrays.copyOf(array, (int) Math.min(grown, MAX_CAPACITY));
      view = null;
    }
  }

  void writeByte(int b) {
    ensureWritable(1);
    array[end++] = (byte) b;
  }

  void writeAscii(byte[] ascii) {
    writeBytes(ascii, 0, ascii.length);
  }

  void writeBytes(byte[] src, int offset, int length) {
    ensureWritable(length);
    System.arraycopy(src, offset, array, end, length);
    end += length;
  }

  /** Copies {@code src}'s bytes from position to limit; {@code src}'s position is unchanged. */
  void writeBytes(ByteBuffer src) {
    int n = src.remaining();
    ensureWritable(n);
    if (src.hasArray()) {
      System.arraycopy(src.array(), src.arrayOffset() + src.position(), array, end, n);
    } else {
      src.get(src.position(), array, end, n);
    }
    end += n;
  }

  void writeUtf8(String s) {
    writeAscii(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code value} (≥ 0) in canonical decimal. */
  void writeDecimal(long value) {
    int len = decimalLength(value);
    ensureWritable(len);
    putDecimal(array, end, len, value);
    end += len;
  }

  /** Number of characters of {@code value} (≥ 0) in decimal. */
  static int decimalLength(long value) {
    int len = 1;
    long threshold = 10;
    while (len < 19 && value >= threshold) {
      len++;
      threshold *= 10;
    }
    return len;
  }

  /** Writes the {@code len} decimal digits of {@code value} (≥ 0) at {@code index}. */
  static void putDecimal(byte[] dst, int index, int len, long value) {
    int i = index + len;
    long v = value;
    while (v >= 100) {
      int pair = (int) (v % 100) * 2;
      v /= 100;
      dst[--i] = DIGIT_PAIRS[pair + 1];
      dst[--i] = DIGIT_PAIRS[pair];
    }
    if (v >= 10) {
      int pair = (int) v * 2;
      dst[--i] = DIGIT_PAIRS[pair + 1];
      dst[--i] = DIGIT_PAIRS[pair];
    } else {
      dst[--i] = (byte) ('0' + v);
    }
  }

  /** Writes {@code ' '} and the decimal {@code value} (≥ 0) at {@code index}; returns the end. */
  static int putField(byte[] dst, int index, long value) {
    dst[index] = ' ';
    int len = decimalLength(value);
    putDecimal(dst, index + 1, len, value);
    return index + 1 + len;
  }

  /** Writes {@code ascii} at {@code index}; returns the end. */
  static int putAscii(byte[] dst, int index, byte[] ascii) {
    System.arraycopy(ascii, 0, dst, index, ascii.length);
    return index + ascii.length;
  }

  private static byte[] digitPairs() {
    byte[] pairs = new byte[200];
    for (int i = 0; i < 100; i++) {
      pairs[2 * i] = (byte) ('0' + i / 10);
      pairs[2 * i + 1] = (byte) ('0' + i % 10);
    }
    return pairs;
  }
}
