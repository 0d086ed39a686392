package io.tributary.core.spi;

/**
 * A consistent snapshot of an {@link UploadLog}'s size accounting.
 *
 * @param entryCount entries currently in the log (appended and not yet acknowledged or dropped)
 * @param sizeBytes the size the bound applies to: the sum of the entries' changeset bytes plus the
 *     log's fixed per-entry overhead; correct after a restart
 * @param pendingObjects sum of the entries' object counts
 * @param firstVersion version of the oldest entry, 0 if empty
 * @param lastVersion version of the newest entry, 0 if empty
 * @param lastAssignedVersion the last client version ever assigned (survives an empty log)
 * @param maxBytes the configured bound on {@code sizeBytes}
 * @param droppedEntries entries deleted unacknowledged by {@link OverflowPolicy#DROP_OLDEST}, since
 *     the log was created (persisted)
 * @param droppedObjects objects in those entries
 */
public record LogStats(
    long entryCount,
    long sizeBytes,
    long pendingObjects,
    long firstVersion,
    long lastVersion,
    long lastAssignedVersion,
    long maxBytes,
    long droppedEntries,
    long droppedObjects) {}
