package io.tributary.core.internal.sync;

import io.tributary.core.ConnectionState;
import io.tributary.core.SyncException;
import io.tributary.core.SyncOptions;
import io.tributary.core.UploadProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.testing.FakeCredentials;
import io.tributary.core.testing.FakeTicker;
import io.tributary.core.testing.FakeTransport;
import io.tributary.core.testing.ListUploadLog;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.UploadMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A {@link SyncSession} driven step by step on the test's thread ({@link SyncSession#manual}) with
 * an in-memory log, transport and credentials and a fake ticker: no threads, no sleeping.
 */
final class SessionHarness implements AutoCloseable {
  final ListUploadLog list = new ListUploadLog();
  final UploadLog log = list.storage().open(ListUploadLog.options());
  final FakeTransport transport = new FakeTransport();
  final FakeCredentials credentials = new FakeCredentials();
  final FakeTicker ticker = new FakeTicker();
  final List<String> states = new ArrayList<>();
  final List<SyncException> errors = new ArrayList<>();
  final List<UploadProgress> progress = new ArrayList<>();
  SyncSession session;
  long ident;

  /** Options with the fake ticker and no jitter (exact delays). */
  SyncOptions.Builder options() {
    return SyncOptions.newBuilder().ticker(ticker).reconnectJitter(0);
  }

  SessionHarness start() {
    return start(options().build());
  }

  SessionHarness start(SyncOptions options) {
    return start(options, new Random(1));
  }

  SessionHarness start(SyncOptions options, Random random) {
    session = SyncSession.manual(log, transport, credentials, options, 0, random);
    ident = session.sessionIdent();
    session.addConnectionStateListener(
        (from, to, error) -> {
          states.add(from + "->" + to);
          if (error != null) {
            errors.add(error);
          }
        });
    session.addUploadProgressListener(progress::add);
    session.startManual();
    step();
    return this;
  }

  /** Runs steps until the session has nothing more to do right now. */
  void step() {
    for (int i = 0; i < 10_000; i++) {
      if (!session.runOnce()) {
        return;
      }
    }
    throw new AssertionError("session never became idle");
  }

  /** Advances the fake time and steps. */
  void advance(Duration d) {
    ticker.advance(d);
    step();
  }

  /** Appends {@code n} entries of {@code size} bytes with {@code objects} objects each. */
  long append(int n, int size, int objects) {
    long v = 0;
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[size];
      for (int k = 0; k < size; k++) {
        b[k] = (byte) ('a' + (k + i) % 26);
      }
      v = log.append(ByteBuffer.wrap(b), objects, 1000 + i);
      if (session != null) {
        session.onCommit(v);
      }
    }
    return v;
  }

  /** Accepts the newest connection attempt and steps. */
  FakeTransport.Connection accept() {
    FakeTransport.Connection c = transport.last().accept();
    step();
    return c;
  }

  /** Delivers a server message on the newest connection and steps. */
  void deliver(String message) {
    transport.last().deliver(message);
    step();
  }

  /** A steady-state DOWNLOAD for this session. */
  String download(long dsv, long dcv, long latest, long salt, long ucv, long usv) {
    return "download " + ident + " " + dsv + " " + dcv + " " + latest + " " + salt + " " + ucv + " "
        + usv + " 0 2 1 0 0 0\n";
  }

  /** A JSON_ERROR with the six required keys. */
  static String jsonError(int code, long session, String action, boolean tryAgain, String extra) {
    String json = "{\"action\":\"" + action + "\",\"isRecoveryModeDisabled\":false,\"logURL\":\"\","
        + "\"message\":\"m\",\"shouldClientReset\":false,\"tryAgain\":" + tryAgain
        + (extra == null ? "" : "," + extra) + "}";
    return "json_error " + code + " " + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        + " " + session + "\n" + json;
  }

  /** Connects a fresh file: accept, IDENT from the server; the session is ACTIVE afterwards. */
  FakeTransport.Connection connectNewFile(long fileIdent, long salt) {
    FakeTransport.Connection c = accept();
    deliver("ident " + ident + " " + fileIdent + " " + salt + "\n");
    return c;
  }

  /** The UPLOAD messages sent on {@code c} so far, in order. */
  static List<UploadMessage> uploads(FakeTransport.Connection c) {
    List<UploadMessage> out = new ArrayList<>();
    for (ClientMessage m : c.sent()) {
      if (m instanceof UploadMessage u) {
        out.add(u);
      }
    }
    return out;
  }

  ConnectionState state() {
    return session.connectionState();
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
      step();
    }
    log.close();
  }
}
