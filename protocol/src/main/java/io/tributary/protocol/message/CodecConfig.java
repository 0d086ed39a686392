package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolVersion;

/**
 * Settings of the message codec: the negotiated protocol version, the limits every decoder checks
 * before it allocates, and the compression rule of the encoders. Immutable and thread safe; build
 * with {@link #newBuilder()} (a builder is not thread safe; unset options take the defaults
 * below).
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@link #protocolVersion()}</td><td>14</td><td>the current version (spec §1)</td></tr>
 *   <tr><td>{@link #maxHeaderLength()}</td><td>512 bytes</td><td>the longest legal header, a
 *       DOWNLOAD with 12 integers of at most 20 characters and an estimate, is under 300 bytes;
 *       512 leaves room and bounds the search for the LF</td></tr>
 *   <tr><td>{@link #maxMessageSize()}</td><td>32 MiB</td><td>realm-core sends a lone changeset
 *       above its 16 MiB batch limit in one UPLOAD (a string may be 16 MiB)</td></tr>
 *   <tr><td>{@link #maxBodySize()}</td><td>32 MiB</td><td>largest (inflated) UPLOAD/DOWNLOAD
 *       body; checked before inflating</td></tr>
 *   <tr><td>{@link #maxChangesetSize()}</td><td>32 MiB</td><td>largest single changeset</td></tr>
 *   <tr><td>{@link #maxTextBodySize()}</td><td>256 KiB</td><td>bodies decoded into strings:
 *       queries, error texts, JSON_ERROR, LOG_MESSAGE, TEST_COMMAND</td></tr>
 *   <tr><td>{@link #compressionEnabled()}</td><td>true</td><td>spec §6</td></tr>
 *   <tr><td>{@link #compressionThreshold()}</td><td>1024 bytes</td><td>realm-core compresses a
 *       body only if it is longer than this, and uses the result only if strictly smaller</td></tr>
 *   <tr><td>{@link #compressionLevel()}</td><td>1</td><td>realm-core's level</td></tr>
 * </table>
 */
public final class CodecConfig {
  /** Default of {@link #maxHeaderLength()}: 512 bytes. */
  public static final int MAX_HEADER_LENGTH_DEFAULT = 512;

  /** Default of {@link #maxMessageSize()}, {@link #maxBodySize()}, {@link #maxChangesetSize()}. */
  public static final int MAX_MESSAGE_SIZE_DEFAULT = 32 * 1024 * 1024;

  /** Default of {@link #maxTextBodySize()}: 256 KiB. */
  public static final int MAX_TEXT_BODY_SIZE_DEFAULT = 256 * 1024;

  /** Default of {@link #compressionThreshold()}: 1024 bytes. */
  public static final int COMPRESSION_THRESHOLD_DEFAULT = 1024;

  /** Default of {@link #compressionLevel()}: 1. */
  public static final int COMPRESSION_LEVEL_DEFAULT = 1;

  /** Smallest allowed {@link #maxHeaderLength()}: fits every legal header. */
  public static final int MAX_HEADER_LENGTH_MIN = 320;

  /** The defaults. */
  public static final CodecConfig DEFAULT = new Builder().build();

  private final int protocolVersion;
  private final int maxHeaderLength;
  private final int maxMessageSize;
  private final int maxBodySize;
  private final int maxChangesetSize;
  private final int maxTextBodySize;
  private final boolean compressionEnabled;
  private final int compressionThreshold;
  private final int compressionLevel;

  private CodecConfig(Builder b) {
    this.protocolVersion = b.protocolVersion;
    this.maxHeaderLength = b.maxHeaderLength;
    this.maxMessageSize = b.maxMessageSize;
    this.maxBodySize = b.maxBodySize;
    this.maxChangesetSize = b.maxChangesetSize;
    this.maxTextBodySize = b.maxTextBodySize;
    this.compressionEnabled = b.compressionEnabled;
    this.compressionThreshold = b.compressionThreshold;
    this.compressionLevel = b.compressionLevel;
  }

  /** A builder seeded with the defaults. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A builder seeded with this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The negotiated protocol version, 8..14. */
  public int protocolVersion() {
    return protocolVersion;
  }

  /** Longest header line accepted, in bytes, including the LF. */
  public int maxHeaderLength() {
    return maxHeaderLength;
  }

  /** Largest message accepted by a decoder, in bytes (header and body as received). */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** Largest UPLOAD/DOWNLOAD body, in bytes, after inflating. */
  public int maxBodySize() {
    return maxBodySize;
  }

  /** Largest single changeset in an UPLOAD/DOWNLOAD, in bytes. */
  public int maxChangesetSize() {
    return maxChangesetSize;
  }

  /** Largest body decoded into text (queries, error messages, JSON bodies), in bytes. */
  public int maxTextBodySize() {
    return maxTextBodySize;
  }

  /** Whether encoders compress UPLOAD/DOWNLOAD bodies at all. */
  public boolean compressionEnabled() {
    return compressionEnabled;
  }

