package io.tributary.transport.netty.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.transport.netty.testing.LeakCheck;
import io.tributary.transport.netty.testing.RawPeer;
import io.tributary.transport.netty.testing.RecordingEdgeHandler;
import io.tributary.transport.netty.testing.TestEdge;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The edge against a hand-written client on a plain socket: realm-core's exact upgrade bytes and
 * frames, fragmentation, control frames and violations.
 */
@ExtendWith(LeakCheck.class)
class EdgeRawClientTest {
  private static final String CAPTURE = "captures/02_ingest_3_objects/";
  private static final String[] C2S = {
    "001-c2s-bind", "003-c2s-ident", "005-c2s-mark", "007-c2s-upload", "009-c2s-unbind"
  };

  private TestEdge server;

  @BeforeEach
  void start() throws Exception {
    server = TestEdge.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String accept(String key) throws Exception {
    byte[] sha1 =
        MessageDigest.getInstance("SHA-1")
            .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(sha1);
  }

  /** A minimal valid upgrade request. */
  private static String upgrade(String path, String protocols) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (protocols == null ? "" : "Sec-WebSocket-Protocol: " + protocols + "\r\n") + "\r\n";
  }

  private RawPeer open(RecordingEdgeHandler[] handler) throws Exception {
    RawPeer peer = RawPeer.connect(server.port());
    peer.write(upgrade("/api/client/v2.0/app/a/realm-sync?baas_at=good-token", String.join(", ", TestEdge.FLX)));
    assertThat(peer.readHead().status()).isEqualTo(101);
    handler[0] = server.nextHandler();
    handler[0].awaitOpen();
    return peer;
  }

