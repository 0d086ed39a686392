package io.tributary.protocol.message;

import java.nio.ByteBuffer;

/**
 * Builds UPLOAD messages entry by entry straight into a {@link MessageBuffer}: the client's hot
 * path (spec protocol.md §5.5, §6).
 *
 * <pre>{@code
 * UploadBuilder builder = new UploadBuilder(config);          // one per connection
 * MessageBuffer out = new MessageBuffer();                     // reused
 * builder.begin(out);
 * for (LogEntry e : batch) {
 *   builder.addEntry(e.version(), e.lastIntegratedServerVersion(), e.originTimestamp(), 0,
 *       e.changeset());
 * }
 * ByteBuffer message = builder.finish(session, progressClientVersion, progressServerVersion,
 *     lockedServerVersion);
 * connection.send(message);                                    // copies it
 * }</pre>
 *
 * <p>Entries are written into the body as they are added (the changeset bytes are copied once);
 * {@link #finish} then compresses the body if it is longer than {@link
 * CodecConfig#compressionThreshold()} and zlib makes it strictly smaller, and writes the header in
 * front of it with the exact sizes. After warm-up (buffers grown) nothing is allocated per entry
 * or per message; the zlib path has the Deflater's fixed cost.
 *
 * <p>Checks the protocol's order rules for one message, which a client must keep anyway: client
 * versions strictly increase, last integrated server versions never decrease, and the progress
 * client version is at least the last entry's. Batching (realm-core: about 128 KiB per message,
 * see {@link #bodySize()}) is the caller's decision.
 *
 * <p>States: {@code begin} → {@code addEntry}* → {@code finish} → {@code begin} ... Not thread
 * safe.
 */
public final class UploadBuilder implements AutoCloseable {
  /** Header gap: "upload" and 7 fields of at most 19 digits, spaces, LF (147), rounded up. */
  static final int HEADER_RESERVE = 160;

  private static final byte[] UPLOAD = MessageType.UPLOAD.wireBytes();

  private final BodyFramer framer;
  private final boolean checkOrder;
  private MessageBuffer out;
  private boolean open;
  private int entryCount;
  private long lastClientVersion;
  private long lastServerVersion;

  /**
   * A builder with the compression settings of {@code config}.
   *
   * @param config not null
   */
  public UploadBuilder(CodecConfig config) {
    this(config, true);
  }

  UploadBuilder(CodecConfig config, boolean checkOrder) {
    this.framer = new BodyFramer(java.util.Objects.requireNonNull(config, "config"));
    this.checkOrder = checkOrder;
  }

  /**
   * Starts a message in {@code out}, discarding what it held.
   *
   * @param out the buffer the message is built in; borrowed until {@link #finish}'s result is no
   *     longer needed
   * @return this
   */
  public UploadBuilder begin(MessageBuffer out) {
    this.out = java.util.Objects.requireNonNull(out, "out");
    framer.begin(out, HEADER_RESERVE);
    open = true;
    entryCount = 0;
    lastClientVersion = -1;
    lastServerVersion = 0;
    return this;
  }

  /**
   * Appends one changeset entry.
   *
   * @param clientVersion the client version the changeset produced; ≥ 0 and greater than the
   *     previous entry's
   * @param lastIntegratedServerVersion ≥ 0 and not below the previous entry's
   * @param originTimestamp ms since 2015-01-01T00:00:00Z; ≥ 0
   * @param originFileIdent 0 for local changesets; ≥ 0
   * @param changeset the bytes from position to limit, copied; the buffer's position is not
   *     changed (borrowed for the call only; heap or direct)
   * @return this
   * @throws IllegalStateException if no message was begun
   * @throws IllegalArgumentException if a number is negative or out of order
   */
  public UploadBuilder addEntry(
      long clientVersion,
      long lastIntegratedServerVersion,
      long originTimestamp,
      long originFileIdent,
      ByteBuffer changeset) {
    requireOpen();
    Checks.nonNegative(clientVersion, "client_version");
    Checks.nonNegative(lastIntegratedServerVersion, "last_integrated_server_version");
    Checks.nonNegative(originTimestamp, "origin_timestamp");
    Checks.nonNegative(originFileIdent, "origin_file_ident");
    if (checkOrder) {
      if (clientVersion <= lastClientVersion) {
        throw new IllegalArgumentException("client_version: " + clientVersion
            + " (expected: greater than the previous entry's " + lastClientVersion + ")");
      }
      if (lastIntegratedServerVersion < lastServerVersion) {
        throw new IllegalArgumentException("last_integrated_server_version: "
            + lastIntegratedServerVersion + " (expected: at least the previous entry's "
            + lastServerVersion + ")");
      }
    }
    int size = changeset.remaining();
    MessageBuffer o = out;
    // five numbers of at most 19 digits plus five spaces
    o.ensureWritable(100 + size);
    byte[] a = o.array();
    int i = o.end();
    int len = MessageBuffer.decimalLength(clientVersion);
    MessageBuffer.putDecimal(a, i, len, clientVersion);
    i += len;
    i = MessageBuffer.putField(a, i, lastIntegratedServerVersion);
    i = MessageBuffer.putField(a, i, originTimestamp);
    i = MessageBuffer.putField(a, i, originFileIdent);
    i = MessageBuffer.putField(a, i, size);
    a[i++] = ' ';
    o.end(i);
    o.writeBytes(changeset);
    entryCount++;
    lastClientVersion = clientVersion;
    lastServerVersion = lastIntegratedServerVersion;
    return this;
  }

