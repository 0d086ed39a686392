package io.tributary.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The send path of one connection: frames from any thread go into one FIFO queue, and the event
 * loop drains it in order, writing every queued frame and flushing once per drain.
 *
 * <p>Why a queue of our own instead of {@code channel.write} from each caller: Netty runs a write
 * made on the event loop at once but queues one made elsewhere as a task, so a send from the
 * event loop could overtake earlier sends from other threads. With one queue, frames leave in
 * the order {@link #send} was called, whatever the thread. It also batches flushes.
 *
 * <p>{@link #queuedBytes()} counts payload bytes accepted by {@link #send} and not yet written to
 * the socket: it covers this queue and Netty's outbound buffer (the count drops when the write
 * promise completes, i.e. when the bytes reached the socket or the write failed). Thread safe.
 */
public final class Outbound {
  private final Channel channel;
  private final Function<Throwable, Throwable> errorMapper;
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Runnable drainTask = this::drain;

  /**
   * @param errorMapper turns a write failure (e.g. {@link java.nio.channels.ClosedChannelException})
   *     into the exception the send future completes with
   */
  public Outbound(Channel channel, Function<Throwable, Throwable> errorMapper) {
    this.channel = channel;
    this.errorMapper = errorMapper;
  }

  /**
   * Queues one complete frame.
   *
   * @param frame transferred: released by Netty after the write, or here on failure
   * @param payloadBytes the message bytes the frame carries (for {@link #queuedBytes()})
   * @return completes on the event loop when the frame was written, or exceptionally
   */
  public CompletableFuture<Void> send(ByteBuf frame, int payloadBytes) {
    Pending p = new Pending(frame, payloadBytes);
    queuedBytes.addAndGet(payloadBytes);
    queue.offer(p);
    if (channel.eventLoop().inEventLoop()) {
      drain();
    } else if (drainScheduled.compareAndSet(false, true)) {
      try {
        channel.eventLoop().execute(drainTask);
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false);
        failAll(e);
      }
    }
    return p;
  }

  /** Payload bytes sent and not yet written to the socket. */
  public long queuedBytes() {
    return queuedBytes.get();
  }

  private void drain() {
    drainScheduled.set(false);
    Pending p;
    boolean wrote = false;
    while ((p = queue.poll()) != null) {
      ByteBuf frame = p.frame;
      p.frame = null;
      channel.write(frame).addListener(p);
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
  }

  // the event loop is gone: nothing will ever drain the queue
  private void failAll(Throwable cause) {
    Pending p;
    while ((p = queue.poll()) != null) {
      ByteBuf frame = p.frame;
      p.frame = null;
      if (frame != null) {
        frame.release();
      }
      p.done(cause);
    }
  }

  private final class Pending extends CompletableFuture<Void> implements ChannelFutureListener {
    ByteBuf frame;
    final int payloadBytes;

    Pending(ByteBuf frame, int payloadBytes) {
      this.frame = frame;
      this.payloadBytes = payloadBytes;
    }

    @Override
    public void operationComplete(ChannelFuture future) {
      done(future.isSuccess() ? null : future.cause());
    }

    void done(Throwable cause) {
      queuedBytes.addAndGet(-payloadBytes);
      if (cause == null) {
        complete(null);
      } else {
        completeExceptionally(errorMapper.apply(cause));
      }
    }
  }
}
