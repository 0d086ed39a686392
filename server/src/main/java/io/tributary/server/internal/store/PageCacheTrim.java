package io.tributary.server.internal.store;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Drops the clean page-cache pages of a file that grows at its end (the LMDB ingest store's {@code
 * data.mdb}) behind its newest {@link #KEEP_BYTES}, with Linux's {@code posix_fadvise(...,
 * POSIX_FADV_DONTNEED)} through jnr-ffi (which lmdbjava brings), on a thread of its own so that
 * no commit waits for it; elsewhere, or once a call failed, it does nothing.
 *
 * <p>Why: the ingest store writes every stored byte into new pages at the end of its file, and the
 * kernel gives each a new page-cache page. Memory the kernel has not used recently costs several
 * times more kernel CPU to fill than pages just freed (in a VM whose host takes free memory back,
 * the first touch of a page is a fault in the host): a 3 GB file written in 2 MB writes took
 * 1.3–3.2 ns of system CPU per byte on the benchmark VM, and 0.33–0.36 ns when the pages behind
 * the write head were dropped as it went, so that new pages are those just freed. Nothing is
 * lost and nothing changes on disk: the kernel drops only clean pages (for dirty ones the call
 * starts the write-back the kernel would do anyway, and a later call drops them), never a page
 * mapped into a process, so the B-tree pages that LMDB reads through its memory map while
 * writing stay; a dropped page is read from disk again when wanted (find, scan, tools). That
 * includes, now and then, a B-tree page that LMDB rewrote into a reused page inside the dropped
 * range and had not read back yet when the drop came (clean at once under {@code SYNC}): its next
 * transaction then reads it from disk, with the kernel's read-ahead (under {@code SYNC} at 200,000
 * objects/s or more from 8 devices: 3 major faults in one run of 12 s, one in 3 of 5 runs of 10 s,
 * each reading 6.6–8.3 MB; none unsynced).
 *
 * <p>Thread safe.
 */
public final class PageCacheTrim implements AutoCloseable {
  /** The newest bytes of the file left alone (LMDB reads its newest pages next). */
  static final long KEEP_BYTES = 16L << 20;
  /** The file grows by at least this much between two drops. */
  static final long STEP_BYTES = 8L << 20;
  /**
   * Each drop covers this much below the last one's end again: pages that were dirty then (being
   * written back) are clean by now.
   */
  static final long OVERLAP_BYTES = 16L << 20;

  private static final int O_RDONLY = 0;
  private static final int SEEK_END = 2;
  private static final int POSIX_FADV_DONTNEED = 4; // Linux

  /** The libc functions used, as jnr-ffi binds them. */
  public interface LibC {
    /**
     * open(2).
     *
     * @param path the file
     * @param flags the flags
     * @return the file descriptor or -1
     */
    int open(String path, int flags);

    /**
     * close(2).
     *
     * @param fd the file descriptor
     * @return 0 or -1
     */
    int close(int fd);

    /**
     * lseek(2).
     *
     * @param fd the file descriptor
     * @param offset the offset
     * @param whence from where
     * @return the new offset or -1
     */
    long lseek(int fd, long offset, int whence);

    /**
     * posix_fadvise(2).
     *
     * @param fd the file descriptor
     * @param offset from
     * @param len bytes (0: to the end)
     * @param advice the advice
     * @return 0 or an error number
     */
    int posix_fadvise(int fd, long offset, long len, int advice);
  }

  private static final LibC LIBC = load();

  private static LibC load() {
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      return null;
    }
    try {
      return jnr.ffi.LibraryLoader.create(LibC.class).load("c");
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  private final Path file;
  private final long keep;
  private final long step;
  private final long overlap;
  private final String threadName;
  // guarded by this
  private Thread thread;
  private boolean pending;
  private boolean closed;
  private boolean disabled;
  // the trim thread (or trimNow's caller) only
  private int fd = -1;
  private long droppedTo;

  /**
   * For {@code file}, which is opened on the first drop.
   *
   * @param file the file
   * @param threadName the name of the thread that drops pages (started on the first {@link
   *     #afterWrite()})
   */
  public PageCacheTrim(Path file, String threadName) {
    this(file, threadName, KEEP_BYTES, STEP_BYTES, OVERLAP_BYTES);
  }

  PageCacheTrim(Path file, String threadName, long keep, long step, long overlap) {
    this.file = file;
    this.threadName = threadName;
    this.keep = keep;
    this.step = step;
    this.overlap = overlap;
    this.disabled = LIBC == null || Boolean.getBoolean("tributary.sink.noPageCacheTrim");
  }

  /** Whether drops go to the kernel (Linux, libc bound, not closed, no call failed). */
  public synchronized boolean active() {
    return !disabled && !closed;
  }

  /**
   * Notes that the file was written: the trim thread then drops what lies behind its newest pages
   * if the file grew by the step since the last drop. Returns at once.
   */
  public synchronized void afterWrite() {
    if (disabled || closed) {
      return;
    }
    pending = true;
    if (thread == null) {
      thread = new Thread(this::run, threadName);
      thread.setDaemon(true);
      thread.start();
    } else {
      notifyAll();
    }
  }

  private void run() {
    while (true) {
      synchronized (this) {
        while (!pending && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            closed = true;
            return;
          }
        }
        if (!pending) {
          return; // closed
        }
        pending = false; // a write noted before close is still dropped behind
      }
      if (!trimNow()) {
        synchronized (this) {
          disabled = true;
          return;
        }
      }
    }
  }

  /**
   * Drops now, on the caller's thread (the trim thread, and tests): if the file grew by the step
   * since the last drop, its clean unmapped pages from the last drop's end (less the overlap) to
   * its size less the bytes kept.
   *
   * @return false if a call failed (drops then stop)
   */
  boolean trimNow() {
    if (LIBC == null) {
      return false;
    }
    if (fd < 0) {
      if (!Files.exists(file)) {
        return true; // not there (yet): nothing to drop
      }
      fd = LIBC.open(file.toString(), O_RDONLY);
      if (fd < 0) {
        return false;
      }
    }
    long size = LIBC.lseek(fd, 0, SEEK_END); // the size without allocating (Files.size does, per commit)
    if (size < 0) {
      return false;
    }
    long to = size - keep;
    if (to - droppedTo < step) {
      return true;
    }
    long from = Math.max(0, droppedTo - overlap);
    if (LIBC.posix_fadvise(fd, from, to - from, POSIX_FADV_DONTNEED) != 0) {
      return false;
    }
    droppedTo = to;
    return true;
  }

  /** Where the last drop ended (tests). */
  long droppedTo() {
    return droppedTo;
  }

  /**
   * Stops the trim thread, after the drop of a write noted before (at most one {@code
   * posix_fadvise}), and closes the file.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (closed && thread == null && fd < 0) {
        return;
      }
      closed = true;
      notifyAll();
      t = thread;
      thread = null;
    }
    if (t != null) {
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (fd >= 0) {
      LIBC.close(fd);
      fd = -1;
    }
  }
}
