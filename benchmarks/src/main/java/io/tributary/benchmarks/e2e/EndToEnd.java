package io.tributary.benchmarks.e2e;

import io.tributary.core.Credentials;
import io.tributary.core.IngestConfig;
import io.tributary.core.SyncOptions;
import io.tributary.core.spi.Durability;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.server.IngestServer;
import io.tributary.server.IngestServerConfig;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.ServerMetrics;
import io.tributary.server.auth.AuthConfig;
import io.tributary.storage.lmdb.LmdbStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The end-to-end load generator: client engine (one {@link io.tributary.core.IngestRealm} per
 * device, each with its own LMDB upload log and sync session) → Netty WebSocket over 127.0.0.1 →
 * {@link IngestServer} → {@link LmdbIngestSink}, all in this JVM; the server runs on its own
 * threads, whose CPU time is measured apart ({@link ThreadCpu}).
 *
 * <p>One run: start the server, open and connect the devices, write from one thread per device
 * (as fast as possible, or paced to {@code --rate}, or closed-loop with at most {@code --window}
 * transactions per device waiting for their acknowledgement), warm up, then measure for a fixed duration:
 * objects and changeset bytes the server acknowledged (from the devices' upload progress), the
 * commit-to-acknowledgement latency of every transaction committed in the window, and the server
 * threads' CPU. Then stop writing, wait until everything is acknowledged, close the devices and
 * verify {@link ExactlyOnce exactly once}: written = acknowledged = stored = ingested, no
 * duplicates. A run that fails the check exits with status 1.
 *
 * <pre>
 * java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
 *     -cp benchmarks/target/benchmarks.jar io.tributary.benchmarks.e2e.EndToEnd \
 *     --devices 8 --batch 1000 --durability SYNC --compression on --warmup 5s --duration 10s --header
 * </pre>
 *
 * <p>Prints progress on stderr and one Markdown table row (with {@code --header}, the header
 * first) on stdout.
 */
public final class EndToEnd {
  static final String APP_ID = "tributary-bench";
  /** Name prefixes of the server's threads (Netty edge, ingest engine and its commit thread, LMDB sink, timer). */
  static final List<String> SERVER_THREADS =
      List.of("tributary-edge-", "tributary-ingest", "tributary-commit", "tributary-sink", "tributary-timer");
  /**
   * Name prefixes of the client side's threads: the benchmark's writers (write API, encoder, log
   * append), the sync sessions ({@code tributary-sync-<ident>}) and the client transport's Netty
   * I/O threads ({@code tributary-sync-io-*}), the LMDB upload logs' writer threads.
   */
  static final List<String> CLIENT_THREADS =
      List.of("tributary-bench-writer-", "tributary-sync-", "tributary-upload-log");

  private EndToEnd() {}

  /**
   * What to run.
   *
   * @param devices simulated devices, 1..1000
   * @param batch objects per transaction, 1..100000
   * @param durability of the device logs and of the server's store (the same mode on both ends)
   * @param compression whether the clients compress UPLOAD bodies
   * @param rate offered objects/s over all devices, 0 for as fast as possible
   * @param window at most this many of a device's transactions wait for their acknowledgement
   *     before its writer writes the next (a closed loop: the full load the pipeline sustains
   *     without queueing in the logs), 0 for no bound (the logs' bound applies)
   * @param warmup writing before the measurement window
   * @param duration the measurement window
   * @param logMaxBytes each device log's bound (writers block when it is full)
   * @param workerThreads the server's Netty I/O threads
   * @param pageCacheTrim whether the server's store drops its written pages from the page cache
   *     ({@code --page-cache-trim on|off}; default: the store's default for the durability)
   * @param directory where the server store and device logs go (deleted afterwards)
   */
  record Options(int devices, int batch, Durability durability, boolean compression, double rate,
      int window, Duration warmup, Duration duration, long logMaxBytes, int workerThreads, boolean pageCacheTrim,
      Path directory) {

    static Options parse(String[] args) {
      int devices = 1;
      int batch = 1000;
      Durability durability = Durability.SYNC;
      boolean compression = true;
      double rate = 0;
      int window = 0;
      Duration warmup = Duration.ofSeconds(5);
      Duration duration = Duration.ofSeconds(10);
      long logMaxBytes = 16L << 20;
      int workers = 2;
      Boolean trim = null;
      Path dir = Path.of(System.getProperty("tributary.bench.dir", "target/bench-data"));
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--header")) {
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + ": missing value");
        }
        String v = args[++i];
        switch (a) {
          case "--devices" -> devices = Integer.parseInt(v);
          case "--batch" -> batch = Integer.parseInt(v);
          case "--durability" -> durability = Durability.valueOf(v.toUpperCase(Locale.ROOT));
          case "--compression" -> compression = onOff(a, v);
          case "--rate" -> rate = Double.parseDouble(v);
          case "--window" -> window = Integer.parseInt(v);
          case "--warmup" -> warmup = seconds(v);
          case "--duration" -> duration = seconds(v);
          case "--log-max-mib" -> logMaxBytes = Long.parseLong(v) << 20;
          case "--server-workers" -> workers = Integer.parseInt(v);
          case "--page-cache-trim" -> trim = onOff(a, v);
          case "--dir" -> dir = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option: " + a);
        }
      }
      if (devices < 1 || devices > 1000) {
        throw new IllegalArgumentException("--devices: " + devices + " (expected: 1..1000)");
      }
      if (batch < 1 || batch > 100_000) {
        throw new IllegalArgumentException("--batch: " + batch + " (expected: 1..100000)");
      }
      if (!(rate >= 0)) {
        throw new IllegalArgumentException("--rate: " + rate + " (expected: >= 0, 0 for unpaced)");
      }
      if (window < 0) {
        throw new IllegalArgumentException("--window: " + window + " (expected: >= 0, 0 for no bound)");
      }
      boolean pageCacheTrim = trim != null ? trim : LmdbIngestSink.defaultPageCacheTrim(durability);
      return new Options(devices, batch, durability, compression, rate, window, warmup, duration, logMaxBytes, workers,
          pageCacheTrim, dir);
    }

    /** {@code on} (or {@code true}) or {@code off} (or {@code false}), the value of {@code option}. */
    private static boolean onOff(String option, String v) {
      return switch (v) {
        case "on", "true" -> true;
        case "off", "false" -> false;
        default -> throw new IllegalArgumentException(option + ": " + v + " (expected: on or off)");
      };
    }

    private static Duration seconds(String v) {
      String s = v.endsWith("s") ? v.substring(0, v.length() - 1) : v;
      return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
    }
  }

  /**
   * What one run measured.
   *
   * @param objectsPerSecond objects acknowledged per second in the window
   * @param megabytesPerSecond changeset bytes acknowledged per second in the window, / 1e6
   * @param runObjectsPerSecond every object written / the time from the first write to the
   *     acknowledgement of the last (warm-up, window and drain: robust against bursty acknowledgements)
   * @param p50Nanos median commit-to-acknowledgement latency of the window's transactions, -1 if
   *     none committed in the window
   * @param p99Nanos 99th percentile of the same
   * @param maxNanos the largest of the same
   * @param transactions transactions whose latency was recorded
   * @param serverCpuNanosPerObject CPU of the server's threads over the whole run (first write to
   *     last acknowledgement) / objects written
   * @param clientCpuNanosPerObject CPU of the client side's threads ({@link #CLIENT_THREADS})
   *     over the same span / objects written
   * @param processCpuNanosPerObject CPU of the whole process (clients and server) over the same
   *     span / objects written
   * @param windowClientCpuNanosPerObject CPU of the client side's threads inside the measurement
   *     window / objects acknowledged in the window (steady state: without most of the JIT warm-up
   *     and the drain; -1 if nothing was acknowledged in the window)
   * @param windowServerCpuNanosPerObject the same for the server's threads
   * @param windowProcessCpuNanosPerObject the same for the whole process
   * @param check the exactly-once verification
   */
  record Result(Options options, double objectsPerSecond, double megabytesPerSecond,
      double runObjectsPerSecond, long p50Nanos,
      long p99Nanos, long maxNanos, int transactions, double serverCpuNanosPerObject,
      double clientCpuNanosPerObject, double processCpuNanosPerObject,
      double windowClientCpuNanosPerObject, double windowServerCpuNanosPerObject,
      double windowProcessCpuNanosPerObject, ExactlyOnce check) {

    static String header() {
      return "| devices | objects/tx | durability | compression | offered objects/s | acked objects/s (window) | MB/s (window) | acked objects/s (whole run)"
          + " | ack p50 ms | ack p99 ms | ack max ms | server CPU µs/object | client CPU µs/object | process CPU µs/object"
          + " | window CPU µs/object client / server / process | exactly once |\n"
          + "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";
    }

    private static String millis(long nanos) {
      return nanos < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private static String micros(double nanos) {
      return nanos < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", nanos / 1e3);
    }

    private static String offered(Options o) {
      String rate = o.rate() > 0 ? String.format(Locale.ROOT, "%,.0f", o.rate()) : "max";
      return o.window() > 0 ? rate + ", window " + o.window() : rate;
    }

    String row() {
      Options o = options;
      return String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %,.0f | %.1f | %,.0f | %s | %s | %s | %.2f | %.2f | %.2f | %s / %s / %s | %s |",
          o.devices(), o.batch(), o.durability(), o.compression() ? "on" : "off",
          offered(o), objectsPerSecond,
          megabytesPerSecond, runObjectsPerSecond, millis(p50Nanos), millis(p99Nanos), millis(maxNanos), serverCpuNanosPerObject / 1e3,
          clientCpuNanosPerObject / 1e3, processCpuNanosPerObject / 1e3,
          micros(windowClientCpuNanosPerObject), micros(windowServerCpuNanosPerObject),
          micros(windowProcessCpuNanosPerObject),
          check.passed() ? "yes (" + check.stored() + " objects)" : "FAILED: " + String.join("; ", check.problems()));
    }
  }

  /**
   * This process's storage counters so far: bytes it and its {@code tributary-sink} threads have
   * caused to be written ({@code write_bytes} of {@code /proc/self/io} and {@code
   * /proc/self/task/<tid>/io}), its major page faults ({@code majflt} of {@code /proc/self/stat}:
   * pages its memory maps had to read from storage) and the bytes it read from storage ({@code
   * read_bytes}); indexed by {@link #WRITTEN}, {@link #SINK_WRITTEN}, {@link #MAJOR_FAULTS},
   * {@link #READ}. Null where {@code /proc} does not tell (not Linux).
   */
  static long[] storageCounters() {
    try {
      List<String> io = Files.readAllLines(Path.of("/proc/self/io"));
      long sink = 0;
      try (java.nio.file.DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path task : tasks) {
          try {
            if (Files.readString(task.resolve("comm")).startsWith("tributary-sink")) {
              sink += ioField(Files.readAllLines(task.resolve("io")), "write_bytes:");
            }
          } catch (IOException e) {
            // the thread ended meanwhile
          }
        }
      }
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // fields after the command's closing parenthesis: state is field 3, majflt field 12
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return new long[] {
        ioField(io, "write_bytes:"), sink, Long.parseLong(fields[12 - 3]), ioField(io, "read_bytes:")
      };
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Indices into {@link #storageCounters()}. */
  static final int WRITTEN = 0;
  static final int SINK_WRITTEN = 1;
  static final int MAJOR_FAULTS = 2;
  static final int READ = 3;

  private static long ioField(List<String> io, String field) throws IOException {
    for (String line : io) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim());
      }
    }
    throw new IOException("/proc io: no " + field);
  }

  /** Runs one configuration (see the class comment) and prints its Markdown row. */
  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("EndToEnd: " + e.getMessage());
      System.exit(2);
      return;
    }
    Result r = run(options, System.err);
    if (List.of(args).contains("--header")) {
      System.out.println(Result.header());
    }
    System.out.println(r.row());
    System.out.flush();
    System.exit(r.check().passed() ? 0 : 1);
  }

  /**
   * Runs one configuration.
   *
   * @param log where progress lines go
   * @throws IllegalStateException if a device cannot connect, a write fails, or the server does
   *     not acknowledge everything within two minutes after the window
   */
  static Result run(Options o, PrintStream log) throws IOException, InterruptedException {
    Files.createDirectories(o.directory());
    Path dir = Files.createTempDirectory(o.directory(), "e2e-");
    try {
      return run(o, dir, log);
    } finally {
      deleteTree(dir);
    }
  }

  private static Result run(Options o, Path dir, PrintStream log) throws IOException, InterruptedException {
    byte[] secret = new byte[32];
    SecureRandom random = new SecureRandom();
    random.nextBytes(secret);
    IngestServerConfig config = IngestServerConfig.newBuilder()
        .appId(APP_ID)
        .host("127.0.0.1")
        .port(0)
        .workerThreads(o.workerThreads())
        .schema(BenchSchema.SERVER)
        .auth(AuthConfig.newBuilder().tokenSecret(secret).build())
        .sink(LmdbIngestSink.open(dir.resolve("server"), o.durability(), Clock.systemUTC(), o.pageCacheTrim()))
        .build();
    ThreadCpu serverCpu = new ThreadCpu(SERVER_THREADS);
    ThreadCpu clientCpu = new ThreadCpu(CLIENT_THREADS);
    try (IngestServer server = IngestServer.start(config)) {
      ServerMetrics metrics = server.metrics();
      long storedBefore = server.store().countByClass().getOrDefault(BenchSchema.READING, 0L);
      long ingestedBefore = metrics.objectsIngested();
      long duplicatesBefore = metrics.duplicatesDiscarded();
      int salt = random.nextInt(1 << 16);
      SyncOptions sync = SyncOptions.newBuilder().compression(o.compression()).build();
      List<BenchDevice> devices = new ArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicLong writerNanos = new AtomicLong(); // CPU of the writers, which end before the last snapshot
      List<Thread> writers = new ArrayList<>();
      long written = 0;
      long acked = 0;
      LatencySamples latency = new LatencySamples();
      double objectsPerSecond;
      double megabytesPerSecond;
      long windowObjects;
      long serverNanos;
      long clientNanos;
      long windowClientNanos;
      long windowServerNanos;
      long windowProcessNanos;
      long processNanos;
      long runNanos;
      try {
        for (int i = 0; i < o.devices(); i++) {
          devices.add(new BenchDevice(i, salt, IngestConfig.builder(BenchSchema.CLIENT)
              .storage(LmdbStorage.at(dir.resolve("device-" + i)))
              .logOptions(UploadLogOptions.newBuilder().durability(o.durability()).maxBytes(o.logMaxBytes()).build())
              .server(URI.create(server.baseUrl()), APP_ID)
              .credentials(Credentials.anonymous())
              .syncOptions(sync)
              .build()));
        }
        for (BenchDevice d : devices) {
          d.awaitConnected(Duration.ofSeconds(60));
        }
        log.printf(Locale.ROOT, "e2e: %d devices connected to %s; %d objects/tx, %s, compression %s, page-cache trim %s, %s%n",
            o.devices(), server.baseUrl(), o.batch(), o.durability(), o.compression() ? "on" : "off",
            o.pageCacheTrim() ? "on" : "off",
            (o.rate() > 0 ? String.format(Locale.ROOT, "%,.0f objects/s offered", o.rate()) : "unpaced")
                + (o.window() > 0 ? ", at most " + o.window() + " transactions per device unacknowledged" : ""));
        long periodNanos = o.rate() > 0 ? (long) (o.batch() * 1e9 * o.devices() / o.rate()) : 0;
        Map<Long, Long> cpu0 = serverCpu.snapshot();
        Map<Long, Long> clientCpu0 = clientCpu.snapshot();
        long process0 = ThreadCpu.processCpuNanos();
        long t0 = System.nanoTime();
        for (BenchDevice d : devices) {
          int index = writers.size();
          Thread t = new Thread(() -> {
            try {
              long next = t0 + periodNanos * index / o.devices(); // spread the devices over one period
              while (!stop.get()) {
                if (periodNanos > 0) {
                  long wait;
                  while ((wait = next - System.nanoTime()) > 0 && !stop.get()) {
                    LockSupport.parkNanos(wait);
                  }
                  next += periodNanos;
                }
                if (o.window() > 0) {
                  d.awaitUnacknowledgedBelow(o.window(), stop);
                }
                if (stop.get() || d.written() > Integer.MAX_VALUE - o.batch()) {
                  break;
                }
                d.writeBatch(o.batch());
              }
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
              stop.set(true);
            } finally {
              writerNanos.addAndGet(Math.max(0, ThreadCpu.currentThreadCpuNanos()));
            }
          }, "tributary-bench-writer-" + index);
          writers.add(t);
          t.start();
        }
        sleepUntil(t0 + o.warmup().toNanos(), stop);
        long[] ackObjects0 = new long[devices.size()];
        long[] ackBytes0 = new long[devices.size()];
        Map<Long, Long> clientW0 = clientCpu.snapshot();
        Map<Long, Long> serverW0 = serverCpu.snapshot();
        long processW0 = ThreadCpu.processCpuNanos();
        Map<String, Long> jvmW0 = ThreadCpu.jvmThreadMillis();
        long[] storage0 = storageCounters();
        long w0 = System.nanoTime();
        for (int i = 0; i < devices.size(); i++) {
          ackObjects0[i] = devices.get(i).acknowledgedObjects();
          ackBytes0[i] = devices.get(i).acknowledgedBytes();
          devices.get(i).recording(true);
        }
        sleepUntil(w0 + o.duration().toNanos(), stop);
        long w1 = System.nanoTime();
        long[] storage1 = storageCounters();
        // the writers are still running: their window CPU is in the snapshots
        Map<Long, Long> clientW1 = clientCpu.snapshot();
        Map<Long, Long> serverW1 = serverCpu.snapshot();
        windowClientNanos = ThreadCpu.delta(clientW0, clientW1);
        windowServerNanos = ThreadCpu.delta(serverW0, serverW1);
        windowProcessNanos = ThreadCpu.processCpuNanos() - processW0;
        Map<String, Long> windowByName = ThreadCpu.deltaByName(clientW0, clientW1);
        windowByName.putAll(ThreadCpu.deltaByName(serverW0, serverW1));
        StringBuilder windowLine = new StringBuilder("e2e: window CPU ms by thread:");
        windowByName.forEach((name, nanos) -> windowLine.append(' ').append(name).append('=').append(nanos / 1_000_000));
        windowLine.append(" other(JIT,GC,main)=")
            .append((windowProcessNanos - windowClientNanos - windowServerNanos) / 1_000_000);
        ThreadCpu.jvmThreadMillis().forEach((kind, millis) ->
            windowLine.append(", of which ").append(kind).append('=').append(millis - jvmW0.getOrDefault(kind, 0L)));
        log.println(windowLine);
        long windowBytes = 0;
        windowObjects = 0;
        for (int i = 0; i < devices.size(); i++) {
          devices.get(i).recording(false);
          windowObjects += devices.get(i).acknowledgedObjects() - ackObjects0[i];
          windowBytes += devices.get(i).acknowledgedBytes() - ackBytes0[i];
        }
        if (storage0 != null && storage1 != null && windowObjects > 0) {
          long process = storage1[WRITTEN] - storage0[WRITTEN];
          long sink = storage1[SINK_WRITTEN] - storage0[SINK_WRITTEN];
          log.printf(Locale.ROOT, "e2e: window bytes written (/proc write_bytes): process %,d (%.1f B/object), sink thread %,d (%.1f B/object)%n",
              process, (double) process / windowObjects, sink, (double) sink / windowObjects);
        }
        if (storage0 != null && storage1 != null) {
          log.printf(Locale.ROOT, "e2e: window major page faults %,d, bytes read from storage %,d (process)%n",
              storage1[MAJOR_FAULTS] - storage0[MAJOR_FAULTS], storage1[READ] - storage0[READ]);
        }
        stop.set(true);
        for (Thread t : writers) {
          t.join();
        }
        if (failure.get() != null) {
          throw new IllegalStateException("e2e: a writer failed: " + failure.get(), failure.get());
        }
        double seconds = (w1 - w0) / 1e9;
        objectsPerSecond = windowObjects / seconds;
        megabytesPerSecond = windowBytes / seconds / 1e6;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        for (BenchDevice d : devices) {
          d.waitForUploadCompletion(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        runNanos = System.nanoTime() - t0;
        Map<Long, Long> cpu1 = serverCpu.snapshot();
        Map<Long, Long> clientCpu1 = clientCpu.snapshot();
        serverNanos = ThreadCpu.delta(cpu0, cpu1);
        // the writers started after the first snapshot and have ended: they added their own CPU
        clientNanos = ThreadCpu.delta(clientCpu0, clientCpu1) + writerNanos.get();
        processNanos = ThreadCpu.processCpuNanos() - process0;
        Map<String, Long> byName = ThreadCpu.deltaByName(clientCpu0, clientCpu1);
        byName.put("tributary-bench-writer-# (all)", writerNanos.get());
        byName.putAll(ThreadCpu.deltaByName(cpu0, cpu1));
        StringBuilder cpuLine = new StringBuilder("e2e: CPU ms by thread:");
        byName.forEach((name, nanos) -> cpuLine.append(' ').append(name).append('=').append(nanos / 1_000_000));
        cpuLine.append(" other(JIT,GC,main)=").append((processNanos - serverNanos - clientNanos) / 1_000_000);
        // since the JVM started: the JIT's total is the whole warm-up's compile work, which depends
        // less on when the compiles fall than the window's share does (issue 10)
        ThreadCpu.jvmThreadMillis().forEach((kind, millis) ->
            cpuLine.append(", of which ").append(kind).append(" since the JVM started=").append(millis));
        log.println(cpuLine);
        int mostUnacknowledged = 0;
        for (BenchDevice d : devices) {
          written += d.written();
          acked += d.acknowledgedObjects();
          latency.addAll(d.latency());
          mostUnacknowledged = Math.max(mostUnacknowledged, d.mostUnacknowledged());
        }
        log.printf(Locale.ROOT, "e2e: at most %d transactions of one device waited for their acknowledgement at once%n",
            mostUnacknowledged);
      } finally {
        stop.set(true);
        for (Thread t : writers) {
          t.join();
        }
        for (BenchDevice d : devices) {
          d.close();
        }
      }
      ExactlyOnce check = new ExactlyOnce(written, acked,
          server.store().countByClass().getOrDefault(BenchSchema.READING, 0L) - storedBefore,
          metrics.objectsIngested() - ingestedBefore, metrics.duplicatesDiscarded() - duplicatesBefore);
      log.printf(Locale.ROOT, "e2e: server: %,d uploads, %,d changesets integrated, %,d skipped, %,d sink commits"
          + " (mean %.2f ms, max %.2f ms), %,d commit failures, errors %s%n", metrics.uploads(),
          metrics.changesetsIntegrated(), metrics.changesetsSkipped(), metrics.commits(),
          metrics.commits() == 0 ? 0 : metrics.commitNanosTotal() / 1e6 / metrics.commits(),
          metrics.commitNanosMax() / 1e6, metrics.commitFailures(), metrics.errorsByCode());
      Result r = new Result(o, objectsPerSecond, megabytesPerSecond, written / (runNanos / 1e9), q(latency, 0.5), q(latency, 0.99),
          q(latency, 1.0), latency.count(), written == 0 ? 0 : (double) serverNanos / written,
          written == 0 ? 0 : (double) clientNanos / written,
          written == 0 || processNanos < 0 ? 0 : (double) processNanos / written,
          perObject(windowClientNanos, windowObjects), perObject(windowServerNanos, windowObjects),
          perObject(windowProcessNanos, windowObjects), check);
      log.printf(Locale.ROOT, "e2e: %,.0f objects/s acknowledged in the window (%,.0f over the whole run), %.1f MB/s, p50 %.2f ms, p99 %.2f ms;"
          + " verified: %s%n", r.objectsPerSecond(), r.runObjectsPerSecond(), r.megabytesPerSecond(), r.p50Nanos() / 1e6, r.p99Nanos() / 1e6,
          check.passed() ? "exactly once" : check.problems());
      return r;
    }
  }

  /** CPU per object, or -1 when nothing was acknowledged in the window (or no CPU figure). */
  private static double perObject(long nanos, long objects) {
    return objects <= 0 || nanos < 0 ? -1 : (double) nanos / objects;
  }

  /** The quantile, or -1 when no transaction committed in the window (writers blocked on a full log). */
  private static long q(LatencySamples s, double q) {
    return s.count() == 0 ? -1 : s.quantile(q);
  }

  private static void sleepUntil(long deadlineNanos, AtomicBoolean stop) {
    long wait;
    while ((wait = deadlineNanos - System.nanoTime()) > 0 && !stop.get()) {
      LockSupport.parkNanos(Math.min(wait, 50_000_000L));
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
