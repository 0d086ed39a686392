package io.tributary.core.spi;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The small metadata record an {@link UploadLog} keeps beside its entries.
 *
 * <p>Immutable snapshot. {@link #schema()} returns a copy.
 */
public final class LogMetadata {
  private final long clientFileIdent;
  private final long clientFileSalt;
  private final SyncProgress progress;
  private final long lastAssignedVersion;
  private final byte[] schema;
  private final byte[] identity;

  /**
   * Metadata without a stored identity.
   *
   * @param clientFileIdent the server-assigned client file ident, 0 if none yet
   * @param clientFileSalt its salt, 0 if none yet
   * @param progress the persisted sync progress
   * @param lastAssignedVersion the last client version ever assigned (0 if none)
   * @param schema the stored schema in the engine's own encoding, or {@code null} if none (copied)
   */
  public LogMetadata(
      long clientFileIdent,
      long clientFileSalt,
      SyncProgress progress,
      long lastAssignedVersion,
      byte[] schema) {
    this(clientFileIdent, clientFileSalt, progress, lastAssignedVersion, schema, null);
  }

  /**
   * @param clientFileIdent the server-assigned client file ident, 0 if none yet
   * @param clientFileSalt its salt, 0 if none yet
   * @param progress the persisted sync progress
   * @param lastAssignedVersion the last client version ever assigned (0 if none)
   * @param schema the stored schema in the engine's own encoding, or {@code null} if none (copied)
   * @param identity the stored identity record (see {@link UploadLog#storeIdentity}), or {@code
   *     null} if none (copied)
   */
  public LogMetadata(
      long clientFileIdent,
      long clientFileSalt,
      SyncProgress progress,
      long lastAssignedVersion,
      byte[] schema,
      byte[] identity) {
    this.clientFileIdent = clientFileIdent;
    this.clientFileSalt = clientFileSalt;
    this.progress = Objects.requireNonNull(progress, "progress");
    this.lastAssignedVersion = lastAssignedVersion;
    this.schema = schema == null ? null : schema.clone();
    this.identity = identity == null ? null : identity.clone();
  }

  /** Metadata of a log that was just created. */
  public static LogMetadata empty() {
    return new LogMetadata(0, 0, SyncProgress.NONE, 0, null);
  }

  public long clientFileIdent() {
    return clientFileIdent;
  }

  public long clientFileSalt() {
    return clientFileSalt;
  }

  /** Whether the server has assigned this client file an ident. */
  public boolean hasClientFileIdent() {
    return clientFileIdent != 0;
  }

  public SyncProgress progress() {
    return progress;
  }

  public long lastAssignedVersion() {
    return lastAssignedVersion;
  }

  /** The stored schema bytes (a copy), or {@code null} if none was stored. */
  public byte[] schema() {
    return schema == null ? null : schema.clone();
  }

  /**
   * The stored identity record (a copy), or {@code null} if none was stored. It may hold a secret
   * (a refresh token): never log it.
   */
  public byte[] identity() {
    return identity == null ? null : identity.clone();
  }

  /** A read-only view of the stored schema, or {@code null}. */
  public ByteBuffer schemaView() {
    return schema == null ? null : ByteBuffer.wrap(schema).asReadOnlyBuffer();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof LogMetadata)) {
      return false;
    }
    LogMetadata that = (LogMetadata) o;
    return clientFileIdent == that.clientFileIdent
        && clientFileSalt == that.clientFileSalt
        && lastAssignedVersion == that.lastAssignedVersion
        && progress.equals(that.progress)
        && Arrays.equals(schema, that.schema)
        && Arrays.equals(identity, that.identity);
  }

  @Override
  public int hashCode() {
    return Objects.hash(clientFileIdent, clientFileSalt, progress, lastAssignedVersion)
        + 31 * Arrays.hashCode(schema)
        + 961 * Arrays.hashCode(identity);
  }

  @Override
  public String toString() {
    return "LogMetadata{clientFileIdent="
        + clientFileIdent
        + ", clientFileSalt="
        + clientFileSalt
        + ", progress="
        + progress
        + ", lastAssignedVersion="
        + lastAssignedVersion
        + ", schemaBytes="
        + (schema == null ? "none" : schema.length)
        + ", identityBytes="
        + (identity == null ? "none" : identity.length)
        + '}';
  }
}
