package io.tributary.core.internal;

import io.tributary.core.Transaction;
import java.util.Objects;
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
  final SchemaModel model;
  final Committer committer;
  final int maxChangesetBytes;
  private final ThreadLocal<TransactionImpl> contexts;
  private volatile boolean closed;

  /**
   * @param model the realm's schema
   * @param committer where finished changesets go
   * @param maxChangesetBytes the largest changeset a transaction may produce, in bytes
   */
  public WriteEngine(SchemaModel model, Committer committer, int maxChangesetBytes) {
    this.model = Objects.requireNonNull(model, "model");
    this.committer = Objects.requireNonNull(committer, "committer");
    this.maxChangesetBytes = maxChangesetBytes;
    this.contexts = ThreadLocal.withInitial(() -> new TransactionImpl(this));
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
    checkOpen("write");
    return contexts.get().run(body);
  }

  /** Refuses further transactions (commits already appending finish or fail in the log). */
  public void close() {
    closed = true;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  void checkOpen(String method) {
    if (closed) {
      throw new IllegalStateException(
          method + ": the IngestRealm is closed (expected: an open realm); nothing was written");
    }
  }
}
