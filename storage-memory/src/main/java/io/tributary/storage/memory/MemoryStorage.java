package io.tributary.storage.memory;

import io.tributary.core.spi.Durability;
import io.tributary.core.spi.Storage;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory place for one {@link UploadLog}: bounded, thread safe, and <b>not durable</b>.
 *
 * <p>The log's contents live in this object, not in the {@link UploadLog} handle: closing the log
 * and {@link #open opening} this storage again shows the same entries, versions and metadata, as a
 * durable storage would after a restart. Nothing survives the process. {@link
 * UploadLogOptions#durability()} is accepted and ignored: every {@link Durability} means "gone when
 * the process ends".
 *
 * <p>The bound ({@link UploadLogOptions#maxBytes()}) and the three {@link
 * io.tributary.core.spi.OverflowPolicy overflow policies} behave as in the durable log. Each entry
 * counts its changeset length plus 32 bytes in {@link io.tributary.core.spi.LogStats#sizeBytes()}.
 * {@code append} copies the changeset once into pooled chunks and allocates nothing per call once
 * the log has warmed up (except entries larger than a quarter of a chunk, which get their own
 * array). Visitors run on the calling thread while the log's lock is held.
 *
 * <p>Thread safe. Instances are cheap; use one per log.
 *
 * <pre>{@code
 * try (UploadLog log = MemoryStorage.create().open(UploadLogOptions.DEFAULT)) {
 *   long version = log.append(changeset, 1, timestamp);
 * }
 * }</pre>
 */
public final class MemoryStorage implements Storage {
  private static final AtomicInteger IDS = new AtomicInteger();

  private final ReentrantLock lock = new ReentrantLock();
  private final MemoryLogStore store = new MemoryLogStore();
  private final int id = IDS.incrementAndGet();

  private MemoryStorage() {}

  /** A new, empty in-memory storage. */
  public static MemoryStorage create() {
    return new MemoryStorage();
  }

  /**
   * Opens the log kept in this storage (empty the first time).
   *
   * @param options the log's settings; {@code durability} is ignored
   * @return a new handle; closing it keeps the contents in this storage
   * @throws IllegalStateException if a log opened from this storage is still open
   */
  @Override
  public UploadLog open(UploadLogOptions options) {
    Objects.requireNonNull(options, "options");
    lock.lock();
    try {
      if (store.attached) {
        throw new IllegalStateException(this + " is already open (close the log first)");
      }
      store.attached = true;
      store.sizeChunksFor(options.maxBytes());
      return new MemoryUploadLog(this, store, lock, options, System::nanoTime);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "MemoryStorage#" + id;
  }
}
