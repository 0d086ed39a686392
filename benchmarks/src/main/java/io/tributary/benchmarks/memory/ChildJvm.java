package io.tributary.benchmarks.memory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running one of {@link MemoryProbe}'s child modes, on this JVM's class path, its
 * stdout read line by line and its stderr passed through. {@link #close()} destroys it (and waits).
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;

  ChildJvm(List<String> jvmArgs, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MemoryProbe.class.getName());
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Reads stdout until a line starting with {@code prefix}.
   *
   * @throws IOException if the child ended first
   */
  String awaitLine(String prefix) throws IOException {
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IOException("child JVM ended before printing '" + prefix + "' (exit "
        + (process.isAlive() ? "?" : process.exitValue()) + ")");
  }

  /** Tells the child to finish (closes its stdin). */
  void finish() throws IOException {
    process.getOutputStream().close();
  }

  @Override
  public void close() throws InterruptedException {
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
