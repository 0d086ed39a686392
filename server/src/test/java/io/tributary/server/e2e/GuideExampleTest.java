package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.AsymmetricObjectException;
import io.tributary.core.ConnectionState;
import io.tributary.core.Credentials;
import io.tributary.core.DuplicatePrimaryKeyException;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.UploadProgress;
import io.tributary.core.spi.Durability;
import io.tributary.core.spi.OverflowPolicy;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.server.AppSchema;
import io.tributary.server.IngestServer;
import io.tributary.server.IngestServerConfig;
import io.tributary.server.LmdbIngestSink;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.storage.lmdb.LmdbStorage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main example of {@code docs/app-developers.md}, compiled and run so that the guide's snippets
 * cannot rot: a real server in this process (LMDB sink, app schema from JSON, an API key), a realm
 * on an LMDB log uploading to it over a real socket, every value kind the guide shows, the
 * refusals it lists (with the messages its table quotes), and a reopen that resumes from the log.
 * The blocks between {@code // guide:} and {@code // end guide} are quoted in the guide verbatim
 * (the server schema in operators.md); keep them in step.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GuideExampleTest {

  // guide: schema
  static final Schema SCHEMA = Schema.of(
      ObjectSchema.asymmetric("Reading")
          .primaryKey("_id", PropertyType.OBJECT_ID)
          .property("sensor", PropertyType.STRING)
          .property("value", PropertyType.DOUBLE)
          .property("ts", PropertyType.TIMESTAMP)
          .optional("note", PropertyType.STRING)
          .list("samples", PropertyType.DOUBLE)
          .set("tags", PropertyType.STRING)
          .dictionary("labels", PropertyType.STRING)
          .property("extra", PropertyType.MIXED)
          .embedded("location", "Location"),
      ObjectSchema.embedded("Location")
          .property("lat", PropertyType.DOUBLE)
          .property("lon", PropertyType.DOUBLE));
  // end guide

  // guide: server schema
  static final String SERVER_SCHEMA_JSON = """
      {"classes": [
        {"name": "Reading", "kind": "asymmetric", "primaryKey": "_id",
         "properties": {"_id": "objectId", "sensor": "string", "value": "double", "ts": "date",
                        "note": "string?", "samples": "double[]", "tags": "string<>",
                        "labels": "string{}", "extra": "mixed", "location": "Location"}},
        {"name": "Location", "kind": "embedded", "properties": {"lat": "double", "lon": "double"}}
      ]}""";
  // end guide

  @TempDir Path tmp;

  @Test
  void theGuideExampleRunsAgainstARealServer() throws Exception {
    Path data = tmp.resolve("server");
    Path logDir = tmp.resolve("device-log");
    try (IngestServer server = IngestServer.start(IngestServerConfig.newBuilder()
        .appId("my-app")
        .sink(LmdbIngestSink.open(data))
        .schema(AppSchema.parse(SERVER_SCHEMA_JSON))
        .auth(AuthConfig.newBuilder()
            .tokenSecret("a-secret-of-at-least-16-bytes")
            .apiKey("device-1", "key-device-1-abcdef")
            .build())
        .host("127.0.0.1")
        .port(0)
        .build())) {
      String baseUrl = server.baseUrl();
      ObjectId first = ObjectId.get();
      List<UploadProgress> progress = new CopyOnWriteArrayList<>();
      AtomicReference<ConnectionState> state = new AtomicReference<>();

      // guide: open and write
      IngestConfig config = IngestConfig.builder(SCHEMA)
          .storage(LmdbStorage.at(logDir))
          .logOptions(UploadLogOptions.newBuilder()
              .durability(Durability.SYNC)               // the default
              .overflowPolicy(OverflowPolicy.BLOCK)      // the default
              .maxBytes(256L << 20)
              .build())
          .server(URI.create(baseUrl), "my-app")         // e.g. http://127.0.0.1:7800
          .credentials(Credentials.apiKey("key-device-1-abcdef"))
          .build();

      try (IngestRealm realm = IngestRealm.open(config)) {
        realm.addConnectionStateListener((from, to, error) -> state.set(to));
        realm.addUploadProgressListener(progress::add);

        realm.write(tx -> tx.create("Reading", first)
            .set("sensor", "t1")
            .set("value", 21.5)
            .set("ts", Instant.now())
            .set("note", (String) null)
            .embedded("location", loc -> loc.set("lat", 52.1).set("lon", 4.3))
            .set("extra", 42L)
            .list("samples").add(21.4).add(21.6).parent()
            .set("tags").add("indoor").add("calibrated").parent()
            .dictionary("labels").put("room", "lab").put("floor", "2"));

        realm.waitForUploadCompletion(Duration.ofSeconds(10));
      }
      // end guide

      assertThat(version(first, server)).isPositive();
      assertThat(state.get()).isNotNull();
      assertThat(progress).isNotEmpty();
      assertThat(progress.get(progress.size() - 1).acknowledgedObjects()).isEqualTo(1);
      assertThat(progress.get(progress.size() - 1).pendingEntries()).isZero();

      IngestedObject stored = server.store()
          .find("Reading", Value.newBuilder().setObjectIdValue(first.toHexString()).build())
          .orElseThrow();
      assertThat(stored.getFieldsMap().get("sensor").getStringValue()).isEqualTo("t1");
      assertThat(stored.getFieldsMap().get("value").getDoubleValue()).isEqualTo(21.5);
      assertThat(stored.getFieldsMap().get("extra").getIntValue()).isEqualTo(42L);
      assertThat(stored.getFieldsMap().get("samples").getListValue().getValuesList())
          .extracting(Value::getDoubleValue).containsExactly(21.4, 21.6);
      assertThat(stored.getFieldsMap().get("tags").getSetValue().getValuesList())
          .extracting(Value::getStringValue).containsExactlyInAnyOrder("indoor", "calibrated");
      assertThat(stored.getFieldsMap().get("labels").getDictionaryValue().getEntriesMap())
          .containsKeys("room", "floor");
      assertThat(stored.getFieldsMap().get("location").getObjectValue().getFieldsMap().get("lat")
          .getDoubleValue()).isEqualTo(52.1);

      // the guide's "What is refused" table
      try (IngestRealm realm = IngestRealm.open(config)) {
        ObjectId id = ObjectId.get();
        assertThatThrownBy(() -> realm.objects("Reading"))
            .isInstanceOf(AsymmetricObjectException.class)
            .hasMessage("Queries on asymmetric objects are not allowed: Reading");
        assertThatThrownBy(() -> realm.write(tx -> tx.delete("Reading", id)))
            .isInstanceOf(AsymmetricObjectException.class)
            .hasMessage("Asymmetric Realm objects cannot be deleted manually: Reading");
        assertThatThrownBy(() -> realm.write(tx -> tx.create("Reading", id).set("_id", id)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("Reading._id: is the primary key (expected: give it to create(\"Reading\","
                + " key); it cannot be set)");
        assertThatThrownBy(() -> realm.write(tx -> {
          tx.create("Reading", id);
          tx.create("Reading", id);
        })).isInstanceOf(DuplicatePrimaryKeyException.class)
            .hasMessageStartingWith("Reading._id: existing primary key ");
        assertThatThrownBy(() -> realm.write(tx -> tx.create("Reading", id).set("value", 1.5f)))
            .isInstanceOf(IllegalArgumentException.class);
        // none of the refused transactions wrote anything; a reopened realm keeps uploading
        realm.write(tx -> tx.create("Reading", id).set("sensor", "t2").set("value", 1.0)
            .set("ts", Instant.now()));
        realm.waitForUploadCompletion(Duration.ofSeconds(10));
      }

      assertThat(server.store().objectCount()).isEqualTo(2);
      assertThat(server.store().clientFiles()).hasSize(1);
    }
  }

  private static long version(ObjectId id, IngestServer server) {
    return server.store()
        .find("Reading", Value.newBuilder().setObjectIdValue(id.toHexString()).build())
        .map(IngestedObject::getClientVersion).orElse(0L);
  }
}
