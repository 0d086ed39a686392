package io.tributary.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the {@code tributary} command line in this process and captures what it prints. */
final class Cli {
  final CommandLine commandLine = Tributary.commandLine();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  Cli() {
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
  }

  /** The object behind subcommand {@code name}, to set test seams before {@link #run}. */
  <T> T command(String name) {
    return commandLine.getSubcommands().get(name).getCommand();
  }

  /** Runs {@code args}; returns the exit code. */
  int run(String... args) {
    return commandLine.execute(args);
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }
}
