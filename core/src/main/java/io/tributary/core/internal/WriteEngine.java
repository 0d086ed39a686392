package io.tributary.core.internal;

import io.tributary.core.Transaction;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs write transactions for one realm: each thread encodes into its own {@link TransactionImpl}
 * context (buffer, changeset writer, pooled writers), and commits go through the shared {@link
 * Committer} to the log, which serializes them.
 *
 * <p>Thread safe. Contexts live in a {@link ThreadLocal} of this engine, so they go away with the
 * engine (or the thread).
 */
public final class WriteEngine {
  private final ThreadLocal<TransactionImpl> contexts;
  /**
   * Shared with the contexts. They must not reference this engine: a ThreadLocal value that
   * reaches its own ThreadLocal is never expunged from a pool thread's map (a leak per closed
   * realm).
   */
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param model the realm's schema
   * @param committer where finished changesets go
   * @param maxChangesetBytes the largest changeset a transaction may produce, in bytes
   */
  public WriteEngine(SchemaModel model, Committer committer, int maxChangesetBytes) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(committer, "committer");
    AtomicBoolean flag = closed;
    this.contexts =
        ThreadLocal.withInitial(
            () -> new TransactionImpl(model, committer, maxChangesetBytes, flag));
  }

  /**
   * Runs {@code body} as one transaction on the calling thread and commits it.
   *
   * @return the client version assigned to the changeset, or 0 if the body created no object
   * @throws IllegalStateException if the engine is closed or a transaction is already running on
   *     this thread
   */
  public long write(Consumer<? super Transaction> body) {
    Objects.requireNonNull(body, "body");
    checkOpen(closed, "write");
    try {
      return contexts.get().run(body);
    } finally {
      if (closed.get()) {
        contexts.remove();
      }
    }
  }

  /** Refuses further transactions (commits already appending finish or fail in the log). */
  public void close() {
    closed.set(true);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  static void checkOpen(AtomicBoolean closed, String method) {
    if (closed.get()) {
      throw new IllegalStateException(
          method + ": the IngestRealm is closed (expected: an open realm); nothing was written");
    }
  }
}
