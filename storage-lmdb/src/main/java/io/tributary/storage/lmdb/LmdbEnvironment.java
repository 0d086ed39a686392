package io.tributary.storage.lmdb;

import io.tributary.core.spi.Durability;
import io.tributary.core.spi.UploadLogException.LogClosedException;
import io.tributary.core.spi.UploadLogException.LogCorruptException;
import io.tributary.core.spi.UploadLogException.StorageFailureException;
import io.tributary.core.spi.UploadLogException.StorageTimeoutException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.LmdbNativeException;
import org.lmdbjava.Txn;

/**
 * An LMDB environment with its own storage thread: every LMDB call (opening, reads, writes, map
 * resizing, sync, close) runs on that thread, never on a caller's thread. Callers submit {@link
 * Operation operations} and wait for them with the environment's timeout.
 *
 * <p>This is the machinery under the durable {@link io.tributary.core.spi.UploadLog} of this
 * module, and what the server's embedded store builds on.
 *
 * <h2>Group commit</h2>
 *
 * The storage thread drains everything submitted since it last looked, runs all write operations of
 * the drain in <em>one</em> write transaction (at most {@link Builder#maxBatchOperations} per
 * transaction), commits it (one sync, per {@link Durability}), and only then completes them. Writes
 * that arrive while a commit is syncing wait in the queue and share the next one, so N concurrent
 * writers cost about one sync per round instead of N. Read operations of the same drain then run,
 * each in its own read transaction. Operations run in submission order within a drain. A write
 * {@link #submitDeferred submitted deferred} waits (up to {@link Builder#maxDeferral}) for the next
 * drain that holds anything else and runs first in it, so it costs no sync of its own.
 *
 * <h2>Failure isolation and retries</h2>
 *
 * A write operation that throws is completed with its exception, the transaction is rolled back and
 * the other operations of the batch run again in a new one. When LMDB reports that the map is full,
 * the transaction is rolled back, the map is grown (doubled, up to {@link
 * Builder#maxMapSizeBytes}), and the whole batch runs again. So a write operation may run <b>more
 * than once</b> and must change state only through the transaction and through a {@link
 * WriteListener}'s per-batch working state. If the map cannot grow further the operations are
 * retried one per transaction, and those that still do not fit fail with {@link
 * StorageFailureException}.
 *
 * <h2>Timeouts</h2>
 *
 * {@link #execute} waits at most the {@link Builder#timeout timeout} and then throws {@link
 * StorageTimeoutException}; the operation is abandoned: if it had not started it never runs, if it
 * had run in a batch that has not committed yet it is committed with the batch. A write operation
 * reads the caller's (borrowed) arguments while it runs, so when the timeout strikes while a write
 * operation is running, the caller waits until that run is over (microseconds: a copy into the map)
 * before throwing, so that borrowed buffers are never read after {@code execute} returned. Read
 * operations (whose code is the caller's visitor) are abandoned at once.
 *
 * <h2>Threads</h2>
 *
 * Thread safe: any number of threads may submit. Submitting from the storage thread itself (from
 * inside an operation) throws {@link IllegalStateException}, since it would wait for itself.
 * Waiting callers are not interruptible (they stay bounded by the timeout) and keep their interrupt
 * status. The storage thread is a daemon thread.
 *
 * <h2>Lifecycle</h2>
 *
 * {@link Builder#open()} creates the directory, starts the thread and opens the environment there.
 * A directory may be open at most once per process (LMDB's locks are per process). {@link #close()}
 * lets operations already submitted finish, fails later ones with {@link LogClosedException}, syncs
 * the data file when the durability mode does not sync each commit, and closes the environment.
 */
public final class LmdbEnvironment implements AutoCloseable {
  /** Default initial map size: 4 MiB. The map grows when full. */
  public static final long INITIAL_MAP_SIZE_DEFAULT = 4L << 20;

  /** Default largest map size: 64 GiB of address space (the file only grows as it is used). */
  public static final long MAX_MAP_SIZE_DEFAULT = 64L << 30;

  /** Default number of named databases: 8. */
  public static final int MAX_DATABASES_DEFAULT = 8;

  /** Default largest number of write operations per transaction: 1024. */
  public static final int MAX_BATCH_OPERATIONS_DEFAULT = 1024;

  /** Default longest time a {@link #submitDeferred deferred} write waits for company: 100 ms. */
  public static final Duration MAX_DEFERRAL_DEFAULT = Duration.ofMillis(100);

  /** Default time a caller waits for its operation: 30 s. */
  public static final Duration TIMEOUT_DEFAULT = Duration.ofSeconds(30);

  private static final Set<Path> OPEN_DIRECTORIES = ConcurrentHashMap.newKeySet();

