package io.tributary.cli;

import io.tributary.core.Credentials;
import io.tributary.core.SyncException;
import io.tributary.core.spi.Durability;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tributary load}: N simulated devices against a running server, for benchmarking: a
 * report per interval (objects written and acknowledged, rates, acknowledgement latency so far),
 * then the throughput and the acknowledgement latency percentiles (commit to the DOWNLOAD that
 * covers it, measured with {@link System#nanoTime()} in this process).
 *
 * <p>Exit code 0 if the server acknowledged everything written within the upload timeout, 1
 * otherwise (a fatal sync error such as refused credentials, a timeout, a write failure).
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run simulated sensor devices against a running server and report throughput and"
        + " acknowledgement latency (commit to the server's DOWNLOAD acknowledging it).",
      "Exit code 0 if everything written was acknowledged, 1 if not."})
final class LoadCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--url", paramLabel = "URL", required = true, description = "The server's base URL, e.g. http://127.0.0.1:7800.")
  URI url;

  @Option(names = "--app-id", paramLabel = "ID", required = true, description = "The app id the server was started with.")
  String appId;

  /** At most one of the credentials; anonymous without either. */
  static final class Auth {
    @Option(names = "--api-key", paramLabel = "KEY", description = "Log in with this API key (default: anonymous).")
    String apiKey;

    @Option(names = "--custom-jwt", paramLabel = "JWT", description = "Log in with this custom JWT (default: anonymous).")
    String customJwt;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Auth auth;

  @Option(names = "--devices", paramLabel = "N", defaultValue = "4", description = "Simulated devices (1..1000). Default: ${DEFAULT-VALUE}.")
  int devices;

  @Option(names = "--objects", paramLabel = "N", description = "Objects to write in total (instead of --duration).")
  Long objects;

  @Option(names = "--duration", paramLabel = "DURATION", description = "How long to write. Default: 30s unless --objects is given.")
  Duration duration;

  @Option(names = "--rate", paramLabel = "N", description = "Objects per second in total, spread over the devices (default: as fast as"
      + " the devices can write).")
  Double rate;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "100", description = "Objects per write transaction. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the device logs go (kept). Default: a temporary directory,"
      + " deleted at the end.")
  Path dataDir;

  @Option(names = "--durability", paramLabel = "MODE", defaultValue = "SYNC",
      description = "Flushing of the device logs: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Durability durability;

  @Option(names = "--report-interval", paramLabel = "DURATION", defaultValue = "1s", description = "Period of the report lines. Default: ${DEFAULT-VALUE}.")
  Duration reportInterval;

  @Option(names = "--upload-timeout", paramLabel = "DURATION", defaultValue = "60s",
      description = "How long to wait at the end for the acknowledgement of everything. Default: ${DEFAULT-VALUE}.")
  Duration uploadTimeout;

  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "LINES",
      description = "Report on stderr: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  ProgressDisplay.Mode progress;

  @Option(names = "--trust-store", paramLabel = "FILE", description = "Trust the certificates in this keystore (PKCS12 or JKS)"
      + " for an https:// --url, instead of the JDK's trust store.")
  Path trustStore;

  @Option(names = "--trust-store-password-file", paramLabel = "FILE", description = "File whose first line is the trust"
      + " store's password (default: none, the store's integrity is not checked).")
  Path trustStorePasswordFile;

  private static final Duration DURATION_DEFAULT = Duration.ofSeconds(30);

  /** From {@code --trust-store} once validated; null: the JDK's trust store. */
  private SSLContext tls;

  @Override
  public Integer call() throws Exception {
    validate();
    boolean temporary = dataDir == null;
    Path dir = temporary ? Files.createTempDirectory("tributary-load-") : dataDir;
    try {
      return run(dir, spec.commandLine().getOut(), spec.commandLine().getErr());
    } finally {
      if (temporary) {
        Directories.deleteTree(dir);
      }
    }
  }

  private void validate() {
    CommandLine cl = spec.commandLine();
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
      throw new CommandLine.ParameterException(cl, "--url " + url + " (expected: the server's http(s) base URL,"
          + " e.g. http://127.0.0.1:7800)");
    }
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
    if (duration != null && duration.isZero()) {
      throw new CommandLine.ParameterException(cl, "--duration 0 (expected: more than 0)");
    }
    if (rate != null && !(rate > 0)) {
      throw new CommandLine.ParameterException(cl, "--rate " + rate + " (expected: > 0 objects per second)");
    }
    if (reportInterval.toMillis() < 100) {
      throw new CommandLine.ParameterException(cl, "--report-interval " + reportInterval + " (expected: >= 100ms)");
    }
    if (trustStorePasswordFile != null && trustStore == null) {
      throw new CommandLine.ParameterException(cl, "--trust-store-password-file without --trust-store");
    }
    tls = trust();
  }

  /** The TLS context trusting {@code --trust-store}, or null for the JDK's default. */
  private SSLContext trust() {
    if (trustStore == null) {
      return null;
    }
    try {
      char[] password = null;
      if (trustStorePasswordFile != null) {
        password = Files.readAllLines(trustStorePasswordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("")
            .toCharArray();
      }
      KeyStore ks = KeyStore.getInstance(trustStore.toFile(), password);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--trust-store " + trustStore + ": " + e.getMessage()
          + " (expected: a PKCS12 or JKS keystore of trusted certificates, with its password if it has one)");
    }
  }

  private Credentials credentials() {
    if (auth != null && auth.apiKey != null) {
      return Credentials.apiKey(auth.apiKey);
    }
    if (auth != null && auth.customJwt != null) {
      return Credentials.customJwt(auth.customJwt);
    }
    return Credentials.anonymous();
  }

  private int run(Path dir, PrintWriter out, PrintWriter err) throws Exception {
    SensorSchema keys = SensorSchema.newRun();
    Credentials credentials = credentials();
    long total = objects != null ? objects : -1;
    Duration writeFor = duration != null ? duration : objects == null ? DURATION_DEFAULT : null;
    out.printf(Locale.ROOT, "Tributary load: %d devices -> %s (app '%s', %s), %s%s, transactions of %d, device logs"
        + " in %s%n", devices, url, appId, credentials.kind().toString().toLowerCase(Locale.ROOT).replace('_', '-'),
        total > 0 ? String.format(Locale.ROOT, "%,d objects", total) : "for " + Durations.human(writeFor.toNanos()),
        rate == null ? " as fast as possible" : String.format(Locale.ROOT, " at %,.0f objects/s", rate), batch, dir);
    out.flush();

    List<SensorDevice> devs = new ArrayList<>();
    long start;
    long writeEnd;
    long end;
    String writeFailure;
    List<String> uploadFailures = new ArrayList<>();
    try {
      for (int i = 0; i < devices; i++) {
        devs.add(SensorDevice.open(i, dir.resolve("device-" + (i + 1)), keys, url, appId, credentials, durability, tls));
      }
      long connectNanos = SensorDevice.awaitAllConnected(devs, uploadTimeout);
      out.printf(Locale.ROOT, "  %d devices logged in and connected in %s%n", devs.size(),
          Durations.human(connectNanos));
      out.flush();
      ProgressDisplay display = ProgressDisplay.create(progress, err, devs, reportInterval.toNanos(), true);
      if (display != null) {
        display.start();
      }
      try {
        start = System.nanoTime();
        writeFailure = writeAll(devs, total, writeFor);
        writeEnd = System.nanoTime();
        uploadFailures.addAll(SensorDevice.awaitAllUploaded(devs, uploadTimeout));
        end = System.nanoTime();
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
    return report(out, devs, start, writeEnd, end, writeFailure, uploadFailures);
  }

  /**
   * Writes from one thread per device, paced to the rate if one is set, until the count or the
   * duration is reached or a device's session stops with a fatal error.
   *
   * @return null, or the first failure
   */
  private String writeAll(List<SensorDevice> devs, long total, Duration writeFor) throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = writeFor != null ? t0 + writeFor.toNanos() : Long.MAX_VALUE;
    // nanoseconds between two transactions of one device
    long periodNanos = rate == null ? 0 : (long) (batch * 1e9 * devices / rate);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (SensorDevice d : devs) {
      long share = total < 0 ? Long.MAX_VALUE : total / devices + (d.index() < total % devices ? 1 : 0);
      Thread t = new Thread(() -> {
        try {
          long left = share;
          // devices start spread over one period, so that paced writes do not arrive in bursts
          long next = t0 + (periodNanos * d.index()) / devices;
          while (left > 0 && !stop.get() && d.written() < Integer.MAX_VALUE - batch) {
            if (periodNanos > 0) {
              long wait;
              while ((wait = next - System.nanoTime()) > 0 && !stop.get()) {
                LockSupport.parkNanos(Math.min(wait, 50_000_000L));
              }
              next += periodNanos;
            }
            if (System.nanoTime() >= deadline || stop.get()) {
              break;
            }
            SyncException fatal = d.fatalError();
            if (fatal != null) {
              failure.compareAndSet(null, d.name() + ": sync stopped: " + Tributary.describe(fatal));
              stop.set(true);
              break;
            }
            int n = (int) Math.min(batch, left);
            d.writeBatch(n);
            left -= n;
          }
        } catch (RuntimeException e) {
          failure.compareAndSet(null, d.name() + ": write failed: " + Tributary.describe(e));
          stop.set(true);
        }
      }, "tributary-load-" + d.name());
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return failure.get();
  }

  private int report(PrintWriter out, List<SensorDevice> devs, long start, long writeEnd, long end,
      String writeFailure, List<String> uploadFailures) {
    long written = 0;
    long acked = 0;
    long transactions = 0;
    long reconnects = 0;
    long errors = 0;
    long pendingObjects = 0;
    long pendingBytes = 0;
    LatencyHistogram latency = new LatencyHistogram();
    for (SensorDevice d : devs) {
      written += d.written();
      acked += d.acknowledged();
      transactions += d.transactions();
      reconnects += d.reconnects();
      errors += d.errors();
      pendingObjects += d.progress().pendingObjects();
      pendingBytes += d.progress().pendingBytes();
      latency.add(d.latency());
    }
    double writeSeconds = Math.max(1e-9, (writeEnd - start) / 1e9);
    double allSeconds = Math.max(1e-9, (end - start) / 1e9);
    out.println();
    out.printf(Locale.ROOT, "Written       %,d objects in %,d transactions in %s: %,.0f objects/s%n", written,
        transactions, Durations.human(writeEnd - start), written / writeSeconds);
    out.printf(Locale.ROOT, "Acknowledged  %,d objects after %s: %,.0f objects/s end to end%n", acked,
        Durations.human(end - start), acked / allSeconds);
    if (latency.count() > 0) {
      out.printf(Locale.ROOT, "Ack latency   p50 %s  p90 %s  p99 %s  max %s  (%,d transactions, commit to DOWNLOAD)%n",
          Durations.millis(latency.quantile(0.5)), Durations.millis(latency.quantile(0.9)),
          Durations.millis(latency.quantile(0.99)), Durations.millis(latency.quantile(1.0)), latency.count());
    }
    out.printf(Locale.ROOT, "Client        pending %,d objects (%s), reconnects %,d, sync errors %,d%n", pendingObjects,
        InspectCommand.bytes(pendingBytes), reconnects, errors);
    for (SensorDevice d : devs) {
      if (d.lastError() != null) {
        out.println("  " + d.name() + " last sync error: " + Tributary.describe(d.lastError()));
      }
    }
    boolean ok = writeFailure == null && uploadFailures.isEmpty() && acked == written;
    if (writeFailure != null) {
      out.println("FAILED: " + writeFailure);
    }
    for (String f : uploadFailures) {
      out.println("FAILED: " + f);
    }
    if (writeFailure == null && uploadFailures.isEmpty() && acked != written) {
      out.printf(Locale.ROOT, "FAILED: %,d of %,d written objects acknowledged%n", acked, written);
    }
    out.flush();
    return ok ? 0 : 1;
  }
}
