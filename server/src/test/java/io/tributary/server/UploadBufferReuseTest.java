package io.tributary.server;

import static io.tributary.server.testing.Changesets.entry;
import static io.tributary.server.testing.Changesets.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.message.DownloadMessage;
import io.tributary.server.testing.Changesets;
import io.tributary.server.testing.SyncTestClient;
import io.tributary.server.testing.TestServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UPLOADs are copied into reused arrays, usually longer than the message and holding the tail of
 * an earlier, longer one: the engine reads each message by its own length, never the array's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UploadBufferReuseTest {

  @Test
  void uploadsOfFallingSizesInReusedArraysAreEachIngestedExactly() throws Exception {
    MemoryIngestSink sink = new MemoryIngestSink();
    try (TestServer server = TestServer.start(sink, b -> {});
        SyncTestClient c = server.connect("u")) {
      Changesets.bindNewFile(c, 1);
      c.send(upload(1, entry(2, Changesets.schema())));
      assertThat(c.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(2);
      long version = 2;
      int objects = 0;
      // one at a time, so each array is given back before the next message takes one: the sizes
      // fall slowly through the size classes, every message lands in an array of a longer one
      for (int n = 60; n >= 1; n--) {
        ObjectId[] ids = new ObjectId[n];
        for (int i = 0; i < n; i++) {
          ids[i] = ObjectId.get();
        }
        c.send(upload(1, entry(++version, Changesets.readings(ids))));
        assertThat(c.next(DownloadMessage.class).uploadClientVersion()).as("upload of %d objects", n)
            .isEqualTo(version);
        objects += n;
      }
      assertThat(sink.objectCount()).isEqualTo(objects);
      assertThat(server.server.metrics().uploads()).isEqualTo(version - 1);
    }
  }
}
