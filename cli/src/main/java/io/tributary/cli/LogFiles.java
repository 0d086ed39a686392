package io.tributary.cli;

import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.storage.lmdb.LmdbStorage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opening client LMDB upload logs that already exist, for reading. Stateless. */
final class LogFiles {
  /** LMDB's data file in an environment directory. */
  static final String DATA_FILE = "data.mdb";

  /**
   * The bound given when opening an existing log to read it: large, so that opening never refuses
   * a log written with a larger bound than the default (the bound only limits appends).
   */
  static final long READ_BOUND_BYTES = 1L << 40;

  private LogFiles() {}

  /** A snapshot of a closed log's accounting and metadata. */
  record Snapshot(LogStats stats, LogMetadata metadata) {}

  /**
   * Opens the existing log in {@code dir}.
   *
   * @throws IllegalArgumentException if {@code dir} is not a directory holding an LMDB data file
   * @throws io.tributary.core.spi.UploadLogException if the files are not a Tributary upload log
   *     or are damaged, or the log is open elsewhere in this process
   */
  static UploadLog openExisting(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + ": not a directory (expected: a client upload log directory)");
    }
    if (!Files.isRegularFile(dir.resolve(DATA_FILE))) {
      throw new IllegalArgumentException(
          dir + ": no " + DATA_FILE + " (expected: a client upload log directory, written by an IngestRealm"
              + " with LmdbStorage)");
    }
    return LmdbStorage.at(dir).open(UploadLogOptions.newBuilder().maxBytes(READ_BOUND_BYTES).build());
  }

  /** Opens, snapshots and closes the existing log in {@code dir}; see {@link #openExisting}. */
  static Snapshot snapshot(Path dir) {
    try (UploadLog log = openExisting(dir)) {
      return new Snapshot(log.stats(), log.metadata());
    }
  }
}
