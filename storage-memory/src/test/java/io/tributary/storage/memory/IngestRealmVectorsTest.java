package io.tributary.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.Schema;
import io.tributary.core.testing.RealmCoreVectors;
import io.tributary.protocol.changeset.Changeset;
import io.tributary.protocol.changeset.ChangesetReader;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Round trip through the real in-memory log: each realm-core vector's objects, created with the
 * public API, come back from the log as realm-core's bytes, pass the protocol's validating reader,
 * and decode to exactly the instructions realm-core's own {@code changeset-dump} printed.
 */
class IngestRealmVectorsTest {
  private static final Clock VECTOR_CLOCK =
      Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);

  static Stream<String> dataVectors() {
    List<String> names = new ArrayList<>();
    for (Map<String, Object> v : RealmCoreVectors.withSchema()) {
      if (v.containsKey("objects") && v.containsKey("data_changeset")) {
        names.add((String) v.get("name"));
      }
    }
    return names.stream();
  }

  @SuppressWarnings("unchecked")
  @ParameterizedTest(name = "{0}")
  @MethodSource("dataVectors")
  void objectsComeBackFromTheLogAsRealmCoreWroteThem(String name) {
    Map<String, Object> v = RealmCoreVectors.vector(name);
    Schema schema = RealmCoreVectors.schema(v);
    RealmLogs logs = new RealmLogs();

    try (IngestRealm realm =
        IngestRealm.open(
            IngestConfig.builder(schema).storage(logs.storage()).clock(VECTOR_CLOCK).build())) {
      realm.write(
          tx -> {
            for (Map<String, Object> o : RealmCoreVectors.objects(v)) {
              RealmCoreVectors.create(tx, schema, (String) v.get("table"), o);
            }
          });

      List<RealmLogs.Entry> entries = logs.entries();
      assertThat(entries).extracting(RealmLogs.Entry::version).containsExactly(1L, 2L);
      byte[] schemaBytes = entries.get(0).changeset();
      byte[] dataBytes = entries.get(1).changeset();
      assertThat(schemaBytes).isEqualTo(RealmCoreVectors.bytes(RealmCoreVectors.schemaFile(v)));
      assertThat(dataBytes).isEqualTo(RealmCoreVectors.bytes(RealmCoreVectors.dataFile(v)));
      assertThat(entries.get(1).objectCount()).isEqualTo(RealmCoreVectors.objects(v).size());
      assertThat(entries.get(1).originTimestamp()).isEqualTo(283_996_800_000L);

      // the validating reader accepts every record
      ChangesetReader reader = new ChangesetReader().reset(ByteBuffer.wrap(dataBytes));
      int records = 0;
      while (reader.next()) {
        records++;
      }
      assertThat(records).isPositive();
      // and the decoded instructions are realm-core's
      List<String> expected =
          (List<String>) (List<?>) RealmCoreVectors.map(v.get("data_changeset")).get("decoded");
      assertThat(Changeset.parse(dataBytes).dump()).containsExactlyElementsOf(expected);
      List<String> expectedSchema =
          (List<String>) (List<?>) RealmCoreVectors.map(v.get("schema_changeset")).get("decoded");
      assertThat(Changeset.parse(schemaBytes).dump()).containsExactlyElementsOf(expectedSchema);
    }
  }
}
