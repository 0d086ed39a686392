package io.tributary.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JmhReportTest {
  // trimmed from a real `-rf json -prof gc` result of this module
  private static final String RESULT = """
      [
        {
          "jmhVersion" : "1.37",
          "benchmark" : "io.tributary.benchmarks.storage.UploadLogAppendBenchmark.append4",
          "mode" : "thrpt", "threads" : 4, "forks" : 1,
          "params" : { "durability" : "SYNC", "objectsPerCommit" : "1000", "storage" : "lmdb" },
          "primaryMetric" : { "score" : 1234.5678, "scoreError" : 56.78, "scoreUnit" : "ops/s",
                              "rawData" : [[1200.0, 1250.0, 1253.7]] },
          "secondaryMetrics" : {
            "gc.alloc.rate.norm" : { "score" : 0.012, "scoreError" : 0.001, "scoreUnit" : "B/op" },
            "objects" : { "score" : 1234567.8, "scoreError" : 5678.0, "scoreUnit" : "ops/s" }
          }
        },
        {
          "benchmark" : "io.tributary.benchmarks.changeset.ChangesetEncodeBenchmark.sensorReading",
          "mode" : "avgt", "threads" : 1,
          "primaryMetric" : { "score" : 142.31, "scoreError" : "NaN", "scoreUnit" : "ns/op" },
          "secondaryMetrics" : { }
        }
      ]
      """;

  @Test
  void oneRowPerResultWithParamsAllocationAndObjectCounter() {
    String md = JmhReport.toMarkdown(RESULT);
    assertThat(md.lines()).containsExactly(
        "| benchmark | params | threads | score | error | unit | B/op | objects/s |",
        "|---|---|---:|---:|---:|---|---:|---:|",
        "| storage.UploadLogAppendBenchmark.append4 | durability=SYNC, objectsPerCommit=1000, storage=lmdb | 4"
            + " | 1,235 | ± 56.8 | ops/s | 0.012 | 1,234,568 |",
        "| changeset.ChangesetEncodeBenchmark.sensorReading |  | 1 | 142 |  | ns/op |  |  |");
  }

  @Test
  void formatsNumbersToThreeSignificantDigits() {
    assertThat(JmhReport.number(0)).isEqualTo("0");
    assertThat(JmhReport.number(0.000123)).isEqualTo("0.000123");
    assertThat(JmhReport.number(5.4321)).isEqualTo("5.432");
    assertThat(JmhReport.number(54.321)).isEqualTo("54.3");
    assertThat(JmhReport.number(1_760_000.4)).isEqualTo("1,760,000");
  }

  @Test
  void refusesWhatIsNotAJmhResult() {
    assertThatThrownBy(() -> JmhReport.toMarkdown("{\"a\": 1}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OBJECT (expected: an array");
    assertThatThrownBy(() -> JmhReport.toMarkdown("[{\"benchmark\": \"x\"}]"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JMH result [0]");
    assertThatThrownBy(() -> JmhReport.toMarkdown("[1, 2"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
  }
}
