package io.tributary.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.Changeset;
import io.tributary.protocol.changeset.Instruction;
import io.tributary.protocol.changeset.Payload;
import io.tributary.protocol.changeset.PathElement;
import io.tributary.protocol.changeset.PrimaryKey;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.DownloadMessage;
import io.tributary.protocol.message.MarkMessage;
import io.tributary.protocol.message.MessageDecoder;
import io.tributary.protocol.message.PingMessage;
import io.tributary.protocol.message.PongMessage;
import io.tributary.protocol.message.ServerIdentMessage;
import io.tributary.protocol.message.ServerMessage;
import io.tributary.protocol.message.UnbindMessage;
import io.tributary.protocol.message.UnboundMessage;
import io.tributary.protocol.message.UploadCursor;
import io.tributary.protocol.testing.Captures;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replays the client side of a realm-core capture against a real server over a real WebSocket, as
 * the captured client would have behaved with this server: the same messages in the same order,
 * except that the client's IDENT carries the file ident, salt and progress this server gave it
 * (the capture's carry the mock's). Every reply is checked against what realm-core accepts ({@link
 * EmulatedClientFile}), and the objects the uploads create are collected for the caller to look
 * up in the sink.
 *
 * <p>The client sends BIND (and waits for the server's IDENT when it asks for one), then IDENT and
 * every later message without waiting (pipelined), and then reads the replies: exactly those
 * expected, in order, with PONGs allowed anywhere.
 */
public final class CaptureReplay {
  private CaptureReplay() {}

  /** An object a capture's uploads create: its key and the values the client set. */
  public record ExpectedObject(ObjectId id, Map<String, Payload> fields, Map<String, Payload> location) {}

  /**
   * Replays one scenario.
   *
   * @param file the client file's persisted state, updated as the client would (shared by runs of
   *     the same local file)
   * @param loseAcks whether upload acknowledgements are lost (read and checked, but not persisted:
   *     the client went away before storing them)
   * @return the objects created by the changesets the client uploaded in this run
   */
  public static List<ExpectedObject> run(
      TestServer server, String scenario, EmulatedClientFile file, boolean loseAcks, String user) throws Exception {
    List<ExpectedObject> created = new ArrayList<>();
    MessageDecoder decoder = new MessageDecoder(CodecConfig.DEFAULT);
    try (SyncTestClient client = server.connect(user)) {
      ArrayDeque<Runnable> pending = new ArrayDeque<>();
      Set<Long> pings = new HashSet<>();
      long[] lastMarkSent = {0};
      long[] lastMarkReceived = {0};
      Reader reader = new Reader(client, pings);
      for (Captures.Message captured : Captures.clientMessages(scenario)) {
        ClientMessage m;
        if (captured.type().equals("upload")) {
          m = null;
        } else {
          m = decoder.decodeClientMessage(captured.buffer());
        }
        if (m instanceof BindMessage b) {
          boolean need = file.ident == 0;
          client.send(new BindMessage(b.sessionIdent(), b.json(), b.token(), need, false));
          if (need) {
            ServerIdentMessage ident = reader.expect(ServerIdentMessage.class);
            assertThat(ident.sessionIdent()).isEqualTo(b.sessionIdent());
            assertThat(ident.clientFileIdent()).as("idents from 2 (1 is the server's)").isGreaterThanOrEqualTo(2);
            assertThat(ident.clientFileIdentSalt()).isPositive();
            file.ident = ident.clientFileIdent();
            file.salt = ident.clientFileIdentSalt();
          }
        } else if (m instanceof ClientIdentMessage i) {
          client.send(new ClientIdentMessage(i.sessionIdent(), file.ident, file.salt, file.downloadServerVersion,
              file.downloadClientVersion, file.latestServerVersion, file.latestServerVersionSalt, i.queryVersion(),
              i.query()));
          boolean bootstrap = !file.bootstrapped;
          pending.add(() -> {
            DownloadMessage d = reader.expect(DownloadMessage.class);
            assertThat(d.sessionIdent()).isEqualTo(i.sessionIdent());
            assertThat(d.batchState()).isEqualTo(bootstrap ? DownloadMessage.BatchState.LAST_IN_BATCH
                : DownloadMessage.BatchState.STEADY_STATE);
            assertThat(d.entries()).hasSize(bootstrap ? 1 : 0);
            file.accept(d, file.ident, true);
          });
        } else if (m instanceof MarkMessage mark) {
          client.send(mark);
          lastMarkSent[0] = mark.requestIdent();
          pending.add(() -> {
            MarkMessage r = reader.expect(MarkMessage.class);
            assertThat(r).isEqualTo(mark);
            assertThat(r.requestIdent()).as("MARK answered once, in order")
                .isGreaterThan(lastMarkReceived[0]).isLessThanOrEqualTo(lastMarkSent[0]);
            lastMarkReceived[0] = r.requestIdent();
          });
        } else if (m instanceof UnbindMessage u) {
          client.send(u);
          pending.add(() -> assertThat(reader.expect(UnboundMessage.class).sessionIdent()).isEqualTo(u.sessionIdent()));
        } else if (m instanceof PingMessage p) {
          client.send(p);
          pings.add(p.timestampMs());
        } else if (m == null) {
          byte[] bytes = captured.bytes();
          client.sendRaw(bytes);
          UploadSummary up = summarize(bytes, created);
          file.newestLocalVersion = Math.max(file.newestLocalVersion, up.progressClientVersion);
          pending.add(() -> {
            if (up.maxClientVersion > file.seenIntegratedClientVersion) {
              DownloadMessage ack = reader.expect(DownloadMessage.class);
              assertThat(ack.batchState()).isEqualTo(DownloadMessage.BatchState.STEADY_STATE);
              assertThat(ack.entries()).isEmpty();
              assertThat(ack.uploadClientVersion()).as("acknowledges the UPLOAD's progress").isEqualTo(up.progressClientVersion);
              // every client version up to the progress, not only the last changeset's (IngestEngine.upload)
              assertThat(ack.downloadClientVersion()).as("acknowledges every version up to the progress")
                  .isEqualTo(up.progressClientVersion);
              file.accept(ack, file.ident, !loseAcks);
            }
          });
        } else {
          throw new AssertionError("capture message not handled: " + captured);
        }
      }
      while (!pending.isEmpty()) {
        pending.poll().run();
      }
      assertThat(pings).as("every PING answered").isEmpty();
      byte[] extra = client.poll(java.time.Duration.ofMillis(100));
      assertThat(extra).as("no unexpected message").isNull();
    }
    return created;
  }

  /** Reads server messages, answering for PONGs of outstanding PINGs. */
  private static final class Reader {
    private final SyncTestClient client;
    private final Set<Long> pings;

    Reader(SyncTestClient client, Set<Long> pings) {
      this.client = client;
      this.pings = pings;
    }

    <T extends ServerMessage> T expect(Class<T> type) {
      try {
        while (true) {
          ServerMessage m = client.next();
          if (m instanceof PongMessage p && type != PongMessage.class) {
            assertThat(pings.remove(p.timestampMs())).as("PONG " + p.timestampMs() + " answers a PING").isTrue();
            continue;
          }
          assertThat(m).as("expected " + type.getSimpleName()).isInstanceOf(type);
          return type.cast(m);
        }
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private record UploadSummary(long progressClientVersion, long maxClientVersion) {}

  /** Reads an UPLOAD's entries with the protocol module's cursor and collects the objects. */
  private static UploadSummary summarize(byte[] upload, List<ExpectedObject> out) {
    try (UploadCursor c = new UploadCursor(CodecConfig.DEFAULT)) {
      c.wrap(ByteBuffer.wrap(upload));
      long max = 0;
      while (c.next()) {
        max = c.clientVersion();
        collect(Changeset.parse(c.changeset()), out);
      }
      return new UploadSummary(c.progressClientVersion(), max);
    }
  }

  /** The captures' objects: Reading {sensor, value, ts, location {lat, lon}}. */
  static void collect(Changeset cs, List<ExpectedObject> out) {
    Map<PrimaryKey, ExpectedObject> objects = new LinkedHashMap<>();
    for (Instruction i : cs.instructions()) {
      if (i instanceof Instruction.CreateObject c) {
        ObjectId id = ((PrimaryKey.ObjectIdKey) c.key()).value();
        ExpectedObject o = new ExpectedObject(id, new LinkedHashMap<>(), new LinkedHashMap<>());
        objects.put(c.key(), o);
        out.add(o);
      } else if (i instanceof Instruction.Update u) {
        ExpectedObject o = objects.get(u.key());
        if (u.path().isEmpty()) {
          o.fields().put(u.field(), u.value());
        } else {
          o.location().put(((PathElement.Key) u.path().get(0)).key(), u.value());
        }
      }
    }
  }
}
