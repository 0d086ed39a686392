package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import io.tributary.protocol.ProtocolVersion;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a DOWNLOAD (FLX layout, spec protocol.md §5.6) without materialising its entries: the
 * client's counterpart of {@link UploadCursor}, with the same validation, allocation and
 * ownership rules.
 *
 * <p>The {@code progress_estimate} field is read per {@link CodecConfig#protocolVersion()}: from
 * 12 on a plain decimal in 0..1, below 12 an unsigned integer (the old {@code
 * downloadable_bytes}). {@code batch_state} must be 0, 1 or 2; entries must have {@code
 * server_version ≥ 1}. The client-side progress checks of §5.6 (cursors must not go backwards,
 * ...) need session state and are not done here. Not thread safe.
 */
public final class DownloadCursor implements AutoCloseable {
  static final String[] HEADER_FIELDS = {
    "session_ident",
    "download_server_version",
    "download_client_version",
    "latest_server_version",
    "latest_server_version_salt",
    "upload_client_version",
    "upload_server_version",
    "query_version",
    "batch_state",
    "progress_estimate",
    "is_body_compressed",
    "uncompressed_body_size",
    "compressed_body_size"
  };

  static final String[] ENTRY_FIELDS = {
    "server_version",
    "client_version",
    "origin_timestamp",
    "origin_file_ident",
    "original_changeset_size",
    "changeset_size"
  };

  private final CodecConfig config;
  private final HeaderParser header = new HeaderParser();
  private final EntryScanner body;

  private long sessionIdent;
  private long downloadServerVersion;
  private long downloadClientVersion;
  private long latestServerVersion;
  private long latestServerVersionSalt;
  private long uploadClientVersion;
  private long uploadServerVersion;
  private long queryVersion;
  private DownloadMessage.BatchState batchState;
  private double progressEstimate;
  private boolean compressed;
  private int uncompressedBodySize;
  private int compressedBodySize;

  /**
   * A cursor for the protocol version and limits of {@code config}.
   *
   * @param config version and limits; not null
   */
  public DownloadCursor(CodecConfig config) {
    this.config = config;
    this.body = new EntryScanner(config, "download", ENTRY_FIELDS, 0);
  }

  /**
   * Parses and validates one DOWNLOAD message.
   *
   * @param message the message from its position to its limit; borrowed until the next wrap
   * @return this cursor, before the first entry
   * @throws ProtocolException if the message is not a valid DOWNLOAD
   */
  public DownloadCursor wrap(ByteBuffer message) {
    body.reset();
    MessageDecoder.checkMessageSize(message, config);
    MessageType type = header.begin(message, config.maxHeaderLength());
    if (type != MessageType.DOWNLOAD) {
      throw new ProtocolException(ProtocolError.UNKNOWN_MESSAGE, "header.message_type", 0, 0,
          "\"" + type.wireName() + "\" (expected: download)");
    }
    wrapAfterType(message);
    return this;
  }

  void wrapAfterType(ByteBuffer message) {
    header.expectFields("download", HEADER_FIELDS);
    sessionIdent = header.unsigned("session_ident");
    header.sessionIdent(sessionIdent);
    downloadServerVersion = header.unsigned("download_server_version");
    downloadClientVersion = header.unsigned("download_client_version");
    latestServerVersion = header.unsigned("latest_server_version");
    latestServerVersionSalt = header.signed("latest_server_version_salt");
    uploadClientVersion = header.unsigned("upload_client_version");
    uploadServerVersion = header.unsigned("upload_server_version");
    queryVersion = header.signed("query_version");
    batchState = DownloadMessage.BatchState.forWireValue(header.unsigned("batch_state", 2));
    progressEstimate =
        ProtocolVersion.hasProgressEstimate(config.protocolVersion())
            ? header.decimal01("progress_estimate")
            : header.unsigned("progress_estimate");
    compressed = header.bool("is_body_compressed");
    long uncompressed = header.unsigned("uncompressed_body_size");
    long uncompressedOffset = header.lastTokenOffset();
    long compressedSize = header.unsigned("compressed_body_size");
    long compressedOffset = header.lastTokenOffset();
    body.load(message, header, compressed, uncompressed, compressedSize, uncompressedOffset,
        compressedOffset);
    uncompressedBodySize = (int) uncompressed;
    compressedBodySize = (int) compressedSize;
  }

  /** The session ident. */
  public long sessionIdent() {
    return sessionIdent;
  }

  /** Download cursor: server version. */
  public long downloadServerVersion() {
    return downloadServerVersion;
  }

  /** Download cursor: last integrated client version. */
  public long downloadClientVersion() {
    return downloadClientVersion;
  }

  /** Newest server version. */
  public long latestServerVersion() {
    return latestServerVersion;
  }

  /** Salt of {@link #latestServerVersion()}. */
  public long latestServerVersionSalt() {
    return latestServerVersionSalt;
  }

  /** The upload acknowledgement: client version integrated by the server. */
  public long uploadClientVersion() {
    return uploadClientVersion;
  }

  /** Server version belonging to {@link #uploadClientVersion()}. */
  public long uploadServerVersion() {
    return uploadServerVersion;
  }

  /** The subscription-set version the message belongs to. */
  public long queryVersion() {
    return queryVersion;
  }

  /** The bootstrap batch state. */
  public DownloadMessage.BatchState batchState() {
    return batchState;
  }

  /**
   * The progress estimate in 0..1 (protocol ≥ 12), or the old integer field's value (below 12).
   */
  public double progressEstimate() {
    return progressEstimate;
  }

  /** Whether the body was zlib-compressed on the wire. */
  public boolean isBodyCompressed() {
    return compressed;
  }

  /** The body size after inflating. */
  public int uncompressedBodySize() {
    return uncompressedBodySize;
  }

  /** The compressed body size on the wire; 0 when not compressed. */
  public int compressedBodySize() {
    return compressedBodySize;
  }

  /** Number of entries (possibly 0). */
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
   * The current entry's server version (≥ 1).
   *
   * @throws IllegalStateException if there is no current entry
   */
  public long serverVersion() {
    return body.field(0);
  }

  /**
   * The current entry's client version.
   *
   * @throws IllegalStateException if there is no current entry
   */
  public long clientVersion() {
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
   * The current entry's origin file ident.
   *
   * @throws IllegalStateException if there is no current entry
   */
  public long originFileIdent() {
    return body.field(3);
  }

  /**
   * The current entry's size before server-side compaction.
   *
   * @throws IllegalStateException if there is no current entry
   */
  public long originalChangesetSize() {
    return body.field(4);
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
   * The current changeset: a read-only view, re-pointed by {@link #next()} (borrowed).
   *
   * @throws IllegalStateException if there is no current entry
   */
  public ByteBuffer changeset() {
    return body.changeset();
  }

  /** Materialises the wrapped message (inflated bodies are copied into a new array). */
  public DownloadMessage toMessage() {
    List<DownloadMessage.Entry> entries = new ArrayList<>(body.entryCount());
    ByteBuffer source = body.ownedBody();
    body.rewind();
    while (body.next()) {
      ByteBuffer cs = source.duplicate();
      int start = body.changesetStart();
      cs.limit(start + body.changesetSize()).position(start);
      entries.add(new DownloadMessage.Entry(body.field(0), body.field(1), body.field(2),
          body.field(3), body.field(4), cs));
    }
    body.rewind();
    return new DownloadMessage(sessionIdent, downloadServerVersion, downloadClientVersion,
        latestServerVersion, latestServerVersionSalt, uploadClientVersion, uploadServerVersion,
        queryVersion, batchState, progressEstimate, entries);
  }

  /** Frees the inflater's native memory. The cursor must not be used afterwards. */
  @Override
  public void close() {
    body.close();
  }
}
