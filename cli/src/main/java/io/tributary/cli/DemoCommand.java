package io.tributary.cli;

import io.tributary.core.Credentials;
import io.tributary.core.spi.Durability;
import io.tributary.server.IngestServer;
import io.tributary.server.IngestServerConfig;
import io.tributary.server.IngestStore;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.ServerMetrics;
import io.tributary.server.auth.AuthConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary demo}: an embedded server and simulated sensor devices on this machine, then the
 * proof that every written object arrived exactly once ({@link ExactlyOnceCheck}).
 *
 * <p>Steps: start the server on 127.0.0.1 (any free port) with an LMDB store; open N devices, each
 * an {@code IngestRealm} with its own LMDB upload log syncing to the server as an anonymous user;
 * write readings from one thread per device for a count or a duration; wait for upload completion
 * on every device; close the devices; read every device log and the server's store; print the
 * summary and the server's metrics. Exit code 0 if the proof passed, 1 if not.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Run an embedded server and simulated sensor devices that stream Reading objects to it through"
          + " the client engine (each device: its own LMDB upload log and sync session), then prove"
          + " from the server's store that every written object arrived exactly once.",
      "Exit code 0 if the proof passed, 1 if not."})
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--devices", paramLabel = "N", defaultValue = "4", description = "Simulated devices (1..1000). Default: ${DEFAULT-VALUE}.")
  int devices;

  @Option(names = "--objects", paramLabel = "N", description = "Objects to write, in total over all devices."
      + " Default: 100000 unless --duration is given.")
  Long objects;

  @Option(names = "--duration", paramLabel = "DURATION", description = "Write for this long instead of a count (e.g. 10s, 2m).")
  Duration duration;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "100", description = "Objects per write transaction. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the server store (server/) and the device logs (devices/) go;"
      + " kept afterwards. Default: a temporary directory, deleted at the end unless --keep.")
  Path dataDir;

  @Option(names = "--keep", description = "Keep the temporary data directory.")
  boolean keep;

  @Option(names = "--dev-mode", description = "Start the server in development mode (it adopts the devices' schema)"
      + " instead of configuring the Reading schema.")
  boolean devMode;

  @Option(names = "--durability", paramLabel = "MODE", defaultValue = "SYNC",
      description = "Flushing of the device logs and the server store: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Durability durability;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0", description = "Server port on 127.0.0.1 (0: any free port). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--upload-timeout", paramLabel = "DURATION", defaultValue = "60s",
      description = "How long to wait for the server to acknowledge everything. Default: ${DEFAULT-VALUE}.")
  Duration uploadTimeout;

  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "AUTO",
      description = "Progress on stderr: ${COMPLETION-CANDIDATES} (AUTO: LIVE on a terminal, else LINES). Default: ${DEFAULT-VALUE}.")
  ProgressDisplay.Mode progress;

  /** Test seam: runs after the devices closed and before the store is checked. */
  Consumer<IngestServer> beforeVerification = server -> { };

  /** Test seam: where the temporary data directory is created (null: java.io.tmpdir). */
  Path temporaryRoot;

  /** The result of the last run, for tests. */
  ExactlyOnceCheck.Result lastResult;

  private static final long OBJECTS_DEFAULT = 100_000;
  private static final String APP_ID = "tributary-demo";

  @Override
  public Integer call() throws Exception {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean temporary = dataDir == null;
    Path dir = !temporary ? dataDir : temporaryRoot != null
        ? Files.createTempDirectory(temporaryRoot, "tributary-demo-") : Files.createTempDirectory("tributary-demo-");
    try {
      return run(dir, out, err);
    } finally {
      if (temporary && !keep) {
        Directories.deleteTree(dir);
      } else {
        out.println("Data kept in " + dir + " (server store: " + dir.resolve("server") + ", device logs: "
            + dir.resolve("devices") + ")");
        out.flush();
      }
    }
  }

  private void validate() {
    CommandLine cl = spec.commandLine();
    if (devices < 1 || devices > 1000) {
      throw new CommandLine.ParameterException(cl, "--devices " + devices + " (expected: 1..1000)");
    }
    if (batch < 1 || batch > 100_000) {
      throw new CommandLine.ParameterException(cl, "--batch " + batch + " (expected: 1..100000)");
    }
    if (objects != null && duration != null) {
      throw new CommandLine.ParameterException(cl, "--objects and --duration together (expected: one of them)");
    }
    if (objects != null && (objects < 1 || objects / devices >= Integer.MAX_VALUE)) {
      throw new CommandLine.ParameterException(cl, "--objects " + objects + " (expected: 1.." + Integer.MAX_VALUE
          + " per device)");
    }
    if (duration != null && (duration.isZero() || duration.compareTo(Duration.ofDays(1)) > 0)) {
      throw new CommandLine.ParameterException(cl, "--duration " + duration + " (expected: more than 0, at most 1d)");
    }
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(cl, "--port " + port + " (expected: 0..65535)");
    }
  }

  private int run(Path dir, PrintWriter out, PrintWriter err) throws Exception {
    Path serverDir = dir.resolve("server");
    Path devicesDir = dir.resolve("devices");
    Files.createDirectories(serverDir);
    Files.createDirectories(devicesDir);
    preflightDeviceLogs(devicesDir);

    IngestServerConfig.Builder config = IngestServerConfig.newBuilder()
        .appId(APP_ID)
        .host("127.0.0.1")
        .port(port)
        .workerThreads(2)
        .developmentMode(devMode)
        .auth(AuthConfig.newBuilder().tokenSecret(randomSecret()).build())
        .sink(LmdbIngestSink.open(serverDir, durability, Clock.systemUTC()));
    if (!devMode) {
      config.schema(SensorSchema.SERVER);
    }
    long total = objects != null ? objects : duration == null ? OBJECTS_DEFAULT : -1;
    try (IngestServer server = IngestServer.start(config.build())) {
      IngestStore store = server.store();
      long sequenceBefore = store.objectCount();
      long countBefore = store.countByClass().getOrDefault(SensorSchema.READING, 0L);
      SensorSchema keys = SensorSchema.newRun();
      out.printf(Locale.ROOT, "Tributary demo: ingest server on %s (app '%s', %s, store in %s)%n", server.baseUrl(),
          APP_ID, devMode ? "development mode" : "Reading schema", serverDir);
      out.printf(Locale.ROOT, "  %d devices, each an IngestRealm with its own LMDB upload log in %s, writing %s"
          + " in transactions of %d, durability %s%n", devices, devicesDir,
          total > 0 ? String.format(Locale.ROOT, "%,d Reading objects", total) : "for " + duration.toString()
              .substring(2).toLowerCase(Locale.ROOT), batch, durability);
      out.flush();

      List<SensorDevice> devs = new ArrayList<>();
      long writeStart;
      long writeEnd;
      long uploadEnd;
      String writeFailure;
      List<String> uploadFailures = new ArrayList<>();
      try {
        for (int i = 0; i < devices; i++) {
          devs.add(SensorDevice.open(i, devicesDir.resolve("device-" + (i + 1)), keys, URI.create(server.baseUrl()),
              APP_ID, Credentials.anonymous(), durability, null));
        }
        long connectNanos = SensorDevice.awaitAllConnected(devs, uploadTimeout);
        out.printf(Locale.ROOT, "  %d devices logged in and connected in %s%n", devs.size(),
            Durations.human(connectNanos));
        out.flush();
        ProgressDisplay display = ProgressDisplay.create(progress, err, devs, TimeUnit.SECONDS.toNanos(1), false);
        if (display != null) {
          display.start();
        }
        try {
          writeStart = System.nanoTime();
          writeFailure = writeAll(devs, total);
          writeEnd = System.nanoTime();
          uploadFailures.addAll(SensorDevice.awaitAllUploaded(devs, uploadTimeout));
          uploadEnd = System.nanoTime();
        } finally {
          if (display != null) {
            display.close();
          }
        }
      } finally {
        for (SensorDevice d : devs) {
          d.close();
        }
      }

      List<ExactlyOnceCheck.DeviceLog> logs = new ArrayList<>();
      for (SensorDevice d : devs) {
        LogFiles.Snapshot s = LogFiles.snapshot(d.logDir());
        logs.add(new ExactlyOnceCheck.DeviceLog(d.name(), d.logDir(), d.written(),
            s.metadata().clientFileIdent(), s.stats().entryCount(), s.stats().pendingObjects()));
      }
      beforeVerification.accept(server);
      long checkStart = System.nanoTime();
      ExactlyOnceCheck.Result result = ExactlyOnceCheck.verify(store, sequenceBefore, countBefore, keys, logs);
      long checkEnd = System.nanoTime();
      lastResult = result;
      printSummary(out, devs, result, server.metrics(), writeStart, writeEnd, uploadEnd, checkEnd - checkStart,
          writeFailure, uploadFailures);
      return result.passed() && writeFailure == null && uploadFailures.isEmpty() ? 0 : 1;
    }
  }

  /** Refuses device logs left with unacknowledged entries by an earlier run in the same --data-dir. */
  private void preflightDeviceLogs(Path devicesDir) {
    for (int i = 0; i < devices; i++) {
      Path logDir = devicesDir.resolve("device-" + (i + 1));
      if (Files.isRegularFile(logDir.resolve(LogFiles.DATA_FILE))) {
        LogFiles.Snapshot s = LogFiles.snapshot(logDir);
        if (s.stats().entryCount() > 0) {
          throw new IllegalStateException(String.format(Locale.ROOT,
              "%s holds %,d unacknowledged entries from an earlier run (expected: an empty log; use another"
                  + " --data-dir)", logDir, s.stats().entryCount()));
        }
      }
    }
  }

  /**
   * Writes from one thread per device until each wrote its share of {@code total}, or until the
   * duration passed ({@code total < 0}).
   *
   * @return null, or the first write failure
   */
  private String writeAll(List<SensorDevice> devs, long total) throws InterruptedException {
    long deadline = total < 0 ? System.nanoTime() + duration.toNanos() : Long.MAX_VALUE;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (SensorDevice d : devs) {
      long share = total < 0 ? Long.MAX_VALUE : total / devices + (d.index() < total % devices ? 1 : 0);
      Thread t = new Thread(() -> {
        try {
          long left = share;
          while (left > 0 && !stop.get() && System.nanoTime() < deadline
              && d.written() < Integer.MAX_VALUE - batch) {
            int n = (int) Math.min(batch, left);
            d.writeBatch(n);
            left -= n;
          }
        } catch (RuntimeException e) {
          failure.compareAndSet(null, d.name() + ": write failed: " + Tributary.describe(e));
          stop.set(true);
        }
      }, "tributary-demo-" + d.name());
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return failure.get();
  }

  private void printSummary(PrintWriter out, List<SensorDevice> devs, ExactlyOnceCheck.Result r, ServerMetrics m,
      long writeStart, long writeEnd, long uploadEnd, long checkNanos, String writeFailure,
      List<String> uploadFailures) {
    long transactions = 0;
    long reconnects = 0;
    LatencyHistogram latency = new LatencyHistogram();
    StringBuilder perDevice = new StringBuilder();
    for (SensorDevice d : devs) {
      transactions += d.transactions();
      reconnects += d.reconnects();
      latency.add(d.latency());
      if (perDevice.length() > 0) {
        perDevice.append(", ");
      }
      perDevice.append(String.format(Locale.ROOT, "%s %,d", d.name(), d.written()));
    }
    long writeNanos = Math.max(1, writeEnd - writeStart);
    long allNanos = Math.max(1, uploadEnd - writeStart);
    out.println();
    out.printf(Locale.ROOT, "Wrote %,d objects in %,d transactions in %s (%,.0f objects/s); all acknowledged after %s"
        + " (%,.0f objects/s end to end)%n", r.written(), transactions, Durations.human(writeNanos),
        r.written() / (writeNanos / 1e9), Durations.human(allNanos), r.written() / (allNanos / 1e9));
    if (latency.count() > 0) {
      out.printf(Locale.ROOT, "  acknowledgement latency (commit to DOWNLOAD): p50 %s, p99 %s, max %s over %,d"
          + " transactions%n", Durations.millis(latency.quantile(0.5)), Durations.millis(latency.quantile(0.99)),
          Durations.millis(latency.quantile(1.0)), latency.count());
    }
    long ackedObjects = 0;
    long ackedBytes = 0;
    long pendingObjects = 0;
    long pendingBytes = 0;
    for (SensorDevice d : devs) {
      ackedObjects += d.progress().acknowledgedObjects();
      ackedBytes += d.progress().acknowledgedBytes();
      pendingObjects += d.progress().pendingObjects();
      pendingBytes += d.progress().pendingBytes();
    }
    out.printf(Locale.ROOT, "  client: acknowledged %,d objects (%s of changesets), pending %,d objects (%s),"
        + " %,d reconnects, %,d sync errors%n", ackedObjects, InspectCommand.bytes(ackedBytes), pendingObjects,
        InspectCommand.bytes(pendingBytes), reconnects, devs.stream().mapToLong(SensorDevice::errors).sum());
    if (writeFailure != null) {
      out.println("  write failure: " + writeFailure);
    }
    for (String f : uploadFailures) {
      out.println("  upload failure: " + f);
    }
    out.println();
    out.println("Exactly-once check (every device log and the server's store read back, " + Durations.human(checkNanos)
        + "):");
    out.printf(Locale.ROOT, "  written               %,d (%s)%n", r.written(), perDevice);
    out.printf(Locale.ROOT, "  stored exactly once   %,d%n", r.exactlyOnce());
    out.printf(Locale.ROOT, "  missing               %,d%n", r.missing());
    out.printf(Locale.ROOT, "  duplicates            %,d%n", r.duplicates());
    out.printf(Locale.ROOT, "  extra (never written) %,d%n", r.extras());
    out.printf(Locale.ROOT, "  wrong origin or data  %,d%n", r.wrongOrigin() + r.wrongContent());
    out.printf(Locale.ROOT, "  store count change    %,d %s objects%n", r.countDelta(), SensorSchema.READING);
    out.printf(Locale.ROOT, "  device logs           %,d unacknowledged entries left%n", r.logEntries());
    boolean passed = r.passed() && writeFailure == null && uploadFailures.isEmpty();
    if (passed) {
      out.printf(Locale.ROOT, "EXACTLY-ONCE VERIFIED: %,d of %,d written objects stored exactly once, no duplicates,"
          + " nothing extra, every device log empty.%n", r.exactlyOnce(), r.written());
    } else {
      out.println("EXACTLY-ONCE CHECK FAILED:");
      for (String p : r.problems()) {
        out.println("  - " + p);
      }
      if (r.problems().isEmpty()) {
        out.println("  - the run did not complete (see the failures above)");
      }
    }
    out.println();
    double meanCommitMs = m.commits() == 0 ? 0 : m.commitNanosTotal() / 1e6 / m.commits();
    out.printf(Locale.ROOT, "Server metrics: sessions bound %,d, objects ingested %,d, duplicates discarded %,d,"
        + " changesets integrated %,d (skipped as re-sends %,d), commits %,d (mean %.2f ms, max %s), errors %s%n",
        m.sessionsBound(), m.objectsIngested(), m.duplicatesDiscarded(), m.changesetsIntegrated(),
        m.changesetsSkipped(), m.commits(), meanCommitMs, Durations.millis(m.commitNanosMax()),
        errors(m.errorsByCode()));
    out.flush();
  }

  private static String errors(Map<Integer, Long> byCode) {
    if (byCode.isEmpty()) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    byCode.forEach((code, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n).append(" x ").append(code));
    return sb.toString();
  }

  private static String randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }
}
