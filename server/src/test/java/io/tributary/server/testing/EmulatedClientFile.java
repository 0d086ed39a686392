package io.tributary.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.message.DownloadMessage;

/**
 * What realm-core persists for one client file (spec protocol.md §7.2), and the checks its client
 * applies to every DOWNLOAD before accepting it (§5.6, {@code check_received_sync_progress} and
 * {@code update_sync_progress}). A DOWNLOAD that breaks one makes realm-core close the connection
 * as a protocol violation, so the server's replies must pass every one of them.
 */
public final class EmulatedClientFile {
  public long ident;
  public long salt;
  public long downloadServerVersion;
  public long downloadClientVersion;
  public long latestServerVersion;
  public long latestServerVersionSalt;
  public long uploadClientVersion;
  public long uploadServerVersion;
  /** The newest local version (the highest progress_client_version the client sent). */
  public long newestLocalVersion;
  /** The server's integrated client version as last seen in any DOWNLOAD (persisted or not). */
  public long seenIntegratedClientVersion;
  public boolean bootstrapped;

  /**
   * Applies realm-core's checks to a DOWNLOAD and, if {@code persist}, stores its progress as the
   * client would.
   */
  public void accept(DownloadMessage m, long ownIdent, boolean persist) {
    String d = m.toString();
    assertThat(m.latestServerVersion()).as("§5.6 rule 1, latest_server_version non-decreasing: " + d)
        .isGreaterThanOrEqualTo(latestServerVersion);
    assertThat(m.uploadClientVersion()).as("rule 2, upload_client_version non-decreasing: " + d)
        .isGreaterThanOrEqualTo(uploadClientVersion);
    assertThat(m.uploadClientVersion()).as("rule 3, upload_client_version <= newest local version: " + d)
        .isLessThanOrEqualTo(newestLocalVersion);
    assertThat(m.downloadServerVersion()).as("rule 4, download_server_version non-decreasing: " + d)
        .isGreaterThanOrEqualTo(downloadServerVersion);
    assertThat(m.downloadServerVersion()).as("rule 5, download_server_version <= latest: " + d)
        .isLessThanOrEqualTo(m.latestServerVersion());
    assertThat(m.downloadClientVersion()).as("rule 6, download_client_version non-decreasing: " + d)
        .isGreaterThanOrEqualTo(downloadClientVersion);
    assertThat(m.downloadClientVersion()).as("rule 7, download_client_version <= upload_client_version: " + d)
        .isLessThanOrEqualTo(m.uploadClientVersion());
    assertThat(m.downloadServerVersion()).as("rule 8, download_server_version >= upload_server_version: " + d)
        .isGreaterThanOrEqualTo(m.uploadServerVersion());
    if (m.uploadServerVersion() != 0) {
      assertThat(m.uploadServerVersion()).as("update_sync_progress: upload_server_version non-decreasing: " + d)
          .isGreaterThanOrEqualTo(uploadServerVersion);
    }
    long prevSv = downloadServerVersion;
    long prevCv = downloadClientVersion;
    for (DownloadMessage.Entry e : m.entries()) {
      assertThat(e.serverVersion()).as("rule 9, entry server_version in range: " + d)
          .isGreaterThanOrEqualTo(prevSv).isLessThanOrEqualTo(m.downloadServerVersion()).isPositive();
      assertThat(e.clientVersion()).as("rule 9, entry client_version in range: " + d)
          .isGreaterThanOrEqualTo(prevCv).isLessThanOrEqualTo(m.downloadClientVersion());
      assertThat(e.originFileIdent()).as("rule 9, entry origin_file_ident: " + d).isPositive().isNotEqualTo(ownIdent);
      prevSv = e.serverVersion();
      prevCv = e.clientVersion();
    }
    assertThat(m.progressEstimate()).as("progress_estimate in 0..1: " + d).isBetween(0.0, 1.0);
    if (m.batchState() != DownloadMessage.BatchState.STEADY_STATE) {
      assertThat(m.entries()).as("a bootstrap has at least one entry (§9.3): " + d).isNotEmpty();
    }
    if (m.latestServerVersion() == latestServerVersion && latestServerVersion != 0) {
      assertThat(m.latestServerVersionSalt()).as("a server version keeps its salt: " + d).isEqualTo(latestServerVersionSalt);
    }
    seenIntegratedClientVersion = Math.max(seenIntegratedClientVersion, m.downloadClientVersion());
    if (persist) {
      downloadServerVersion = m.downloadServerVersion();
      downloadClientVersion = m.downloadClientVersion();
      latestServerVersion = m.latestServerVersion();
      latestServerVersionSalt = m.latestServerVersionSalt();
      uploadClientVersion = m.uploadClientVersion();
      uploadServerVersion = m.uploadServerVersion();
      if (m.batchState() == DownloadMessage.BatchState.LAST_IN_BATCH) {
        bootstrapped = true;
      }
    }
  }
}
