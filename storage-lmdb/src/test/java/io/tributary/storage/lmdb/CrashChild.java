package io.tributary.storage.lmdb;

import io.tributary.core.spi.Durability;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link LmdbCrashTest} kills: opens the log, then appends from several writer threads
 * and acknowledges from one more, forever. It prints a line to stdout only <em>after</em> the call
 * it reports returned: {@code O <last assigned>} once open, {@code V <version>} per append, {@code
 * A <version>} per acknowledgement. Each line ends in " ." so the parent can ignore a line cut off
 * by the kill.
 *
 * <p>Arguments: directory, durability, writer threads.
 */
public final class CrashChild {
  static final long CLIENT_FILE_IDENT = 42;
  static final long CLIENT_FILE_SALT = 4242;

  private CrashChild() {}

  /** The bytes writer {@code writer} appends as its {@code seq}-th changeset. */
  static byte[] payload(int writer, long seq) {
    int length = (int) ((seq * 37 + writer * 101) % 3000);
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (writer * 31 + seq * 7 + i);
    }
    return bytes;
  }

  public static void main(String[] args) throws java.io.IOException {
    Path directory = Path.of(args[0]);
    Durability durability = Durability.valueOf(args[1]);
    int writers = Integer.parseInt(args[2]);
    // a file, not stdout: what was reported before the kill is in the page cache whatever the pipe
    // and the parent's reader thread were doing (lines were seen lost through the pipe)
    java.io.FileOutputStream out = new java.io.FileOutputStream(args[3], true);
    UploadLog log =
        LmdbStorage.at(directory)
            .withInitialMapSizeBytes(64 * 1024)
            .open(UploadLogOptions.newBuilder().durability(durability).build());
    log.storeClientFile(CLIENT_FILE_IDENT, CLIENT_FILE_SALT);
    print(out, "O " + log.stats().lastAssignedVersion());
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread thread =
          new Thread(
              () -> {
                for (long seq = 0; ; seq++) {
                  long version = log.append(ByteBuffer.wrap(payload(writer, seq)), writer, seq);
                  print(out, "V " + version);
                }
              },
              "writer-" + w);
      thread.start();
    }
    long serverVersion = 0;
    while (true) {
      LockSupport.parkNanos(2_000_000); // pacing only
      LogStats stats = log.stats();
      if (stats.entryCount() > 150) {
        long through = stats.lastVersion() - 100;
        // announced before the call: the kill may land after the commit but before "A" is printed
        print(out, "R " + through);
        log.acknowledge(new SyncProgress(++serverVersion, through, serverVersion, 1, through, 0));
        print(out, "A " + through);
      }
    }
  }

  private static void print(java.io.FileOutputStream out, String line) {
    byte[] bytes = (line + " .\n").getBytes(StandardCharsets.US_ASCII);
    synchronized (out) {
      try {
        out.write(bytes); // one write call per line
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
