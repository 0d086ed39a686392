package io.tributary.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.spi.ConnectRequest;
import io.tributary.core.spi.SyncConnection;
import io.tributary.core.spi.SyncTransportException;
import io.tributary.core.spi.SyncTransportException.ConnectTimeoutException;
import io.tributary.core.spi.SyncTransportException.HandshakeException;
import io.tributary.transport.netty.server.EdgeConnection;
import io.tributary.transport.netty.testing.LeakCheck;
import io.tributary.transport.netty.testing.RecordingEdgeHandler;
import io.tributary.transport.netty.testing.RecordingListener;
import io.tributary.transport.netty.testing.TestEdge;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client transport against the server edge, over real sockets on 127.0.0.1. */
@ExtendWith(LeakCheck.class)
class ClientEdgeTest {
  private TestEdge server;
  private NettySyncTransport transport;

  @BeforeEach
  void start() throws Exception {
    server = TestEdge.start();
    transport = NettySyncTransport.create();
  }

  @AfterEach
  void stop() {
    transport.close();
    server.close();
  }

  private ConnectRequest.Builder request(String app, String token) {
    return ConnectRequest.newBuilder(server.syncUri(app, token), TestEdge.FLX)
        .connectTimeout(Duration.ofSeconds(10));
  }

  private SyncConnection connect(ConnectRequest request, RecordingListener listener)
      throws Exception {
    return transport.connect(request, listener).get(10, TimeUnit.SECONDS);
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Throwable failure(CompletableFuture<?> f) {
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void selectsTheHighestOfferedVersionAndTellsBothSides() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();
    EdgeConnection e = h.awaitOpen();

    assertThat(c.subprotocol()).isEqualTo("com.mongodb.realm-query-sync#14");
    assertThat(e.subprotocol()).isEqualTo("com.mongodb.realm-query-sync#14");
    assertThat(e.protocolVersion()).isEqualTo(14);
    assertThat(e.appId()).isEqualTo("my-app");
    assertThat(e.principal()).isEqualTo("user:good-token");
    assertThat(e.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(c.toString()).doesNotContain("good-token");
  }

  @Test
  void aSlowAsynchronousAuthorizerStillUpgrades() throws Exception {
    SyncConnection c = connect(request("my-app", "slow-token").build(), new RecordingListener());
    assertThat(server.nextHandler().awaitOpen().principal()).isEqualTo("slow-user");
    assertThat(c.subprotocol()).endsWith("#14");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 65537, 1024 * 1024})
  void echoesBinaryMessagesOfEverySizeClass(int size) throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();
    byte[] payload = random(size, size);
    // a buffer with a non-zero position and spare room: only position..limit is sent
    ByteBuffer buf = ByteBuffer.allocateDirect(size + 10);
    buf.position(3);
    buf.put(payload);
    buf.flip().position(3);

    c.send(buf).get(10, TimeUnit.SECONDS);

    assertThat(buf.position()).isEqualTo(3); // the caller's buffer is untouched
    assertThat(h.messages.poll(10, TimeUnit.SECONDS)).isEqualTo(payload);
    assertThat(listener.next()).isEqualTo(payload);
    assertThat(c.queuedBytes()).isZero();
    assertThat(listener.violations).hasValue(0);
    assertThat(h.violations).hasValue(0);
  }

