package io.tributary.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.spi.Durability;
import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash test with real processes: a child JVM ({@link CrashChild}) appends from four threads and
 * acknowledges from a fifth, and is killed with SIGKILL ({@link Process#destroyForcibly()}) at a
 * random moment, over many rounds on the same directory. After each kill the parent reopens the log
 * and checks that every append the child reported as returned is there, nothing it acknowledged
 * came back, versions increase and are never reused, the metadata is consistent, no entry is torn,
 * and the size accounting equals a recount.
 *
 * <p>The kill moment is drawn from a seeded {@link Random}; a failure message names the seed and
 * round. Rounds cycle through the three durability modes: none of them may lose a returned append
 * to a process crash (they differ only on power loss).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LmdbCrashTest {
  private static final int ROUNDS = 20;
  private static final Durability[] MODES = Durability.values();

  @TempDir Path directory;

  @Test
  void killedWritersNeverLoseAReturnedAppendNorResurrectAnAcknowledgedOne() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Path logDirectory = directory.resolve("log");
    long previousLastAssigned = 0;
    long highestAck = 0;
    long totalAppended = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String where = "seed " + seed + ", round " + round;
      Durability mode = MODES[round % MODES.length];
      int killAfter = round == 0 ? 1 : random.nextInt(600);
      Run run = runAndKill(logDirectory, mode, killAfter, where);

      assertThat(run.opened).as(where + ": child opened the log").isTrue();
      if (!run.appended.isEmpty()) {
        assertThat(run.appended.first())
            .as(where + ": versions are never reused across restarts")
            .isGreaterThan(previousLastAssigned);
      }
      highestAck = Math.max(highestAck, run.highestAck);
      totalAppended += run.appended.size();
      previousLastAssigned = verify(logDirectory, run, highestAck, where);
      highestAck = Math.max(highestAck, run.storedAck);
    }
    System.out.printf(
        "crash test (seed %d): %d rounds, %d returned appends checked, last assigned %d,"
            + " highest acknowledgement %d%n",
        seed, ROUNDS, totalAppended, previousLastAssigned, highestAck);
    // the rounds must have exercised what they check
    assertThat(totalAppended).isGreaterThan(ROUNDS * 50L);
    assertThat(highestAck).isPositive();
  }

  private static final class Run {
    boolean opened;
    final TreeSet<Long> appended = new TreeSet<>();
    long highestAck;
    /** Acknowledgements the child started; one may have committed without its "A" line. */
    final TreeSet<Long> requestedAcks = new TreeSet<>();
    /** The acknowledgement found in the reopened log (set by verify). */
    long storedAck;
  }

  /** Newline-terminated lines in the child's report file so far. */
  private static long reportLines(Path report) throws IOException {
    byte[] bytes = Files.readAllBytes(report);
    long n = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }

  private Run runAndKill(Path logDirectory, Durability mode, int killAfter, String where)
      throws Exception {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stderr = Files.createTempFile(directory, "child", ".err");
    Path report = Files.createTempFile(directory, "child", ".report");
    ProcessBuilder builder =
        new ProcessBuilder(
            javaBin.toString(),
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            CrashChild.class.getName(),
            logDirectory.toString(),
            mode.name(),
            "4",
            report.toString());
    builder.redirectError(stderr.toFile());
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process child = builder.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long seen;
      while ((seen = reportLines(report)) < killAfter + 1 && child.isAlive()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(where + ": child produced only " + seen + " lines");
        }
        Thread.sleep(2); // polling a file; the kill moment is random anyway
      }
      assertThat(child.isAlive())
          .as(where + ": child died by itself: " + Files.readString(stderr))
          .isTrue();
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).as(where + ": child ended").isTrue();
    }
    List<String> lines = Files.readAllLines(report, StandardCharsets.US_ASCII);
    assertThat(child.exitValue()).as(where + ": killed by SIGKILL").isEqualTo(128 + 9);

    Run run = new Run();
    for (String line : lines) {
      if (!line.endsWith(" .")) {
        continue; // cut off by the kill: the call it reports may not have returned
      }
      String[] parts = line.split(" ");
      long value = Long.parseLong(parts[1]);
      switch (parts[0]) {
        case "O":
          run.opened = true;
          break;
        case "V":
          assertThat(run.appended.add(value))
              .as(where + ": version %d returned twice", value)
              .isTrue();
          break;
        case "A":
          run.highestAck = Math.max(run.highestAck, value);
          break;
        case "R":
          run.requestedAcks.add(value);
          break;
        default:
          throw new AssertionError(where + ": unexpected line " + line);
      }
    }
    return run;
  }

  /** Reopens the log and checks it against what the child reported; returns lastAssigned. */
  private long verify(Path logDirectory, Run run, long highestAck, String where) {
    try (UploadLog log = LmdbStorage.at(logDirectory).open(UploadLogOptions.newBuilder().build())) {
      LogStats stats = log.stats();
      LogMetadata metadata = log.metadata();
      List<long[]> entries = new ArrayList<>(); // version, objects, bytes
      List<String> problems = new ArrayList<>();
      log.read(
          0,
          Long.MAX_VALUE,
          e -> {
            ByteBuffer view = e.changeset();
            byte[] bytes = new byte[view.remaining()];
            view.get(bytes);
            byte[] expected = CrashChild.payload(e.objectCount(), e.originTimestamp());
            if (!java.util.Arrays.equals(bytes, expected)) {
              problems.add("entry " + e.version() + " holds other bytes than its writer appended");
            }
            entries.add(new long[] {e.version(), e.objectCount(), bytes.length});
            return true;
          });
      assertThat(problems).as(where).isEmpty();

      TreeSet<Long> present = new TreeSet<>();
      long previous = 0;
      long size = 0;
      for (long[] entry : entries) {
        assertThat(entry[0]).as(where + ": versions strictly increase").isGreaterThan(previous);
        previous = entry[0];
        present.add(entry[0]);
        size += entry[2] + LogFormat.HEADER_LENGTH;
      }
      // An acknowledgement may have committed just before the kill, without its "A" line: what
      // the log stored must then be one the child asked for (never an invented one).
      long storedAck = metadata.progress().uploadClientVersion();
      if (storedAck > highestAck) {
        assertThat(run.requestedAcks)
            .as(where + ": stored acknowledgement %d was requested by the child", storedAck)
            .contains(storedAck);
      }
      long effectiveAck = Math.max(highestAck, storedAck);
      run.storedAck = storedAck;
      for (long version : run.appended) {
        if (version > effectiveAck) {
          assertThat(present)
              .as(where + ": returned append %d is present", version)
              .contains(version);
        }
      }
      if (!present.isEmpty()) {
        assertThat(present.first())
            .as(where + ": acknowledged entries never reappear")
            .isGreaterThan(effectiveAck);
      }
      long highestReturned = run.appended.isEmpty() ? 0 : run.appended.last();
      assertThat(stats.lastAssignedVersion())
          .as(where + ": lastAssignedVersion covers every returned append")
          .isGreaterThanOrEqualTo(highestReturned)
          .isGreaterThanOrEqualTo(previous);
      assertThat(stats.entryCount())
          .as(where + ": entry count = recount")
          .isEqualTo(entries.size());
      assertThat(stats.sizeBytes()).as(where + ": size = recount").isEqualTo(size);
      assertThat(stats.pendingObjects())
          .as(where + ": pending objects = recount")
          .isEqualTo(entries.stream().mapToLong(e -> e[1]).sum());
      assertThat(stats.firstVersion()).isEqualTo(present.isEmpty() ? 0 : present.first());
      assertThat(stats.lastVersion()).isEqualTo(present.isEmpty() ? 0 : present.last());
      assertThat(metadata.lastAssignedVersion()).isEqualTo(stats.lastAssignedVersion());
      assertThat(metadata.clientFileIdent()).isEqualTo(CrashChild.CLIENT_FILE_IDENT);
      assertThat(metadata.clientFileSalt()).isEqualTo(CrashChild.CLIENT_FILE_SALT);
      assertThat(metadata.progress().uploadClientVersion())
          .as(where + ": stored progress covers every returned acknowledgement")
          .isGreaterThanOrEqualTo(highestAck);
      assertThat(present.isEmpty() || present.first() > metadata.progress().uploadClientVersion())
          .as(where + ": nothing at or below the stored upload progress remains")
          .isTrue();
      return stats.lastAssignedVersion();
    }
  }
}
