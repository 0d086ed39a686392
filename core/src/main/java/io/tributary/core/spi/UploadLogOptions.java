package io.tributary.core.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings an {@link UploadLog} is opened with. Immutable; build with {@link #newBuilder()}.
 *
 * <p>Defaults: {@link Durability#SYNC}, {@link OverflowPolicy#BLOCK}, a bound of 1 GiB, a block
 * timeout of 30 s and a storage timeout of 30 s.
 */
public final class UploadLogOptions {
  /** Default bound on {@link LogStats#sizeBytes()}: 1 GiB. */
  public static final long MAX_BYTES_DEFAULT = 1L << 30;
  /** Default time an append waits for space under {@link OverflowPolicy#BLOCK}. */
  public static final Duration BLOCK_TIMEOUT_DEFAULT = Duration.ofSeconds(30);
  /** Default time any call waits for the storage to complete it. */
  public static final Duration STORAGE_TIMEOUT_DEFAULT = Duration.ofSeconds(30);

  /** The defaults. */
  public static final UploadLogOptions DEFAULT = newBuilder().build();

  private final Durability durability;
  private final OverflowPolicy overflowPolicy;
  private final long maxBytes;
  private final Duration blockTimeout;
  private final Duration storageTimeout;

  private UploadLogOptions(Builder b) {
    this.durability = b.durability;
    this.overflowPolicy = b.overflowPolicy;
    this.maxBytes = b.maxBytes;
    this.blockTimeout = b.blockTimeout;
    this.storageTimeout = b.storageTimeout;
  }

  public static Builder newBuilder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .durability(durability)
        .overflowPolicy(overflowPolicy)
        .maxBytes(maxBytes)
        .blockTimeout(blockTimeout)
        .storageTimeout(storageTimeout);
  }

  public Durability durability() {
    return durability;
  }

  public OverflowPolicy overflowPolicy() {
    return overflowPolicy;
  }

  /** Bound on {@link LogStats#sizeBytes()}, in bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  /** How long an append waits for space under {@link OverflowPolicy#BLOCK}. */
  public Duration blockTimeout() {
    return blockTimeout;
  }

  /** How long any call waits for the storage (for LMDB: its thread) to complete it. */
  public Duration storageTimeout() {
    return storageTimeout;
  }

  @Override
  public String toString() {
    return "UploadLogOptions{durability="
        + durability
        + ", overflowPolicy="
        + overflowPolicy
        + ", maxBytes="
        + maxBytes
        + ", blockTimeout="
        + blockTimeout
        + ", storageTimeout="
        + storageTimeout
        + '}';
  }

  /** Builder; not thread safe. Unset options take the documented defaults. */
  public static final class Builder {
    private Durability durability = Durability.SYNC;
    private OverflowPolicy overflowPolicy = OverflowPolicy.BLOCK;
    private long maxBytes = MAX_BYTES_DEFAULT;
    private Duration blockTimeout = BLOCK_TIMEOUT_DEFAULT;
    private Duration storageTimeout = STORAGE_TIMEOUT_DEFAULT;

    private Builder() {}

    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    public Builder overflowPolicy(OverflowPolicy overflowPolicy) {
      this.overflowPolicy = Objects.requireNonNull(overflowPolicy, "overflowPolicy");
      return this;
    }

    /**
     * @param maxBytes bound on the log's size in bytes
     * @throws IllegalArgumentException if {@code maxBytes < 4096}
     */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes < 4096) {
        throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 4096)");
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * @throws IllegalArgumentException if the duration is negative
     */
    public Builder blockTimeout(Duration blockTimeout) {
      this.blockTimeout = requireNotNegative(blockTimeout, "blockTimeout");
      return this;
    }

    /**
     * @throws IllegalArgumentException if the duration is not positive
     */
    public Builder storageTimeout(Duration storageTimeout) {
      Objects.requireNonNull(storageTimeout, "storageTimeout");
      if (storageTimeout.isNegative() || storageTimeout.isZero()) {
        throw new IllegalArgumentException(
            "storageTimeout: " + storageTimeout + " (expected: > 0)");
      }
      this.storageTimeout = storageTimeout;
      return this;
    }

    public UploadLogOptions build() {
      return new UploadLogOptions(this);
    }

    private static Duration requireNotNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
      }
      return d;
    }
  }
}
