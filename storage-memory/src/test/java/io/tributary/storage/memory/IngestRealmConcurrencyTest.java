package io.tributary.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.protocol.changeset.Changeset;
import io.tributary.protocol.changeset.Instruction;
import io.tributary.protocol.changeset.PrimaryKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads writing at once: every committed object is in the log exactly once, entries are in
 * strictly increasing version order, and each thread sees its own versions increase.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestRealmConcurrencyTest {
  private static final int THREADS = 16;
  private static final int TRANSACTIONS = 200;

  private static final Schema SCHEMA =
      Schema.of(
          ObjectSchema.asymmetric("Reading")
              .primaryKey("_id", PropertyType.STRING)
              .property("thread", PropertyType.INT)
              .property("tx", PropertyType.INT)
              .property("value", PropertyType.DOUBLE)
              .embedded("location", "Location"),
          ObjectSchema.embedded("Location")
              .property("lat", PropertyType.DOUBLE)
              .property("lon", PropertyType.DOUBLE));

  @Test
  void sixteenThreadsCommitEveryObjectExactlyOnceInVersionOrder() throws Exception {
    RealmLogs logs = new RealmLogs();
    IngestRealm realm =
        IngestRealm.open(IngestConfig.builder(SCHEMA).storage(logs.storage()).build());
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<long[]>> results = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      results.add(
          pool.submit(
              () -> {
                start.await();
                long[] versions = new long[TRANSACTIONS];
                for (int i = 0; i < TRANSACTIONS; i++) {
                  int tx = i;
                  int objects = 1 + (thread + i) % 3; // 1 to 3 objects per transaction
                  versions[i] =
                      realm.write(
                          w -> {
                            for (int k = 0; k < objects; k++) {
                              w.create("Reading", thread + "/" + tx + "/" + k)
                                  .set("thread", thread)
                                  .set("tx", tx)
                                  .set("value", k * 0.5)
                                  .embedded("location")
                                  .set("lat", (double) thread)
                                  .set("lon", (double) tx);
                            }
                          });
                }
                return versions;
              }));
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(100, TimeUnit.SECONDS)).isTrue();

    // each thread's versions strictly increase; all versions are distinct
    List<Long> all = new ArrayList<>();
    for (Future<long[]> f : results) {
      long[] v = f.get();
      for (int i = 1; i < v.length; i++) {
        assertThat(v[i]).isGreaterThan(v[i - 1]);
      }
      for (long x : v) {
        all.add(x);
      }
    }
    assertThat(all).doesNotHaveDuplicates().hasSize(THREADS * TRANSACTIONS);

    // the log: the schema entry, then every transaction once, in strictly increasing version order
    List<RealmLogs.Entry> entries = logs.entries();
    assertThat(entries).hasSize(1 + THREADS * TRANSACTIONS);
    Map<String, Integer> seen = new HashMap<>();
    long previous = 0;
    for (RealmLogs.Entry e : entries) {
      assertThat(e.version()).isGreaterThan(previous);
      previous = e.version();
      if (e.version() == 1) {
        continue; // the schema changeset
      }
      assertThat(all).contains(e.version());
      int created = 0;
      for (Instruction i : Changeset.parse(e.changeset()).instructions()) {
        if (i instanceof Instruction.CreateObject) {
          String key = ((PrimaryKey.StringKey) ((Instruction.CreateObject) i).key()).value();
          seen.merge(key, 1, Integer::sum);
          created++;
        }
      }
      assertThat(created).isEqualTo(e.objectCount());
    }
    int expected = 0;
    for (int t = 0; t < THREADS; t++) {
      for (int i = 0; i < TRANSACTIONS; i++) {
        int objects = 1 + (t + i) % 3;
        for (int k = 0; k < objects; k++) {
          assertThat(seen.get(t + "/" + i + "/" + k)).as("%d/%d/%d", t, i, k).isEqualTo(1);
          expected++;
        }
      }
    }
    assertThat(seen).hasSize(expected);
    assertThat(logs.stats().pendingObjects()).isEqualTo(expected);
    realm.close();
  }
}
