package io.tributary.core.spi;

/**
 * The sync progress a client file persists from the server's DOWNLOAD messages (spec
 * protocol.md §5.6, §7.2) and sends back in its IDENT on the next session.
 *
 * <p>All values are in 0..2^63-1; {@link #NONE} is the progress of a file that never received a
 * DOWNLOAD.
 *
 * @param downloadServerVersion download cursor, server version component
 * @param downloadClientVersion download cursor, last client version the server had integrated
 * @param latestServerVersion newest server version the client has heard of
 * @param latestServerVersionSalt salt of {@code latestServerVersion} (0 for version 0)
 * @param uploadClientVersion upload cursor: client versions up to this one are integrated by the
 *     server (the upload acknowledgement)
 * @param uploadServerVersion upload cursor, server version component
 */
public record SyncProgress(
    long downloadServerVersion,
    long downloadClientVersion,
    long latestServerVersion,
    long latestServerVersionSalt,
    long uploadClientVersion,
    long uploadServerVersion) {

  /** The progress of a file that never received a DOWNLOAD: all zero. */
  public static final SyncProgress NONE = new SyncProgress(0, 0, 0, 0, 0, 0);

  public SyncProgress {
    requireNonNegative(downloadServerVersion, "downloadServerVersion");
    requireNonNegative(downloadClientVersion, "downloadClientVersion");
    requireNonNegative(latestServerVersion, "latestServerVersion");
    requireNonNegative(latestServerVersionSalt, "latestServerVersionSalt");
    requireNonNegative(uploadClientVersion, "uploadClientVersion");
    requireNonNegative(uploadServerVersion, "uploadServerVersion");
  }

  private static void requireNonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
  }
}