  private static final VarHandle PENDING;
  private static final VarHandle STATE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      PENDING = lookup.findVarHandle(LmdbEnvironment.class, "pending", Operation.class);
      STATE = lookup.findVarHandle(Operation.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Marks the queue of a terminated environment: pushes fail. */
  private static final Operation CLOSED =
      new Operation(Operation.Kind.READ) {
        @Override
        protected void run(Txn<ByteBuffer> txn) {
          throw new AssertionError("never run");
        }
      };

  private final Path directory;
  private final Durability durability;
  private final long maxMapSize;
  private final int maxDatabases;
  private final int maxBatchOperations;
  private final Duration timeout;
  private final long timeoutNs;
  private final LongSupplier nanoClock;
  private final Thread thread;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicBoolean closeCalled = new AtomicBoolean();

  /** Submitted operations not yet drained, newest first (an intrusive Treiber stack). */
  @SuppressWarnings("unused") // accessed through PENDING
  private volatile Operation pending;

  private volatile boolean closeRequested;
  private volatile long mapSize;
  private volatile Throwable fatal;
  private volatile WriteListener[] listeners = new WriteListener[0];

  // storage thread only
  private Env<ByteBuffer> env;
  private long initialMapSize;
  private Operation[] drained = new Operation[64];
  private Operation[] group = new Operation[64];
  private Operation[] reads = new Operation[64];
  private volatile long commits;
  /** Deferred writes waiting for company, newest first (storage thread only), and their deadline. */
  private Operation deferred;
  private long deferredDeadline;
  private final long maxDeferralNs;

  private LmdbEnvironment(Builder b, Path directory) {
    this.directory = directory;
    this.durability = b.durability;
    this.initialMapSize = b.initialMapSize;
    this.maxMapSize = b.maxMapSize;
    this.maxDatabases = b.maxDatabases;
    this.maxBatchOperations = b.maxBatchOperations;
    this.timeout = b.timeout;
    this.timeoutNs = b.timeout.toNanos();
    this.nanoClock = b.nanoClock;
    this.maxDeferralNs = b.maxDeferral.toNanos();
    this.thread = new Thread(this::runLoop, b.threadName + " " + directory);
    this.thread.setDaemon(true);
  }

  /**
   * A builder for an environment in {@code directory} (created if missing).
   *
   * @param directory the environment's directory; LMDB keeps {@code data.mdb} and {@code lock.mdb}
   *     there
   */
  public static Builder newBuilder(Path directory) {
    return new Builder(Objects.requireNonNull(directory, "directory"));
  }

  /** The directory, as a real path. */
  public Path directory() {
    return directory;
  }

  /** The durability mode every commit follows. */
  public Durability durability() {
    return durability;
  }

  /** How long {@link #execute} waits. */
  public Duration timeout() {
    return timeout;
  }

  /** The current map size in bytes (grows when LMDB reports the map full). */
  public long mapSizeBytes() {
    return mapSize;
  }

  /** The largest size the map may grow to, in bytes. */
  public long maxMapSizeBytes() {
    return maxMapSize;
  }

  /** Whether the calling thread is this environment's storage thread. */
  public boolean isStorageThread() {
    return Thread.currentThread() == thread;
  }

  /** The storage thread's name (for diagnostics and tests). */
  public String storageThreadName() {
    return thread.getName();
  }

  /**
   * The LMDB environment, for use <b>only on the storage thread</b> (inside an operation or a
   * listener), e.g. to open databases in the operation's transaction.
   *
   * @throws IllegalStateException if called from another thread
   */
  public Env<ByteBuffer> env() {
    requireStorageThread();
    return env;
  }

  /**
   * Throws unless called on the storage thread; operations and listeners call it to assert the
   * threading rule.
   *
   * @throws IllegalStateException if called from another thread
   */
  public void requireStorageThread() {
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException(
          "LMDB used on thread "
              + Thread.currentThread().getName()
              + " (expected: "
              + thread.getName()
              + ")");
    }
  }

  /**
   * Registers a listener called around every write transaction, on the storage thread. Register
   * before submitting the writes it must see.
   */
  public synchronized void addWriteListener(WriteListener listener) {
    Objects.requireNonNull(listener, "listener");
    WriteListener[] current = listeners;
    WriteListener[] next = Arrays.copyOf(current, current.length + 1);
    next[current.length] = listener;
    listeners = next;
  }

  /**
   * Runs {@code task} in a read transaction on the storage thread and returns its result. Allocates
   * an operation per call; see {@link #execute} for a reusable form.
   *
   * @throws StorageTimeoutException if it did not complete within the timeout
   * @throws LogClosedException if the environment is closed
   * @throws StorageFailureException if LMDB failed
   * @throws IllegalStateException if called on the storage thread
   */
  public <R> R read(ReadTask<R> task) {
    Objects.requireNonNull(task, "task");
    TaskOperation<R> op = new TaskOperation<>(Operation.Kind.READ, task::run);
    execute(op);
    return op.result;
  }

  /**
   * Runs {@code task} in a write transaction on the storage thread, batched with other writes
   * (group commit), and returns its result once the transaction committed (as durably as {@link
   * #durability()} promises). The task may run more than once (see the class comment).
   *
   * @throws StorageTimeoutException if it did not complete within the timeout (outcome unknown)
   * @throws LogClosedException if the environment is closed
   * @throws StorageFailureException if LMDB failed
   * @throws IllegalStateException if called on the storage thread
   */
  public <R> R write(WriteTask<R> task) {
    Objects.requireNonNull(task, "task");
    TaskOperation<R> op = new TaskOperation<>(Operation.Kind.WRITE, task::run);
    execute(op);
    return op.result;
  }