  @Test
  void realmCoreUpgradeRequestGetsWhatRealmCoreNeeds() throws Exception {
    byte[] request = RawPeer.resource(CAPTURE + "http_request.bin");
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.write(request);
      RawPeer.Head head = peer.readHead();

      assertThat(head.startLine()).isEqualTo("HTTP/1.1 101 Switching Protocols");
      assertThat(head.all("sec-websocket-protocol")).containsExactly("com.mongodb.realm-query-sync#14");
      String expected = accept("PkJp/vIeoXzSmZlW7KzRyw==");
      assertThat(head.header("sec-websocket-accept")).isEqualTo(expected);
      // the same value the capture's server answered, which realm-core accepted
      assertThat(new String(RawPeer.resource(CAPTURE + "http_response.bin"), StandardCharsets.US_ASCII))
          .contains("Sec-WebSocket-Accept: " + expected + "\r\n");
      assertThat(head.header("upgrade")).isEqualToIgnoringCase("websocket");
      assertThat(head.header("connection")).isEqualToIgnoringCase("upgrade");

      RecordingEdgeHandler h = server.nextHandler();
      assertThat(h.awaitOpen().principal()).isEqualTo("user:test-access-token");
      assertThat(h.awaitOpen().appId()).isEqualTo("tributary-test");
      h.echo = false;
      // realm-core's masked frames, byte for byte, arrive as the messages they carry
      for (String m : C2S) {
        peer.write(RawPeer.resource(CAPTURE + m + ".frame.bin"));
        assertThat(h.messages.poll(10, TimeUnit.SECONDS))
            .as(m)
            .isEqualTo(RawPeer.resource(CAPTURE + m + ".bin"));
      }
      // and what the server sends is one unmasked binary frame per message
      h.awaitOpen().send(ByteBuffer.wrap("ident 1 2 2805127860634914349\n".getBytes(StandardCharsets.US_ASCII)));
      RawPeer.Frame f = peer.readFrame();
      assertThat(f.fin()).isTrue();
      assertThat(f.opcode()).isEqualTo(2);
      assertThat(f.masked()).isFalse();
      assertThat(new String(f.payload(), StandardCharsets.US_ASCII)).isEqualTo("ident 1 2 2805127860634914349\n");

      // realm-core ends with a TCP close, no close frame
      peer.close();
      assertThat(h.awaitClosed()).isEmpty();
    }
  }

  @Test
  void realmCoreAppServicesUpgradeWithAJwtIsAccepted() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.write(RawPeer.resource("captures/15_app_services_login/http_request.bin"));
      RawPeer.Head head = peer.readHead();
      assertThat(head.status()).isEqualTo(101);
      assertThat(head.all("sec-websocket-protocol")).containsExactly("com.mongodb.realm-query-sync#14");
      assertThat(server.nextHandler().awaitOpen().principal()).isEqualTo("jwt-user");
    }
  }

  @Test
  void rejectedUpgradeHasTheJsonErrorShapeRealmCoreParses() throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.write(upgrade("/api/client/v2.0/app/a/realm-sync?baas_at=expired-token", TestEdge.FLX.get(0)));
      RawPeer.Head head = peer.readHead();
      assertThat(head.status()).isEqualTo(401);
      assertThat(head.header("content-type")).isEqualTo("application/json");
      assertThat(peer.readBody(head))
          .isEqualTo("{\"error\":\"access token expired\",\"error_code\":\"InvalidSession\"}");
      assertThat(head.header("connection")).isEqualTo("close");
      assertThat(peer.awaitEof()).isTrue();
    }
    assertThat(server.handlers).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "'com.mongodb.realm-query-sync#2-14', com.mongodb.realm-query-sync#14",
    "'com.mongodb.realm-query-sync#9, com.mongodb.realm-query-sync#20', com.mongodb.realm-query-sync#9",
    "'com.mongodb.realm-sync#14, com.mongodb.realm-query-sync#8-30', com.mongodb.realm-query-sync#14",
  })
  void respondsWithExactlyOneNegotiatedToken(String offered, String chosen) throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.write(upgrade("/api/client/v2.0/app/a/realm-sync?baas_at=good-token", offered));
      RawPeer.Head head = peer.readHead();
      assertThat(head.status()).isEqualTo(101);
      assertThat(head.all("sec-websocket-protocol")).containsExactly(chosen);
      assertThat(server.nextHandler().awaitOpen().protocolVersion())
          .isEqualTo(Integer.parseInt(chosen.substring(chosen.indexOf('#') + 1)));
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "GET /api/client/v2.0/app/a/realm-sync?baas_at=good-token HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n|400|expected a WebSocket upgrade",
        "GET /api/client/v2.0/app/a/realm-sync?baas_at=good-token HTTP/1.1\\r\\nHost: x\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\nSec-WebSocket-Version: 8\\r\\nSec-WebSocket-Key: a2V5\\r\\n\\r\\n|426|Sec-WebSocket-Version: 8 (expected: 13)",
        "GET /api/client/v2.0/app/a/realm-sync?baas_at=good-token HTTP/1.1\\r\\nHost: x\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n|400|Sec-WebSocket-Key: missing",
        "GET /api/client/v2.0/app/a/realm-sync?baas_at=good-token HTTP/1.1\\r\\nHost: x\\r\\nConnection: Upgrade\\r\\nUpgrade: websocket\\r\\nSec-WebSocket-Version: 13\\r\\nSec-WebSocket-Key: a2V5\\r\\n\\r\\n|400|no supported subprotocol in []",
        "POST /api/client/v2.0/app/a/realm-sync HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 0\\r\\n\\r\\n|405|method POST (expected: GET)",
      })
  void malformedUpgradesAreRefusedWithAReason(String request, int status, String reason) throws Exception {
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.write(request.replace("\\r\\n", "\r\n"));
      RawPeer.Head head = peer.readHead();
      assertThat(head.status()).isEqualTo(status);
      assertThat(peer.readBody(head)).contains(reason);
      if (status == 426) {
        assertThat(head.header("sec-websocket-version")).isEqualTo("13");
      }
    }
    assertThat(server.handlers).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0, 2", "1, 1", "125, 3", "126, 2", "65535, 4", "65536, 5", "1048576, 7"})
  void fragmentedClientMessagesAreReassembled(int size, int fragments) throws Exception {
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      h[0].echo = false;
      byte[] payload = new byte[size];
      new Random(size).nextBytes(payload);
      int step = Math.max(1, size / fragments);
      int at = 0;
      for (int i = 0; i < fragments; i++) {
        int end = i == fragments - 1 ? size : Math.min(size, at + step);
        peer.sendFrame(i == fragments - 1, i == 0 ? 2 : 0, Arrays.copyOfRange(payload, at, end), true);
        at = end;
        if (i == 0) {
          // a control frame in the middle of a fragmented message is allowed (RFC 6455 §5.4)
          peer.sendFrame(true, 9, "are you there".getBytes(StandardCharsets.US_ASCII), true);
          RawPeer.Frame pong = peer.readFrame();
          assertThat(pong.opcode()).isEqualTo(10);
          assertThat(new String(pong.payload(), StandardCharsets.US_ASCII)).isEqualTo("are you there");
        }
      }
      assertThat(h[0].messages.poll(10, TimeUnit.SECONDS)).isEqualTo(payload);
      assertThat(h[0].violations).hasValue(0);
    }
  }

  @Test
  void fragmentedMessageOverTheLimitIsRefusedWhileArriving() throws Exception {
    server.close();
    server = TestEdge.start(b -> b.maxMessageBytes(4096));
    byte[] reply = "json_error 101 0 0\n".getBytes(StandardCharsets.US_ASCII);
    server.customize = x -> {
      x.tooLargeReply = reply;
      return x;
    };
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      peer.sendFrame(false, 2, new byte[3000], true);
      peer.sendFrame(false, 0, new byte[1000], true);
      peer.sendFrame(false, 0, new byte[1000], true); // 5000 > 4096

      assertThat(h[0].tooLarge.get(10, TimeUnit.SECONDS)).containsExactly(5000, 4096);
      // what the handler sent from onMessageTooLarge comes first, then the close frame
      RawPeer.Frame error = peer.readFrame();
      assertThat(error.opcode()).isEqualTo(2);
      assertThat(error.payload()).isEqualTo(reply);
      RawPeer.Frame close = peer.readFrame();
      assertThat(close.opcode()).isEqualTo(8);
      assertThat(close.closeCode()).isEqualTo(1008);
      assertThat(close.closeReason()).isEqualTo("message too large: 5000 bytes (limit: 4096 bytes)");
      assertThat(peer.awaitEof()).isTrue();
      assertThat(h[0].awaitClosed()).containsInstanceOf(ProtocolException.class);
      assertThat(h[0].messages).isEmpty();
    }
  }

  @Test
  void oversizeFrameIsRefusedFromItsHeaderAlone() throws Exception {
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      // declares 2^40 bytes and sends none of them: nothing is allocated, the answer is immediate
      peer.write(new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4});
      assertThat(h[0].tooLarge.get(10, TimeUnit.SECONDS)).containsExactly(1L << 40, 32L * 1024 * 1024);
      RawPeer.Frame close = peer.readFrame();
      assertThat(close.closeCode()).isEqualTo(1008);
      assertThat(peer.awaitEof()).isTrue();
    }
  }

  @Test
  void textMessagesAreRefusedWith1003() throws Exception {
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      peer.sendFrame(true, 1, "hello".getBytes(StandardCharsets.US_ASCII), true);
      RawPeer.Frame close = peer.readFrame();
      assertThat(close.closeCode()).isEqualTo(1003);
      assertThat(close.closeReason()).isEqualTo("text messages are not supported");
      Optional<Throwable> cause = h[0].awaitClosed();
      assertThat(cause).containsInstanceOf(ProtocolException.class);
      assertThat(cause.get()).hasMessageContaining("text (expected: binary");
    }
  }

  @Test
  void unmaskedClientFramesAreAProtocolError() throws Exception {
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      peer.sendFrame(true, 2, new byte[] {1, 2, 3}, false);
      RawPeer.Frame close = peer.readFrame();
      assertThat(close.closeCode()).isEqualTo(1002);
      assertThat(close.closeReason()).contains("mask bit 0 (expected: 1");
      assertThat(h[0].awaitClosed()).containsInstanceOf(ProtocolException.class);
      assertThat(h[0].messages).isEmpty();
    }
  }

  @Test
  void aHandlerThatThrowsClosesItsConnectionWith1011() throws Exception {
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      peer.sendFrame(true, 2, "throw".getBytes(StandardCharsets.US_ASCII), true);
      RawPeer.Frame close = peer.readFrame();
      assertThat(close.closeCode()).isEqualTo(1011);
      assertThat(close.closeReason()).isEqualTo("internal error");
      assertThat(h[0].awaitClosed()).containsInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aFactoryThatThrowsIs500AndNoUpgrade() throws Exception {
    server.customize = x -> {
      throw new IllegalStateException("no sessions today");
    };
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.write(upgrade("/api/client/v2.0/app/a/realm-sync?baas_at=good-token", TestEdge.FLX.get(0)));
      RawPeer.Head head = peer.readHead();
      assertThat(head.status()).isEqualTo(500);
      assertThat(peer.readBody(head)).doesNotContain("no sessions today").contains("InternalServerError");
    }
  }

  @Test
  void clientCloseFrameIsEchoedAndTheConnectionEnds() throws Exception {
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      peer.sendFrame(true, 8, new byte[] {0x03, (byte) 0xE8}, true);
      RawPeer.Frame close = peer.readFrame();
      assertThat(close.opcode()).isEqualTo(8);
      assertThat(close.closeCode()).isEqualTo(1000);
      assertThat(peer.awaitEof()).isTrue();
      assertThat(h[0].awaitClosed()).isEmpty();
    }
  }

  @Test
  void aClientThatDoesNotReadMakesTheConnectionUnwritableUntilItDrains() throws Exception {
    server.close();
    server = TestEdge.start(b -> b.writeBufferWaterMark(16 * 1024, 64 * 1024));
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      EdgeConnection c = h[0].awaitOpen();
      ByteBuffer chunk = ByteBuffer.allocate(256 * 1024);
      int sent = 0;
      // keep sending until the handler hears "stop": the socket buffers fill up, then Netty's
      // (isWritable() itself flips back and forth while the kernel still takes the bytes)
      Boolean report = null;
      while (report == null && sent < 256) {
        c.send(chunk);
        sent++;
        report = h[0].writability.poll(50, TimeUnit.MILLISECONDS);
      }
      assertThat(report).isFalse();
      assertThat(c.isWritable()).isFalse();
      assertThat(c.queuedBytes()).isPositive();

      long expected = 0;
      for (int i = 0; i < sent; i++) {
        RawPeer.Frame f = peer.readFrame();
        expected += f.payload().length;
      }
      assertThat(expected).isEqualTo((long) sent * chunk.capacity());
      assertThat(h[0].writability.poll(10, TimeUnit.SECONDS)).isTrue();
      assertThat(c.queuedBytes()).isZero();
      assertThat(h[0].violations).hasValue(0);
    }
  }

  @Test
  void aConnectionThatNeverSendsItsRequestIsClosedAfterTheHandshakeTimeout() throws Exception {
    server.close();
    server = TestEdge.start(b -> b.handshakeTimeout(Duration.ofMillis(200)));
    try (RawPeer peer = RawPeer.connect(server.port())) {
      peer.write("GET /api/client/v2.0/app/a/realm-sync HTTP/1.1\\r\\nHost: x\\r\\n"); // and stops
      assertThat(peer.awaitEof()).isTrue();
    }
    assertThat(server.edge.openConnections()).isLessThanOrEqualTo(1);
  }

  @Test
  void closeRejectsCodesThatMayNotBeSent() throws Exception {
    RecordingEdgeHandler[] h = new RecordingEdgeHandler[1];
    try (RawPeer peer = open(h)) {
      EdgeConnection c = h[0].awaitOpen();
      for (int bad : new int[] {999, 1005, 1006, 1015, 5000}) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.close(bad, ""))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("code: " + bad);
      }
      // a long reason is cut to fit the 125-byte control payload, at a character boundary
      c.close(4002, "ü".repeat(100));
      RawPeer.Frame close = peer.readFrame();
      assertThat(close.closeCode()).isEqualTo(4002);
      assertThat(close.payload().length).isLessThanOrEqualTo(125);
      assertThat(close.closeReason()).isEqualTo("ü".repeat(61));
      assertThat(h[0].awaitClosed()).isEmpty();
    }
  }
}