  /** Entries added to the current message. */
  public int entryCount() {
    return entryCount;
  }

  /** Uncompressed body size so far, in bytes (for batching decisions). */
  public int bodySize() {
    return open ? framer.bodySize() : framer.uncompressedSize();
  }

  /** Whether the last finished message's body was compressed. */
  public boolean isBodyCompressed() {
    return framer.compressed();
  }

  /**
   * Completes the message: compresses the body if worthwhile and writes the header in front.
   *
   * @param sessionIdent ≥ 0
   * @param progressClientVersion ≥ 0, and at least the last entry's client version
   * @param progressServerVersion ≥ 0
   * @param lockedServerVersion ≥ 0
   * @return the message, from the returned buffer's position to its limit: {@code out}'s {@link
   *     MessageBuffer#byteBuffer()}, borrowed until {@code out} is written again
   * @throws IllegalStateException if no message was begun
   * @throws IllegalArgumentException if a number is negative or the progress is behind an entry
   */
  public ByteBuffer finish(
      long sessionIdent,
      long progressClientVersion,
      long progressServerVersion,
      long lockedServerVersion) {
    requireOpen();
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(progressClientVersion, "progress_client_version");
    Checks.nonNegative(progressServerVersion, "progress_server_version");
    Checks.nonNegative(lockedServerVersion, "locked_server_version");
    if (checkOrder && progressClientVersion < lastClientVersion) {
      throw new IllegalArgumentException("progress_client_version: " + progressClientVersion
          + " (expected: at least the last entry's client version " + lastClientVersion + ")");
    }
    framer.finishBody();
    open = false;
    boolean compressed = framer.compressed();
    int length =
        UPLOAD.length
            + 2 // " 0" or " 1"
            + 1 + MessageBuffer.decimalLength(sessionIdent)
            + 1 + MessageBuffer.decimalLength(framer.uncompressedSize())
            + 1 + MessageBuffer.decimalLength(framer.compressedSize())
            + 1 + MessageBuffer.decimalLength(progressClientVersion)
            + 1 + MessageBuffer.decimalLength(progressServerVersion)
            + 1 + MessageBuffer.decimalLength(lockedServerVersion)
            + 1; // LF
    byte[] a = out.array();
    int i = framer.headerAt(length);
    i = MessageBuffer.putAscii(a, i, UPLOAD);
    i = MessageBuffer.putField(a, i, sessionIdent);
    i = MessageBuffer.putField(a, i, compressed ? 1 : 0);
    i = MessageBuffer.putField(a, i, framer.uncompressedSize());
    i = MessageBuffer.putField(a, i, framer.compressedSize());
    i = MessageBuffer.putField(a, i, progressClientVersion);
    i = MessageBuffer.putField(a, i, progressServerVersion);
    i = MessageBuffer.putField(a, i, lockedServerVersion);
    a[i] = '\n';
    return out.byteBuffer();
  }

  private void requireOpen() {
    if (!open) {
      throw new IllegalStateException("no message in progress (expected: begin() first)");
    }
  }

  /** Frees the deflater's native memory. The builder must not be used afterwards. */
  @Override
  public void close() {
    framer.close();
  }
}