  /**
   * Like {@link #write}, but in a transaction of its own, never batched with other operations. For
   * steps whose failure must not roll back others, e.g. opening databases.
   */
  public <R> R writeExclusive(WriteTask<R> task) {
    Objects.requireNonNull(task, "task");
    TaskOperation<R> op = new TaskOperation<>(Operation.Kind.EXCLUSIVE_WRITE, task::run);
    execute(op);
    return op.result;
  }

  /**
   * Submits {@code op} and waits until it completed (writes: committed). Allocates nothing; the
   * operation may be submitted again after this returns or throws, except after a {@link
   * StorageTimeoutException}, after which it is abandoned for good.
   *
   * <p>An exception thrown by the operation's {@link Operation#run} is rethrown here unchanged.
   *
   * @throws StorageTimeoutException if it did not complete within the timeout
   * @throws LogClosedException if the environment is closed
   * @throws StorageFailureException if LMDB failed
   * @throws IllegalStateException if called on the storage thread, or if {@code op} is in flight or
   *     was abandoned
   */
  public void execute(Operation op) {
    enqueue(op, Thread.currentThread(), false, false);
    await(op);
    op.waiter = null;
    Throwable failure = op.failure;
    op.failure = null;
    op.state = Operation.IDLE;
    if (failure != null) {
      throwUnchecked(failure);
    }
  }

  /**
   * Submits {@code op} and returns at once: the storage thread runs it as {@link #execute} would
   * (in submission order with every other operation, a write committed per {@link #durability()})
   * and then calls its {@link Operation#completed}. Operations submitted later, by any thread, run
   * after it (a write in the same transaction or a later one); {@link #close()} runs it before
   * closing. No timeout applies: it completes when the storage thread gets to it, or with {@link
   * LogClosedException} if the environment closes first. Allocates nothing.
   *
   * @throws LogClosedException if the environment is closed ({@code completed} is not called)
   * @throws StorageFailureException if the environment failed for good (not called either)
   * @throws IllegalStateException if called on the storage thread, or if {@code op} is in flight
   *     or was abandoned
   */
  public void submit(Operation op) {
    submit(op, false);
  }

  /**
   * Like {@link #submit}, but a write that may wait for company: while nothing else is submitted,
   * the storage thread holds it up to {@link Builder#maxDeferral}; the first other operation
   * submitted meanwhile takes it into its drain, where it runs first, in that drain's write
   * transaction (one commit, one sync for both). Only then does it commit alone. {@link #close()}
   * commits it at once. For writes whose durability may lag, such as the deletion of acknowledged
   * entries: it costs no sync of its own while other writes keep coming.
   *
   * @throws IllegalArgumentException if {@code op} is not a {@link Operation.Kind#WRITE}
   * @throws LogClosedException if the environment is closed ({@code completed} is not called)
   * @throws StorageFailureException if the environment failed for good (not called either)
   * @throws IllegalStateException as for {@link #submit}
   */
  public void submitDeferred(Operation op) {
    Objects.requireNonNull(op, "op");
    if (op.kind != Operation.Kind.WRITE) {
      throw new IllegalArgumentException("deferred operation of kind " + op.kind
          + " (expected: WRITE)");
    }
    submit(op, true);
  }

  private void submit(Operation op, boolean deferrable) {
    enqueue(op, null, true, deferrable);
  }

