package io.tributary.protocol.changeset;

/**
 * Where a {@link ChangesetWriter} puts its bytes: an append-only byte destination.
 *
 * <p>Implementations exist for a growable heap array ({@link ArrayByteSink}) and for a heap or
 * direct {@link java.nio.ByteBuffer} ({@link ByteBufferSink}). Other modules implement this
 * interface to let the writer fill an LMDB reserved value or a Netty buffer without an
 * intermediate copy.
 *
 * <h2>Two ways to write</h2>
 *
 * <ul>
 *   <li><b>Bulk copy</b> (required): {@link #write(byte[], int, int)} appends bytes.
 *   <li><b>Direct array access</b> (optional, the fast path): {@link #reserveArray(int)} makes room
 *       for at least {@code minBytes} bytes in a heap array and returns it. The caller writes
 *       into {@code array[arrayPosition() .. arrayLimit())} and then publishes what it wrote with
 *       {@link #advance(int)}. Sinks without an accessible heap array return {@code null}, and
 *       callers stage bytes in their own array and call {@link #write}. A writer therefore makes
 *       one interface call per window of bytes, not one per byte.
 * </ul>
 *
 * <p>The array returned by {@link #reserveArray}, {@link #arrayPosition()} and {@link
 * #arrayLimit()} stay valid across {@link #advance(int)} calls, until the next call to {@link
 * #reserveArray} or {@link #write} (either may move the content to a larger array). Bytes written
 * into the array beyond the published position are not part of the sink's content until {@link
 * #advance(int)} is called.
 *
 * <p>Sizes are checked with {@code long} arithmetic; a sink that cannot take more bytes throws
 * {@link SinkOverflowException} and keeps what it already holds. Implementations are not required
 * to be thread safe; a sink is used by one thread at a time.
 */
public interface ByteSink {

  /**
   * The number of bytes published to this sink so far (its write position).
   *
   * @return bytes written, ≥ 0
   */
  long position();

  /**
   * Appends {@code length} bytes of {@code src} from {@code offset}.
   *
   * @param src the bytes; borrowed for the duration of the call (copied)
   * @param offset index of the first byte in {@code src}
   * @param length number of bytes, ≥ 0
   * @throws SinkOverflowException if the sink cannot take {@code length} more bytes; nothing is
   *     written then
   * @throws IndexOutOfBoundsException if the range is outside {@code src}
   */
  void write(byte[] src, int offset, int length);

  /**
   * Direct access: makes room for at least {@code minBytes} bytes after the write position in a
   * heap array and returns the array, or returns {@code null} if this sink has no accessible heap
   * array (callers then use {@link #write}).
   *
   * <p>The default implementation returns {@code null}.
   *
   * @param minBytes bytes the caller needs, ≥ 0
   * @return the array (borrowed; valid until the next {@code reserveArray} or {@code write}), or
   *     {@code null}
   * @throws SinkOverflowException if the sink is array-backed but cannot take {@code minBytes}
   *     more bytes
   */
  default byte[] reserveArray(int minBytes) {
    return null;
  }

  /**
   * The index in the array of the last {@link #reserveArray} call where the next byte goes.
   *
   * @return an index into the reserved array
   * @throws UnsupportedOperationException if this sink has no array (the default)
   */
  default int arrayPosition() {
    throw new UnsupportedOperationException("arrayPosition: this sink has no array");
  }

  /**
   * The exclusive end of the writable region of the array of the last {@link #reserveArray} call.
   * At least {@code minBytes} of that call after {@link #arrayPosition()}.
   *
   * @return an index into the reserved array
   * @throws UnsupportedOperationException if this sink has no array (the default)
   */
  default int arrayLimit() {
    throw new UnsupportedOperationException("arrayLimit: this sink has no array");
  }

  /**
   * Publishes {@code count} bytes written directly into the reserved array at {@link
   * #arrayPosition()}; moves the write position and {@link #arrayPosition()} by {@code count}.
   *
   * @param count bytes written, 0 … {@code arrayLimit() - arrayPosition()}
   * @throws UnsupportedOperationException if this sink has no array (the default)
   * @throws IllegalArgumentException if {@code count} is outside that range
   */
  default void advance(int count) {
    throw new UnsupportedOperationException("advance: this sink has no array");
  }
}
