package io.tributary.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.tributary.core.spi.Durability;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.proto.IngestedObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's command line ({@code java -jar server/target/tributary-server.jar}):
 *
 * <pre>
 * serve  --data-dir DIR --app-id ID [--schema schema.json | --dev-mode] [--port 7800] [--host 0.0.0.0]
 *        [--token-secret S] [--api-key NAME=KEY]... [--custom-jwt-secret S] [--custom-jwt-public-key PEM]
 *        [--tls-keystore FILE --tls-keystore-password-file FILE] [limits]
 * export --data-dir DIR [--format jsonl] [--output FILE] [--class NAME] [--after SEQUENCE]
 * </pre>
 *
 * Exit codes: 0 done, 1 failed (the message says why), 2 bad usage.
 */
@Command(
    name = "tributary-server",
    mixinStandardHelpOptions = true,
    version = "tributary-server 0.1.0",
    description = "The Tributary ingest server: Realm Data Ingest (asymmetric sync) uploads, stored exactly once.",
    subcommands = {Main.Serve.class, Main.Export.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command line in this process.
   *
   * @return the exit code
   */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The picocli command line (for embedding, e.g. in the {@code tributary} CLI). */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).registerConverter(Duration.class, Main::duration);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: serve or export");
  }

  /** Durations as {@code 30s}, {@code 30m}, {@code 12h}, {@code 60d} or ISO-8601 ({@code PT30M}). */
  static Duration duration(String text) {
    String t = text.trim();
    try {
      if (t.startsWith("P") || t.startsWith("p")) {
        return Duration.parse(t);
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      switch (Character.toLowerCase(t.charAt(t.length() - 1))) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        case 'd':
          return Duration.ofDays(n);
        default:
          break;
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new CommandLine.TypeConversionException(
        "'" + text + "' (expected: a duration such as 30s, 30m, 12h, 60d or PT30M)");
  }

  /** The value of an on/off option. */
  enum OnOff {
    on,
    off
  }

  /** {@code serve}: runs the server until the process is stopped (SIGINT/SIGTERM). */
  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the ingest server.")
  public static final class Serve implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", required = true, description = "Directory of the LMDB store (created if missing).")
    Path dataDir;

    @Option(names = "--app-id", required = true, description = "The app id clients use.")
    String appId;

    @Option(names = "--schema", description = "App schema (JSON file); required unless --dev-mode.")
    Path schema;

    @Option(names = "--dev-mode", description = "Adopt (and persist) the schema clients declare.")
    boolean devMode;

    @Option(names = "--port", defaultValue = "7800", description = "Port (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Bind address. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--public-url", description = "Base URL clients reach the server at, for location answers.")
    URI publicUrl;

    @Option(names = "--error-log-url", paramLabel = "URL", description = "Where this server's logs are "
        + "(http:// or https://): sent with every error, and realm-core shows it to the app after \"Logs: \".")
    String errorLogUrl;

    @Option(names = "--token-secret", description = "HS256 secret of the server's tokens (at least 16 bytes); "
        + "default: $TRIBUTARY_TOKEN_SECRET, else random (tokens die with the process).")
    String tokenSecret;

    @Option(names = "--access-token-ttl", defaultValue = "30m", description = "Access token lifetime. Default: ${DEFAULT-VALUE}.")
    Duration accessTokenTtl;

    @Option(names = "--refresh-token-ttl", defaultValue = "60d", description = "Refresh token lifetime. Default: ${DEFAULT-VALUE}.")
    Duration refreshTokenTtl;

    @Option(names = "--no-anonymous", description = "Disable anon-user logins.")
    boolean noAnonymous;

    @Option(names = "--api-key", description = "An api-key login: NAME=KEY (repeatable).")
    Map<String, String> apiKeys = new LinkedHashMap<>();

    @Option(names = "--custom-jwt-secret", description = "HS256 secret of the app's custom JWTs (custom-token logins).")
    String customJwtSecret;

    @Option(names = "--custom-jwt-public-key", description = "RSA public key (PEM file) of the app's RS256 custom JWTs.")
    Path customJwtPublicKey;

    @Option(names = "--custom-jwt-audience", description = "The aud a custom JWT must carry.")
    String customJwtAudience;

    @Option(names = "--max-message-bytes", defaultValue = "33554432", description = "Largest message. Default: ${DEFAULT-VALUE}.")
    int maxMessageBytes;

    @Option(names = "--durability", defaultValue = "SYNC",
        description = "LMDB flushing: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Durability durability;

    @Option(names = "--page-cache-trim", paramLabel = "on|off",
        description = "Drop the store's written pages from the page cache behind its newest 16 MiB (Linux). "
            + "Default: on.")
    OnOff pageCacheTrim;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
        description = "Serve https:// and wss:// with the key and certificate chain in this keystore (PKCS12 or JKS).")
    Path tlsKeystore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
        description = "File whose first line is the keystore's password; default: $TRIBUTARY_TLS_KEYSTORE_PASSWORD.")
    Path tlsKeystorePasswordFile;

    @Option(names = "--max-sessions-per-connection", paramLabel = "N", description = "Default: 256.")
    Integer maxSessionsPerConnection;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "Largest UPLOAD body after inflating. Default: 33554432.")
    Integer maxBodyBytes;

    @Option(names = "--max-changeset-bytes", paramLabel = "N", description = "Largest changeset. Default: 33554432.")
    Integer maxChangesetBytes;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "Idle sync connections are closed after this. Default: 5m.")
    Duration idleTimeout;

    @Option(names = "--worker-threads", paramLabel = "N", description = "Network event loop threads. Default: the number of processors.")
    Integer workerThreads;

    @Override
    public Integer call() throws Exception {
      IngestServer server;
      try {
        server = start();
      } catch (SchemaException | IllegalArgumentException | IllegalStateException e) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
        return 2;
      } catch (IOException | RuntimeException e) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": cannot start: " + e.getMessage());
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "tributary-shutdown"));
      stopped.await();
      return 0;
    }

    /**
     * Starts the server these options describe and prints where it listens.
     *
     * @throws IOException if the schema file cannot be read or the port not bound
     */
    public IngestServer start() throws IOException {
      AuthConfig.Builder auth = AuthConfig.newBuilder()
          .accessTokenTtl(accessTokenTtl)
          .refreshTokenTtl(refreshTokenTtl)
          .anonymousEnabled(!noAnonymous);
      String secret = tokenSecret != null ? tokenSecret : System.getenv("TRIBUTARY_TOKEN_SECRET");
      if (secret != null) {
        auth.tokenSecret(secret);
      }
      apiKeys.forEach(auth::apiKey);
      if (customJwtSecret != null) {
        auth.customJwtHmacSecret(customJwtSecret.getBytes(StandardCharsets.UTF_8));
      }
      if (customJwtPublicKey != null) {
        auth.customJwtPublicKey(AuthConfig.rsaPublicKeyFromPem(Files.readString(customJwtPublicKey)));
      }
      auth.customJwtAudience(customJwtAudience);
      IngestServerConfig.Builder b = IngestServerConfig.newBuilder()
          .appId(appId)
          .developmentMode(devMode)
          .auth(auth.build())
          .host(host)
          .port(port)
          .maxMessageBytes(maxMessageBytes)
          .publicBaseUrl(publicUrl);
      if (errorLogUrl != null) {
        b.errorLogUrl(errorLogUrl);
      }
      if (maxSessionsPerConnection != null) {
        b.maxSessionsPerConnection(maxSessionsPerConnection);
      }
      if (maxBodyBytes != null) {
        b.maxBodyBytes(maxBodyBytes);
      }
      if (maxChangesetBytes != null) {
        b.maxChangesetBytes(maxChangesetBytes);
      }
      if (idleTimeout != null) {
        b.idleTimeout(idleTimeout);
      }
      if (workerThreads != null) {
        b.workerThreads(workerThreads);
      }
      if (tlsKeystore != null) {
        b.tlsContext(serverTls(tlsKeystore, keystorePassword()));
      } else if (tlsKeystorePasswordFile != null) {
        throw new IllegalArgumentException("--tls-keystore-password-file without --tls-keystore");
      }
      if (schema != null) {
        b.schema(AppSchema.read(schema));
      }
      if (schema == null && !devMode) {
        throw new IllegalArgumentException("--schema is required unless --dev-mode");
      }
      b.sink(LmdbIngestSink.open(dataDir, durability, Clock.systemUTC(),
          pageCacheTrim != null ? pageCacheTrim == OnOff.on : LmdbIngestSink.defaultPageCacheTrim(durability)));
      IngestServer server = IngestServer.start(b.build());
      PrintWriter out = spec.commandLine().getOut();
      out.println("Tributary ingest server for app '" + appId + "' listening on "
          + server.address().getHostString() + ":" + server.port()
          + " (" + (devMode ? "development mode" : "schema " + schema) + ", data in " + dataDir + ")");
      out.println("  App Services base URL: " + server.baseUrl());
      out.println("  sync endpoint:         " + server.syncUrl());
      if (secret == null) {
        out.println("  warning: no --token-secret: tokens are signed with a random secret and die with the process");
      }
      out.flush();
      return server;
    }

    /**
     * The keystore's password: the first line of {@code --tls-keystore-password-file}, else
     * {@code $TRIBUTARY_TLS_KEYSTORE_PASSWORD} (never a flag: it would show in the process list).
     */
    private char[] keystorePassword() throws IOException {
      if (tlsKeystorePasswordFile != null) {
        return Files.readAllLines(tlsKeystorePasswordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("")
            .toCharArray();
      }
      String env = System.getenv("TRIBUTARY_TLS_KEYSTORE_PASSWORD");
      if (env == null) {
        throw new IllegalArgumentException("--tls-keystore " + tlsKeystore
            + ": no password (expected: --tls-keystore-password-file or $TRIBUTARY_TLS_KEYSTORE_PASSWORD)");
      }
      return env.toCharArray();
    }
  }

  /**
   * A server TLS context from a keystore holding one private key and its certificate chain.
   *
   * @throws IllegalArgumentException naming the file if it cannot be read as a keystore with that
   *     password, or holds no private key
   */
  static SSLContext serverTls(Path keystore, char[] password) {
    KeyStore ks;
    try {
      ks = KeyStore.getInstance(keystore.toFile(), password);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("--tls-keystore " + keystore + ": " + e.getMessage()
          + " (expected: a PKCS12 or JKS keystore readable with the given password)", e);
    }
    try {
      boolean hasKey = false;
      for (Enumeration<String> aliases = ks.aliases(); aliases.hasMoreElements(); ) {
        hasKey |= ks.isKeyEntry(aliases.nextElement());
      }
      if (!hasKey) {
        throw new IllegalArgumentException("--tls-keystore " + keystore
            + ": no private key (expected: a key entry with its certificate chain)");
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("--tls-keystore " + keystore + ": " + e.getMessage(), e);
    }
  }

  /** {@code export}: writes stored objects as JSON lines (protobuf JSON mapping), in ingest order. */
  @Command(name = "export", mixinStandardHelpOptions = true, description = "Export stored objects as JSON lines.")
  public static final class Export implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", required = true, description = "Directory of the LMDB store.")
    Path dataDir;

    @Option(names = "--format", defaultValue = "jsonl", description = "Output format: jsonl. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--output", description = "Output file (default: standard output).")
    Path output;

    @Option(names = "--class", description = "Only objects of this class.")
    String className;

    @Option(names = "--after", defaultValue = "0", description = "Only objects with a larger sequence number.")
    long after;

    @Override
    public Integer call() {
      if (!format.equals("jsonl")) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": --format " + format + " (expected: jsonl)");
        return 2;
      }
      if (!Files.isDirectory(dataDir)) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": --data-dir " + dataDir + ": not a directory");
        return 1;
      }
      JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
      long[] count = {0};
      try (LmdbIngestSink sink = LmdbIngestSink.open(dataDir);
          Writer w = output == null
              ? new NonClosingWriter(spec.commandLine().getOut())
              : new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8))) {
        sink.scan(after, o -> {
          if (className == null || className.equals(o.getClassName())) {
            write(w, printer, o);
            count[0]++;
          }
          return true;
        });
      } catch (IOException | RuntimeException e) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
        return 1;
      }
      spec.commandLine().getErr().println("exported " + count[0] + " objects");
      return 0;
    }

    private static void write(Writer w, JsonFormat.Printer printer, IngestedObject o) {
      try {
        w.write(printer.print(o));
        w.write('\n');
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("object " + o.getSequence() + " cannot be printed: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Flushes instead of closing, so the command line's own writer stays usable. */
  private static final class NonClosingWriter extends Writer {
    private final Writer out;

    NonClosingWriter(Writer out) {
      this.out = out;
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
      out.write(cbuf, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
