package io.tributary.core.internal.sync;

import io.tributary.core.SyncException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Threads waiting for the server to acknowledge a client version (spec protocol.md §8.4): each
 * waits for {@code upload_client_version >= target}. The session thread reports acknowledgements
 * and the fatal error; futures are completed outside the lock.
 *
 * <p>Thread safe.
 */
final class UploadWaiters {
  private record Waiter(long target, CompletableFuture<Void> future) {}

  private final List<Waiter> waiters = new ArrayList<>();
  private long acknowledged;
  private SyncException failure;

  UploadWaiters(long acknowledged) {
    this.acknowledged = acknowledged;
  }

  /** The newest acknowledged client version. */
  synchronized long acknowledged() {
    return acknowledged;
  }

  /** The error that ended waiting for good, or {@code null}. */
  synchronized SyncException failure() {
    return failure;
  }

  /**
   * A future completed once {@code target} is acknowledged, or failed with the session's fatal
   * error (already failed if the session stopped before the call).
   */
  CompletableFuture<Void> await(long target) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    SyncException failed;
    synchronized (this) {
      failed = failure;
      if (failed == null) {
        if (target <= acknowledged) {
          f.complete(null);
          return f;
        }
        waiters.add(new Waiter(target, f));
        return f;
      }
    }
    f.completeExceptionally(failed);
    return f;
  }

  /** Wakes the waiters whose target is at most {@code version}. */
  void acknowledge(long version) {
    List<CompletableFuture<Void>> done = null;
    synchronized (this) {
      if (version <= acknowledged) {
        return;
      }
      acknowledged = version;
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.target <= version) {
          it.remove();
          if (done == null) {
            done = new ArrayList<>();
          }
          done.add(w.future);
        }
      }
    }
    if (done != null) {
      for (CompletableFuture<Void> f : done) {
        f.complete(null);
      }
    }
  }

  /** Fails every waiter, now and later, with {@code error} (the first error wins). */
  void fail(SyncException error) {
    List<Waiter> all;
    SyncException e;
    synchronized (this) {
      if (failure == null) {
        failure = error;
      }
      e = failure;
      all = new ArrayList<>(waiters);
      waiters.clear();
    }
    for (Waiter w : all) {
      w.future.completeExceptionally(e);
    }
  }

  synchronized int size() {
    return waiters.size();
  }
}
