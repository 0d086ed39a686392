package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.testing.ListUploadLog;
import io.tributary.protocol.ObjectId;
import java.lang.ref.WeakReference;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-thread transaction contexts must not keep a closed realm's engine alive: a pool thread that
 * once wrote to a realm outlives it in every real app.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteEngineLifetimeTest {

  @Test
  void aClosedRealmsEngineIsCollectedWhileItsWriterThreadLives() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      WeakReference<Object> engine = writeOnceAndClose(pool);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (engine.get() != null && System.nanoTime() < deadline) {
        System.gc();
        pool.submit(() -> new byte[1 << 20]).get(); // the pool thread stays alive and busy
      }
      assertThat(engine.get()).as("engine reachable from the pool thread's ThreadLocalMap").isNull();
    } finally {
      pool.shutdownNow();
    }
  }

  private static WeakReference<Object> writeOnceAndClose(ExecutorService pool) throws Exception {
    Schema schema =
        Schema.of(ObjectSchema.asymmetric("A").primaryKey("_id", PropertyType.OBJECT_ID));
    IngestRealm realm =
        IngestRealm.open(IngestConfig.builder(schema).storage(new ListUploadLog().storage())
            .build());
    pool.submit(() -> realm.write(tx -> tx.create("A", ObjectId.get()))).get();
    WeakReference<Object> engine = new WeakReference<>(realm.engine());
    realm.close();
    return engine;
  }
}