  /**
   * Checks and queues {@code op} for the storage thread, told through {@code waiter} (execute) or
   * {@link Operation#completed} ({@code detached}).
   */
  private void enqueue(Operation op, Thread waiter, boolean detached, boolean deferrable) {
    Objects.requireNonNull(op, "op");
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException(
          "storage operation submitted from the storage thread itself (called back from inside an"
              + " operation or visitor)");
    }
    Throwable broken = fatal;
    if (broken != null) {
      throw new StorageFailureException("LMDB environment at " + directory + " failed", broken);
    }
    if (!STATE.compareAndSet(op, Operation.IDLE, Operation.QUEUED)) {
      throw new IllegalStateException("operation is in flight or was abandoned: " + op);
    }
    op.failure = null;
    op.waiter = waiter;
    op.detached = detached;
    op.deferrable = deferrable;
    if (!push(op)) {
      op.waiter = null;
      op.detached = false;
      op.deferrable = false;
      op.state = Operation.IDLE;
      throw closedException();
    }
    LockSupport.unpark(thread);
  }

  private boolean push(Operation op) {
    while (true) {
      Operation head = (Operation) PENDING.getVolatile(this);
      if (head == CLOSED) {
        return false;
      }
      op.next = head;
      if (PENDING.compareAndSet(this, head, op)) {
        return true;
      }
    }
  }

  private void await(Operation op) {
    long deadline = nanoClock.getAsLong() + timeoutNs;
    boolean interrupted = false;
    try {
      while (true) {
        int s = op.state;
        if (s == Operation.DONE) {
          return;
        }
        long remaining = deadline - nanoClock.getAsLong();
        if (remaining <= 0) {
          if (s == Operation.RUNNING && op.kind != Operation.Kind.READ) {
            // the storage thread is reading this caller's arguments: let it finish
            LockSupport.parkNanos(this, 10_000);
            continue;
          }
          if (STATE.compareAndSet(op, s, Operation.ABANDONED)) {
            op.waiter = null;
            throw new StorageTimeoutException(
                "LMDB storage thread for "
                    + directory
                    + " did not complete the operation within "
                    + timeout
                    + (op.kind == Operation.Kind.READ ? "" : " (outcome unknown)"));
          }
          continue; // state changed under us: look again
        }
        LockSupport.parkNanos(this, remaining);
        if (Thread.interrupted()) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Lets submitted operations finish, then closes the environment (syncing first unless every
   * commit synced). Idempotent; waits at most the timeout.
   *
   * @throws StorageTimeoutException if the storage thread did not finish within the timeout
   */
  @Override
  public void close() {
    if (closeCalled.compareAndSet(false, true)) {
      closeRequested = true;
      LockSupport.unpark(thread);
    }
    if (Thread.currentThread() == thread) {
      return; // the loop ends after the current drain
    }
    boolean interrupted = false;
    long deadline = nanoClock.getAsLong() + timeoutNs;
    try {
      while (true) {
        long remaining = deadline - nanoClock.getAsLong();
        try {
          if (terminated.await(Math.max(0, remaining), TimeUnit.NANOSECONDS)) {
            return;
          }
          throw new StorageTimeoutException(
              "LMDB storage thread for " + directory + " did not finish within " + timeout);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closeCalled.get();
  }

  /** Number of write transactions committed since open (for tests and metrics). */
  long commits() {
    return commits;
  }

  @Override
  public String toString() {
    return "LmdbEnvironment{" + directory + ", " + durability + ", mapSize=" + mapSize + '}';
  }

  private LogClosedException closedException() {
    return new LogClosedException("LMDB environment at " + directory + " is closed");
  }

  // ---------------------------------------------------------------------------------------------
  // the storage thread

  private void runLoop() {
    try {
      try {
        openEnv();
      } catch (Throwable t) {
        opened.completeExceptionally(t);
        return;
      }
      opened.complete(null);
      while (true) {
        Operation list = (Operation) PENDING.getAndSet(this, null);
        if (list == null) {
          if (deferred != null
              && (closeRequested || nanoClock.getAsLong() - deferredDeadline >= 0)) {
            list = takeDeferred(null); // nothing came along in time: commit them alone
          } else if (closeRequested) {
            break;
          } else {
            if (deferred != null) {
              LockSupport.parkNanos(this, deferredDeadline - nanoClock.getAsLong());
            } else {
              LockSupport.park(this);
            }
            continue;
          }
        } else if (!closeRequested && allDeferred(list)) {
          deferMore(list);
          continue;
        } else if (deferred != null) {
          list = takeDeferred(list); // they ride in this drain's transaction, first
        }
        try {
          process(list);
        } catch (Throwable t) {
          report(t); // a bug: keep the thread alive; the affected callers time out
        }
      }
    } finally {
      Operation rest = (Operation) PENDING.getAndSet(this, CLOSED);
      if (deferred != null) {
        rest = rest == null ? takeDeferred(null) : takeDeferred(rest);
      }
      for (Operation op = rest; op != null; ) {
        Operation next = op.next;
        op.next = null;
        fail(op, closedException());
        op = next;
      }
      closeEnv();
      OPEN_DIRECTORIES.remove(directory);
      terminated.countDown();
    }
  }

  private final CompletableFuture<Void> opened = new CompletableFuture<>();

  private static boolean allDeferred(Operation list) {
    for (Operation op = list; op != null; op = op.next) {
      if (!op.deferrable || !op.mayWait()) {
        return false;
      }
    }
    return true;
  }

  /** Adds {@code list} (newest first, submitted after the deferred ones) to the deferred writes. */
  private void deferMore(Operation list) {
    if (deferred == null) {
      deferredDeadline = nanoClock.getAsLong() + maxDeferralNs;
    } else {
      tail(list).next = deferred;
    }
    deferred = list;
  }

  /** {@code list} (newest first) followed by the older deferred writes; none are deferred now. */
  private Operation takeDeferred(Operation list) {
    Operation older = deferred;
    deferred = null;
    if (list == null) {
      return older;
    }
    tail(list).next = older;
    return list;
  }

  private static Operation tail(Operation list) {
    Operation op = list;
    while (op.next != null) {
      op = op.next;
    }
    return op;
  }

  private void openEnv() {
    EnvFlags[] flags;
    switch (durability) {
      case NO_META_SYNC:
        flags = new EnvFlags[] {EnvFlags.MDB_NOMETASYNC};
        break;
      case OS_FLUSH:
        flags = new EnvFlags[] {EnvFlags.MDB_NOSYNC};
        break;
      case SYNC:
      default:
        flags = new EnvFlags[0];
        break;
    }
    try {
      env =
          Env.create()
              .setMapSize(initialMapSize)
              .setMaxDbs(maxDatabases)
              .open(directory.toFile(), flags);
      env.readerCheck(); // clears reader slots left by killed processes
      mapSize = env.info().mapSize; // LMDB keeps a larger size stored in the file
    } catch (Env.FileInvalidException | Env.VersionMismatchException e) {
      throw new LogCorruptException(
          directory + " does not hold a usable LMDB environment: " + e.getMessage(), e);
    } catch (LmdbException e) {
      throw new StorageFailureException(
          "could not open LMDB environment at " + directory + ": " + e.getMessage(), e);
    }
  }

  private void closeEnv() {
    if (env == null) {
      return;
    }
    try {
      if (durability != Durability.SYNC && fatal == null) {
        env.sync(true);
      }
    } catch (RuntimeException e) {
      // closing anyway; a failed final sync loses only what the durability mode allowed to lose
    } finally {
      env.close();
      env = null;
    }
  }

  private void process(Operation list) {
    int n = 0;
    for (Operation op = list; op != null; op = op.next) {
      n++;
    }
    if (drained.length < n) {
      drained = new Operation[Math.max(n, drained.length * 2)];
    }
    int i = n;
    for (Operation op = list; op != null; ) {
      Operation next = op.next;
      op.next = null;
      drained[--i] = op;
      op = next;
    }
    int groupSize = 0;
    int readCount = 0;
    ensureCapacity(n);
    for (i = 0; i < n; i++) {
      Operation op = drained[i];
      drained[i] = null;
      switch (op.kind) {
        case READ:
          reads[readCount++] = op;
          break;
        case EXCLUSIVE_WRITE:
          if (groupSize > 0) {
            writeBatch(group, groupSize);
            groupSize = 0;
          }
          group[0] = op;
          writeBatch(group, 1);
          break;
        case WRITE:
        default:
          group[groupSize++] = op;
          if (groupSize == maxBatchOperations) {
            writeBatch(group, groupSize);
            groupSize = 0;
          }
          break;
      }
    }
    if (groupSize > 0) {
      writeBatch(group, groupSize);
    }
    Arrays.fill(group, 0, Math.min(group.length, n), null);
    for (i = 0; i < readCount; i++) {
      runRead(reads[i]);
      reads[i] = null;
    }
  }

  private void ensureCapacity(int n) {
    if (group.length < n) {
      group = new Operation[Math.max(n, group.length * 2)];
    }
    if (reads.length < n) {
      reads = new Operation[Math.max(n, reads.length * 2)];
    }
  }

  private void runRead(Operation op) {
    if (!STATE.compareAndSet(op, Operation.QUEUED, Operation.RUNNING)) {
      return; // abandoned
    }
    Throwable broken = fatal;
    if (broken != null) {
      fail(op, new StorageFailureException("LMDB environment at " + directory + " failed", broken));
      return;
    }
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      op.run(txn);
    } catch (Throwable t) {
      op.failure = wrapLmdb(t);
    }
    complete(op);
  }

  /**
   * Runs {@code ops[0..count)} in one write transaction and completes them. The array is scratch
   * space owned by the caller of this method; on return every operation is completed or abandoned.
   */
  private void writeBatch(Operation[] ops, int count) {
    Operation[] batch = ops;
    int live = count;
    while (live > 0) {
      Throwable broken = fatal;
      if (broken != null) {
        for (int i = 0; i < live; i++) {
          fail(
              batch[i],
              new StorageFailureException("LMDB environment at " + directory + " failed", broken));
        }
        return;
      }
      Outcome outcome = attempt(batch, live);
      switch (outcome.kind) {
        case COMMITTED:
          return;
        case OP_FAILED:
          // batch[outcome.index] was completed with its failure; run the others again
          live = remove(batch, live, outcome.index);
          break;
        case MAP_FULL:
          if (!growMap()) {
            if (live == 1) {
              fail(
                  batch[0],
                  new StorageFailureException(
                      "LMDB map full at its maximum size "
                          + maxMapSize
                          + " bytes (expected: room for the write) in "
                          + directory,
                      outcome.cause));
              return;
            }
            runOneByOne(batch, live);
            return;
          }
          break;
        case TXN_FULL:
          if (live == 1) {
            fail(
                batch[0],
                new StorageFailureException(
                    "LMDB transaction too large in " + directory, outcome.cause));
            return;
          }
          runOneByOne(batch, live);
          return;
        case BATCH_FAILED:
        default:
          for (int i = 0; i < live; i++) {
            fail(
                batch[i],
                new StorageFailureException(
                    "LMDB write transaction failed in " + directory + ": " + outcome.cause,
                    outcome.cause));
          }
          return;
      }
    }
  }

  private void runOneByOne(Operation[] batch, int live) {
    Operation[] single = new Operation[1];
    for (int i = 0; i < live; i++) {
      single[0] = batch[i];
      writeBatch(single, 1);
    }
  }

  private static int remove(Operation[] batch, int live, int index) {
    System.arraycopy(batch, index + 1, batch, index, live - index - 1);
    batch[live - 1] = null;
    return live - 1;
  }

  private enum OutcomeKind {
    COMMITTED,
    OP_FAILED,
    MAP_FULL,
    TXN_FULL,
    BATCH_FAILED
  }

  /** What one attempt at a batch came to; a reused mutable holder (storage thread only). */
  private static final class Outcome {
    OutcomeKind kind;
    int index;
    Throwable cause;

    Outcome set(OutcomeKind kind, int index, Throwable cause) {
      this.kind = kind;
      this.index = index;
      this.cause = cause;
      return this;
    }
  }

  private final Outcome outcome = new Outcome();

  private Outcome attempt(Operation[] batch, int live) {
    WriteListener[] ls = listeners;
    Txn<ByteBuffer> txn;
    try {
      txn = env.txnWrite();
    } catch (Throwable t) {
      return failBatch(t);
    }
    boolean committed = false;
    try {
      for (WriteListener l : ls) {
        l.beforeBatch(txn);
      }
      for (int i = 0; i < live; i++) {
        Operation op = batch[i];
        int s = op.state;
        if ((s != Operation.QUEUED && s != Operation.EXECUTED)
            || !STATE.compareAndSet(op, s, Operation.RUNNING)) {
          continue; // abandoned by its caller before this run: leave it out
        }
        try {
          op.run(txn);
          op.state = Operation.EXECUTED;
        } catch (Env.MapFullException e) {
          op.state = Operation.EXECUTED;
          return outcome.set(OutcomeKind.MAP_FULL, i, e);
        } catch (Txn.TxFullException e) {
          op.state = Operation.EXECUTED;
          return outcome.set(OutcomeKind.TXN_FULL, i, e);
        } catch (Throwable t) {
          noteFatal(t);
          op.failure = wrapLmdb(t);
          op.state = Operation.EXECUTED;
          complete(op);
          return outcome.set(OutcomeKind.OP_FAILED, i, t);
        }
      }
      for (WriteListener l : ls) {
        l.beforeCommit(txn);
      }
      txn.commit();
      committed = true;
      commits++;
    } catch (Env.MapFullException e) {
      return outcome.set(OutcomeKind.MAP_FULL, -1, e);
    } catch (Txn.TxFullException e) {
      return outcome.set(OutcomeKind.TXN_FULL, -1, e);
    } catch (Throwable t) {
      return failBatch(t);
    } finally {
      if (!committed) {
        try {
          txn.close();
        } catch (RuntimeException ignored) {
          // the transaction is gone either way
        }
        for (WriteListener l : ls) {
          try {
            l.afterRollback();
          } catch (Throwable t) {
            report(t);
          }
        }
      } else {
        txn.close();
      }
    }
    for (WriteListener l : ls) {
      try {
        l.afterCommit();
      } catch (Throwable t) {
        report(t);
      }
    }
    for (int i = 0; i < live; i++) {
      complete(batch[i]);
    }
    return outcome.set(OutcomeKind.COMMITTED, -1, null);
  }

  private void report(Throwable t) {
    Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
    if (handler != null) {
      handler.uncaughtException(thread, t);
    }
  }

  private Outcome failBatch(Throwable t) {
    noteFatal(t);
    return outcome.set(OutcomeKind.BATCH_FAILED, -1, t);
  }

  private void noteFatal(Throwable t) {
    if (t instanceof LmdbNativeException.PanicException) {
      fatal = t;
    }
  }

  private boolean growMap() {
    long current = mapSize;
    if (current >= maxMapSize) {
      return false;
    }
    long next = Math.min(maxMapSize, current * 2);
    env.setMapSize(next); // no transaction is open: we are between attempts on the only thread
    mapSize = next;
    return true;
  }

  private Throwable wrapLmdb(Throwable t) {
    if (t instanceof LmdbException) {
      return new StorageFailureException("LMDB failed in " + directory + ": " + t.getMessage(), t);
    }
    return t;
  }

  private void fail(Operation op, Throwable failure) {
    op.failure = failure;
    complete(op);
  }

  /** Completes {@code op} (its failure, if any, already set) unless its caller abandoned it. */
  private static void complete(Operation op) {
    while (true) {
      int s = op.state;
      if (s == Operation.ABANDONED || s == Operation.DONE) {
        return;
      }
      Thread waiter = op.waiter;
      if (STATE.compareAndSet(op, s, Operation.DONE)) {
        if (waiter != null) {
          LockSupport.unpark(waiter);
        } else if (op.detached) {
          completeDetached(op);
        }
        return;
      }
    }
  }

  /** Hands a {@link #submit submitted} operation's outcome to it; it may be submitted again. */
  private static void completeDetached(Operation op) {
    Throwable failure = op.failure;
    op.failure = null;
    op.detached = false;
    op.state = Operation.IDLE;
    try {
      op.completed(failure);
    } catch (Throwable t) {
      Thread current = Thread.currentThread();
      Thread.UncaughtExceptionHandler handler = current.getUncaughtExceptionHandler();
      if (handler != null) {
        handler.uncaughtException(current, t); // a bug in the callback: the loop goes on
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void throwUnchecked(Throwable t) throws E {
    throw (E) t;
  }

  // ---------------------------------------------------------------------------------------------
  // public nested types

  /**
   * A unit of work for the storage thread, reusable by its owner: submit it with {@link
   * LmdbEnvironment#execute}, read its results from the subclass's fields after that returned.
   * Subclasses put their arguments and results in fields; {@code execute} publishes them safely in
   * both directions.
   *
   * <p>Not thread safe: one submitter at a time.
   */
  public abstract static class Operation {
    static final int IDLE = 0;
    static final int QUEUED = 1;
    static final int RUNNING = 2;
    static final int EXECUTED = 3;
    static final int DONE = 4;
    static final int ABANDONED = 5;

    /** How the storage thread runs an operation. */
    public enum Kind {
      /** In a read transaction of its own, after the writes of the same drain. */
      READ,
      /** In a write transaction shared with other writes (group commit); may run more than once. */
      WRITE,
      /** In a write transaction of its own. */
      EXCLUSIVE_WRITE
    }

    final Kind kind;
    volatile int state;
    volatile Thread waiter;
    /** Submitted with {@link LmdbEnvironment#submit}: nobody waits, {@link #completed} is told. */
    volatile boolean detached;
    /** Submitted with {@link LmdbEnvironment#submitDeferred}. */
    volatile boolean deferrable;
    Operation next;
    Throwable failure;

    /**
     * @param kind how the operation runs
     */
    protected Operation(Kind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** How this operation runs. */
    public final Kind kind() {
      return kind;
    }

    /**
     * The work, on the storage thread, inside {@code txn} (read-only for {@link Kind#READ}). Write
     * operations may run more than once (retries) and must leave all effects to the transaction.
     * Buffers obtained from {@code txn} are valid only until this method returns. An exception
     * thrown here fails only this operation and is rethrown to the submitter.
     *
     * @param txn the transaction; owned by the environment, never commit, abort or close it
     */
    protected abstract void run(Txn<ByteBuffer> txn);

    /**
     * Called on the storage thread once an operation submitted with {@link LmdbEnvironment#submit}
     * completed (a write: committed, or rolled back if it failed), with its failure or {@code
     * null}. The operation may be submitted again from here on. Must be quick and must not wait for
     * the storage thread; what it throws is reported to the thread's handler and otherwise ignored.
     * Not called for operations run with {@link LmdbEnvironment#execute}. The default does
     * nothing.
     *
     * @param failure what {@link LmdbEnvironment#execute} would have thrown, or {@code null}
     */
    protected void completed(Throwable failure) {}

    /**
     * For a {@link LmdbEnvironment#submitDeferred deferred} write: whether it may still wait for
     * company, asked on the storage thread whenever it would be held back (e.g. not while others
     * wait for the space it frees). The default: yes.
     */
    protected boolean mayWait() {
      return true;
    }
  }

  /** A read in a read transaction on the storage thread. */
  @FunctionalInterface
  public interface ReadTask<R> {
    /**
     * @param txn the read transaction; buffers from it are valid until this returns
     * @return the result handed to the caller
     */
    R run(Txn<ByteBuffer> txn);
  }

  /** A write in a (shared) write transaction on the storage thread; may run more than once. */
  @FunctionalInterface
  public interface WriteTask<R> {
    /**
     * @param txn the write transaction; never commit, abort or close it
     * @return the result handed to the caller after the commit
     */
    R run(Txn<ByteBuffer> txn);
  }

  /**
   * Called on the storage thread around every write transaction: a place to keep working state that
   * is committed or rolled back together with the transaction (e.g. counters mirrored in a record).
   * Implementations must not throw from {@link #afterCommit} or {@link #afterRollback}.
   */
  public interface WriteListener {
    /** The transaction began; no operation has run in it yet. Called again for each retry. */
    default void beforeBatch(Txn<ByteBuffer> txn) {}

    /** Every operation of the batch ran; last chance to write in {@code txn}. */
    default void beforeCommit(Txn<ByteBuffer> txn) {}

    /** The transaction committed; the batch's operations are about to be completed. */
    default void afterCommit() {}

    /** The transaction was rolled back (to be retried, or failed). */
    default void afterRollback() {}
  }

  private static final class TaskOperation<R> extends Operation {
    private final java.util.function.Function<Txn<ByteBuffer>, R> task;
    R result;

    TaskOperation(Kind kind, java.util.function.Function<Txn<ByteBuffer>, R> task) {
      super(kind);
      this.task = task;
    }

    @Override
    protected void run(Txn<ByteBuffer> txn) {
      result = task.apply(txn);
    }
  }

  /** Settings of an environment. Not thread safe. Unset options take the documented defaults. */
  public static final class Builder {
    private final Path directory;
    private Durability durability = Durability.SYNC;
    private long initialMapSize = INITIAL_MAP_SIZE_DEFAULT;
    private long maxMapSize = MAX_MAP_SIZE_DEFAULT;
    private int maxDatabases = MAX_DATABASES_DEFAULT;
    private int maxBatchOperations = MAX_BATCH_OPERATIONS_DEFAULT;
    private Duration timeout = TIMEOUT_DEFAULT;
    private String threadName = "tributary-lmdb";
    private LongSupplier nanoClock = System::nanoTime;
    private Duration maxDeferral = MAX_DEFERRAL_DEFAULT;

    private Builder(Path directory) {
      this.directory = directory;
    }

    /** How commits are flushed; default {@link Durability#SYNC}. */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * Map size to start with, in bytes; default 4 MiB. LMDB keeps a larger size already stored in
     * an existing file.
     *
     * @throws IllegalArgumentException if below 64 KiB
     */
    public Builder initialMapSizeBytes(long bytes) {
      if (bytes < 64 * 1024) {
        throw new IllegalArgumentException(
            "initialMapSizeBytes: " + bytes + " (expected: >= 65536)");
      }
      this.initialMapSize = bytes;
      return this;
    }

    /**
     * Largest map size, in bytes; default 64 GiB.
     *
     * @throws IllegalArgumentException if below 64 KiB
     */
    public Builder maxMapSizeBytes(long bytes) {
      if (bytes < 64 * 1024) {
        throw new IllegalArgumentException("maxMapSizeBytes: " + bytes + " (expected: >= 65536)");
      }
      this.maxMapSize = bytes;
      return this;
    }

    /**
     * Number of named databases; default 8.
     *
     * @throws IllegalArgumentException if not in 1..1024
     */
    public Builder maxDatabases(int count) {
      if (count < 1 || count > 1024) {
        throw new IllegalArgumentException("maxDatabases: " + count + " (expected: 1..1024)");
      }
      this.maxDatabases = count;
      return this;
    }

    /**
     * Largest number of write operations in one transaction; default 1024.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxBatchOperations(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("maxBatchOperations: " + count + " (expected: >= 1)");
      }
      this.maxBatchOperations = count;
      return this;
    }

    /**
     * How long a caller waits for an operation (and {@link #open()} and {@link
     * LmdbEnvironment#close()} for the thread); default 30 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Longest time a {@link LmdbEnvironment#submitDeferred deferred} write waits for other
     * operations to share a transaction with; default 100 ms.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxDeferral(Duration maxDeferral) {
      Objects.requireNonNull(maxDeferral, "maxDeferral");
      if (maxDeferral.isNegative()) {
        throw new IllegalArgumentException("maxDeferral: " + maxDeferral + " (expected: >= 0)");
      }
      this.maxDeferral = maxDeferral;
      return this;
    }

    /** Prefix of the storage thread's name (the directory is appended). */
    public Builder threadName(String name) {
      this.threadName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The clock timeouts are measured with; default {@link System#nanoTime()}. For tests. */
    Builder nanoClock(LongSupplier clock) {
      this.nanoClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Creates the directory if needed, starts the storage thread and opens the environment on it.
     *
     * @throws LogCorruptException if the directory holds files that are not an LMDB environment, or
     *     the path is not a directory
     * @throws StorageFailureException if the directory cannot be created or LMDB cannot open it
     * @throws StorageTimeoutException if the storage thread did not open it within the timeout
     * @throws IllegalStateException if the directory is already open in this process
     * @throws IllegalArgumentException if {@code initialMapSizeBytes > maxMapSizeBytes}
     */
    public LmdbEnvironment open() {
      if (initialMapSize > maxMapSize) {
        throw new IllegalArgumentException(
            "initialMapSizeBytes: "
                + initialMapSize
                + " (expected: <= maxMapSizeBytes "
                + maxMapSize
                + ")");
      }
      Path real;
      try {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
          throw new LogCorruptException(
              directory + " is not a directory (expected: an LMDB environment directory)");
        }
        Files.createDirectories(directory);
        real = directory.toRealPath();
      } catch (IOException e) {
        throw new StorageFailureException("could not create directory " + directory, e);
      }
      if (!OPEN_DIRECTORIES.add(real)) {
        throw new IllegalStateException(real + " is already open in this process");
      }
      LmdbEnvironment environment = new LmdbEnvironment(this, real);
      try {
        environment.thread.start();
      } catch (Throwable t) {
        OPEN_DIRECTORIES.remove(real);
        throw t;
      }
      try {
        environment.opened.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return environment;
      } catch (ExecutionException e) {
        environment.awaitTermination();
        throwUnchecked(e.getCause());
        throw new AssertionError("unreachable");
      } catch (TimeoutException e) {
        closeQuietly(environment);
        throw new StorageTimeoutException(
            "LMDB environment at " + real + " did not open within " + timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closeQuietly(environment);
        throw new StorageTimeoutException("interrupted while opening LMDB environment at " + real);
      }
    }
  }

  private static void closeQuietly(LmdbEnvironment environment) {
    try {
      environment.close();
    } catch (RuntimeException ignored) {
      // already reporting why open failed
    }
  }

  private void awaitTermination() {
    try {
      terminated.await(timeoutNs, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
