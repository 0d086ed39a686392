package io.tributary.core;

/**
 * How much of a realm's log is waiting for upload and how much the server acknowledged, as
 * reported to {@link UploadProgressListener}s.
 *
 * @param pendingEntries changesets in the log, not yet acknowledged by the server
 * @param pendingBytes the log's size accounting of those ({@link
 *     io.tributary.core.spi.LogStats#sizeBytes()}: changeset bytes plus the log's per-entry
 *     overhead)
 * @param pendingObjects objects in those changesets
 * @param acknowledgedBytes changeset bytes the server acknowledged since the realm was opened
 * @param acknowledgedObjects objects the server acknowledged since the realm was opened
 * @param acknowledgedVersion the newest client version the server acknowledged (its {@code
 *     upload_client_version}), 0 if none
 */
public record UploadProgress(
    long pendingEntries,
    long pendingBytes,
    long pendingObjects,
    long acknowledgedBytes,
    long acknowledgedObjects,
    long acknowledgedVersion) {}
