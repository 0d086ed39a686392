package io.tributary.server.testing;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.CollectionType;
import io.tributary.protocol.changeset.ColumnType;
import io.tributary.protocol.changeset.Instruction;
import io.tributary.protocol.changeset.Payload;
import io.tributary.protocol.changeset.PayloadType;
import io.tributary.protocol.changeset.PrimaryKey;
import io.tributary.protocol.changeset.TableType;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.BindParameters;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.DownloadMessage;
import io.tributary.protocol.message.ServerIdentMessage;
import io.tributary.protocol.message.UploadMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Builds changesets and messages for the Reading schema of {@link TestServer}. */
public final class Changesets {
  /** Origin timestamp used in built UPLOADs (2024-01-01 in ms since 2015). */
  public static final long TS = 283996800000L;

  private Changesets() {}

  /** Writes instructions as a changeset. */
  public static byte[] of(Instruction... instructions) {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    for (Instruction i : instructions) {
      w.write(i, null);
    }
    w.finish();
    return sink.toByteArray();
  }

  /** The Reading schema as realm-core declares it (Location and the location link included). */
  public static byte[] schema() {
    return of(
        new Instruction.AddTable("Location", TableType.EMBEDDED, null, null, false),
        new Instruction.AddTable("Reading", TableType.TOP_LEVEL_ASYMMETRIC, "_id", PayloadType.OBJECT_ID, false),
        new Instruction.AddColumn("Location", "lat", ColumnType.DOUBLE, false, CollectionType.SINGLE, null, null),
        new Instruction.AddColumn("Location", "lon", ColumnType.DOUBLE, false, CollectionType.SINGLE, null, null),
        new Instruction.AddColumn("Reading", "sensor", ColumnType.STRING, false, CollectionType.SINGLE, null, null),
        new Instruction.AddColumn("Reading", "value", ColumnType.DOUBLE, false, CollectionType.SINGLE, null, null),
        new Instruction.AddColumn("Reading", "ts", ColumnType.TIMESTAMP, false, CollectionType.SINGLE, null, null),
        new Instruction.AddColumn("Reading", "location", ColumnType.LINK, true, CollectionType.SINGLE, "Location", null));
  }

  /** Reading objects with sensor {@code "s-<n>"} and value n. */
  public static byte[] readings(ObjectId... ids) {
    List<Instruction> list = new ArrayList<>();
    int n = 0;
    for (ObjectId id : ids) {
      PrimaryKey k = PrimaryKey.of(id);
      list.add(new Instruction.CreateObject("Reading", k));
      list.add(Instruction.Update.of("Reading", k, "sensor", List.of(), new Payload.StringValue("s-" + n), false));
      list.add(Instruction.Update.of("Reading", k, "value", List.of(), Payload.DoubleValue.of(n), false));
      n++;
    }
    return of(list.toArray(new Instruction[0]));
  }

  /** An UPLOAD entry. */
  public static UploadMessage.Entry entry(long clientVersion, byte[] changeset) {
    return new UploadMessage.Entry(clientVersion, 0, TS, 0, ByteBuffer.wrap(changeset));
  }

  /** An UPLOAD with progress = the last entry's client version. */
  public static UploadMessage upload(long session, UploadMessage.Entry... entries) {
    long progress = entries.length == 0 ? 0 : entries[entries.length - 1].clientVersion();
    return new UploadMessage(session, progress, 0, 0, List.of(entries));
  }

  /**
   * A client file bound on a session.
   *
   * @param ident the server's IDENT
   * @param download the last DOWNLOAD the client persisted
   */
  public record BoundFile(ServerIdentMessage ident, DownloadMessage download) {
    public long clientFileIdent() {
      return ident.clientFileIdent();
    }

    public long clientFileIdentSalt() {
      return ident.clientFileIdentSalt();
    }

    /** The IDENT a client that persisted {@link #download()} sends on {@code session}. */
    public ClientIdentMessage reident(long session) {
      return reident(session, download);
    }

    /** The IDENT a client that persisted {@code d} sends on {@code session}. */
    public ClientIdentMessage reident(long session, DownloadMessage d) {
      return new ClientIdentMessage(session, ident.clientFileIdent(), ident.clientFileIdentSalt(),
          d.downloadServerVersion(), d.downloadClientVersion(), d.latestServerVersion(), d.latestServerVersionSalt(),
          0, "{}");
    }
  }

  /**
   * Binds a new file on {@code session}: BIND (need ident), IDENT, IDENT, and the bootstrap
   * DOWNLOAD.
   *
   * @return the allocated client file ident and salt
   */
  public static BoundFile bindNewFile(SyncTestClient client, long session) throws InterruptedException {
    client.send(BindMessage.flx(session, BindParameters.of(0), true));
    ServerIdentMessage ident = client.next(ServerIdentMessage.class);
    client.send(new ClientIdentMessage(session, ident.clientFileIdent(), ident.clientFileIdentSalt(), 0, 0, 0, 0, 0, "{}"));
    DownloadMessage d = client.next(DownloadMessage.class);
    if (d.batchState() != DownloadMessage.BatchState.LAST_IN_BATCH) {
      throw new AssertionError("expected the query-version-0 bootstrap, got " + d);
    }
    return new BoundFile(ident, d);
  }
}
