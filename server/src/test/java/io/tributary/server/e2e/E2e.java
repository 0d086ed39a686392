package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.Credentials;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.SyncOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.server.IngestStore;
import io.tributary.server.proto.Value;
import io.tributary.storage.lmdb.LmdbStorage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** What the end-to-end tests share: the client schema, realm settings, keys and checks. */
final class E2e {
  /** The client side of {@code TestServer.READING}: Reading with an embedded Location. */
  static final Schema SCHEMA =
      Schema.of(
          ObjectSchema.asymmetric("Reading")
              .primaryKey("_id", PropertyType.OBJECT_ID)
              .property("sensor", PropertyType.STRING)
              .property("value", PropertyType.DOUBLE)
              .property("ts", PropertyType.TIMESTAMP)
              .embedded("location", "Location"),
          ObjectSchema.embedded("Location")
              .property("lat", PropertyType.DOUBLE)
              .property("lon", PropertyType.DOUBLE));

  /** The API key {@code TestServer} configures (a stable user, so a reopened file is the same user's). */
  static final String API_KEY = "loader-key-1234";

  private E2e() {}

  /** Sync settings for tests: quick reconnects (20 ms doubling to 500 ms), a short close. */
  static SyncOptions.Builder quickRetries() {
    return SyncOptions.newBuilder()
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(500), 2)
        .closeTimeout(Duration.ofSeconds(2))
        .connectTimeout(Duration.ofSeconds(10));
  }

  /** A realm on an LMDB log in {@code dir} uploading to {@code baseUrl} with the API key. */
  static IngestConfig.Builder realm(Path dir, String baseUrl) {
    return IngestConfig.builder(SCHEMA)
        .storage(LmdbStorage.at(dir))
        .server(URI.create(baseUrl), io.tributary.server.testing.TestServer.APP)
        .credentials(Credentials.apiKey(API_KEY))
        .syncOptions(quickRetries().build());
  }

  /** The {@code i}-th key of writer {@code writer}: unique and reproducible (no clock, no random). */
  static ObjectId key(int writer, int i) {
    return ObjectId.of(0x7e570000 | writer, i);
  }

  /** Writes one transaction creating a Reading per key. */
  static void write(IngestRealm realm, List<ObjectId> keys) {
    realm.write(
        tx -> {
          for (ObjectId id : keys) {
            tx.create("Reading", id)
                .set("sensor", "s-" + (id.hashCode() & 7))
                .set("value", (double) id.hashCode())
                .set("ts", Instant.ofEpochSecond(1_700_000_000L))
                .embedded("location")
                .set("lat", 52.1)
                .set("lon", 4.3);
          }
        });
  }

  /** Keys {@code from} (inclusive) to {@code to} (exclusive) of a writer. */
  static List<ObjectId> keys(int writer, int from, int to) {
    List<ObjectId> out = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      out.add(key(writer, i));
    }
    return out;
  }

  /** How many stored Readings carry each primary key (hex). */
  static Map<String, Integer> storedKeys(IngestStore store) {
    Map<String, Integer> counts = new HashMap<>();
    store.scan(0, o -> {
      assertThat(o.getClassName()).isEqualTo("Reading");
      Value pk = o.getPrimaryKey();
      counts.merge(pk.getObjectIdValue(), 1, Integer::sum);
      return true;
    });
    return counts;
  }

  /** Every key in {@code committed} is stored exactly once, and nothing else is stored. */
  static void assertExactlyOnce(IngestStore store, Collection<ObjectId> committed) {
    Map<String, Integer> stored = storedKeys(store);
    Set<String> expected = new HashSet<>();
    for (ObjectId id : committed) {
      expected.add(id.toHexString());
    }
    assertThat(expected).as("committed keys are distinct").hasSize(committed.size());
    List<String> twice = new ArrayList<>();
    stored.forEach((k, n) -> {
      if (n != 1) {
        twice.add(k + " x" + n);
      }
    });
    assertThat(twice).as("keys stored more than once").isEmpty();
    Set<String> missing = new HashSet<>(expected);
    missing.removeAll(stored.keySet());
    assertThat(missing).as("committed keys not stored (%d of %d)", missing.size(), expected.size())
        .isEmpty();
    Set<String> extra = new HashSet<>(stored.keySet());
    extra.removeAll(expected);
    assertThat(extra).as("stored keys never committed").isEmpty();
    assertThat(store.objectCount()).isEqualTo(committed.size());
  }

  /** Waits (up to {@code timeout}) for {@code condition}, polling every millisecond. */
  static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }
}
