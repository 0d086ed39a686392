package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.IngestRealm;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.server.testing.TestServer;
import io.tributary.storage.lmdb.LmdbStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client process killed with SIGKILL while it writes and uploads, twice, then restarted from
 * its LMDB log: every object whose {@code write} returned in a killed process reaches the server
 * exactly once, the objects of a transaction that committed just before the kill (not yet
 * reported) at most once, and the log ends empty.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClientCrashTest {
  private static final int ROUNDS = 2;
  private static final int KILL_AFTER_KEYS = 3_000;
  private static final int ROUND_STRIDE = 1_000_000;

  @TempDir Path dir;

  @Test
  void killedClientsResumeFromTheirLogAndEveryCommittedObjectArrivesOnce() throws Exception {
    Path clientDir = dir.resolve("client");
    try (TestServer server = TestServer.lmdb(dir.resolve("server"))) {
      Set<String> reported = new HashSet<>();
      for (int round = 0; round < ROUNDS; round++) {
        long storedBefore = server.store().objectCount();
        Set<String> keys = runAndKill(clientDir, server.server.baseUrl(), round * ROUND_STRIDE,
            () -> server.store().objectCount() > storedBefore, "round " + round);
        assertThat(keys).as("round %d reported keys", round).hasSizeGreaterThanOrEqualTo(
            KILL_AFTER_KEYS);
        reported.addAll(keys);
        System.out.println("after the kill in round " + round + ": " + reported.size()
            + " keys reported, " + server.store().objectCount() + " stored");
      }
      // restart in this process from the same log: the backlog uploads without a new write
      try (IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, server.server.baseUrl())
          .build())) {
        realm.waitForUploadCompletion(Duration.ofSeconds(60));
        assertThat(realm.syncError()).isNull();
      }
      Map<String, Integer> stored = E2e.storedKeys(server.store());
      assertThat(stored.keySet()).as("every reported key is stored").containsAll(reported);
      assertThat(stored.values()).as("no key is stored twice").allMatch(n -> n == 1);
      // what was stored but not reported: at most the one transaction each kill interrupted
      Set<String> unreported = new HashSet<>(stored.keySet());
      unreported.removeAll(reported);
      assertThat(unreported.size()).as("stored but never reported: %s; reported per round: %s",
          indices(unreported), ranges(reported)).isLessThanOrEqualTo(ROUNDS * 20);
      for (String k : stored.keySet()) {
        ObjectId id = ObjectId.fromHex(k);
        assertThat(id.toHexString()).startsWith("7e570007"); // writer 7's keys only
      }
      assertThat(server.store().clientFiles()).as("one client file across all runs").hasSize(1);
      assertThat(server.server.metrics().duplicatesDiscarded()).isZero();
    }
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().entryCount()).isZero();
    }
  }

  /** Complete lines in the child's report file so far (each is 29 bytes: "K ", 24 hex, " ."). */
  private static long reportedLines(Path report) {
    try {
      return Files.size(report) / 29;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Sorted key indices (the low part of writer 7's ObjectIds), for failure messages. */
  private static java.util.List<Long> indices(Set<String> keys) {
    return keys.stream().map(k -> ObjectId.fromHex(k).low()).sorted().toList();
  }

  /** Per round: how many keys were reported and their lowest and highest index. */
  private static String ranges(Set<String> keys) {
    Map<Long, java.util.LongSummaryStatistics> byRound = new java.util.TreeMap<>();
    for (long i : indices(keys)) {
      byRound.computeIfAbsent(i / ROUND_STRIDE, r -> new java.util.LongSummaryStatistics()).accept(i);
    }
    return byRound.toString();
  }

  /**
   * Runs the child until it reported {@link #KILL_AFTER_KEYS} keys and {@code uploading} holds
   * (the server received some of its objects: the kill hits an active upload), kills it, returns
   * the keys it reported.
   */
  private Set<String> runAndKill(Path clientDir, String baseUrl, int firstIndex,
      java.util.function.BooleanSupplier uploading, String where) throws Exception {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stderr = Files.createTempFile(dir, "child", ".err");
    Path report = Files.createTempFile(dir, "child", ".keys");
    ProcessBuilder builder =
        new ProcessBuilder(
            javaBin.toString(),
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"),
            CrashClient.class.getName(),
            clientDir.toString(), baseUrl, "7", Integer.toString(firstIndex), report.toString());
    builder.redirectError(stderr.toFile());
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process child = builder.start();
    try {
      E2e.await(() -> reportedLines(report) >= KILL_AFTER_KEYS && uploading.getAsBoolean()
          || !child.isAlive(), Duration.ofSeconds(60), where + ": " + KILL_AFTER_KEYS
          + " keys from the child, some of them stored");
      assertThat(child.isAlive()).as("%s: child died by itself: %s", where,
          Files.readString(stderr)).isTrue();
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).as(where + ": child ended").isTrue();
    }
    assertThat(child.exitValue()).as(where + ": killed by SIGKILL").isEqualTo(128 + 9);
    Set<String> keys = new HashSet<>();
    for (String line : Files.readAllLines(report, StandardCharsets.US_ASCII)) {
      if (line.startsWith("K ") && line.endsWith(" .")) {
        keys.add(line.substring(2, line.length() - 2));
      }
    }
    return new HashSet<>(keys);
  }
}
