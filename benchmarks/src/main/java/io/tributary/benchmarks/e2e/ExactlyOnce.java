package io.tributary.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end-of-run check of every end-to-end run: the server stored exactly the objects the clients
 * wrote and the server acknowledged, once each. Counts only (keys are unique per run, so with no
 * duplicates discarded and equal counts nothing was lost or stored twice).
 *
 * @param written objects the devices committed to their logs
 * @param acknowledged objects the server acknowledged to the devices (sum of {@code
 *     UploadProgress.acknowledgedObjects})
 * @param stored growth of the store's count of the benchmark's class during the run
 * @param ingested growth of the server's {@code objectsIngested} counter during the run
 * @param duplicates growth of the server's {@code duplicatesDiscarded} counter during the run
 */
record ExactlyOnce(long written, long acknowledged, long stored, long ingested, long duplicates) {

  /** Every problem found, in words; empty when the run verified. */
  List<String> problems() {
    List<String> p = new ArrayList<>();
    if (acknowledged != written) {
      p.add(String.format(Locale.ROOT, "acknowledged objects: %d (expected: %d written)", acknowledged, written));
    }
    if (stored != acknowledged) {
      p.add(String.format(Locale.ROOT, "stored objects: %d (expected: %d acknowledged)", stored, acknowledged));
    }
    if (ingested != stored) {
      p.add(String.format(Locale.ROOT, "server objectsIngested: %d (expected: %d stored)", ingested, stored));
    }
    if (duplicates != 0) {
      p.add(String.format(Locale.ROOT, "server duplicatesDiscarded: %d (expected: 0)", duplicates));
    }
    return p;
  }

  /** Whether every count agrees. */
  boolean passed() {
    return problems().isEmpty();
  }
}
