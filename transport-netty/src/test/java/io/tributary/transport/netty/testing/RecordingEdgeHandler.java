package io.tributary.transport.netty.testing;

import io.tributary.transport.netty.server.EdgeConnection;
import io.tributary.transport.netty.server.EdgeHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A server-side handler that records what arrives and, by default, echoes every message. Text
 * commands (sent as binary messages) drive the connection: {@code close:<code>:<reason>}, {@code
 * abort}, {@code send:<n>} (sends n bytes).
 */
public final class RecordingEdgeHandler implements EdgeHandler {
  public final CompletableFuture<EdgeConnection> opened = new CompletableFuture<>();
  public final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
  public final CompletableFuture<Optional<Throwable>> closed = new CompletableFuture<>();
  public final CompletableFuture<long[]> tooLarge = new CompletableFuture<>();
  public final BlockingQueue<Boolean> writability = new LinkedBlockingQueue<>();
  public final AtomicInteger violations = new AtomicInteger();
  public volatile boolean echo = true;
  public volatile boolean commands = true;
  public volatile Consumer<EdgeConnection> onOpen = c -> {};
  /** Counted down when a {@code block} message holds the event loop in {@link #onMessage}. */
  public final CountDownLatch blocked = new CountDownLatch(1);
  /** What a {@code block} message waits for (at most 30 s) before {@link #onMessage} returns. */
  public final CountDownLatch unblock = new CountDownLatch(1);
  /** Sent by {@link #onMessageTooLarge} before the edge closes, if not null. */
  public volatile byte[] tooLargeReply;
  private final AtomicInteger inCall = new AtomicInteger();
  private EdgeConnection connection;

  @Override
  public void onOpen(EdgeConnection connection) {
    enter(connection);
    try {
      this.connection = connection;
      onOpen.accept(connection);
      opened.complete(connection);
    } finally {
      exit();
    }
  }

  @Override
  public void onMessage(ByteBuffer message) {
    enter(connection);
    try {
      if (!message.isReadOnly()) {
        violations.incrementAndGet();
      }
      byte[] copy = new byte[message.remaining()];
      message.duplicate().get(copy);
      messages.add(copy);
      String text = copy.length < 64 ? new String(copy, StandardCharsets.UTF_8) : "";
      if (commands && text.startsWith("close:")) {
        String[] parts = text.split(":", 3);
        connection.close(Integer.parseInt(parts[1]), parts[2]);
      } else if (commands && text.equals("abort")) {
        connection.abort();
      } else if (commands && text.equals("block")) {
        blocked.countDown();
        try {
          unblock.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } else if (commands && text.equals("throw")) {
        throw new IllegalStateException("handler bug");
      } else if (commands && text.startsWith("send:")) {
        connection.send(ByteBuffer.allocate(Integer.parseInt(text.substring(5))));
      } else if (echo) {
        connection.send(message);
      }
    } finally {
      exit();
    }
  }

  @Override
  public void onMessageTooLarge(long size, long limit) {
    enter(connection);
    try {
      if (tooLargeReply != null) {
        connection.send(ByteBuffer.wrap(tooLargeReply));
      }
      tooLarge.complete(new long[] {size, limit});
    } finally {
      exit();
    }
  }

  @Override
  public void onWritabilityChanged(boolean writable) {
    enter(connection);
    try {
      writability.add(writable);
    } finally {
      exit();
    }
  }

  @Override
  public void onClose(Throwable cause) {
    enter(connection);
    try {
      if (closed.isDone()) {
        violations.incrementAndGet();
      }
      closed.complete(Optional.ofNullable(cause));
    } finally {
      exit();
    }
  }

  /** The close cause (empty: a normal close), waiting up to 10 s. */
  public Optional<Throwable> awaitClosed() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }

  /** The connection, waiting up to 10 s. */
  public EdgeConnection awaitOpen() throws Exception {
    return opened.get(10, TimeUnit.SECONDS);
  }

  private void enter(EdgeConnection c) {
    if (inCall.incrementAndGet() != 1 || (c != null && !c.inEventLoop())) {
      violations.incrementAndGet();
    }
  }

  private void exit() {
    inCall.decrementAndGet();
  }
}
