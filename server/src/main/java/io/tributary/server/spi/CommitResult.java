package io.tributary.server.spi;

import java.util.BitSet;
import java.util.Objects;

/**
 * The outcome of a successful {@link IngestSink#commit}: which objects of the batch were stored
 * and which were skipped as duplicates. Immutable.
 */
public final class CommitResult {
  private final int objectCount;
  private final BitSet duplicates;
  private final long firstSequence;
  private final long lastSequence;

  /**
   * @param objectCount the number of objects in the batch
   * @param duplicates bit {@code i} set when object {@code i} of the batch was a duplicate (copied)
   * @param firstSequence the sequence number of the first stored object, or 0 if none was stored
   * @param lastSequence the sequence number of the last stored object, or 0 if none was stored
   */
  public CommitResult(int objectCount, BitSet duplicates, long firstSequence, long lastSequence) {
    if (objectCount < 0 || duplicates.length() > objectCount) {
      throw new IllegalArgumentException(
          "duplicates: bits up to " + duplicates.length() + " (expected: at most " + objectCount + ")");
    }
    this.objectCount = objectCount;
    this.duplicates = (BitSet) Objects.requireNonNull(duplicates, "duplicates").clone();
    this.firstSequence = firstSequence;
    this.lastSequence = lastSequence;
  }

  /** The number of objects in the batch. */
  public int objectCount() {
    return objectCount;
  }

  /** How many were stored. */
  public int storedCount() {
    return objectCount - duplicates.cardinality();
  }

  /** How many were skipped as duplicates. */
  public int duplicateCount() {
    return duplicates.cardinality();
  }

  /**
   * Whether object {@code index} of the batch was skipped as a duplicate.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in 0..objectCount-1
   */
  public boolean isDuplicate(int index) {
    Objects.checkIndex(index, objectCount);
    return duplicates.get(index);
  }

  /** The sequence number of the first stored object, or 0 if none was stored. */
  public long firstSequence() {
    return firstSequence;
  }

  /** The sequence number of the last stored object, or 0 if none was stored. */
  public long lastSequence() {
    return lastSequence;
  }

  @Override
  public String toString() {
    return "CommitResult{objects=" + objectCount + ", duplicates=" + duplicateCount()
        + ", sequences=" + firstSequence + ".." + lastSequence + '}';
  }
}
