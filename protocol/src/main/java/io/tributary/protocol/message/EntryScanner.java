package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import java.nio.ByteBuffer;

/**
 * The body of an UPLOAD or DOWNLOAD: size checks against the frame and the limits, bounded
 * inflation, and a validating scan of the changeset entries followed by allocation-free iteration
 * (spec protocol.md §5.5, §5.6, §6).
 *
 * <pre>
 * entry = n_1 SP n_2 SP ... SP changeset_size SP &lt;changeset_size bytes&gt;      (no separator after)
 * </pre>
 *
 * <p>{@link #load} checks everything (so iteration cannot fail); {@link #next} re-reads the entry
 * headers. The changeset view handed out is one read-only buffer per loaded message, re-pointed
 * at each entry. Not thread safe.
 */
final class EntryScanner implements AutoCloseable {
  private final CodecConfig config;
  private final String what;
  private final String[] fieldNames;
  private final long[] fields;
  private final int positiveField;
  private final String plainPrefix;
  private final String inflatedPrefix;
  private final String bodyField;
  private final Zlib zlib;

  // the body being scanned: the message itself, or the inflated array
  private ByteBuffer scan;
  private int bodyStart;
  private int bodyEnd;
  private int offsetBase;
  private String entryPrefix;
  private long sessionIdent;

  private byte[] inflated;
  private ByteBuffer inflatedBuffer; // wraps `inflated`; replaced when the array grows
  private ByteBuffer inflatedView; // read-only changeset view over `inflated`
  private ByteBuffer lastMessage;
  private ByteBuffer messageView; // read-only changeset view over `lastMessage`
  private ByteBuffer view; // the one in use for the loaded message
  // a writable duplicate of `scan` when it is a heap buffer, else null: ChangesetReader's
  // array fast paths need array access, which a read-only view hides
  private ByteBuffer arrayView;
  private ByteBuffer arrayViewOf;

  private int entryCount;
  private int entryIndex;
  private int nextEntry;
  private int changesetStart;
  private int changesetSize;

  /**
   * @param what message name for field names, e.g. {@code "upload"}
   * @param fieldNames the entry header fields, the last being {@code changeset_size}
   * @param positiveField index of a field that must be ≥ 1 (DOWNLOAD's server_version), or -1
   */
  EntryScanner(CodecConfig config, String what, String[] fieldNames, int positiveField) {
    this.config = config;
    this.what = what;
    this.fieldNames = fieldNames;
    this.fields = new long[fieldNames.length];
    this.positiveField = positiveField;
    this.plainPrefix = what + ".entry[";
    this.inflatedPrefix = what + ".inflated_body.entry[";
    this.bodyField = what + ".body"; // built once: the success path allocates nothing
    this.zlib = new Zlib(config.compressionLevel());
  }

