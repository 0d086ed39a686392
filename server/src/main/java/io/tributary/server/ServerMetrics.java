package io.tributary.server;

import java.util.SortedMap;

/**
 * Counters of a running {@link IngestServer}, for monitoring; {@link #renderPrometheus()} is what
 * {@code GET /metrics} answers. Counts are since the server started. Thread safe; values are read
 * without locking (each is exact, a set of them is not a snapshot).
 */
public interface ServerMetrics {
  /** WebSocket connections accepted. */
  long connectionsOpened();

  /** WebSocket connections open now. */
  long connectionsOpen();

  /** Sessions that sent IDENT and were bound to a client file. */
  long sessionsBound();

  /** Sessions open now (bound or waiting for IDENT). */
  long sessionsActive();

  /** Client file idents allocated. */
  long clientFilesAllocated();

  /** UPLOAD messages received. */
  long uploads();

  /** Changesets integrated (new client versions). */
  long changesetsIntegrated();

  /** Changesets skipped as re-sends (client version at or below the file's integrated version). */
  long changesetsSkipped();

  /** Objects stored. */
  long objectsIngested();

  /** Objects discarded because their (class, primary key) was already stored. */
  long duplicatesDiscarded();

  /** Sink commits that succeeded. */
  long commits();

  /** Sink commits that failed (their sessions were answered with error 201, nothing acknowledged). */
  long commitFailures();

  /** Total time spent in successful sink commits, in nanoseconds. */
  long commitNanosTotal();

  /** The longest successful sink commit, in nanoseconds. */
  long commitNanosMax();

  /** Errors sent (ERROR/JSON_ERROR/QUERY_ERROR), by protocol error code. */
  SortedMap<Integer, Long> errorsByCode();

  /** All counters in the Prometheus text exposition format (version 0.0.4). */
  String renderPrometheus();
}
