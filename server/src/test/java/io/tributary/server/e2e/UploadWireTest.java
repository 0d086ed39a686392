package io.tributary.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.IngestRealm;
import io.tributary.protocol.ObjectId;
import io.tributary.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the client puts on the wire, read from the WebSocket frames a {@link TcpProxy} passes
 * between a real client and a real server: a backlog goes out as several UPLOADs in flight at once,
 * within the window of unacknowledged bytes; each UPLOAD carries about the batch limit (128 KiB
 * soft); bodies over 1 KiB are zlib-compressed (smaller), small ones are sent as they are.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UploadWireTest {
  private static final int BATCH = 128 * 1024;
  private static final long WINDOW = 512 * 1024;
  /** Bigger than one transaction's entry (100 Readings: about 17 KB) in the UPLOAD body. */
  private static final int ONE_ENTRY_MAX = 24 * 1024;

  @TempDir Path dir;

  /** One client UPLOAD as seen on the wire. */
  private record Upload(boolean compressed, long body, long compressedBody, long progressClientVersion,
      long length, int headerLength) {
    static Upload parse(TcpProxy.WsMessage m) {
      String[] f = m.firstLine().split(" ");
      assertThat(f).as(m.firstLine()).hasSize(8);
      return new Upload(f[2].equals("1"), Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]),
          m.length(), m.firstLine().length() + 1);
    }
  }

  @Test
  void aBacklogGoesOutInSeveralCompressedBatchesInFlightWithinTheWindow() throws Exception {
    try (TestServer server = TestServer.lmdb(dir.resolve("server"));
        TcpProxy proxy = new TcpProxy(server.server.address(), 3)) {
      List<ObjectId> committed = new ArrayList<>();
      proxy.refuse(true); // offline while the backlog builds up
      try (IngestRealm realm = IngestRealm.open(E2e.realm(dir.resolve("client"), proxy.baseUrl())
          .syncOptions(E2e.quickRetries().maxBytesInFlight(WINDOW).build())
          .build())) {
        for (int t = 0; t < 200; t++) {
          List<ObjectId> keys = E2e.keys(5, t * 100, t * 100 + 100);
          E2e.write(realm, keys);
          committed.addAll(keys);
        }
        proxy.refuse(false);
        realm.waitForUploadCompletion(Duration.ofSeconds(60));
        int backlogMessages = proxy.syncMessages().size();
        // then one small transaction on the open connection
        List<ObjectId> one = E2e.keys(5, 1_000_000, 1_000_001);
        E2e.write(realm, one);
        committed.addAll(one);
        realm.waitForUploadCompletion(Duration.ofSeconds(30));
        assertThat(realm.syncError()).isNull();

        List<TcpProxy.WsMessage> messages = proxy.syncMessages();
        List<Upload> backlog = new ArrayList<>();
        List<Upload> all = new ArrayList<>();
        long bytesSent = 0;
        int maxInFlight = 0;
        long maxBytesInFlight = 0;
        List<Upload> unacked = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
          TcpProxy.WsMessage m = messages.get(i);
          if (m.fromClient() && m.firstLine().startsWith("upload ")) {
            Upload u = Upload.parse(m);
            if (u.body() == 0) {
              continue; // progress only
            }
            all.add(u);
            if (i < backlogMessages) {
              backlog.add(u);
            }
            bytesSent += u.body();
            unacked.add(u);
            maxInFlight = Math.max(maxInFlight, unacked.size());
            maxBytesInFlight = Math.max(maxBytesInFlight, unacked.stream().mapToLong(Upload::body).sum());
          } else if (!m.fromClient() && m.firstLine().startsWith("download ")) {
            long uploadClientVersion = Long.parseLong(m.firstLine().split(" ")[6]);
            unacked.removeIf(u -> u.progressClientVersion() <= uploadClientVersion);
          }
        }
        System.out.println("uploads: " + all.size() + ", body bytes: " + bytesSent + ", most in flight: "
            + maxInFlight + " (" + maxBytesInFlight + " bytes)");

        // batches of about 128 KiB: every backlog UPLOAD but the last is nearly full, none is much larger
        assertThat(bytesSent).isGreaterThan(8L * BATCH);
        assertThat(backlog).allSatisfy(u -> assertThat(u.body()).isLessThanOrEqualTo(BATCH + ONE_ENTRY_MAX));
        assertThat(backlog.subList(0, backlog.size() - 1))
            .allSatisfy(u -> assertThat(u.body()).isGreaterThanOrEqualTo(BATCH - ONE_ENTRY_MAX));
        // several UPLOADs in flight, never much more than the window
        assertThat(maxInFlight).isGreaterThanOrEqualTo(2);
        assertThat(maxBytesInFlight).isLessThanOrEqualTo(WINDOW + BATCH + ONE_ENTRY_MAX);
        // compressed above 1 KiB (and smaller for it), sent as is below; the frame holds exactly that
        for (Upload u : all) {
          if (u.body() > 1024) {
            assertThat(u.compressed()).as("%s", u).isTrue();
            assertThat(u.compressedBody()).as("%s", u).isLessThan(u.body());
            assertThat(u.length()).isEqualTo(u.headerLength() + u.compressedBody());
          } else {
            assertThat(u.compressed()).as("%s", u).isFalse();
            assertThat(u.compressedBody()).isZero();
            assertThat(u.length()).isEqualTo(u.headerLength() + u.body());
          }
        }
        assertThat(all.get(all.size() - 1).body()).as("the one-object UPLOAD").isLessThanOrEqualTo(1024);
      }
      E2e.assertExactlyOnce(server.store(), committed);
    }
  }

  @Test
  void aChangesetLargerThanTheBatchGoesAloneInOneCompressedUpload() throws Exception {
    try (TestServer server = TestServer.lmdb(dir.resolve("server"));
        TcpProxy proxy = new TcpProxy(server.server.address(), 5)) {
      List<ObjectId> big = E2e.keys(5, 0, 20_000); // one transaction, about 3.3 MB
      List<ObjectId> small = E2e.keys(5, 20_000, 20_010);
      proxy.refuse(true); // everything waits in the log, so it could share an UPLOAD
      try (IngestRealm realm = IngestRealm.open(E2e.realm(dir.resolve("client"), proxy.baseUrl()).build())) {
        E2e.write(realm, big);
        E2e.write(realm, small);
        proxy.refuse(false);
        realm.waitForUploadCompletion(Duration.ofSeconds(60));
        assertThat(realm.syncError()).isNull();
      }
      List<Upload> uploads = proxy.syncMessages().stream()
          .filter(m -> m.fromClient() && m.firstLine().startsWith("upload "))
          .map(Upload::parse)
          .filter(u -> u.body() > 0)
          .toList();
      // a batch never grows past the limit by adding an entry (UploadLog.read), so the schema
      // changeset before the big one and the small one after it each go in their own UPLOAD
      assertThat(uploads).hasSize(3);
      assertThat(uploads.get(0).body()).isLessThan(1024);
      Upload alone = uploads.get(1);
      assertThat(alone.body()).isGreaterThan(3_000_000L);
      assertThat(alone.compressed()).isTrue();
      assertThat(alone.compressedBody()).isLessThan(alone.body());
      assertThat(alone.length()).isEqualTo(alone.headerLength() + alone.compressedBody());
      assertThat(uploads.get(2).body()).isLessThan(BATCH);
      assertThat(uploads).extracting(Upload::progressClientVersion).containsExactly(1L, 2L, 3L);
      List<ObjectId> all = new ArrayList<>(big);
      all.addAll(small);
      E2e.assertExactlyOnce(server.store(), all);
    }
  }
}