  /** A body is compressed only if it is longer than this many bytes. */
  public int compressionThreshold() {
    return compressionThreshold;
  }

  /** zlib compression level, 0..9. */
  public int compressionLevel() {
    return compressionLevel;
  }

  @Override
  public String toString() {
    return "CodecConfig{protocolVersion="
        + protocolVersion
        + ", maxHeaderLength="
        + maxHeaderLength
        + ", maxMessageSize="
        + maxMessageSize
        + ", maxBodySize="
        + maxBodySize
        + ", maxChangesetSize="
        + maxChangesetSize
        + ", maxTextBodySize="
        + maxTextBodySize
        + ", compressionEnabled="
        + compressionEnabled
        + ", compressionThreshold="
        + compressionThreshold
        + ", compressionLevel="
        + compressionLevel
        + "}";
  }

  /** Builds a {@link CodecConfig}. Not thread safe. */
  public static final class Builder {
    private int protocolVersion = ProtocolVersion.CURRENT;
    private int maxHeaderLength = MAX_HEADER_LENGTH_DEFAULT;
    private int maxMessageSize = MAX_MESSAGE_SIZE_DEFAULT;
    private int maxBodySize = MAX_MESSAGE_SIZE_DEFAULT;
    private int maxChangesetSize = MAX_MESSAGE_SIZE_DEFAULT;
    private int maxTextBodySize = MAX_TEXT_BODY_SIZE_DEFAULT;
    private boolean compressionEnabled = true;
    private int compressionThreshold = COMPRESSION_THRESHOLD_DEFAULT;
    private int compressionLevel = COMPRESSION_LEVEL_DEFAULT;

    private Builder() {}

    private Builder(CodecConfig c) {
      protocolVersion = c.protocolVersion;
      maxHeaderLength = c.maxHeaderLength;
      maxMessageSize = c.maxMessageSize;
      maxBodySize = c.maxBodySize;
      maxChangesetSize = c.maxChangesetSize;
      maxTextBodySize = c.maxTextBodySize;
      compressionEnabled = c.compressionEnabled;
      compressionThreshold = c.compressionThreshold;
      compressionLevel = c.compressionLevel;
    }

    /**
     * The negotiated protocol version. Default 14.
     *
     * @throws IllegalArgumentException if outside 8..14
     */
    public Builder protocolVersion(int version) {
      this.protocolVersion = ProtocolVersion.requireSupported(version);
      return this;
    }

    /**
     * Longest header line in bytes, LF included. Default 512.
     *
     * @throws IllegalArgumentException if below {@value #MAX_HEADER_LENGTH_MIN}
     */
    public Builder maxHeaderLength(int bytes) {
      this.maxHeaderLength = atLeast(bytes, MAX_HEADER_LENGTH_MIN, "maxHeaderLength");
      return this;
    }

    /**
     * Largest message in bytes. Default 32 MiB.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxMessageSize(int bytes) {
      this.maxMessageSize = atLeast(bytes, 1, "maxMessageSize");
      return this;
    }

    /**
     * Largest (inflated) UPLOAD/DOWNLOAD body in bytes. Default 32 MiB.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxBodySize(int bytes) {
      this.maxBodySize = atLeast(bytes, 0, "maxBodySize");
      return this;
    }

    /**
     * Largest changeset in bytes. Default 32 MiB.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxChangesetSize(int bytes) {
      this.maxChangesetSize = atLeast(bytes, 0, "maxChangesetSize");
      return this;
    }

    /**
     * Largest text/JSON body in bytes (BIND has its own fixed limits, {@link
     * BindMessage#MAX_JSON_SIZE} and {@link BindMessage#MAX_TOKEN_SIZE}). Default 256 KiB.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxTextBodySize(int bytes) {
      this.maxTextBodySize = atLeast(bytes, 0, "maxTextBodySize");
      return this;
    }

    /** Whether encoders compress bodies. Default true. */
    public Builder compressionEnabled(boolean enabled) {
      this.compressionEnabled = enabled;
      return this;
    }

    /**
     * Compress only bodies longer than this. Default 1024.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder compressionThreshold(int bytes) {
      this.compressionThreshold = atLeast(bytes, 0, "compressionThreshold");
      return this;
    }

    /**
     * zlib level. Default 1.
     *
     * @throws IllegalArgumentException if outside 0..9
     */
    public Builder compressionLevel(int level) {
      if (level < 0 || level > 9) {
        throw new IllegalArgumentException("compressionLevel: " + level + " (expected: 0..9)");
      }
      this.compressionLevel = level;
      return this;
    }

    /** The configuration. */
    public CodecConfig build() {
      return new CodecConfig(this);
    }

    private static int atLeast(int value, int min, String name) {
      if (value < min) {
        throw new IllegalArgumentException(
            name + ": " + value + " (expected: " + min + ".." + Integer.MAX_VALUE + ")");
      }
      return value;
    }
  }
}
