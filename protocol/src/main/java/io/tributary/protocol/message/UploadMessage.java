package io.tributary.protocol.message;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * UPLOAD, client to server (spec protocol.md §5.5), with its entries materialised:
 *
 * <pre>
 * upload &lt;session_ident&gt; &lt;is_body_compressed&gt; &lt;uncompressed_body_size&gt; &lt;compressed_body_size&gt;
 *        &lt;progress_client_version&gt; &lt;progress_server_version&gt; &lt;locked_server_version&gt;\n
 * body  = *entry                         (zlib-compressed as a whole when is_body_compressed = 1)
 * entry = &lt;client_version&gt; SP &lt;last_integrated_server_version&gt; SP &lt;origin_timestamp&gt; SP
 *         &lt;origin_file_ident&gt; SP &lt;changeset_size&gt; SP &lt;changeset_size bytes&gt;
 * </pre>
 *
 * <p>The compression flag and body sizes are not part of the value: the encoder derives them (and
 * compresses by realm-core's rule), the decoder checks them. For building and parsing UPLOADs on
 * a hot path use {@link UploadBuilder} and {@link UploadCursor}, which allocate nothing per entry.
 *
 * <p>Buffer ownership: each entry's changeset is a read-only <em>view</em>, not a copy. Entries
 * from {@link MessageDecoder} view the decoded message buffer (uncompressed body) or an array the
 * decoder allocated for this message (inflated body): the message is valid as long as the input
 * buffer's bytes are not changed.
 *
 * @param sessionIdent the session; 0..2^63-1
 * @param progressClientVersion how far the client scanned its history; 0..2^63-1
 * @param progressServerVersion the last integrated server version belonging to it; 0..2^63-1
 * @param lockedServerVersion the client's persisted download server version; 0..2^63-1
 * @param entries the changesets in order; copied into an unmodifiable list
 */
public record UploadMessage(
    long sessionIdent,
    long progressClientVersion,
    long progressServerVersion,
    long lockedServerVersion,
    List<Entry> entries)
    implements ClientMessage {

  /**
   * @throws IllegalArgumentException if a number is negative
   * @throws NullPointerException if {@code entries} or one of them is null
   */
  public UploadMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(progressClientVersion, "progress_client_version");
    Checks.nonNegative(progressServerVersion, "progress_server_version");
    Checks.nonNegative(lockedServerVersion, "locked_server_version");
    entries = List.copyOf(entries);
  }

  @Override
  public MessageType type() {
    return MessageType.UPLOAD;
  }

  /**
   * One changeset of an UPLOAD.
   *
   * @param clientVersion the client version the changeset produced; 0..2^63-1
   * @param lastIntegratedServerVersion the download server version integrated when it was made;
   *     0..2^63-1
   * @param originTimestamp milliseconds since 2015-01-01T00:00:00Z; 0..2^63-1
   * @param originFileIdent 0 for a changeset of local origin; 0..2^63-1
   * @param changeset the changeset bytes from position to limit; stored as a read-only view (not
   *     copied); {@link #changeset()} returns a fresh duplicate each time
   */
  public record Entry(
      long clientVersion,
      long lastIntegratedServerVersion,
      long originTimestamp,
      long originFileIdent,
      ByteBuffer changeset) {
    /**
     * @throws IllegalArgumentException if a number is negative
     * @throws NullPointerException if {@code changeset} is null
     */
    public Entry {
      Checks.nonNegative(clientVersion, "client_version");
      Checks.nonNegative(lastIntegratedServerVersion, "last_integrated_server_version");
      Checks.nonNegative(originTimestamp, "origin_timestamp");
      Checks.nonNegative(originFileIdent, "origin_file_ident");
      changeset = Checks.view(changeset, "changeset");
    }

    /** A read-only view of the changeset, position 0, limit = its size (a new duplicate). */
    @Override
    public ByteBuffer changeset() {
      return changeset.duplicate();
    }

    /** The changeset size in bytes. */
    public int changesetSize() {
      return changeset.remaining();
    }
  }
}
