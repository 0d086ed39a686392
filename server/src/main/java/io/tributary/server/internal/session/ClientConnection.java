package io.tributary.server.internal.session;

import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import io.tributary.protocol.message.ClientMessage;
import io.tributary.protocol.message.CodecConfig;
import io.tributary.protocol.message.JsonErrorMessage;
import io.tributary.protocol.message.MessageBuffer;
import io.tributary.protocol.message.MessageDecoder;
import io.tributary.protocol.message.MessageEncoder;
import io.tributary.protocol.message.MessageType;
import io.tributary.protocol.message.PingMessage;
import io.tributary.protocol.message.PongMessage;
import io.tributary.server.internal.auth.Principal;
import io.tributary.transport.netty.server.EdgeConnection;
import io.tributary.transport.netty.server.EdgeHandler;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One sync WebSocket connection. Two halves:
 *
 * <ul>
 *   <li>The {@link EdgeHandler}, on the connection's event loop: decodes each message (UPLOAD only
 *       to its type: the ingest thread inflates and parses it), answers PING with PONG at once
 *       (ahead of anything queued, spec protocol.md §5.8), hands everything else to the {@link
 *       IngestEngine} in receive order, and pauses reading while too much is queued there.
 *   <li>Session state, touched only by the ingest thread ({@link #sessions} and below).
 * </ul>
 */
final class ClientConnection implements EdgeHandler {
  private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());
  /** Idents of unbound sessions remembered for error 109 (beyond: 106). */
  static final int MAX_REMEMBERED_UNBOUND = 1024;

  private final IngestEngine engine;
  private final EngineSettings settings;
  private final long id;

  // set in onOpen, then read-only
  private volatile EdgeConnection edge;
  private volatile Principal principal;
  private volatile int protocolVersion;

  // event loop only
  private MessageDecoder decoder;
  private MessageEncoder encoder;
  private final MessageBuffer buffer = new MessageBuffer(64);
  private ScheduledFuture<?> expiry;
  private boolean paused;

  // shared
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicLong queuedMessages = new AtomicLong();
  private volatile boolean pauseHint;
  /** Set when the connection is ending: no more messages are handed over or answered. */
  volatile boolean closing;

  // ingest thread only
  final Map<Long, Session> sessions = new HashMap<>();
  final LinkedHashSet<Long> unbound = new LinkedHashSet<>();
  boolean closedForEngine;

  ClientConnection(IngestEngine engine, EngineSettings settings, long id) {
    this.engine = engine;
    this.settings = settings;
    this.id = id;
  }

  EdgeConnection edge() {
    return edge;
  }

  Principal principal() {
    return principal;
  }

  int protocolVersion() {
    return protocolVersion;
  }

  // --- EdgeHandler (event loop) ---

  @Override
  public void onOpen(EdgeConnection connection) {
    this.edge = connection;
    this.principal = (Principal) connection.principal();
    this.protocolVersion = connection.protocolVersion();
    CodecConfig codec = settings.codec().toBuilder().protocolVersion(protocolVersion).build();
    this.decoder = new MessageDecoder(codec);
    this.encoder = new MessageEncoder(codec);
    long delayMs = principal.expiresAtSeconds() * 1000 - settings.clock().millis();
    // an access token expiring on an open connection: close with 4001 (never error 202, §3.5)
    expiry =
        settings.timer().schedule(
            () -> connection.close(4001, "access token expired"), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    engine.submit(new Inbound.Opened(this));
  }

  @Override
  public void onMessage(ByteBuffer message) {
    if (closing) {
      return;
    }
    int length = message.remaining();
    MessageType type;
    try {
      type = decoder.peekType(message);
      if (type == MessageType.PING) {
        PingMessage ping = (PingMessage) decoder.decodeClientMessage(message);
        edge.send(encoder.encode(new PongMessage(ping.timestampMs()), buffer));
        return;
      }
      if (type == MessageType.UPLOAD) {
        // the message is borrowed; the ingest thread reads it later (and gives the array back)
        byte[] copy = engine.uploadBuffers().take(length);
        message.duplicate().get(copy, 0, length);
        hand(new Inbound.Upload(this, copy, length));
      } else {
        ClientMessage decoded = decoder.decodeClientMessage(message);
        hand(new Inbound.Message(this, decoded, length));
      }
    } catch (ProtocolException e) {
      hand(new Inbound.Malformed(this, e, length));
    }
  }

  private void hand(Inbound in) {
    queuedBytes.addAndGet(in.bytes());
    queuedMessages.incrementAndGet();
    engine.submit(in);
    if (!paused && isBacklogged()) {
      paused = true;
      pauseHint = true;
      edge.pauseReading();
      resumeIfDrained(); // the ingest thread may have drained it meanwhile
    }
  }

  private boolean isBacklogged() {
    return queuedBytes.get() > settings.maxQueuedBytesPerConnection()
        || queuedMessages.get() > settings.maxQueuedMessagesPerConnection();
  }

  private boolean isDrained() {
    return queuedBytes.get() <= settings.maxQueuedBytesPerConnection() / 2
        && queuedMessages.get() <= settings.maxQueuedMessagesPerConnection() / 2;
  }

  /** Event loop: resumes reading once the backlog is down to half the limits. */
  private void resumeIfDrained() {
    if (paused && isDrained()) {
      paused = false;
      pauseHint = false;
      edge.resumeReading();
    }
  }

  /** Ingest thread: one handed item was processed. */
  void processed(Inbound in) {
    queuedBytes.addAndGet(-in.bytes());
    queuedMessages.decrementAndGet();
    if (pauseHint && isDrained()) {
      edge.executor().execute(this::resumeIfDrained);
    }
  }

  @Override
  public void onMessageTooLarge(long size, long limit) {
    // the session is unknown (nothing of the message was read): connection-level 101, never 104
    // (crashes realm-core) and never close code 1009 (client reset), spec protocol.md §10.4
    JsonErrorMessage error =
        engine.errors().connection(ProtocolError.OTHER_ERROR, ErrorAction.APPLICATION_BUG, false,
            "message of " + size + " bytes (expected: at most " + limit + " bytes)");
    ServerErrors.checkOutgoing(error);
    closing = true;
    engine.metrics().errorSent(error.errorCode());
    edge.send(encoder.encode(error, buffer));
  }

  @Override
  public void onClose(Throwable cause) {
    closing = true;
    if (expiry != null) {
      expiry.cancel(false);
    }
    if (cause != null) {
      LOG.log(System.Logger.Level.DEBUG, () -> this + " closed: " + cause);
    }
    if (decoder != null) {
      decoder.close();
      encoder.close();
    }
    engine.submit(new Inbound.Closed(this));
  }

  @Override
  public String toString() {
    EdgeConnection e = edge;
    Principal p = principal;
    return "connection " + id + (e == null ? "" : " from " + e.remoteAddress())
        + (p == null ? "" : " (user " + p.userId() + ")");
  }
}
