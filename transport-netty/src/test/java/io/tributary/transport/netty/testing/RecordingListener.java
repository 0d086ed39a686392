package io.tributary.transport.netty.testing;

import io.tributary.core.spi.SyncConnection;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A client listener that records what arrives; checks the calling rules as it goes. */
public final class RecordingListener implements SyncConnection.Listener {
  /** What {@link #onClosed} received. */
  public record Closed(int code, String reason, Throwable cause) {}

  public final BlockingQueue<byte[]> messages = new LinkedBlockingQueue<>();
  public final CompletableFuture<Closed> closed = new CompletableFuture<>();
  public final Set<String> threads = ConcurrentHashMap.newKeySet();
  public final AtomicInteger closedCalls = new AtomicInteger();
  public final AtomicInteger violations = new AtomicInteger();
  private final AtomicInteger inCall = new AtomicInteger();

  @Override
  public void onMessage(ByteBuffer message) {
    enter();
    try {
      if (!message.isReadOnly() || closed.isDone()) {
        violations.incrementAndGet();
      }
      byte[] copy = new byte[message.remaining()];
      message.get(copy);
      messages.add(copy);
    } finally {
      exit();
    }
  }

  @Override
  public void onClosed(int closeCode, String reason, Throwable cause) {
    enter();
    try {
      closedCalls.incrementAndGet();
      closed.complete(new Closed(closeCode, reason, cause));
    } finally {
      exit();
    }
  }

  /** The next message, waiting up to 10 s. */
  public byte[] next() throws InterruptedException {
    byte[] m = messages.poll(10, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no message within 10 s");
    }
    return m;
  }

  /** The close, waiting up to 10 s. */
  public Closed awaitClosed() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }

  private void enter() {
    threads.add(Thread.currentThread().getName());
    if (inCall.incrementAndGet() != 1) {
      violations.incrementAndGet(); // concurrent or re-entrant call
    }
  }

  private void exit() {
    inCall.decrementAndGet();
  }
}
