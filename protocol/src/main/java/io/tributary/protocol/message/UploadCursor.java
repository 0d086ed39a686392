package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an UPLOAD without materialising its entries: the server's hot path (spec protocol.md
 * §5.5). A flyweight: {@link #wrap} parses and checks the header, inflates a compressed body into
 * a reusable array, and validates every entry header; {@link #next} then moves over the entries
 * and the accessors read the current one.
 *
 * <pre>{@code
 * UploadCursor cursor = new UploadCursor(CodecConfig.DEFAULT); // one per connection
 * cursor.wrap(message);                                        // throws ProtocolException
 * while (cursor.next()) {
 *   long version = cursor.clientVersion();
 *   ByteBuffer changeset = cursor.changeset();                 // borrowed view
 * }
 * }</pre>
 *
 * <p>Because {@code wrap} validates the whole body first, a malformed UPLOAD is refused before any
 * of its entries is seen, and iteration never throws {@link ProtocolException}.
 *
 * <p>Allocation: none per entry; per message, one read-only view when a different message buffer
 * object is wrapped, and the inflate array grows (and is then kept) for compressed bodies.
 *
 * <p>Buffer ownership: the wrapped message is <em>borrowed</em> until the next {@code wrap}; its
 * bytes must not change meanwhile, and its position and limit are never modified. {@link
 * #changeset()} returns a read-only view that is re-pointed by {@link #next()} and invalidated by
 * the next {@code wrap}. Not thread safe.
 */
public final class UploadCursor implements AutoCloseable {
  static final String[] HEADER_FIELDS = {
    "session_ident",
    "is_body_compressed",
    "uncompressed_body_size",
    "compressed_body_size",
    "progress_client_version",
    "progress_server_version",
    "locked_server_version"
  };

  static final String[] ENTRY_FIELDS = {
    "client_version",
    "last_integrated_server_version",
    "origin_timestamp",
    "origin_file_ident",
    "changeset_size"
  };

  private final CodecConfig config;
  private final HeaderParser header = new HeaderParser();
  private final EntryScanner body;

  private long sessionIdent;
  private boolean compressed;
  private int uncompressedBodySize;
  private int compressedBodySize;
  private long progressClientVersion;
  private long progressServerVersion;
  private long lockedServerVersion;

  /**
   * A cursor checking the limits of {@code config}.
   *
   * @param config limits; not null
   */
  public UploadCursor(CodecConfig config) {
    this.config = config;
    this.body = new EntryScanner(config, "upload", ENTRY_FIELDS, -1);
  }

  /**
   * Parses and validates one UPLOAD message.
   *
   * @param message the message from its position to its limit; borrowed (see class comment)
   * @return this cursor, before the first entry
   * @throws ProtocolException if the message is not a valid UPLOAD (the error says which field
   *     and where; see {@link MessageDecoder} for the codes)
   */
  public UploadCursor wrap(ByteBuffer message) {
    body.reset();
    MessageDecoder.checkMessageSize(message, config);
    MessageType type = header.begin(message, config.maxHeaderLength());
    if (type != MessageType.UPLOAD) {
      throw new ProtocolException(ProtocolError.UNKNOWN_MESSAGE, "header.message_type", 0, 0,
          "\"" + type.wireName() + "\" (expected: upload)");
    }
    wrapAfterType(message);
    return this;
  }

  /** Continues after {@link HeaderParser#begin} returned UPLOAD. */
  void wrapAfterType(ByteBuffer message) {
    header.expectFields("upload", HEADER_FIELDS);
    sessionIdent = header.unsigned("session_ident");
    header.sessionIdent(sessionIdent);
    compressed = header.bool("is_body_compressed");
    long uncompressed = header.unsigned("uncompressed_body_size");
    long uncompressedOffset = header.lastTokenOffset();
    long compressedSize = header.unsigned("compressed_body_size");
    long compressedOffset = header.lastTokenOffset();
    progressClientVersion = header.unsigned("progress_client_version");
    progressServerVersion = header.unsigned("progress_server_version");
    lockedServerVersion = header.unsigned("locked_server_version");
    body.load(message, header, compressed, uncompressed, compressedSize, uncompressedOffset,
        compressedOffset);
    uncompressedBodySize = (int) uncompressed;
    compressedBodySize = (int) compressedSize;
  }

  HeaderParser header() {
    return header;
  }

  /** The session ident. */
  public long sessionIdent() {
    return sessionIdent;
  }

  /** Whether the body was zlib-compressed on the wire. */
  public boolean isBodyCompressed() {
    return compressed;
  }

  /** The body size after inflating (= the body size on the wire when not compressed). */
  public int uncompressedBodySize() {
    return uncompressedBodySize;
  }

  /** The compressed body size on the wire; 0 when not compressed. */
  public int compressedBodySize() {
    return compressedBodySize;
  }

  /** How far the client scanned its history. */
  public long progressClientVersion() {
    return progressClientVersion;
  }

  /** The last integrated server version belonging to {@link #progressClientVersion()}. */
  public long progressServerVersion() {
    return progressServerVersion;
  }

  /** The client's persisted download server version. */
  public long lockedServerVersion() {
    return lockedServerVersion;
  }

  /** Number of entries in the message (possibly 0). */
  public int entryCount() {
    return body.entryCount();
  }

  /** Index of the current entry: -1 before the first {@link #next()}. */
  public int entryIndex() {
    return body.entryIndex();
  }

  /**
   * Moves to the next entry.
   *
   * @return false when there are no more entries
   */
  public boolean next() {
    return body.next();
  }

  /** Moves back before the first entry. */
  public void rewind() {
    body.rewind();
  }

  /**
   * The current entry's client version.
   *
   * @throws IllegalStateException if there is no current entry
   */
  public long clientVersion() {
    return body.field(0);
  }

  /**
   * The current entry's last integrated server version.
   *
   * @throws IllegalStateException if there is no current entry
   */
  public long lastIntegratedServerVersion() {
    return body.field(1);
  }

  /**
   * The current entry's origin timestamp (ms since 2015-01-01T00:00:00Z).
   *
   * @throws IllegalStateException if there is no current entry
   */
  public long originTimestamp() {
    return body.field(2);
  }

  /**
   * The current entry's origin file ident (0 = local origin).
   *
   * @throws IllegalStateException if there is no current entry
   */
  public long originFileIdent() {
    return body.field(3);
  }

  /**
   * The current entry's changeset size in bytes.
   *
   * @throws IllegalStateException if there is no current entry
   */
  public int changesetSize() {
    return body.changesetSize();
  }

  /**
   * The current changeset: a read-only view from position to limit. Borrowed: the same buffer
   * object is re-pointed by {@link #next()}; copy what you keep.
   *
   * @throws IllegalStateException if there is no current entry
   */
  public ByteBuffer changeset() {
    return body.changeset();
  }

  /**
   * The current changeset like {@link #changeset()}, but, when the message (or its inflated body)
   * is on the heap, in a view that is not read-only: a read-only heap buffer hides its array, and
   * {@link io.tributary.protocol.changeset.ChangesetReader} reads an array-backed buffer about
   * twice as fast. Borrowed like {@link #changeset()}; the caller must not write to it.
   *
   * @throws IllegalStateException if there is no current entry
   */
  public ByteBuffer changesetWithArray() {
    return body.changesetWithArray();
  }

  /**
   * Materialises the wrapped message. Changesets of an uncompressed body are views of the message
   * buffer; an inflated body is copied into a new array owned by the result.
   */
  public UploadMessage toMessage() {
    List<UploadMessage.Entry> entries = new ArrayList<>(body.entryCount());
    ByteBuffer source = body.ownedBody();
    body.rewind();
    while (body.next()) {
      ByteBuffer cs = source.duplicate();
      int start = body.changesetStart();
      cs.limit(start + body.changesetSize()).position(start);
      entries.add(new UploadMessage.Entry(body.field(0), body.field(1), body.field(2),
          body.field(3), cs));
    }
    body.rewind();
    return new UploadMessage(sessionIdent, progressClientVersion, progressServerVersion,
        lockedServerVersion, entries);
  }

  /** Frees the inflater's native memory. The cursor must not be used afterwards. */
  @Override
  public void close() {
    body.close();
  }
}
