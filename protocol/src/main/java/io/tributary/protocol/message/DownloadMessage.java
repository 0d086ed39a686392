package io.tributary.protocol.message;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * DOWNLOAD, server to client, FLX layout (spec protocol.md §5.6), with its entries materialised:
 *
 * <pre>
 * download &lt;session_ident&gt; &lt;download_server_version&gt; &lt;download_client_version&gt;
 *          &lt;latest_server_version&gt; &lt;latest_server_version_salt&gt;
 *          &lt;upload_client_version&gt; &lt;upload_server_version&gt;
 *          &lt;query_version&gt; &lt;batch_state&gt; &lt;progress_estimate&gt;
 *          &lt;is_body_compressed&gt; &lt;uncompressed_body_size&gt; &lt;compressed_body_size&gt;\n
 * body  = *entry
 * entry = &lt;server_version&gt; SP &lt;client_version&gt; SP &lt;origin_timestamp&gt; SP &lt;origin_file_ident&gt; SP
 *         &lt;original_changeset_size&gt; SP &lt;changeset_size&gt; SP &lt;changeset_size bytes&gt;
 * </pre>
 *
 * <p>{@code progress_estimate} depends on the negotiated protocol version: from 12 on it is a
 * decimal in 0..1 (servers send {@code 1}); below 12 it is the old integer {@code
 * downloadable_bytes}, which the encoder always writes as {@code 0} and the decoder reads into
 * {@link #progressEstimate()} as its integer value.
 *
 * <p>Buffer ownership of entries: as for {@link UploadMessage}.
 *
 * @param sessionIdent the session; 0..2^63-1
 * @param downloadServerVersion download cursor, server version; 0..2^63-1
 * @param downloadClientVersion download cursor, last integrated client version; 0..2^63-1
 * @param latestServerVersion newest server version; 0..2^63-1
 * @param latestServerVersionSalt its salt; 0..2^63-1
 * @param uploadClientVersion the upload acknowledgement; 0..2^63-1
 * @param uploadServerVersion its server version; 0..2^63-1
 * @param queryVersion the subscription-set version; 0..2^63-1
 * @param batchState bootstrap batch state; not null
 * @param progressEstimate 0.0..1.0 (see above); finite and ≥ 0
 * @param entries the changesets in order; copied into an unmodifiable list
 */
public record DownloadMessage(
    long sessionIdent,
    long downloadServerVersion,
    long downloadClientVersion,
    long latestServerVersion,
    long latestServerVersionSalt,
    long uploadClientVersion,
    long uploadServerVersion,
    long queryVersion,
    BatchState batchState,
    double progressEstimate,
    List<Entry> entries)
    implements ServerMessage {

  /** The {@code batch_state} field. */
  public enum BatchState {
    /** 0: part of a bootstrap, more messages follow. */
    MORE_TO_COME,
    /** 1: the last message of a bootstrap. */
    LAST_IN_BATCH,
    /** 2: not a bootstrap; what ingest acknowledgements use. */
    STEADY_STATE;

    /** The wire value, 0..2. */
    public int wireValue() {
      return ordinal();
    }

    /** The state for a wire value, or null if it is not 0..2. */
    public static BatchState forWireValue(long value) {
      return value >= 0 && value <= 2 ? values()[(int) value] : null;
    }
  }

  /**
   * @throws IllegalArgumentException if a number is negative or the estimate is not finite
   * @throws NullPointerException if {@code batchState} or {@code entries} (or an entry) is null
   */
  public DownloadMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.nonNegative(downloadServerVersion, "download_server_version");
    Checks.nonNegative(downloadClientVersion, "download_client_version");
    Checks.nonNegative(latestServerVersion, "latest_server_version");
    Checks.nonNegative(latestServerVersionSalt, "latest_server_version_salt");
    Checks.nonNegative(uploadClientVersion, "upload_client_version");
    Checks.nonNegative(uploadServerVersion, "upload_server_version");
    Checks.nonNegative(queryVersion, "query_version");
    Checks.notNull(batchState, "batch_state");
    if (!(progressEstimate >= 0) || Double.isInfinite(progressEstimate)) {
      throw new IllegalArgumentException(
          "progress_estimate: " + progressEstimate + " (expected: finite, >= 0)");
    }
    entries = List.copyOf(entries);
  }

  /**
   * A steady-state DOWNLOAD without entries and progress estimate 1: the acknowledgement an ingest
   * server sends (spec §7.4).
   */
  public static DownloadMessage acknowledgement(
      long sessionIdent,
      long downloadServerVersion,
      long downloadClientVersion,
      long latestServerVersion,
      long latestServerVersionSalt,
      long uploadClientVersion,
      long uploadServerVersion,
      long queryVersion) {
    return new DownloadMessage(
        sessionIdent,
        downloadServerVersion,
        downloadClientVersion,
        latestServerVersion,
        latestServerVersionSalt,
        uploadClientVersion,
        uploadServerVersion,
        queryVersion,
        BatchState.STEADY_STATE,
        1.0,
        List.of());
  }

  @Override
  public MessageType type() {
    return MessageType.DOWNLOAD;
  }

  /**
   * One changeset of a DOWNLOAD.
   *
   * @param serverVersion the server version the changeset produced; 0..2^63-1 (≥ 1 on the wire)
   * @param clientVersion this client's last integrated client version as of it; 0..2^63-1
   * @param originTimestamp milliseconds since 2015-01-01T00:00:00Z; 0..2^63-1
   * @param originFileIdent the client file it came from; 0..2^63-1
   * @param originalChangesetSize its size before server-side compaction; 0..2^63-1
   * @param changeset the changeset bytes from position to limit; a read-only view, not a copy
   */
  public record Entry(
      long serverVersion,
      long clientVersion,
      long originTimestamp,
      long originFileIdent,
      long originalChangesetSize,
      ByteBuffer changeset) {
    /**
     * @throws IllegalArgumentException if a number is negative
     * @throws NullPointerException if {@code changeset} is null
     */
    public Entry {
      Checks.nonNegative(serverVersion, "server_version");
      Checks.nonNegative(clientVersion, "client_version");
      Checks.nonNegative(originTimestamp, "origin_timestamp");
      Checks.nonNegative(originFileIdent, "origin_file_ident");
      Checks.nonNegative(originalChangesetSize, "original_changeset_size");
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