  /**
   * Checks the body sizes, inflates if needed and validates every entry.
   *
   * @param message the whole message (position = its first byte); only read
   * @param header the parser positioned after the header line
   * @throws ProtocolException 103/110 for sizes that disagree with the frame, 110 for bad zlib,
   *     111/112 for bad entries, 101/201 for limits
   */
  void load(
      ByteBuffer message,
      HeaderParser header,
      boolean compressed,
      long uncompressedSize,
      long compressedSize,
      long uncompressedSizeOffset,
      long compressedSizeOffset) {
    reset();
    sessionIdent = header.sessionIdent();
    int present = header.bodyLength();
    if (!compressed) {
      if (compressedSize != 0) {
        throw new ProtocolException(ProtocolError.BAD_SYNTAX, what + ".compressed_body_size",
            compressedSizeOffset, sessionIdent,
            compressedSize + " (expected: 0 when is_body_compressed is 0)");
      }
      if (uncompressedSize != present) {
        throw new ProtocolException(ProtocolError.BAD_SYNTAX, what + ".uncompressed_body_size",
            uncompressedSizeOffset, sessionIdent,
            uncompressedSize + " but " + present
                + " body bytes follow the header (expected: equal)");
      }
      if (uncompressedSize > config.maxBodySize()) {
        throw limit(what + ".uncompressed_body_size", uncompressedSizeOffset,
            uncompressedSize + " bytes (expected: at most maxBodySize " + config.maxBodySize()
                + ")");
      }
      if (message != lastMessage) {
        lastMessage = message;
        messageView = message.asReadOnlyBuffer();
      }
      scan = message;
      view = messageView;
      bodyStart = header.bodyIndex();
      bodyEnd = message.limit();
      offsetBase = message.position();
      entryPrefix = plainPrefix;
    } else {
      if (compressedSize != present) {
        throw new ProtocolException(ProtocolError.BAD_DECOMPRESSION,
            what + ".compressed_body_size", compressedSizeOffset, sessionIdent,
            compressedSize + " but " + present
                + " bytes follow the header (expected: equal)");
      }
      if (uncompressedSize > config.maxBodySize()) {
        throw limit(what + ".uncompressed_body_size", uncompressedSizeOffset,
            uncompressedSize + " bytes (expected: at most maxBodySize " + config.maxBodySize()
                + ", checked before inflating)");
      }
      int size = (int) uncompressedSize;
      byte[] out = zlib.inflate(message, header.bodyIndex(), present, size, inflated,
          bodyField, header.bodyOffset(), sessionIdent);
      if (out != inflated) {
        inflated = out;
        inflatedBuffer = ByteBuffer.wrap(out);
        inflatedView = inflatedBuffer.asReadOnlyBuffer();
      }
      inflatedBuffer.limit(size);
      scan = inflatedBuffer;
      view = inflatedView;
      bodyStart = 0;
      bodyEnd = size;
      offsetBase = 0;
      entryPrefix = inflatedPrefix;
    }
    int p = bodyStart;
    int count = 0;
    while (p < bodyEnd) {
      p = readEntry(p, count, true);
      p += changesetSize;
      count++;
    }
    entryCount = count;
    rewind();
  }

  /**
   * A buffer holding the loaded body at the same indices as {@link #scanBuffer()} that stays
   * valid after the next load: the message itself when it was not compressed, else a copy of the
   * inflated body.
   */
  ByteBuffer ownedBody() {
    if (scan == inflatedBuffer) {
      return ByteBuffer.wrap(java.util.Arrays.copyOf(inflated, bodyEnd));
    }
    return scan;
  }

  int entryCount() {
    return entryCount;
  }

  int entryIndex() {
    return entryIndex;
  }

  /** Forgets the loaded message (no entries), so a failed load leaves nothing to iterate. */
  void reset() {
    entryCount = 0;
    entryIndex = -1;
    bodyStart = 0;
    bodyEnd = 0;
    nextEntry = 0;
  }

  void rewind() {
    entryIndex = -1;
    nextEntry = bodyStart;
  }

  boolean next() {
    if (entryIndex + 1 >= entryCount) {
      entryIndex = entryCount;
      return false;
    }
    entryIndex++;
    nextEntry = readEntry(nextEntry, entryIndex, false) + changesetSize;
    return true;
  }

  /** Field {@code i} of the current entry. */
  long field(int i) {
    if (entryIndex < 0 || entryIndex >= entryCount) {
      throw new IllegalStateException(
          "no current entry: entryIndex " + entryIndex + " (expected: call next() first)");
    }
    return fields[i];
  }

  int changesetSize() {
    field(0);
    return changesetSize;
  }

  /** Absolute index of the current changeset in {@link #scanBuffer()}. */
  int changesetStart() {
    field(0);
    return changesetStart;
  }

  ByteBuffer scanBuffer() {
    return scan;
  }

  /** The shared view, re-pointed at the current changeset. */
  ByteBuffer changeset() {
    field(0);
    ByteBuffer v = view;
    v.limit(changesetStart + changesetSize).position(changesetStart);
    return v;
  }

