package io.tributary.cli;

import io.tributary.server.Main;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code tributary} command line: one program for the server and the tools around it.
 *
 * <pre>
 * tributary serve   --data-dir DIR --app-id ID (--schema FILE | --dev-mode) [--port 7800] ...
 * tributary demo    [--devices 4] [--objects 100000 | --duration 10s] [--batch 100] [--data-dir DIR]
 * tributary load    --url http://host:7800 --app-id ID [--api-key KEY] [--devices 4] [--rate N] ...
 * tributary export  --data-dir DIR [--output FILE] [--class NAME] [--after SEQUENCE]
 * tributary inspect LOG-DIR [--entries N] [--decode VERSION]
 * </pre>
 *
 * <p>Exit codes: 0 success, 1 the command failed (one line on standard error says why; {@code
 * --verbose} adds the stack trace), 2 bad usage. {@code serve} and {@code export} are the server
 * module's own commands ({@link Main}), mounted here unchanged.
 *
 * <p>Not thread safe: one command line per invocation.
 */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    version = "tributary 0.1.0",
    description = {
      "Tributary: a self-hosted Realm Data Ingest (asymmetric sync) server and client engine.",
      "Start with 'tributary demo': an embedded server, simulated sensor devices, and a check that"
          + " every object arrived exactly once."
    },
    commandListHeading = "%nCommands:%n",
    footer = {"", "Exit codes: 0 success, 1 failure (one line on stderr; --verbose for details), 2 bad usage.",
        "Run 'tributary COMMAND --help' for a command's options."})
public final class Tributary implements Runnable {
  @CommandLine.Spec CommandSpec spec;

  /** Whether failures print their stack trace; inherited by every subcommand. */
  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Print stack traces of failures and more detail.")
  boolean verbose;

  /**
   * Runs the command line and exits the JVM with its exit code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    int code = run(args);
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }

  /**
   * Runs the command line in this process, printing to {@link System#out} and {@link System#err}.
   *
   * @param args the arguments
   * @return the exit code: 0 success, 1 failure, 2 bad usage
   */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /**
   * A new command line with every subcommand, the duration converter ({@code 500ms}, {@code 10s},
   * {@code 5m}, {@code 2h}, {@code 1d}, ISO-8601) and the error handlers installed: usage errors
   * print one line plus a hint and return 2, failures print one line (and a stack trace with
   * {@code --verbose}) and return 1. Change its output with {@link CommandLine#setOut} and {@link
   * CommandLine#setErr} before {@link CommandLine#execute}.
   *
   * @return the command line
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Tributary());
    // the server's own commands, unchanged (one set of flags for `tributary-server` and `tributary`)
    cl.addSubcommand("serve", new Main.Serve());
    cl.addSubcommand("demo", new DemoCommand());
    cl.addSubcommand("load", new LoadCommand());
    cl.addSubcommand("export", new Main.Export());
    cl.addSubcommand("inspect", new InspectCommand());
    cl.registerConverter(Duration.class, Durations::parse);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionStrategy(Tributary::executeQuietly);
    cl.setParameterExceptionHandler(Tributary::usageError);
    cl.setExecutionExceptionHandler(Tributary::failure);
    return cl;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a command is required: serve, demo, load, export or inspect");
  }

  /**
   * Runs the command with the JDK's logging limited to SEVERE, except for {@code serve} (whose log
   * is the operator's) and with {@code --verbose}: the tools report in their own words, and
   * warnings the engine logs on the way (a refused login, a reconnect) would repeat them.
   */
  private static int executeQuietly(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult leaf = parsed;
    while (leaf.subcommand() != null) {
      leaf = leaf.subcommand();
    }
    boolean quiet = !isVerbose(parsed) && !leaf.commandSpec().name().equals("serve");
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    java.util.logging.Level before = root.getLevel();
    if (quiet) {
      root.setLevel(java.util.logging.Level.SEVERE);
    }
    try {
      return new CommandLine.RunLast().execute(parsed);
    } finally {
      if (quiet) {
        root.setLevel(before);
      }
    }
  }

  /** One line naming the problem, then where to find help; exit code 2. */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println(cl.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return 2;
  }

  /** One line naming the failure (the stack trace too with {@code --verbose}); exit code 1. */
  private static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    err.println(cl.getCommandSpec().qualifiedName() + ": " + describe(e));
    if (isVerbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  /** The message of {@code e} and of its causes, without class names when a message exists. */
  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    Throwable t = e;
    String last = null;
    for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
      String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
      if (last != null && last.contains(m)) {
        continue;
      }
      sb.append(sb.length() == 0 ? "" : ": ").append(m);
      last = m;
    }
    return sb.toString();
  }

  private static boolean isVerbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
