package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.message.DownloadMessage;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.UploadMessage;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.testing.Changesets;
import io.tributary.server.testing.SyncTestClient;
import io.tributary.server.testing.TestServer;
import io.tributary.server.testing.VectorIndex;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Development mode over the network: a server with no schema adopts what realm-core's clients
 * declare (every vector's schema), stores their objects as realm-core created them, persists the
 * adopted schema across restarts, and still refuses a client that contradicts it (225).
 */
class DevelopmentModeTest {
  @TempDir Path dir;

  @Test
  void adoptsEveryVectorSchemaAndStoresItsObjects() throws Exception {
    List<VectorIndex.Vector> vectors = VectorIndex.load().objectVectors();
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir), b -> b.schema(AppSchema.empty()).developmentMode(true))) {
      for (VectorIndex.Vector v : vectors) {
        try (SyncTestClient c = server.connect("dev-" + v.name())) {
          Changesets.bindNewFile(c, 1);
          c.send(new UploadMessage(1, 3, 0, 0, List.of(
              new UploadMessage.Entry(2, 0, Changesets.TS, 0, ByteBuffer.wrap(v.schemaChangeset())),
              new UploadMessage.Entry(3, 0, Changesets.TS, 0, ByteBuffer.wrap(v.dataChangeset())))));
          DownloadMessage ack = c.next(DownloadMessage.class);
          assertThat(ack.uploadClientVersion()).as(v.name()).isEqualTo(3);
        }
        String pk = v.schema().objectClass(v.table()).orElseThrow().primaryKey();
        for (Map<String, io.tributary.server.proto.Value> expected : v.objects()) {
          IngestedObject o = server.store().find(v.table(), expected.get(pk)).orElseThrow();
          assertThat(o.getFieldsMap()).as(v.name()).isEqualTo(expected);
        }
      }
      for (VectorIndex.Vector v : vectors) {
        for (AppSchema.ObjectClass c : v.schema().classes()) {
          assertThat(server.server.schema().objectClass(c.name())).as(v.name()).hasValue(c);
        }
      }
    }
    // adopted and persisted: a restarted server knows the classes; a contradicting client gets 225
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir), b -> b.schema(AppSchema.empty()).developmentMode(true));
        SyncTestClient c = server.connect("dev")) {
      assertThat(server.server.schema().objectClass("PkObjectId")).isPresent();
      Changesets.bindNewFile(c, 1);
      byte[] conflicting = Changesets.of(new io.tributary.protocol.changeset.Instruction.AddTable("PkObjectId",
          io.tributary.protocol.changeset.TableType.TOP_LEVEL_ASYMMETRIC, "_id",
          io.tributary.protocol.changeset.PayloadType.INT, false));
      c.send(Changesets.upload(1, Changesets.entry(2, conflicting)));
      JsonErrorMessage e = c.next(JsonErrorMessage.class);
      assertThat(e.errorCode()).isEqualTo(225);
      assertThat(e.body().message()).contains("pk_type=Int", "expected: type=TopLevelAsymmetric pk_field=\"_id\" pk_type=ObjectId");
    }
  }

  @Test
  void aConfiguredSchemaIsExtendedNotContradicted() throws Exception {
    try (TestServer server = TestServer.start(LmdbIngestSink.open(dir), b -> b.developmentMode(true));
        SyncTestClient c = server.connect("u")) {
      Changesets.bindNewFile(c, 1);
      byte[] extra = Changesets.of(new io.tributary.protocol.changeset.Instruction.AddColumn("Reading", "note",
          io.tributary.protocol.changeset.ColumnType.STRING, true,
          io.tributary.protocol.changeset.CollectionType.SINGLE, null, null));
      ObjectId id = ObjectId.get();
      c.send(Changesets.upload(1, Changesets.entry(2, Changesets.schema()), Changesets.entry(3, extra),
          Changesets.entry(4, Changesets.readings(id))));
      assertThat(c.next(DownloadMessage.class).uploadClientVersion()).isEqualTo(4);
      assertThat(server.server.schema().objectClass("Reading").orElseThrow().property("note")).isPresent();
      assertThat(server.store().find("Reading", Values.objectId(id)).orElseThrow().getFieldsOrThrow("note"))
          .isEqualTo(Values.nullValue());
    }
    assertThat(TestServer.READING.objectClass("Reading").orElseThrow().property("note")).isEmpty();
  }
}
