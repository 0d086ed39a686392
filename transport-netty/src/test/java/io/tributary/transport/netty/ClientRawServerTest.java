package io.tributary.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.SyncConnection;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.core.spi.SyncTransportException.ConnectTimeoutException;
import io.tributary.core.spi.SyncTransportException.HandshakeException;
import io.tributary.transport.netty.testing.LeakCheck;
import io.tributary.transport.netty.testing.RawPeer;
import io.tributary.transport.netty.testing.RecordingListener;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client against a hand-written server on a plain socket: what it sends, what it tolerates. */
@ExtendWith(LeakCheck.class)
class ClientRawServerTest {
  private static final List<String> OFFERED =
      List.of("com.mongodb.realm-query-sync#14", "com.mongodb.realm-query-sync#13", "com.mongodb.realm-query-sync#8");

  private ServerSocket listener;
  private NettySyncTransport transport;

  @FunctionalInterface
  interface Script {
    void run(RawPeer peer, RawPeer.Head request) throws Exception;
  }

  @BeforeEach
  void start() throws Exception {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    transport = NettySyncTransport.create();
  }

  @AfterEach
  void stop() throws Exception {
    transport.close();
    listener.close();
  }

  /** Accepts one connection, reads the upgrade request and runs the script on a thread. */
  private CompletableFuture<RawPeer.Head> serve(Script script) {
    CompletableFuture<RawPeer.Head> seen = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (RawPeer peer = RawPeer.accept(listener)) {
                RawPeer.Head request = peer.readHead();
                seen.complete(request);
                script.run(peer, request);
              } catch (Throwable e) {
                seen.completeExceptionally(e);
              }
            },
            "raw-server");
    t.setDaemon(true);
    t.start();
    return seen;
  }

  private ConnectRequest.Builder request() {
    return ConnectRequest.newBuilder(
            URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/api/client/v2.0/app/my-app/realm-sync?baas_at=a.b.c"),
            OFFERED)
        .connectTimeout(Duration.ofSeconds(10));
  }

  private static String accept(RawPeer.Head request) throws Exception {
    byte[] sha1 =
        MessageDigest.getInstance("SHA-1")
            .digest((request.header("sec-websocket-key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                .getBytes(StandardCharsets.US_ASCII));
    return Base64.getEncoder().encodeToString(sha1);
  }

  private static String switching(RawPeer.Head request, String protocolHeaders) throws Exception {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: " + accept(request) + "\r\n" + protocolHeaders + "\r\n";
  }

  private static Throwable failure(CompletableFuture<?> f) {
    return org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS))
        .getCause();
  }

  @Test
  void theUpgradeRequestCarriesWhatRealmCoreSends() throws Exception {
    CompletableFuture<RawPeer.Head> seen =
        serve((peer, req) -> peer.write(switching(req, "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#13\r\n")));
    SyncConnection c =
        transport
            .connect(request().header("User-Agent", "RealmSync/14.14.0 tributary-test").build(), new RecordingListener())
            .get(10, TimeUnit.SECONDS);
    RawPeer.Head req = seen.get(10, TimeUnit.SECONDS);

    assertThat(req.startLine())
        .isEqualTo("GET /api/client/v2.0/app/my-app/realm-sync?baas_at=a.b.c HTTP/1.1");
    assertThat(req.all("sec-websocket-protocol"))
        .containsExactly("com.mongodb.realm-query-sync#14, com.mongodb.realm-query-sync#13, com.mongodb.realm-query-sync#8");
    assertThat(req.header("host")).isEqualTo("127.0.0.1:" + listener.getLocalPort());
    assertThat(req.header("upgrade")).isEqualToIgnoringCase("websocket");
    assertThat(req.header("connection")).isEqualToIgnoringCase("upgrade");
    assertThat(req.header("sec-websocket-version")).isEqualTo("13");
    assertThat(Base64.getDecoder().decode(req.header("sec-websocket-key"))).hasSize(16);
    assertThat(req.header("user-agent")).isEqualTo("RealmSync/14.14.0 tributary-test");
    assertThat(req.headers()).doesNotContainKeys("origin", "sec-websocket-extensions", "authorization");
    assertThat(c.subprotocol()).isEqualTo("com.mongodb.realm-query-sync#13");
  }

  @Test
  void aServerThatAcceptsButNeverAnswersHitsTheConnectTimeout() throws Exception {
    // the listener's backlog completes the TCP handshake; nobody ever reads or writes
    ConnectRequest r = request().connectTimeout(Duration.ofMillis(300)).build();
    RecordingListener l = new RecordingListener();
    Throwable t = failure(transport.connect(r, l));
    assertThat(t)
        .isInstanceOf(ConnectTimeoutException.class)
        .hasMessage("connect to 127.0.0.1:" + listener.getLocalPort()
            + ": no WebSocket upgrade within 300 ms (TCP + TLS + handshake)");
    assertThat(l.closed).isNotDone();
  }

  @Test
  void a101WithoutASubprotocolIsRefused() throws Exception {
    serve((peer, req) -> peer.write(switching(req, "")));
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(t).isInstanceOf(HandshakeException.class).hasMessageContaining("Sec-WebSocket-Protocol missing");
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(101);
  }

  @Test
  void a101WithTwoSubprotocolsIsRefused() throws Exception {
    serve((peer, req) -> peer.write(switching(req,
        "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#14, com.mongodb.realm-query-sync#13\r\n")));
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(101);
    assertThat(t).hasMessageContaining("expected: exactly one of");
  }

  @Test
  void a101WithTwoSubprotocolHeadersIsRefused() throws Exception {
    serve((peer, req) -> peer.write(switching(req,
        "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#14\r\nSec-WebSocket-Protocol: com.mongodb.realm-query-sync#13\r\n")));
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(101);
  }

  @Test
  void a101WithAnUnofferedSubprotocolIsRefused() throws Exception {
    serve((peer, req) -> peer.write(switching(req, "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#12\r\n")));
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(101);
    assertThat(t).hasMessageContaining("[com.mongodb.realm-query-sync#12]");
  }

  @Test
  void a101WithAWrongAcceptIsRefused() throws Exception {
    serve((peer, req) -> peer.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nSec-WebSocket-Protocol: com.mongodb.realm-query-sync#14\r\n\r\n"));
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(101);
    assertThat(t.getMessage()).contains("bad 101 response: Invalid challenge");
  }

  @Test
  void realmCore401AnswerFromTheCaptureIsAHandshakeException() throws Exception {
    byte[] answer = RawPeer.resource("captures/10_http_401/http_response.bin");
    serve((peer, req) -> peer.write(answer));
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(401);
    assertThat(t).hasMessageEndingWith("HTTP 401 (expected: 101): {\"error\":\"invalid token\"}");
  }

  @Test
  void aLongErrorBodyIsCutToAnExcerpt() throws Exception {
    String body = "x".repeat(10_000);
    serve((peer, req) -> peer.write("HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body));
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(302);
    assertThat(t.getMessage()).endsWith(": " + "x".repeat(256));
  }

  @Test
  void aServerThatHangsUpBeforeAnsweringFailsTheConnect() throws Exception {
    serve((peer, req) -> peer.close());
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(t).isInstanceOf(SyncTransportException.class).isNotInstanceOf(HandshakeException.class)
        .hasMessageContaining("connection closed by the server before a response");
  }

  @Test
  void aConnectionCutInsideThe101HeadersIsAPlainRetryableFailure() throws Exception {
    // what a network cut (e.g. the e2e TCP proxy) can do: the status line and part of the headers
    // arrive, then the connection ends; that is no refusal and no bad subprotocol choice
    serve((peer, req) -> {
      peer.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnec");
      peer.close();
    });
    Throwable t = failure(transport.connect(request().build(), new RecordingListener()));
    assertThat(t).isInstanceOf(SyncTransportException.class).isNotInstanceOf(HandshakeException.class);
  }

  @Test
  void framesFromAServerAreReassembledPingsAnsweredTextIgnoredAndCloseReported() throws Exception {
    byte[] big = new byte[200_000];
    new Random(7).nextBytes(big);
    CompletableFuture<RawPeer.Frame> pong = new CompletableFuture<>();
    serve(
        (peer, req) -> {
          ByteArrayOutputStream burst = new ByteArrayOutputStream();
          burst.write(switching(req, "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#14\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          // a first message in the same TCP segment as the 101
          burst.write(RawPeer.frame(true, 2, "first".getBytes(StandardCharsets.US_ASCII), false));
          peer.write(burst.toByteArray());
          // a fragmented message with a ping in the middle
          peer.sendFrame(false, 2, java.util.Arrays.copyOfRange(big, 0, 70_000), false);
          peer.sendFrame(true, 9, "ping!".getBytes(StandardCharsets.US_ASCII), false);
          pong.complete(peer.readFrame());
          peer.sendFrame(false, 0, java.util.Arrays.copyOfRange(big, 70_000, 70_001), false);
          peer.sendFrame(true, 0, java.util.Arrays.copyOfRange(big, 70_001, big.length), false);
          // text messages (fragmented too) are ignored
          peer.sendFrame(false, 1, "ignored ".getBytes(StandardCharsets.US_ASCII), false);
          peer.sendFrame(true, 0, "text".getBytes(StandardCharsets.US_ASCII), false);
          peer.sendFrame(true, 2, new byte[0], false);
          // realm-core's mock server's close frame, byte for byte
          peer.write(RawPeer.resource("captures/11_ws_close_4001/002-s2c-ws-close.frame.bin"));
          peer.awaitEof();
        });
    RecordingListener l = new RecordingListener();
    transport.connect(request().build(), l).get(10, TimeUnit.SECONDS);

    assertThat(new String(l.next(), StandardCharsets.US_ASCII)).isEqualTo("first");
    RawPeer.Frame p = pong.get(10, TimeUnit.SECONDS);
    assertThat(p.opcode()).isEqualTo(10);
    assertThat(p.masked()).isTrue(); // client frames are masked
    assertThat(new String(p.payload(), StandardCharsets.US_ASCII)).isEqualTo("ping!");
    assertThat(l.next()).isEqualTo(big);
    assertThat(l.next()).isEmpty();
    RecordingListener.Closed closed = l.awaitClosed();
    assertThat(closed.code()).isEqualTo(4001);
    assertThat(closed.reason()).isEqualTo("mock server closes the websocket");
    assertThat(closed.cause()).isNull();
    assertThat(l.messages).isEmpty();
    assertThat(l.violations).hasValue(0);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"0, 2", "1, 1", "125, 2", "126, 3", "65535, 4", "65536, 2", "1048576, 5"})
  void fragmentedServerMessagesOfEverySizeClassArriveWhole(int size, int fragments) throws Exception {
    byte[] payload = new byte[size];
    new Random(size).nextBytes(payload);
    serve((peer, req) -> {
      peer.write(switching(req, "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#14\r\n"));
      int step = Math.max(1, size / fragments);
      int at = 0;
      for (int i = 0; i < fragments; i++) {
        int end = i == fragments - 1 ? size : Math.min(size, at + step);
        peer.sendFrame(i == fragments - 1, i == 0 ? 2 : 0, java.util.Arrays.copyOfRange(payload, at, end), false);
        at = end;
      }
      peer.awaitEof();
    });
    RecordingListener l = new RecordingListener();
    SyncConnection c = transport.connect(request().build(), l).get(10, TimeUnit.SECONDS);
    assertThat(l.next()).isEqualTo(payload);
    c.close();
    assertThat(l.awaitClosed().cause()).isNull();
  }

  @Test
  void maskedServerFramesAreAProtocolViolation() throws Exception {
    serve((peer, req) -> {
      peer.write(switching(req, "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#14\r\n"));
      peer.sendFrame(true, 2, new byte[] {1, 2, 3}, true);
      peer.awaitEof();
    });
    RecordingListener l = new RecordingListener();
    transport.connect(request().build(), l).get(10, TimeUnit.SECONDS);
    RecordingListener.Closed closed = l.awaitClosed();
    assertThat(closed.code()).isEqualTo(SyncConnection.CLOSE_CODE_NONE);
    assertThat(closed.cause())
        .isInstanceOf(SyncTransportException.class)
        .hasMessageContaining("mask bit 1 (expected: 0, server frames are not masked)");
    assertThat(l.messages).isEmpty();
  }

  @Test
  void fragmentsBeyondTheClientLimitCloseTheConnection() throws Exception {
    serve((peer, req) -> {
      peer.write(switching(req, "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#14\r\n"));
      peer.sendFrame(false, 2, new byte[1000], false);
      peer.sendFrame(false, 0, new byte[1000], false);
      peer.sendFrame(true, 0, new byte[100], false);
      peer.awaitEof();
    });
    RecordingListener l = new RecordingListener();
    transport.connect(request().maxMessageBytes(2048).build(), l).get(10, TimeUnit.SECONDS);
    RecordingListener.Closed closed = l.awaitClosed();
    assertThat(closed.cause())
        .isInstanceOf(SyncTransportException.class)
        .hasMessageStartingWith("incoming message: at least 2100 bytes (expected: <= 2048 bytes)");
    assertThat(l.messages).isEmpty();
  }

  @Test
  void sendCopiesAndMasksEachMessageIntoOneFrame() throws Exception {
    CompletableFuture<List<RawPeer.Frame>> frames = new CompletableFuture<>();
    serve((peer, req) -> {
      peer.write(switching(req, "Sec-WebSocket-Protocol: com.mongodb.realm-query-sync#14\r\n"));
      frames.complete(List.of(peer.readFrame(), peer.readFrame(), peer.readFrame()));
      peer.awaitEof();
    });
    SyncConnection c = transport.connect(request().build(), new RecordingListener()).get(10, TimeUnit.SECONDS);
    byte[] upload = RawPeer.resource("captures/02_ingest_3_objects/007-c2s-upload.bin");
    // a little-endian heap buffer and a read-only direct one: contents, not byte order, matter
    c.send(ByteBuffer.wrap(upload).order(java.nio.ByteOrder.LITTLE_ENDIAN));
    ByteBuffer direct = ByteBuffer.allocateDirect(7).put("mark 1 ".getBytes(StandardCharsets.US_ASCII));
    c.send(direct.flip().asReadOnlyBuffer());
    c.send(ByteBuffer.allocate(0)).get(10, TimeUnit.SECONDS);

    List<RawPeer.Frame> got = frames.get(10, TimeUnit.SECONDS);
    assertThat(got).allSatisfy(f -> {
      assertThat(f.fin()).isTrue();
      assertThat(f.opcode()).isEqualTo(2);
      assertThat(f.masked()).isTrue();
    });
    assertThat(got.get(0).payload()).isEqualTo(upload);
    assertThat(new String(got.get(1).payload(), StandardCharsets.US_ASCII)).isEqualTo("mark 1 ");
    assertThat(got.get(2).payload()).isEmpty();
  }
}
