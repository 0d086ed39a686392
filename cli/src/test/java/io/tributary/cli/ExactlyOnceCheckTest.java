package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.Credentials;
import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.core.spi.Durability;
import io.tributary.server.IngestServer;
import io.tributary.server.IngestServerConfig;
import io.tributary.server.IngestStore;
import io.tributary.server.MemoryIngestSink;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.storage.lmdb.LmdbStorage;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof can fail: it is run against a real server's store after a real device uploaded, and
 * must reject a missing object, a duplicate, an object under the wrong client file, and a device
 * whose writes never left its log.
 */
class ExactlyOnceCheckTest {
  private static final String APP = "check-test";
  @TempDir static Path dir;
  private static IngestServer server;
  private static SensorSchema keys;
  private static ExactlyOnceCheck.DeviceLog uploaded;

  /** One device uploads 120 readings to a server with a memory store. */
  @BeforeAll
  static void uploadOneDevice() throws Exception {
    server = IngestServer.start(IngestServerConfig.newBuilder().appId(APP).host("127.0.0.1").port(0)
        .workerThreads(1).schema(SensorSchema.SERVER).sink(new MemoryIngestSink())
        .auth(AuthConfig.newBuilder().tokenSecret("0123456789abcdef0123456789abcdef").build()).build());
    keys = SensorSchema.newRun();
    Path logDir = dir.resolve("device-1");
    try (SensorDevice d = SensorDevice.open(0, logDir, keys, URI.create(server.baseUrl()), APP,
        Credentials.anonymous(), Durability.OS_FLUSH, null)) {
      for (int i = 0; i < 4; i++) {
        d.writeBatch(30);
      }
      d.waitForUploadCompletion(Duration.ofSeconds(30));
    }
    LogFiles.Snapshot s = LogFiles.snapshot(logDir);
    uploaded = new ExactlyOnceCheck.DeviceLog("device-1", logDir, 120, s.metadata().clientFileIdent(),
        s.stats().entryCount(), s.stats().pendingObjects());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void passesOnTheUploadedStore() {
    ExactlyOnceCheck.Result r = ExactlyOnceCheck.verify(server.store(), 0, 0, keys, List.of(uploaded));
    assertThat(r.problems()).isEmpty();
    assertThat(r.passed()).isTrue();
    assertThat(r.exactlyOnce()).isEqualTo(120);
    assertThat(r.scanned()).isEqualTo(120);
    assertThat(r.countDelta()).isEqualTo(120);
    assertThat(r.indexMisses()).isZero();
  }

  @Test
  void failsWhenAnObjectIsMissing() {
    String lost = keys.key(0, 57).toHexString();
    IngestStore view = new View(server.store()) {
      @Override
      boolean hide(IngestedObject o) {
        return o.getPrimaryKey().getObjectIdValue().equals(lost);
      }
    };
    ExactlyOnceCheck.Result r = ExactlyOnceCheck.verify(view, 0, 0, keys, List.of(uploaded));
    assertThat(r.passed()).isFalse();
    assertThat(r.missing()).isEqualTo(1);
    assertThat(r.exactlyOnce()).isEqualTo(119);
    assertThat(r.problems()).contains("device-1: 1 of 120 written objects missing (first: write #57, _id " + lost + ")");
  }

  @Test
  void failsWhenAnObjectIsStoredTwice() {
    IngestStore view = new View(server.store()) {
      @Override
      int copies(IngestedObject o) {
        return SensorSchema.sequence(io.tributary.protocol.ObjectId.fromHex(o.getPrimaryKey().getObjectIdValue()))
            == 3 ? 2 : 1;
      }
    };
    ExactlyOnceCheck.Result r = ExactlyOnceCheck.verify(view, 0, 0, keys, List.of(uploaded));
    assertThat(r.passed()).isFalse();
    assertThat(r.duplicates()).isEqualTo(1);
    assertThat(r.exactlyOnce()).isEqualTo(120);
    assertThat(r.problems()).anyMatch(p -> p.startsWith("1 objects stored more than once (first: Reading _id "
        + keys.key(0, 3).toHexString()));
  }

  @Test
  void failsWhenObjectsCameFromAnotherClientFile() {
    ExactlyOnceCheck.DeviceLog wrongIdent = new ExactlyOnceCheck.DeviceLog("device-1", uploaded.logDir(), 120,
        uploaded.clientFileIdent() + 1, 0, 0);
    ExactlyOnceCheck.Result r = ExactlyOnceCheck.verify(server.store(), 0, 0, keys, List.of(wrongIdent));
    assertThat(r.passed()).isFalse();
    assertThat(r.wrongOrigin()).isEqualTo(120);
  }

  @Test
  void failsForADeviceWhoseWritesWereNeverUploaded() throws Exception {
    // device-2 writes 25 readings into its LMDB log without a server: nothing reaches the store
    Path offlineLog = dir.resolve("device-2");
    try (IngestRealm offline = IngestRealm.open(IngestConfig.builder(SensorSchema.CLIENT)
        .storage(LmdbStorage.at(offlineLog)).build())) {
      offline.write(tx -> {
        for (int i = 0; i < 25; i++) {
          tx.create(SensorSchema.READING, keys.key(1, i)).set("sensor", SensorSchema.sensorName(1))
              .set("value", 1.5).set("ts", Instant.now()).embedded("location").set("lat", 1.0).set("lon", 2.0);
        }
      });
    }
    LogFiles.Snapshot s = LogFiles.snapshot(offlineLog);
    assertThat(s.stats().entryCount()).isEqualTo(2); // the schema changeset and the transaction
    ExactlyOnceCheck.DeviceLog notUploaded = new ExactlyOnceCheck.DeviceLog("device-2", offlineLog, 25,
        s.metadata().clientFileIdent(), s.stats().entryCount(), s.stats().pendingObjects());

    ExactlyOnceCheck.Result r = ExactlyOnceCheck.verify(server.store(), 0, 0, keys, List.of(uploaded, notUploaded));

    assertThat(r.passed()).isFalse();
    assertThat(r.written()).isEqualTo(145);
    assertThat(r.exactlyOnce()).isEqualTo(120);
    assertThat(r.missing()).isEqualTo(25);
    assertThat(r.logEntries()).isEqualTo(2);
    assertThat(r.problems()).contains(
        "device-2: 25 of 25 written objects missing (first: write #0, _id " + keys.key(1, 0).toHexString() + ")",
        "device-2: upload log " + offlineLog + " still holds 2 unacknowledged entries (25 objects) (expected: empty)");
  }

  @Test
  void objectsOfAnotherRunAreExtras() {
    ExactlyOnceCheck.Result r = ExactlyOnceCheck.verify(server.store(), 0, 0, SensorSchema.run(1, 2),
        List.of(new ExactlyOnceCheck.DeviceLog("device-1", uploaded.logDir(), 0, uploaded.clientFileIdent(), 0, 0)));
    assertThat(r.passed()).isFalse();
    assertThat(r.extras()).isEqualTo(120);
  }

  /** A store seen through a filter: objects hidden or repeated in scans. */
  private abstract static class View implements IngestStore {
    private final IngestStore store;

    View(IngestStore store) {
      this.store = store;
    }

    boolean hide(IngestedObject o) {
      return false;
    }

    int copies(IngestedObject o) {
      return 1;
    }

    @Override
    public long objectCount() {
      return store.objectCount();
    }

    @Override
    public SortedMap<String, Long> countByClass() {
      return store.countByClass();
    }

    @Override
    public Optional<IngestedObject> find(String className, Value primaryKey) {
      return store.find(className, primaryKey).filter(o -> !hide(o));
    }

    @Override
    public long scan(long afterSequence, Predicate<IngestedObject> visitor) {
      List<IngestedObject> all = new ArrayList<>();
      long last = store.scan(afterSequence, all::add);
      for (IngestedObject o : all) {
        if (hide(o)) {
          continue;
        }
        for (int i = 0; i < copies(o); i++) {
          if (!visitor.test(o)) {
            return last;
          }
        }
      }
      return last;
    }

    @Override
    public List<ClientFileRecord> clientFiles() {
      return store.clientFiles();
    }
  }
}
