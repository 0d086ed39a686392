package io.tributary.server;

import static io.tributary.server.testing.Changesets.bindNewFile;
import static io.tributary.server.testing.Changesets.entry;
import static io.tributary.server.testing.Changesets.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.SyncTransportException;
import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.changeset.CollectionType;
import io.tributary.protocol.changeset.ColumnType;
import io.tributary.protocol.changeset.Instruction;
import io.tributary.protocol.changeset.Payload;
import io.tributary.protocol.changeset.PrimaryKey;
import io.tributary.protocol.message.BindMessage;
import io.tributary.protocol.message.BindParameters;
import io.tributary.protocol.message.ClientIdentMessage;
import io.tributary.protocol.message.DownloadMessage;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.MarkMessage;
import io.tributary.protocol.message.ServerIdentMessage;
import io.tributary.protocol.message.UnbindMessage;
import io.tributary.protocol.message.UnboundMessage;
import io.tributary.protocol.message.UploadMessage;
import io.tributary.server.auth.AuthConfig;
import io.tributary.server.internal.auth.TokenService;
import io.tributary.server.testing.Changesets;
import io.tributary.server.testing.SyncTestClient;
import io.tributary.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input over real sockets: each gets the error and action of spec protocol.md §10.4, the
 * connection or session ends as the spec says, and another client of the same server keeps
 * ingesting afterwards.
 */
class BadInputTest {
  @TempDir Path dir;
  private TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(LmdbIngestSink.open(dir), b -> b.maxMessageBytes(64 * 1024).maxBodyBytes(256 * 1024));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  // --- connection-level errors: JSON_ERROR with session 0, then the server closes ---

