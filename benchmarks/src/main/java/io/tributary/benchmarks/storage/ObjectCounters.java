package io.tributary.benchmarks.storage;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread counters JMH reports as rates next to the primary result: {@code objects} (objects/s)
 * and {@code bytes} (changeset bytes/s; divide by 1e6 for MB/s). The other fields are per-thread
 * bookkeeping for the benchmarks that acknowledge what they appended.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ObjectCounters {
  /** Objects committed. */
  public long objects;

  /** Changeset bytes committed. */
  public long bytes;

  long bytesSinceAck;

  @Setup(Level.Iteration)
  public void reset() {
    objects = 0;
    bytes = 0;
  }
}