  /**
   * The current changeset in a view with array access when the loaded bytes are on the heap (one
   * duplicate per scanned buffer object), else the read-only {@link #changeset()} view.
   */
  ByteBuffer changesetWithArray() {
    field(0);
    ByteBuffer s = scan;
    if (!s.hasArray()) {
      return changeset();
    }
    if (arrayViewOf != s) {
      arrayViewOf = s;
      arrayView = s.duplicate();
    }
    ByteBuffer v = arrayView;
    v.limit(changesetStart + changesetSize).position(changesetStart);
    return v;
  }

  /**
   * Reads the entry header at {@code p} into {@link #fields}, sets the changeset bounds.
   *
   * @return the index of the first changeset byte
   */
  private int readEntry(int p, int index, boolean validate) {
    int n = fieldNames.length;
    int s = p;
    for (int f = 0; f < n; f++) {
      s = p;
      int stop = (int) Math.min(bodyEnd, (long) s + HeaderParser.MAX_NUMBER_CHARS + 1);
      int e = s;
      while (e < stop && scan.get(e) != ' ') {
        e++;
      }
      if (validate) {
        if (e == stop) {
          if (stop == bodyEnd) {
            throw entrySyntax(index, f, s, "body ends inside the entry header after "
                + (bodyEnd - s) + " bytes (expected: a number followed by one space)");
          }
          throw entrySyntax(index, f, s, HeaderParser.quote(scan, s, stop)
              + " is longer than " + HeaderParser.MAX_NUMBER_CHARS
              + " characters (expected: a number followed by one space)");
        }
        if (e == s) {
          throw entrySyntax(index, f, s,
              "empty field (expected: a number followed by exactly one space)");
        }
      }
      long v = HeaderParser.parseDigits(scan, s, e, false);
      if (v < 0) {
        throw HeaderParser.numberError(v, scan, s, e, entryField(index, f), offsetBase,
            sessionIdent, ProtocolError.BAD_CHANGESET_HEADER_SYNTAX);
      }
      fields[f] = v;
      if (validate && f == positiveField && fields[f] == 0) {
        throw entrySyntax(index, f, s, "0 (expected: >= 1)");
      }
      p = e + 1;
    }
    long size = fields[n - 1];
    if (validate) {
      int left = bodyEnd - p;
      int sizeField = s; // start of the changeset_size field
      if (size > left) {
        throw new ProtocolException(ProtocolError.BAD_CHANGESET_SIZE, entryField(index, n - 1),
            sizeField - offsetBase, sessionIdent,
            size + " but " + left + " bytes are left in the body (expected: at most " + left + ")");
      }
      if (size > config.maxChangesetSize()) {
        throw limit(entryField(index, n - 1), sizeField - offsetBase,
            size + " bytes (expected: at most maxChangesetSize " + config.maxChangesetSize()
                + ")");
      }
    }
    changesetStart = p;
    changesetSize = (int) size;
    return p;
  }

  private String entryField(int index, int f) {
    return entryPrefix + index + "]." + fieldNames[f];
  }

  private ProtocolException entrySyntax(int index, int f, int at, String detail) {
    return new ProtocolException(ProtocolError.BAD_CHANGESET_HEADER_SYNTAX,
        entryField(index, f), at - offsetBase, sessionIdent, detail);
  }

  private ProtocolException limit(String field, long offset, String detail) {
    return limitExceeded(field, offset, sessionIdent, detail);
  }

  /**
   * A configured limit was exceeded: 201 other_session_error when the session is known, else 101
   * other_error (spec §10.4: never 104, which crashes realm-core).
   */
  static ProtocolException limitExceeded(
      String field, long offset, long sessionIdent, String detail) {
    ProtocolError code =
        sessionIdent > 0 ? ProtocolError.OTHER_SESSION_ERROR : ProtocolError.OTHER_ERROR;
    return new ProtocolException(code, field, offset, sessionIdent, detail);
  }

  @Override
  public void close() {
    zlib.close();
  }
}