  @Test
  void malformedHeaderIsConnectionError103() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      c.sendRaw("bind 1 37  0 1 0\n{}".getBytes(StandardCharsets.US_ASCII));
      assertConnectionError(c, ProtocolError.BAD_SYNTAX, ErrorAction.PROTOCOL_VIOLATION);
    }
    assertAnotherClientIngests();
  }

  @Test
  void unknownMessageIsConnectionError102() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      c.sendRaw("transact 1 2\n".getBytes(StandardCharsets.US_ASCII));
      assertConnectionError(c, ProtocolError.UNKNOWN_MESSAGE, ErrorAction.PROTOCOL_VIOLATION);
    }
    assertAnotherClientIngests();
  }

  @Test
  void uploadBeforeIdentIsConnectionError109() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      c.send(BindMessage.flx(1, BindParameters.of(0), true));
      c.next(ServerIdentMessage.class);
      c.send(upload(1, entry(2, Changesets.schema())));
      assertConnectionError(c, ProtocolError.BAD_MESSAGE_ORDER, ErrorAction.PROTOCOL_VIOLATION);
    }
    assertAnotherClientIngests();
  }

  @Test
  void sessionRulesAreConnectionErrors() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      c.send(new MarkMessage(5, 1));
      assertConnectionError(c, ProtocolError.BAD_SESSION_IDENT, ErrorAction.PROTOCOL_VIOLATION);
    }
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      c.send(BindMessage.flx(1, BindParameters.of(0), true));
      assertConnectionError(c, ProtocolError.REUSE_OF_SESSION_IDENT, ErrorAction.PROTOCOL_VIOLATION);
    }
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      c.send(new UnbindMessage(1));
      c.next(UnboundMessage.class);
      c.send(new MarkMessage(1, 1));
      assertConnectionError(c, ProtocolError.BAD_MESSAGE_ORDER, ErrorAction.PROTOCOL_VIOLATION);
    }
    try (SyncTestClient c = server.connect("u")) {
      Changesets.BoundFile id = bindNewFile(c, 1);
      c.send(new ClientIdentMessage(1, id.clientFileIdent(), id.clientFileIdentSalt(), 0, 0, 0, 0, 0, "{}"));
      assertConnectionError(c, ProtocolError.BAD_MESSAGE_ORDER, ErrorAction.PROTOCOL_VIOLATION);
    }
    try (SyncTestClient c = server.connect("u")) {
      Changesets.BoundFile id = bindNewFile(c, 1);
      c.send(BindMessage.flx(2, BindParameters.of(0), false));
      c.send(new ClientIdentMessage(2, id.clientFileIdent(), id.clientFileIdentSalt(), 0, 0, 0, 0, 0, "{}"));
      assertConnectionError(c, ProtocolError.BOUND_IN_OTHER_SESSION, ErrorAction.PROTOCOL_VIOLATION);
    }
    assertAnotherClientIngests();
  }

  @Test
  void zlibBombIsConnectionError110() throws Exception {
    byte[] zeros = new byte[8 << 20];
    byte[] z = deflate(zeros);
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      // declares 1000 bytes: inflating stops there and the stream is not at its end
      byte[] header = ("upload 1 1 1000 " + z.length + " 0 0 0\n").getBytes(StandardCharsets.US_ASCII);
      c.sendRaw(concat(header, z));
      JsonErrorMessage e = assertConnectionError(c, ProtocolError.BAD_DECOMPRESSION, ErrorAction.PROTOCOL_VIOLATION);
      assertThat(e.body().message()).contains("upload");
    }
    assertAnotherClientIngests();
  }

  @Test
  void bodyDeclaredAboveTheLimitIsSessionError201BeforeInflating() throws Exception {
    byte[] z = deflate(new byte[1024]);
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      bindNewFile(c, 2);
      c.sendRaw(concat(("upload 1 1 100000000 " + z.length + " 0 0 0\n").getBytes(StandardCharsets.US_ASCII), z));
      JsonErrorMessage e = c.next(JsonErrorMessage.class);
      assertThat(e.errorCode()).isEqualTo(201);
      assertThat(e.sessionIdent()).isEqualTo(1);
      assertThat(e.body().action()).isEqualTo(ErrorAction.APPLICATION_BUG);
      assertThat(e.body().tryAgain()).isFalse();
      assertThat(e.body().message()).contains("maxBodySize");
      // the other session of the same connection goes on
      assertBoundSessionIngests(c, 2);
    }
  }

  @Test
  void oversizeMessageIsConnectionError101NotACrashingCode() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      byte[] big = new byte[100_000]; // above maxMessageBytes (64 KiB): refused before it is read
      byte[] header = ("upload 1 0 " + (big.length - 30) + " 0 3 0 0\n").getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(header, 0, big, 0, header.length);
      c.sendRaw(big);
      JsonErrorMessage e = c.next(JsonErrorMessage.class);
      assertThat(e.errorCode()).isEqualTo(101);
      assertThat(e.sessionIdent()).isZero();
      assertThat(e.body().tryAgain()).isFalse();
      assertThat(c.awaitClosed()).as("close code: 1008, never 1009 (client reset)").isEqualTo(1008);
    }
    assertThat(server.store().objectCount()).isZero();
    assertAnotherClientIngests();
  }

  // --- session-level errors: JSON_ERROR for the session; no UNBOUND after it; others go on ---

  @Test
  void erasingAnObjectIsSessionError212AndOtherSessionsGoOn() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      bindNewFile(c, 2);
      PrimaryKey k = PrimaryKey.of(ObjectId.get());
      byte[] erase = Changesets.of(new Instruction.CreateObject("Reading", k), new Instruction.EraseObject("Reading", k));
      c.send(upload(1, entry(2, Changesets.schema()), entry(3, erase)));
      assertSessionError(c, 1, ProtocolError.BAD_CHANGESET, "EraseObject");
      // no UNBOUND after a session error: UNBIND just frees the ident
      c.send(new UnbindMessage(1));
      assertBoundSessionIngests(c, 2);
      assertThat(c.poll(Duration.ofMillis(100))).isNull();
    }
    assertThat(server.store().objectCount()).isEqualTo(1);
  }

  @Test
  void aBadChangesetAfterGoodOnesStoresNothingOfItsUploadButKeepsOtherSessionsObjects() throws Exception {
    // the engine writes each changeset's objects straight into its round's buffer: a rejected
    // UPLOAD must take back exactly its own (here after another session's, likely in the same round)
    ObjectId kept = ObjectId.get();
    ObjectId dropped = ObjectId.get();
    PrimaryKey k = PrimaryKey.of(ObjectId.get());
    byte[] erase = Changesets.of(new Instruction.CreateObject("Reading", k), new Instruction.EraseObject("Reading", k));
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      bindNewFile(c, 2);
      c.send(upload(2, entry(2, Changesets.schema()), entry(3, Changesets.readings(kept))));
      c.send(upload(1, entry(2, Changesets.schema()), entry(3, Changesets.readings(dropped)), entry(4, erase)));
      boolean acked = false;
      boolean refused = false;
      for (int i = 0; i < 2; i++) {
        var m = c.next();
        if (m instanceof DownloadMessage d) {
          assertThat(d.sessionIdent()).isEqualTo(2);
          acked = true;
        } else {
          JsonErrorMessage e = (JsonErrorMessage) m;
          assertThat(e.sessionIdent()).isEqualTo(1);
          assertThat(e.errorCode()).isEqualTo(ProtocolError.BAD_CHANGESET.code());
          refused = true;
        }
      }
      assertThat(acked && refused).isTrue();
    }
    assertThat(server.store().find("Reading", Values.objectId(kept))).isPresent();
    assertThat(server.store().find("Reading", Values.objectId(dropped))).isEmpty();
    assertThat(server.store().objectCount()).isEqualTo(1);
    assertAnotherClientIngests();
    assertThat(server.store().objectCount()).isEqualTo(2);
  }

  @Test
  void updatingAnObjectNotCreatedInTheChangesetIsSessionError212() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      byte[] update = Changesets.of(Instruction.Update.of("Reading", PrimaryKey.of(ObjectId.get()), "sensor", List.of(),
          new Payload.StringValue("x"), false));
      c.send(upload(1, entry(2, Changesets.schema()), entry(3, update)));
      assertSessionError(c, 1, ProtocolError.BAD_CHANGESET, "object not created in this changeset");
    }
    assertThat(server.store().objectCount()).isZero();
    assertAnotherClientIngests();
  }

  @Test
  void schemaMismatchIsSessionError225() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      byte[] schema = Changesets.of(
          new Instruction.AddColumn("Reading", "value", ColumnType.STRING, false, CollectionType.SINGLE, null, null));
      c.send(upload(1, entry(2, schema)));
      assertSessionError(c, 1, ProtocolError.INVALID_SCHEMA_CHANGE, "AddColumn Reading.value");
    }
    assertAnotherClientIngests();
  }

  @Test
  void nonZeroOriginFileIdentIsSessionError216() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      c.send(new UploadMessage(1, 2, 0, 0,
          List.of(new UploadMessage.Entry(2, 0, Changesets.TS, 9, java.nio.ByteBuffer.wrap(Changesets.schema())))));
      JsonErrorMessage e = assertSessionError(c, 1, ProtocolError.BAD_ORIGIN_FILE_IDENT, "origin_file_ident 9");
      assertThat(e.body().action()).isEqualTo(ErrorAction.PROTOCOL_VIOLATION);
    }
    assertAnotherClientIngests();
  }

  @Test
  void unknownFileAndWrongSaltForceNothingButTheirSession() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      c.send(BindMessage.flx(1, BindParameters.of(0), false));
      c.send(new ClientIdentMessage(1, 999, 5, 0, 0, 0, 0, 0, "{}"));
      JsonErrorMessage e = assertSessionError(c, 1, ProtocolError.BAD_CLIENT_FILE_IDENT, "999");
      assertThat(e.body().action()).isEqualTo(ErrorAction.CLIENT_RESET);
      Changesets.BoundFile id = bindNewFile(c, 2);
      c.send(BindMessage.flx(3, BindParameters.of(0), false));
      c.send(new ClientIdentMessage(3, id.clientFileIdent(), id.clientFileIdentSalt() ^ 1, 0, 0, 0, 0, 0, "{}"));
      assertSessionError(c, 3, ProtocolError.DIVERGING_HISTORIES, "salt");
      assertBoundSessionIngests(c, 2);
    }
  }

  @Test
  void aFileOfAnotherUserIsSessionError223() throws Exception {
    Changesets.BoundFile id;
    try (SyncTestClient c = server.connect("alice")) {
      id = bindNewFile(c, 1);
    }
    try (SyncTestClient c = server.connect("bob")) {
      c.send(BindMessage.flx(1, BindParameters.of(0), false));
      c.send(new ClientIdentMessage(1, id.clientFileIdent(), id.clientFileIdentSalt(), 0, 0, 0, 0, 0, "{}"));
      assertSessionError(c, 1, ProtocolError.USER_MISMATCH, "another user");
    }
  }

  @Test
  void progressRulesOfAnUpload() throws Exception {
    try (SyncTestClient c = server.connect("u")) {
      bindNewFile(c, 1);
      // progress_server_version above any download server version sent
      c.send(new UploadMessage(1, 2, 50, 0, List.of(entry(2, Changesets.schema()))));
      assertSessionError(c, 1, ProtocolError.BAD_SERVER_VERSION, "progress_server_version 50");
      bindNewFile(c, 2);
      // entries not increasing
      c.send(new UploadMessage(2, 5, 0, 0, List.of(entry(5, Changesets.schema()), entry(4, Changesets.readings()))));
      assertSessionError(c, 2, ProtocolError.BAD_CLIENT_VERSION, "client_version 4");
      bindNewFile(c, 3);
      // last entry above progress
      c.send(new UploadMessage(3, 1, 0, 0, List.of(entry(2, Changesets.schema()))));
      assertSessionError(c, 3, ProtocolError.BAD_CLIENT_VERSION, "above progress_client_version");
      assertSessionIngests(c, 4);
    }
  }

  // --- the upgrade: HTTP status, never a session error that crashes realm-core ---

  @Test
  void badTokensAreRefusedWith401AtTheUpgrade() throws Exception {
    assertUpgradeRefused(server.token("u").replace('.', '!'), 401);
    assertUpgradeRefused("not-a-jwt", 401);
    assertUpgradeRefused(null, 401);
    // signed with another secret
    TokenService other = new TokenService(AuthConfig.newBuilder().tokenSecret("another-secret-0123456789").build(),
        TestServer.APP);
    assertUpgradeRefused(other.issueAccess("anon-user", "x", Map.of()), 401);
    // a refresh token is not an access token
    assertUpgradeRefused(server.tokens.issueRefresh("anon-user", "x", Map.of()), 401);
    // expired: issued an hour ago with a 30 min lifetime
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), java.time.ZoneOffset.UTC);
    TokenService old = new TokenService(AuthConfig.newBuilder().tokenSecret(TestServer.SECRET).clock(past).build(),
        TestServer.APP);
    assertUpgradeRefused(old.issueAccess("anon-user", "x", Map.of()), 401);
    assertAnotherClientIngests();
  }

  @Test
  void wrongAppIdIs404AndATokenOfAnotherAppIs403() throws Exception {
    String otherApp = server.server.syncUrl().replace(TestServer.APP, "other-app");
    assertThatThrownBy(() -> SyncTestClient.connect(otherApp, server.token("u")))
        .isInstanceOfSatisfying(SyncTransportException.HandshakeException.class,
            e -> assertThat(e.httpStatus()).isEqualTo(404));
    TokenService foreign = new TokenService(AuthConfig.newBuilder().tokenSecret(TestServer.SECRET).build(), "other-app");
    assertUpgradeRefused(foreign.issueAccess("anon-user", "x", Map.of()), 403);
    assertAnotherClientIngests();
  }

  @Test
  void aTokenExpiringOnAnOpenConnectionClosesItWith4001() throws Exception {
    // issued 30 min minus 3 s ago: valid for 3 more seconds (with 1 s, a loaded machine once took
    // longer than that to finish the upgrade, which the server then refused with 401)
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(30)).plusSeconds(3), java.time.ZoneOffset.UTC);
    TokenService soon = new TokenService(AuthConfig.newBuilder().tokenSecret(TestServer.SECRET).clock(past).build(),
        TestServer.APP);
    try (SyncTestClient c = SyncTestClient.connect(server.server.syncUrl(), soon.issueAccess("anon-user", "x", Map.of()))) {
      assertThat(c.awaitClosed()).isEqualTo(4001);
    }
  }

  // --- helpers ---

  private void assertUpgradeRefused(String token, int status) {
    assertThatThrownBy(() -> SyncTestClient.connect(server.server.syncUrl(), token))
        .isInstanceOfSatisfying(SyncTransportException.HandshakeException.class,
            e -> assertThat(e.httpStatus()).isEqualTo(status));
  }

  static JsonErrorMessage assertConnectionError(SyncTestClient c, ProtocolError error, ErrorAction action)
      throws Exception {
    JsonErrorMessage e = c.next(JsonErrorMessage.class);
    assertThat(e.errorCode()).as(e.body().message()).isEqualTo(error.code());
    assertThat(e.sessionIdent()).isZero();
    assertThat(e.body().action()).isEqualTo(action);
    assertThat(e.body().tryAgain()).isFalse();
    assertThat(c.awaitClosed()).as("the server closes after a connection-level error").isEqualTo(1000);
    return e;
  }

  static JsonErrorMessage assertSessionError(SyncTestClient c, long session, ProtocolError error, String text)
      throws Exception {
    JsonErrorMessage e = c.next(JsonErrorMessage.class);
    assertThat(e.errorCode()).as(e.body().message()).isEqualTo(error.code());
    assertThat(e.sessionIdent()).isEqualTo(session);
    assertThat(e.body().tryAgain()).isFalse();
    assertThat(e.body().message()).contains(text);
    assertThat(c.isClosed()).isFalse();
    return e;
  }

  /** Session {@code session} (not yet bound) binds a new file and uploads one object. */
  void assertSessionIngests(SyncTestClient c, long session) throws Exception {
    bindNewFile(c, session);
    assertBoundSessionIngests(c, session);
  }

  /** Session {@code session}, bound to a new file, uploads one object. */
  void assertBoundSessionIngests(SyncTestClient c, long session) throws Exception {
    ObjectId id = ObjectId.get();
    c.send(upload(session, entry(2, Changesets.schema()), entry(3, Changesets.readings(id))));
    DownloadMessage ack = c.next(DownloadMessage.class);
    assertThat(ack.sessionIdent()).isEqualTo(session);
    assertThat(ack.uploadClientVersion()).isEqualTo(3);
    assertThat(ack.downloadClientVersion()).isEqualTo(3);
    assertThat(server.store().find("Reading", Values.objectId(id))).isPresent();
  }

  /** A fresh client on a fresh connection completes an upload. */
  void assertAnotherClientIngests() throws Exception {
    try (SyncTestClient c = server.connect("another")) {
      assertSessionIngests(c, 1);
    }
  }

  static ObjectId[] manyIds(int n) {
    ObjectId[] ids = new ObjectId[n];
    for (int i = 0; i < n; i++) {
      ids[i] = ObjectId.get();
    }
    return ids;
  }

  static byte[] deflate(byte[] data) {
    Deflater d = new Deflater(1);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
