package io.tributary.core.spi;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The durable local log of changesets waiting for upload: append, read from a version,
 * acknowledge through a version, plus a small metadata record (DESIGN.md, "Storage").
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Versions.</b> {@link #append} assigns the next client version: the last assigned version
 *       plus one, starting at 1. Versions are strictly increasing in the order appends complete and
 *       are never reused, even after every entry was acknowledged and the log is empty, and even
 *       across restarts: the last assigned version is persisted ({@link LogStats#lastAssignedVersion}).
 *   <li><b>Durability.</b> When {@link #append} returns, the entry is as durable as {@link
 *       UploadLogOptions#durability()} promises. Appends that arrive while a commit is in progress
 *       may share the next one (group commit). An append that threw appended nothing, except for
 *       {@link UploadLogException.StorageTimeoutException}, whose outcome is unknown.
 *   <li><b>Acknowledgement.</b> {@link #acknowledge} stores the progress and deletes every entry
 *       whose version is at most {@link SyncProgress#uploadClientVersion()}, in one atomic step.
 *       Acknowledged entries never reappear, also not after a crash. Nothing else ever deletes an
 *       entry, except the opt-in {@link OverflowPolicy#DROP_OLDEST}, which counts what it drops.
 *       {@link #acknowledgeAsync} is the same step without waiting for it: its entries may reappear
 *       after a crash until its completion was reported (never after), and it takes effect before
 *       every later call, also one of another thread, and before {@link #close()} returns.
 *   <li><b>Bound.</b> {@link LogStats#sizeBytes()} never exceeds {@link UploadLogOptions#maxBytes()}
 *       because of an append; on reaching it the {@link UploadLogOptions#overflowPolicy()} applies.
 *       An entry larger than the whole bound fails with {@link
 *       UploadLogException.LogFullException} under every policy.
 *   <li><b>Threads.</b> Implementations are thread safe. Any number of threads may append
 *       concurrently; reads and acknowledgements may run concurrently with appends. Every blocking
 *       call returns within {@link UploadLogOptions#storageTimeout()} (plus {@link
 *       UploadLogOptions#blockTimeout()} for an append that waits for space) or throws.
 *   <li><b>Buffers.</b> Arguments are borrowed: the log copies what it keeps before the method
 *       returns (for LMDB: exactly once, into the reserved value space). Entries handed to an {@link
 *       EntryVisitor} are borrowed until the visitor returns.
 *   <li><b>Closing.</b> {@link #close()} is idempotent. Calls after close, and appends still waiting
 *       when close is called, fail with {@link UploadLogException.LogClosedException}.
 * </ul>
 *
 * <p>The abstract contract suite {@code UploadLogContractTest} in core's test-jar checks all of
 * this; every implementation runs it.
 */
public interface UploadLog extends AutoCloseable {

  /**
   * Appends one changeset under the next client version.
   *
   * @param changeset the changeset bytes from position to limit; borrowed (copied before return),
   *     its position is not changed. May be empty.
   * @param objectCount how many objects the changeset creates (for progress accounting), >= 0
   * @param originTimestamp commit time in milliseconds since 2015-01-01T00:00:00Z, >= 0
   * @return the client version assigned to the entry
   * @throws UploadLogException.LogFullException if the bound is reached and the policy does not
   *     make room
   * @throws UploadLogException.LogClosedException if the log is closed
   * @throws UploadLogException.StorageTimeoutException if the storage did not answer in time
   * @throws UploadLogException.StorageFailureException if the storage failed
   * @throws IllegalArgumentException if {@code objectCount} or {@code originTimestamp} is negative
   */
  long append(ByteBuffer changeset, int objectCount, long originTimestamp);

  /**
   * Visits the entries with a version greater than {@code afterVersion}, oldest first.
   *
   * <p>Stops when the visitor returns {@code false}, when there are no more entries, or before an
   * entry that would bring the sum of visited changeset sizes above {@code maxBytes}. The first
   * entry is always visited, however large (as realm-core does with one changeset larger than the
   * UPLOAD limit). The visitor may run on a thread of the log (see {@link EntryVisitor}).
   *
   * <p>A {@link RuntimeException} thrown by the visitor ends the read and is rethrown to the
   * caller unchanged; the log stays usable.
   *
   * @param afterVersion visit entries with a version strictly greater than this, >= 0
   * @param maxBytes soft limit on the sum of visited changeset sizes, > 0
   * @param visitor receives each entry; the entries are borrowed until it returns
   * @return the number of entries visited (including one on which the visitor returned {@code
   *     false})
   * @throws IllegalArgumentException if {@code afterVersion < 0} or {@code maxBytes <= 0}
   * @throws IllegalStateException if called from inside an {@link EntryVisitor} of this log
   * @throws UploadLogException.LogClosedException if the log is closed
   * @throws UploadLogException.LogCorruptException if a stored entry fails its integrity check
   * @throws UploadLogException.StorageTimeoutException if the storage did not answer in time
   */
  int read(long afterVersion, long maxBytes, EntryVisitor visitor);

  /**
   * Stores {@code progress} and deletes every entry with a version at most {@code
   * progress.uploadClientVersion()}, atomically.
   *
   * <p>{@code progress} may be lower than the stored one: a client reset stores {@link
   * SyncProgress#NONE} (the server's cursors of a client file it lost) and deletes nothing. Entries
   * appended afterwards are stamped with its download server version, as always.
   *
   * @throws IllegalArgumentException if {@code progress.uploadClientVersion()} is greater than the
   *     last assigned version (the server acknowledged something that was never appended)
   * @throws UploadLogException.LogClosedException if the log is closed
   * @throws UploadLogException.StorageTimeoutException if the storage did not answer in time
   */
  void acknowledge(SyncProgress progress);

  /**
   * {@link #acknowledge} without waiting for it: the same atomic step, ordered before every call
   * made on this log after this method returned (from any thread), so a later {@link #read} no
   * longer visits the entries and a later {@link #acknowledge} or {@link #append} commits after
   * it. {@link #close()} completes it before closing.
   *
   * <p>{@code whenDone} is called exactly once: without a failure once the step is as durable as
   * {@link #acknowledge}'s return makes it (from then on the entries never reappear, also not
   * after a crash, and {@link #stats()} no longer counts them), or with the exception {@link
   * #acknowledge} would have thrown (then nothing changed, except after a {@link
   * UploadLogException.StorageTimeoutException}, whose outcome is unknown). It runs on a thread of
   * the log or on the caller's thread, possibly before this method returns; it must be quick and
   * must not call the log. Until it ran, a crash may leave the entries in the log (a session sends
   * them again and the server discards them as already integrated; nothing acknowledged is lost).
   * An implementation may hold the step back for a short while to commit it together with later
   * writes (one sync for both).
   *
   * <p>A storage whose acknowledgement blocks for a synced commit implements this to take that
   * wait off the caller's thread (the sync session's owner thread). The default runs {@link
   * #acknowledge} on the caller's thread, then {@code whenDone}.
   *
   * @param progress as for {@link #acknowledge}
   * @param whenDone told the outcome, exactly once
   * @throws NullPointerException if an argument is null (nothing else is thrown: every failure goes
   *     to {@code whenDone})
   */
  default void acknowledgeAsync(SyncProgress progress, AcknowledgeCallback whenDone) {
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(whenDone, "whenDone");
    long appendedBefore;
    try {
      acknowledge(progress);
      appendedBefore = stats().lastAssignedVersion(); // read after: at least the exact one
    } catch (RuntimeException e) {
      whenDone.acknowledged(-1, e);
      return;
    }
    whenDone.acknowledged(appendedBefore, null);
  }

  /** Told the outcome of an {@link #acknowledgeAsync}. */
  @FunctionalInterface
  interface AcknowledgeCallback {
    /**
     * @param appendedBefore on success, a version such that every entry with a greater version was
     *     appended after the acknowledgement took effect (and so carries its download server
     *     version as {@link LogEntry#lastIntegratedServerVersion()}): the log's last assigned
     *     version when the step ran, or, from an implementation that cannot tell, a greater one;
     *     -1 on failure
     * @param failure {@code null} on success, else what {@link #acknowledge} would have thrown
     */
    void acknowledged(long appendedBefore, RuntimeException failure);
  }

  /**
   * Durably stores the client file ident and salt the server assigned (spec protocol.md §5.2). Must
   * complete before the client sends its IDENT.
   *
   * @throws IllegalArgumentException if {@code ident < 1} or {@code salt < 1}
   * @throws UploadLogException.LogClosedException if the log is closed
   */
  void storeClientFile(long ident, long salt);

  /**
   * Durably stores the engine's schema (opaque bytes in the engine's own encoding), so that
   * reopening with a different schema can be detected.
   *
   * @param schema borrowed, copied before return; its position is not changed. May be empty.
   * @throws UploadLogException.LogClosedException if the log is closed
   */
  void storeSchema(ByteBuffer schema);

  /**
   * Durably stores the identity record of the realm's user (opaque bytes in the engine's own
   * encoding: for anonymous credentials, the user id and refresh token), replacing any earlier one,
   * so that a reopened log resumes its upload as the user that owns its client file. The record
   * holds a secret: implementations keep it beside the log's other metadata and never log it.
   *
   * <p>The default implementation throws {@link UnsupportedOperationException}: a storage that does
   * not persist identities still works, but a realm reopened on it with anonymous credentials logs
   * in as a new user, which the server refuses for the existing client file (error 223).
   *
   * @param identity borrowed, copied before return; its position is not changed; at most {@link
   *     #MAX_IDENTITY_BYTES} bytes
   * @throws IllegalArgumentException if {@code identity} is longer than {@link #MAX_IDENTITY_BYTES}
   * @throws UnsupportedOperationException if this storage does not persist identities
   * @throws UploadLogException.LogClosedException if the log is closed
   */
  default void storeIdentity(ByteBuffer identity) {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not persist identities");
  }

  /** The largest identity record {@link #storeIdentity} accepts: 16 KiB. */
  int MAX_IDENTITY_BYTES = 16 * 1024;

  /**
   * For implementations of {@link #storeIdentity}: refuses a record longer than {@link
   * #MAX_IDENTITY_BYTES} with the message the contract tests expect.
   *
   * @throws NullPointerException if {@code identity} is null
   * @throws IllegalArgumentException if it is too long
   */
  static void checkIdentitySize(ByteBuffer identity) {
    if (identity.remaining() > MAX_IDENTITY_BYTES) {
      throw new IllegalArgumentException("identity: " + identity.remaining() + " bytes (expected: at"
          + " most " + MAX_IDENTITY_BYTES + ")");
    }
  }

  /**
   * A snapshot of the metadata record.
   *
   * @throws UploadLogException.LogClosedException if the log is closed
   */
  LogMetadata metadata();

  /**
   * A consistent snapshot of the size accounting.
   *
   * @throws UploadLogException.LogClosedException if the log is closed
   */
  LogStats stats();

  /** Idempotent. Waits (up to the storage timeout) for in-flight commits to finish. */
  @Override
  void close();
}
