package io.tributary.benchmarks.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH's JSON result file ({@code -rf json -rff FILE}) into a Markdown table: benchmark,
 * parameters, threads, score, error (99.9% confidence half-width as JMH reports it), unit, the
 * {@code -prof gc} normalised allocation ({@code gc.alloc.rate.norm}, B/op) and, where the
 * benchmark has them, the {@code objects} auxiliary counter (objects/s).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.tributary.benchmarks.report.JmhReport a.json b.json &gt; table.md
 * </pre>
 */
public final class JmhReport {
  private static final String PACKAGE_PREFIX = "io.tributary.benchmarks.";

  private JmhReport() {}

  /**
   * Prints one table of the results of every JSON file named in {@code args}, in order, on stdout.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not a JMH result array
   */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: JmhReport <jmh-result.json>...");
      System.exit(2);
    }
    StringBuilder table = new StringBuilder();
    for (String file : args) {
      String md = toMarkdown(Files.readString(Path.of(file), StandardCharsets.UTF_8));
      // the header (two lines) once
      table.append(table.length() == 0 ? md : md.substring(md.indexOf('\n', md.indexOf('\n') + 1) + 1));
    }
    System.out.print(table);
  }

  /**
   * The Markdown table of a JMH JSON result.
   *
   * @param json the content of a {@code -rf json} file
   * @throws IllegalArgumentException if it is not a JSON array of JMH results
   */
  static String toMarkdown(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("JMH result: not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("JMH result: " + (root == null ? "empty" : root.getNodeType())
          + " (expected: an array of benchmark results)");
    }
    StringBuilder out = new StringBuilder();
    out.append("| benchmark | params | threads | score | error | unit | B/op | objects/s |\n");
    out.append("|---|---|---:|---:|---:|---|---:|---:|\n");
    int i = 0;
    for (JsonNode r : root) {
      JsonNode primary = r.path("primaryMetric");
      if (!r.path("benchmark").isTextual() || !primary.path("score").isNumber()) {
        throw new IllegalArgumentException("JMH result [" + i + "]: benchmark or primaryMetric.score missing"
            + " (expected: a JMH result object)");
      }
      String name = r.get("benchmark").asText();
      if (name.startsWith(PACKAGE_PREFIX)) {
        name = name.substring(PACKAGE_PREFIX.length());
      }
      JsonNode secondary = r.path("secondaryMetrics");
      out.append("| ").append(name)
          .append(" | ").append(params(r.path("params")))
          .append(" | ").append(r.path("threads").asInt(1))
          .append(" | ").append(number(primary.get("score").asDouble()))
          .append(" | ").append(error(primary.path("scoreError")))
          .append(" | ").append(primary.path("scoreUnit").asText(""))
          .append(" | ").append(metric(secondary.path("gc.alloc.rate.norm")))
          .append(" | ").append(metric(secondary.path("objects")))
          .append(" |\n");
      i++;
    }
    return out.toString();
  }

  private static String params(JsonNode params) {
    if (!params.isObject() || params.isEmpty()) {
      return "";
    }
    List<String> kv = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : params.properties()) {
      kv.add(e.getKey() + "=" + e.getValue().asText());
    }
    return String.join(", ", kv);
  }

  private static String error(JsonNode error) {
    // JMH writes "NaN" (a string) when there were too few iterations for an interval
    return error.isNumber() && !Double.isNaN(error.asDouble()) ? "± " + number(error.asDouble()) : "";
  }

  private static String metric(JsonNode metric) {
    JsonNode score = metric.path("score");
    return score.isNumber() ? number(score.asDouble()) : "";
  }

  /** Three significant digits at least, thousands separated; tiny values keep their decimals. */
  static String number(double v) {
    double a = Math.abs(v);
    if (a >= 100 || a == 0) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.01) {
      return String.format(Locale.ROOT, "%.3f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
