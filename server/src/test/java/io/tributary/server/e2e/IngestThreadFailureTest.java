package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.IngestRealm;
import io.tributary.core.SyncTimeoutException;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.server.MemoryIngestSink;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestSink;
import io.tributary.server.testing.TestServer;
import io.tributary.storage.lmdb.LmdbStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's ingest thread dies of an unexpected throwable (here a sink that throws an Error, as
 * an OutOfMemoryError would): the server stops answering /health as healthy, closes every
 * connection with 1011 and every new one at once, so clients back off and retry instead of waiting
 * on a silent connection; nothing is acknowledged, so the client log keeps every object.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IngestThreadFailureTest {
  @TempDir Path dir;

  /** A memory sink whose first commit with objects throws an Error. */
  private static final class BrokenSink implements IngestSink {
    final MemoryIngestSink delegate = new MemoryIngestSink();

    @Override
    public CommitResult commit(IngestBatch batch) {
      if (!batch.records().isEmpty()) {
        throw new Error("simulated ingest failure");
      }
      return delegate.commit(batch);
    }

    @Override
    public Optional<ClientFileRecord> clientFile(long ident) {
      return delegate.clientFile(ident);
    }

    @Override
    public long lastClientFileIdent() {
      return delegate.lastClientFileIdent();
    }

    @Override
    public Optional<String> setting(String key) {
      return delegate.setting(key);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  @Test
  void aDeadIngestThreadClosesConnectionsSoClientsRetryAndKeepTheirLog() throws Exception {
    Path clientDir = dir.resolve("client");
    BrokenSink sink = new BrokenSink();
    try (TestServer server = TestServer.start(sink, b -> {})) {
      try (IngestRealm realm = IngestRealm.open(E2e.realm(clientDir, server.server.baseUrl()).build())) {
        E2e.write(realm, E2e.keys(3, 0, 50));
        E2e.await(() -> !server.server.isRunning(), Duration.ofSeconds(30), "the ingest thread to die");
        long before = realm.connectionCount();
        // each reconnect is closed at once (1011, try again later): the count keeps growing
        E2e.await(() -> realm.connectionCount() >= before + 3, Duration.ofSeconds(30),
            "the client to be closed and reconnect three more times");
        assertThatThrownBy(() -> realm.waitForUploadCompletion(Duration.ofMillis(300)))
            .isInstanceOf(SyncTimeoutException.class);
        assertThat(realm.syncError()).as("1011 is not fatal").isNull();
        assertThat(realm.uploadProgress().pendingObjects()).isEqualTo(50);
      }
    }
    try (var log = LmdbStorage.at(clientDir).open(UploadLogOptions.DEFAULT)) {
      assertThat(log.stats().pendingObjects()).as("nothing acknowledged, nothing lost").isEqualTo(50);
    }
  }
}