  @Test
  void whatTheServerSentBeforeClosingTheEdgeArrivesEvenIfItsEventLoopWasBusy() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();
    EdgeConnection e = h.awaitOpen();
    // hold the edge's only event loop inside a read, queue a goodbye behind it, then close the edge
    c.send(ByteBuffer.wrap("block".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
    assertThat(h.blocked.await(10, TimeUnit.SECONDS)).isTrue();
    e.send(ByteBuffer.wrap("goodbye".getBytes(StandardCharsets.UTF_8)));
    Thread closer = new Thread(server.edge::close);
    closer.start();
    closer.join(300); // the edge has asked its event loops to stop by now (before the fix)
    h.unblock.countDown();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    // a loop that stops closes its channels before it runs its queued tasks: the edge must wait
    // for the connections to close (behind the goodbye) before it stops the loops
    assertThat(listener.messages.poll(10, TimeUnit.SECONDS)).isEqualTo("goodbye".getBytes(StandardCharsets.UTF_8));
    assertThat(listener.closed.get(10, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void theCallerMayReuseItsBufferAsSoonAsSendReturns() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();
    ByteBuffer buf = ByteBuffer.allocate(4);
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      buf.clear();
      buf.putInt(i).flip();
      sent.add(c.send(buf));
    }
    CompletableFuture.allOf(sent.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 100; i++) {
      assertThat(ByteBuffer.wrap(h.messages.poll(10, TimeUnit.SECONDS)).getInt()).isEqualTo(i);
    }
  }

  @Test
  void concurrentSendersKeepTheirOwnOrderAndNothingIsLost() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();
    h.echo = false;
    int threads = 4;
    int perThread = 500;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> senders = new ArrayList<>();
    List<CompletableFuture<Void>> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread s =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                ByteBuffer b = ByteBuffer.allocate(8 + 100 * id);
                for (int i = 0; i < perThread; i++) {
                  b.clear();
                  b.putInt(id).putInt(i).position(b.limit()).flip();
                  sent.add(c.send(b));
                }
              });
      s.start();
      senders.add(s);
    }
    go.countDown();
    for (Thread s : senders) {
      s.join(10_000);
    }
    CompletableFuture.allOf(sent.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);

    int[] next = new int[threads];
    for (int n = 0; n < threads * perThread; n++) {
      ByteBuffer m = ByteBuffer.wrap(h.messages.poll(10, TimeUnit.SECONDS));
      int id = m.getInt();
      assertThat(m.getInt()).as("message of sender %d", id).isEqualTo(next[id]++);
      assertThat(m.capacity()).isEqualTo(8 + 100 * id);
    }
    assertThat(next).containsOnly(perThread);
    assertThat(h.messages).isEmpty();
    assertThat(c.queuedBytes()).isZero();
  }

  @Test
  void queuedBytesGrowWhileTheServerDoesNotReadAndDrainWhenItResumes() throws Exception {
    RecordingListener listener = new RecordingListener();
    server.customize =
        h -> {
          h.onOpen = EdgeConnection::pauseReading;
          h.echo = false;
          return h;
        };
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();
    EdgeConnection e = h.awaitOpen();
    int messages = 128;
    int size = 256 * 1024; // 32 MiB in all: more than loopback socket buffers hold
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    ByteBuffer payload = ByteBuffer.allocate(size);
    for (int i = 0; i < messages; i++) {
      payload.clear();
      payload.putInt(0, i);
      sent.add(c.send(payload));
    }
    // the first message leaves; the socket then fills up and the rest stay queued
    sent.get(0).get(10, TimeUnit.SECONDS);
    assertThat(c.queuedBytes()).isPositive().isLessThanOrEqualTo((long) messages * size);
    assertThat(sent.get(messages - 1)).isNotDone();

    e.resumeReading();

    CompletableFuture.allOf(sent.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
    assertThat(c.queuedBytes()).isZero();
    for (int i = 0; i < messages; i++) {
      byte[] m = h.messages.poll(10, TimeUnit.SECONDS);
      assertThat(m).hasSize(size);
      assertThat(ByteBuffer.wrap(m).getInt()).isEqualTo(i);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {4001, 4002, 4003, 1011})
  void serverCloseCodesReachTheListener(int code) throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();

    c.send(ByteBuffer.wrap(("close:" + code + ":token expired").getBytes(StandardCharsets.UTF_8)));

    RecordingListener.Closed closed = listener.awaitClosed();
    assertThat(closed.code()).isEqualTo(code);
    assertThat(closed.reason()).isEqualTo("token expired");
    assertThat(closed.cause()).isNull();
    assertThat(h.awaitClosed()).isEmpty();
    assertThat(listener.closedCalls).hasValue(1);
    assertThat(listener.violations).hasValue(0);
  }

  @Test
  void tcpLossWithoutACloseFrameIsCloseCodeNone() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();

    c.send(ByteBuffer.wrap("abort".getBytes(StandardCharsets.UTF_8)));

    RecordingListener.Closed closed = listener.awaitClosed();
    assertThat(closed.code()).isEqualTo(SyncConnection.CLOSE_CODE_NONE);
    assertThat(closed.reason()).isEmpty();
    assertThat(h.awaitClosed()).isEmpty();
    // sends after the end fail with a transport exception
    Throwable late = failure(c.send(ByteBuffer.allocate(1)));
    assertThat(late).isInstanceOf(SyncTransportException.class).hasMessageContaining("closed");
  }

  @Test
  void clientCloseEndsTcpWithoutACloseFrameAndCallsTheListenerOnce() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    RecordingEdgeHandler h = server.nextHandler();
    h.awaitOpen();

    c.close();
    c.close();

    RecordingListener.Closed closed = listener.awaitClosed();
    assertThat(closed.code()).isEqualTo(SyncConnection.CLOSE_CODE_NONE);
    assertThat(closed.cause()).isNull();
    assertThat(h.awaitClosed()).isEmpty();
    assertThat(listener.closedCalls).hasValue(1);
  }

  @Test
  void closingTheTransportClosesItsConnections() throws Exception {
    RecordingListener listener = new RecordingListener();
    connect(request("my-app", "good-token").build(), listener);
    server.nextHandler().awaitOpen();

    transport.close();

    assertThat(listener.awaitClosed().code()).isEqualTo(SyncConnection.CLOSE_CODE_NONE);
    assertThat(transport.openConnections()).isZero();
    Throwable after = failure(transport.connect(request("my-app", "good-token").build(), listener));
    assertThat(after).isInstanceOf(SyncTransportException.class).hasMessageContaining("closed");
  }

  @Test
  void expiredTokenIs401WithTheErrorBody() throws Exception {
    RecordingListener listener = new RecordingListener();
    Throwable t = failure(transport.connect(request("my-app", "expired-token").build(), listener));
    assertThat(t).isInstanceOf(HandshakeException.class);
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(401);
    assertThat(t.getMessage())
        .contains("HTTP 401")
        .contains("{\"error\":\"access token expired\",\"error_code\":\"InvalidSession\"}")
        .doesNotContain("expired-token"); // the token itself is never in a message
    assertThat(listener.closed).isNotDone();
    assertThat(listener.messages).isEmpty();
  }

  @Test
  void forbiddenIs403() throws Exception {
    Throwable t = failure(transport.connect(request("my-app", "forbidden-token").build(), new RecordingListener()));
    assertThat(t).isInstanceOf(HandshakeException.class);
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(403);
    assertThat(t.getMessage()).contains("user may not sync");
  }

  @Test
  void unknownAppIs404AndMissingTokenIs401() throws Exception {
    Throwable t = failure(transport.connect(request("unknown-app", "good-token").build(), new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(404);
    ConnectRequest noToken =
        ConnectRequest.newBuilder(
                URI.create("ws://127.0.0.1:" + server.port() + "/api/client/v2.0/app/a/realm-sync"),
                TestEdge.FLX)
            .build();
    t = failure(transport.connect(noToken, new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(401);
  }

  @Test
  void bearerHeaderIsAcceptedWhenTheQueryHasNoToken() throws Exception {
    ConnectRequest r =
        ConnectRequest.newBuilder(
                URI.create("ws://127.0.0.1:" + server.port() + "/api/client/v2.0/app/a/realm-sync"),
                TestEdge.FLX)
            .header("Authorization", "Bearer good-token")
            .build();
    connect(r, new RecordingListener());
    assertThat(server.nextHandler().awaitOpen().principal()).isEqualTo("user:good-token");
  }

  @Test
  void noAcceptableSubprotocolIs400() throws Exception {
    ConnectRequest r =
        ConnectRequest.newBuilder(
                server.syncUri("my-app", "good-token"),
                List.of("com.mongodb.realm-sync#14", "com.mongodb.realm-query-sync#7"))
            .build();
    Throwable t = failure(transport.connect(r, new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(400);
    assertThat(t.getMessage()).contains("no supported subprotocol");
    assertThat(server.handlers).isEmpty();
  }

  @Test
  void failingAuthorizerIs500() throws Exception {
    Throwable t = failure(transport.connect(request("my-app", "boom-token").build(), new RecordingListener()));
    assertThat(((HandshakeException) t).httpStatus()).isEqualTo(500);
    assertThat(t.getMessage()).contains("internal server error").doesNotContain("store down");
  }

  @Test
  void authorizerThatNeverAnswersHitsTheClientConnectTimeoutAndTheEdgeHandshakeTimeout()
      throws Exception {
    try (TestEdge quick = TestEdge.start(b -> b.handshakeTimeout(Duration.ofMillis(300)))) {
      ConnectRequest r =
          ConnectRequest.newBuilder(quick.syncUri("my-app", "never-token"), TestEdge.FLX)
              .connectTimeout(Duration.ofMillis(200))
              .build();
      Throwable t = failure(transport.connect(r, new RecordingListener()));
      assertThat(t).isInstanceOf(ConnectTimeoutException.class).hasMessageContaining("200 ms");

      // without a client timeout, the edge's handshake timeout ends the connection
      ConnectRequest patient =
          ConnectRequest.newBuilder(quick.syncUri("my-app", "never-token"), TestEdge.FLX)
              .connectTimeout(Duration.ofSeconds(20))
              .build();
      t = failure(transport.connect(patient, new RecordingListener()));
      assertThat(t).isInstanceOf(SyncTransportException.class).isNotInstanceOf(HandshakeException.class);
      assertThat(t.getMessage()).contains("closed by the server");
    }
  }

  @Test
  void clientMessageOverTheEdgeLimitClosesWith1008AndTellsTheHandler() throws Exception {
    try (TestEdge small = TestEdge.start(b -> b.maxMessageBytes(64 * 1024))) {
      RecordingListener listener = new RecordingListener();
      SyncConnection c =
          transport
              .connect(
                  ConnectRequest.newBuilder(small.syncUri("my-app", "good-token"), TestEdge.FLX).build(),
                  listener)
              .get(10, TimeUnit.SECONDS);
      RecordingEdgeHandler h = small.nextHandler();
      c.send(ByteBuffer.allocate(64 * 1024)).get(10, TimeUnit.SECONDS); // at the limit: fine
      assertThat(h.messages.poll(10, TimeUnit.SECONDS)).hasSize(64 * 1024);

      c.send(ByteBuffer.allocate(64 * 1024 + 1));

      assertThat(h.tooLarge.get(10, TimeUnit.SECONDS)).containsExactly(64 * 1024 + 1, 64 * 1024);
      RecordingListener.Closed closed = listener.awaitClosed();
      assertThat(closed.code()).isEqualTo(1008);
      assertThat(closed.reason()).isEqualTo("message too large: 65537 bytes (limit: 65536 bytes)");
      Optional<Throwable> cause = h.awaitClosed();
      assertThat(cause).containsInstanceOf(ProtocolException.class);
      assertThat(cause.get()).hasMessageContaining("65536");
      assertThat(h.messages).isEmpty();
    }
  }

  @Test
  void serverMessageOverTheClientLimitClosesWithACause() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").maxMessageBytes(4096).build(), listener);
    RecordingEdgeHandler h = server.nextHandler();
    c.send(ByteBuffer.wrap("send:4096".getBytes(StandardCharsets.UTF_8)));
    assertThat(listener.next()).hasSize(4096);

    c.send(ByteBuffer.wrap("send:4097".getBytes(StandardCharsets.UTF_8)));

    RecordingListener.Closed closed = listener.awaitClosed();
    assertThat(closed.code()).isEqualTo(SyncConnection.CLOSE_CODE_NONE);
    assertThat(closed.cause())
        .isInstanceOf(SyncTransportException.class)
        .hasMessageContaining("incoming message: 4097 bytes (expected: <= 4096 bytes)");
    assertThat(h.awaitClosed()).isEmpty();
    assertThat(listener.messages).isEmpty();
  }

  @Test
  void idleConnectionsAreClosedByTheEdge() throws Exception {
    try (TestEdge idle = TestEdge.start(b -> b.idleTimeout(Duration.ofMillis(300)))) {
      RecordingListener listener = new RecordingListener();
      transport
          .connect(ConnectRequest.newBuilder(idle.syncUri("my-app", "good-token"), TestEdge.FLX).build(), listener)
          .get(10, TimeUnit.SECONDS);
      RecordingEdgeHandler h = idle.nextHandler();

      RecordingListener.Closed closed = listener.awaitClosed();
      assertThat(closed.code()).isEqualTo(1001);
      assertThat(closed.reason()).isEqualTo("idle timeout");
      assertThat(h.awaitClosed()).containsInstanceOf(TimeoutException.class);
      assertThat(h.closed.get().get()).hasMessage("idle timeout: no message for 300 ms");
    }
  }

  @Test
  void closingTheTransportFromAListenerCallbackDoesNotDeadlock() throws Exception {
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    SyncConnection.Listener closer =
        new SyncConnection.Listener() {
          @Override
          public void onMessage(ByteBuffer message) {
            transport.close(); // on the transport's own event loop thread
          }

          @Override
          public void onClosed(int closeCode, String reason, Throwable cause) {
            closed.complete(closeCode);
          }
        };
    SyncConnection c = connect(request("my-app", "good-token").build(), new RecordingListener());
    SyncConnection c2 = transport.connect(request("my-app", "good-token").build(), closer).get(10, TimeUnit.SECONDS);
    c2.send(ByteBuffer.allocate(1));
    assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(SyncConnection.CLOSE_CODE_NONE);
    assertThat(failure(c.send(ByteBuffer.allocate(1)))).isInstanceOf(SyncTransportException.class);
  }

  @Test
  void connectingToAClosedPortFailsFast() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ConnectRequest r =
        ConnectRequest.newBuilder(URI.create("ws://127.0.0.1:" + port + "/x"), TestEdge.FLX).build();
    Throwable t = failure(transport.connect(r, new RecordingListener()));
    assertThat(t).isInstanceOf(SyncTransportException.class).hasMessageContaining("127.0.0.1:" + port);
  }

  @Test
  void messagesAreDeliveredOnOneTransportThread() throws Exception {
    RecordingListener listener = new RecordingListener();
    SyncConnection c = connect(request("my-app", "good-token").build(), listener);
    for (int i = 0; i < 20; i++) {
      c.send(ByteBuffer.allocate(i));
    }
    for (int i = 0; i < 20; i++) {
      assertThat(listener.next()).hasSize(i);
    }
    assertThat(listener.threads).hasSize(1).allMatch(n -> n.startsWith("tributary-sync-io"));
    assertThatThrownBy(() -> NettySyncTransport.create(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
