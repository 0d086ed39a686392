package io.tributary.protocol.message;

/**
 * Writes an UPLOAD/DOWNLOAD: the body first, after a reserved gap, then the header into the end of
 * the gap once the sizes are known, so nothing is moved (spec protocol.md §5.5, §5.6, §6).
 *
 * <pre>
 *   0            start         reserve                     end
 *   | unused gap | header ... LF | body (or its zlib form) |
 * </pre>
 *
 * Compression follows realm-core: only a body longer than the threshold, and only if the result is
 * strictly shorter. The compressed bytes replace the body in place (copied from a scratch array).
 * Not thread safe.
 */
final class BodyFramer implements AutoCloseable {
  private final CodecConfig config;
  private final Zlib zlib;
  private MessageBuffer out;
  private int reserve;
  private boolean compressed;
  private int uncompressedSize;
  private int compressedSize;

  BodyFramer(CodecConfig config) {
    this.config = config;
    this.zlib = new Zlib(config.compressionLevel());
  }

  /** Clears {@code out} and positions it after a gap of {@code reserve} bytes. */
  void begin(MessageBuffer out, int reserve) {
    this.out = out;
    this.reserve = reserve;
    out.clear();
    out.ensureWritable(reserve);
    out.start(reserve);
    out.end(reserve);
  }

  /** Body bytes written so far. */
  int bodySize() {
    return out.end() - reserve;
  }

  /** Ends the body and compresses it if the rule says so. */
  void finishBody() {
    uncompressedSize = out.end() - reserve;
    compressed = false;
    compressedSize = 0;
    if (config.compressionEnabled() && uncompressedSize > config.compressionThreshold()) {
      int n = zlib.deflateIfSmaller(out.array(), reserve, uncompressedSize);
      if (n >= 0) {
        System.arraycopy(zlib.scratch(), 0, out.array(), reserve, n);
        out.end(reserve + n);
        compressed = true;
        compressedSize = n;
      }
    }
  }

  boolean compressed() {
    return compressed;
  }

  int uncompressedSize() {
    return uncompressedSize;
  }

  int compressedSize() {
    return compressedSize;
  }

  /**
   * Makes the message start {@code headerLength} bytes before the body.
   *
   * @return the index to write the header at
   */
  int headerAt(int headerLength) {
    if (headerLength > reserve) {
      throw new IllegalStateException(
          "header length: " + headerLength + " (expected: at most the reserve " + reserve + ")");
    }
    int start = reserve - headerLength;
    out.start(start);
    return start;
  }

  @Override
  public void close() {
    zlib.close();
  }
}
