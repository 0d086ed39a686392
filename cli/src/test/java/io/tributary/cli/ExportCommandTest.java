package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tributary.core.Credentials;
import io.tributary.core.spi.Durability;
import io.tributary.server.IngestServer;
import io.tributary.server.IngestServerConfig;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.proto.IngestedObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary export}: the server's JSON-lines export, through the CLI, of objects a device uploaded. */
class ExportCommandTest {
  @TempDir Path dir;

  @Test
  void exportWritesOneJsonLinePerStoredObject() throws Exception {
    Path data = dir.resolve("store");
    SensorSchema keys = SensorSchema.newRun();
    try (IngestServer server = IngestServer.start(IngestServerConfig.newBuilder().appId("export-test")
        .host("127.0.0.1").port(0).workerThreads(1).schema(SensorSchema.SERVER)
        .sink(LmdbIngestSink.open(data)).auth(AuthConfig.newBuilder().tokenSecret("export-test-secret-0123").build())
        .build());
        SensorDevice d = SensorDevice.open(4, dir.resolve("device"), keys, URI.create(server.baseUrl()),
            "export-test", Credentials.anonymous(), Durability.OS_FLUSH, null)) {
      d.writeBatch(7);
      d.writeBatch(5);
      d.waitForUploadCompletion(Duration.ofSeconds(30));
    }

    Path out = dir.resolve("objects.jsonl");
    Cli cli = new Cli();
    assertThat(cli.run("export", "--data-dir", data.toString(), "--output", out.toString())).as(cli.err()).isZero();
    assertThat(cli.err()).isEqualTo("exported 12 objects\n");
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(12);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      expected.add(keys.key(4, i).toHexString());
    }
    Set<String> exported = new HashSet<>();
    long lastSequence = 0;
    for (String line : lines) {
      IngestedObject.Builder b = IngestedObject.newBuilder();
      JsonFormat.parser().merge(line, b);
      IngestedObject o = b.build();
      assertThat(o.getClassName()).isEqualTo("Reading");
      assertThat(o.getFieldsMap().get("sensor").getStringValue()).isEqualTo("sensor-5");
      assertThat(o.getFieldsMap().get("location").getObjectValue().getClassName()).isEqualTo("Location");
      assertThat(o.getSequence()).isGreaterThan(lastSequence); // ingest order
      lastSequence = o.getSequence();
      exported.add(o.getPrimaryKey().getObjectIdValue());
    }
    assertThat(exported).isEqualTo(expected);

    Cli stdout = new Cli();
    assertThat(stdout.run("export", "--data-dir", data.toString(), "--after", "10")).isZero();
    assertThat(stdout.out().lines()).hasSize(2).allMatch(l -> l.startsWith("{\"className\":\"Reading\""));

    Cli other = new Cli();
    assertThat(other.run("export", "--data-dir", data.toString(), "--class", "Other")).isZero();
    assertThat(other.out()).isEmpty();
    assertThat(other.err()).isEqualTo("exported 0 objects\n");

    Cli missing = new Cli();
    assertThat(missing.run("export", "--data-dir", dir.resolve("nope").toString())).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("tributary export: --data-dir " + dir.resolve("nope") + ": not a directory\n");
    Cli csv = new Cli();
    assertThat(csv.run("export", "--data-dir", data.toString(), "--format", "csv")).isEqualTo(2);
    assertThat(csv.err()).isEqualTo("tributary export: --format csv (expected: jsonl)\n");
  }
}
