package io.tributary.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.SchemaException;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.Changeset;
import io.tributary.protocol.changeset.Instruction;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An ingest realm on the durable LMDB log: concurrent writers, restarts, schema evolution. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestRealmLmdbTest {
  @TempDir Path directory;

  private static final ObjectSchema READING =
      ObjectSchema.asymmetric("Reading")
          .primaryKey("_id", PropertyType.OBJECT_ID)
          .property("sensor", PropertyType.STRING)
          .property("value", PropertyType.DOUBLE)
          .property("ts", PropertyType.TIMESTAMP);

  private IngestRealm open(Schema schema) {
    return IngestRealm.open(
        IngestConfig.builder(schema).storage(URI.create("lmdb:" + directory)).build());
  }

  /** Every entry of the log at {@code directory}: [version, objectCount] and the changesets. */
  private List<byte[]> changesets(List<long[]> heads) {
    List<byte[]> out = new ArrayList<>();
    try (UploadLog log = LmdbStorage.at(directory).open(UploadLogOptions.DEFAULT)) {
      log.read(
          0,
          Long.MAX_VALUE,
          e -> {
            heads.add(new long[] {e.version(), e.objectCount()});
            ByteBuffer b = e.changeset();
            byte[] copy = new byte[b.remaining()];
            b.get(copy);
            out.add(copy);
            return true;
          });
    }
    return out;
  }

  @Test
  void concurrentWritesSurviveARestartAndTheSchemaGrowsAdditively() throws Exception {
    int threads = 4;
    int transactions = 25;
    Set<ObjectId> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (IngestRealm realm = open(Schema.of(READING))) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < transactions; n++) {
                    int i = n;
                    ObjectId id = ObjectId.get();
                    realm.write(
                        tx ->
                            tx.create("Reading", id)
                                .set("sensor", "s" + thread)
                                .set("value", i * 1.0)
                                .set("ts", Instant.ofEpochSecond(i)));
                    written.add(id);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(100, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }

    Schema extended = Schema.of(READING.optional("note", PropertyType.STRING));
    try (IngestRealm realm = open(extended)) {
      long v = realm.write(tx -> tx.create("Reading", ObjectId.get()).set("note", "after"));
      assertThat(v).isEqualTo(1 + threads * transactions + 1 + 1);
    }

    assertThatThrownBy(() -> open(Schema.of(READING))) // "note" removed again
        .isInstanceOf(SchemaException.class)
        .hasMessageContaining("Reading.note: removed");

    List<long[]> heads = new ArrayList<>();
    List<byte[]> changesets = changesets(heads);
    assertThat(changesets).hasSize(1 + threads * transactions + 2);
    Set<ObjectId> found = new HashSet<>();
    for (int i = 1; i <= threads * transactions; i++) {
      assertThat(heads.get(i)[0]).isEqualTo(i + 1);
      assertThat(heads.get(i)[1]).isEqualTo(1);
      for (Instruction in : Changeset.parse(changesets.get(i)).instructions()) {
        if (in instanceof Instruction.CreateObject) {
          found.add(
              ((io.tributary.protocol.changeset.PrimaryKey.ObjectIdKey)
                      ((Instruction.CreateObject) in).key())
                  .value());
        }
      }
    }
    assertThat(found).isEqualTo(written);
    assertThat(Changeset.parse(changesets.get(threads * transactions + 1)).dump())
        .containsExactly(
            "AddColumn table=\"Reading\" field=\"note\" type=String nullable=true"
                + " collection=Single");
    assertThat(heads.get(threads * transactions + 1)[1]).isZero();
  }
}
