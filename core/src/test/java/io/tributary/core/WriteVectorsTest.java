package io.tributary.core;

import static io.tributary.core.testing.RealmCoreVectors.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.testing.ListUploadLog;
import io.tributary.core.testing.RealmCoreVectors;
import io.tributary.protocol.ObjectId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Byte equality with realm-core 14.14.0: a realm opened with a vector's schema appends exactly
 * realm-core's schema changeset, and a transaction that creates the vector's objects through the
 * public API (setting properties in schema order, as Realm's SDKs do) appends exactly realm-core's
 * data changeset, with realm-core's origin timestamp for the same clock.
 */
class WriteVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  /** 2024-01-01T00:00:00Z: the vectors' origin timestamp 283996800000 ms since 2015-01-01. */
  static final Clock VECTOR_CLOCK =
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

  static Stream<String> schemaVectors() {
    return RealmCoreVectors.withSchema().stream().map(v -> (String) v.get("name"));
  }

  private static IngestRealm open(ListUploadLog log, Schema schema) {
    return IngestRealm.open(
        IngestConfig.builder(schema).storage(log.storage()).clock(VECTOR_CLOCK).build());
  }

  @Test
  void everyDataVectorWithDescribedObjectsIsCovered() {
    assertThat(dataVectors()).hasSize(27);
    assertThat(schemaVectors()).hasSize(30);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemaVectors")
  void openingANewLogAppendsRealmCoresSchemaChangeset(String name) {
    Map<String, Object> v = RealmCoreVectors.vector(name);
    ListUploadLog log = new ListUploadLog();

    open(log, RealmCoreVectors.schema(v)).close();

    List<ListUploadLog.Entry> entries = log.entries();
    assertThat(entries).hasSize(1);
    assertThat(HEX.formatHex(entries.get(0).changeset()))
        .isEqualTo(HEX.formatHex(bytes(RealmCoreVectors.schemaFile(v))));
    assertThat(entries.get(0).objectCount()).isZero();
    assertThat(entries.get(0).originTimestamp()).isEqualTo(283_996_800_000L);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dataVectors")
  void creatingTheObjectsInSchemaOrderAppendsRealmCoresDataChangeset(String name) {
    Map<String, Object> v = RealmCoreVectors.vector(name);
    Schema schema = RealmCoreVectors.schema(v);
    List<Map<String, Object>> objects = RealmCoreVectors.objects(v);
    ListUploadLog log = new ListUploadLog();

    long version;
    try (IngestRealm realm = open(log, schema)) {
      version =
          realm.write(
              tx -> {
                for (Map<String, Object> o : objects) {
                  RealmCoreVectors.create(tx, schema, (String) v.get("table"), o);
                }
              });
    }

    List<ListUploadLog.Entry> entries = log.entries();
    assertThat(entries).hasSize(2);
    ListUploadLog.Entry data = entries.get(1);
    assertThat(version).isEqualTo(data.version()).isEqualTo(2);
    assertThat(HEX.formatHex(data.changeset()))
        .isEqualTo(HEX.formatHex(bytes(RealmCoreVectors.dataFile(v))));
    assertThat(data.objectCount()).isEqualTo(objects.size());
    assertThat(data.originTimestamp()).isEqualTo(283_996_800_000L);
  }

  @Test
  void aHundredReadingsInOneTransactionGiveRealmCoresChangeset() {
    Schema schema =
        Schema.of(
            ObjectSchema.asymmetric("Reading")
                .primaryKey("_id", PropertyType.OBJECT_ID)
                .property("sensor", PropertyType.STRING)
                .property("value", PropertyType.DOUBLE)
                .property("ts", PropertyType.TIMESTAMP));
    ListUploadLog log = new ListUploadLog();

    try (IngestRealm realm = open(log, schema)) {
      realm.write(
          tx -> {
            for (int i = 0; i < 100; i++) {
              // object i: _id = 65f1a2b300000000000003e8 + i, sensor-<i % 4>, i * 0.5, +i s
              tx.create("Reading", ObjectId.of(0x65f1a2b3, 1000 + i))
                  .set("sensor", "sensor-" + (i % 4))
                  .set("value", i * 0.5)
                  .set("ts", Instant.ofEpochSecond(1_709_296_496L + i));
            }
          });
    }

    List<ListUploadLog.Entry> entries = log.entries();
    assertThat(entries.get(0).changeset()).isEqualTo(bytes("transaction_100_objects.schema.bin"));
    assertThat(entries.get(1).changeset()).isEqualTo(bytes("transaction_100_objects.bin"));
    assertThat(entries.get(1).objectCount()).isEqualTo(100);
  }

  @Test
  void threeTransactionsGiveRealmCoresFourChangesetsInVersionOrder() {
    Map<String, Object> v = RealmCoreVectors.vector("upload_multi_transaction");
    Schema schema = RealmCoreVectors.schema(v);
    ListUploadLog log = new ListUploadLog();

    List<Long> versions = new ArrayList<>();
    try (IngestRealm realm = open(log, schema)) {
      for (Map<String, Object> o : RealmCoreVectors.objects(v)) {
        versions.add(realm.write(tx -> RealmCoreVectors.create(tx, schema, "Reading", o)));
      }
    }

    List<ListUploadLog.Entry> entries = log.entries();
    assertThat(versions).containsExactly(2L, 3L, 4L);
    assertThat(entries).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(entries.get(i).changeset())
          .as("cs%d", i)
          .isEqualTo(bytes("upload_multi_transaction.cs" + i + ".bin"));
    }
  }
}
