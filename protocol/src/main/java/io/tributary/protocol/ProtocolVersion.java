package io.tributary.protocol;

/**
 * Sync protocol versions and what changes between them (spec protocol.md §1).
 *
 * <p>Tributary speaks versions {@value #MIN_SUPPORTED} through {@value #CURRENT} with the same
 * message formats; only two server-side details depend on the negotiated version ({@link
 * #hasProgressEstimate(int)} and {@link #supportsLogMessage(int)}). Subprotocol negotiation is in
 * {@link io.tributary.protocol.message.Subprotocols}.
 */
public final class ProtocolVersion {
  /** The current protocol version, and the highest Tributary supports: 14. */
  public static final int CURRENT = 14;

  /**
   * The lowest version Tributary supports: 8 (FLX BIND carries JSON and subprotocol tokens use
   * {@code #}).
   */
  public static final int MIN_SUPPORTED = 8;

  /** The highest version Tributary supports (= {@link #CURRENT}). */
  public static final int MAX_SUPPORTED = CURRENT;

  /** The oldest version the realm-core 14 client accepts from a server: 2. */
  public static final int REALM_CORE_OLDEST = 2;

  private ProtocolVersion() {}

  /** Whether {@code version} is in {@value #MIN_SUPPORTED}..{@value #MAX_SUPPORTED}. */
  public static boolean isSupported(int version) {
    return version >= MIN_SUPPORTED && version <= MAX_SUPPORTED;
  }

  /**
   * Whether the FLX DOWNLOAD field after {@code batch_state} is a decimal progress estimate (≥ 12)
   * rather than the old integer {@code downloadable_bytes}, which a server writes as {@code 0}.
   */
  public static boolean hasProgressEstimate(int version) {
    return version >= 12;
  }

  /** Whether a server may send LOG_MESSAGE (≥ 10). */
  public static boolean supportsLogMessage(int version) {
    return version >= 10;
  }

  /**
   * Throws unless {@code version} is supported.
   *
   * @return {@code version}
   * @throws IllegalArgumentException if it is outside {@value #MIN_SUPPORTED}..{@value
   *     #MAX_SUPPORTED}
   */
  public static int requireSupported(int version) {
    if (!isSupported(version)) {
      throw new IllegalArgumentException(
          "protocol version: "
              + version
              + " (expected: "
              + MIN_SUPPORTED
              + ".."
              + MAX_SUPPORTED
              + ")");
    }
    return version;
  }
}
