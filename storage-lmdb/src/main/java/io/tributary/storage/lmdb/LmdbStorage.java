package io.tributary.storage.lmdb;

import io.tributary.core.spi.Storage;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The durable upload log in an LMDB environment directory: what a device relies on when the app
 * crashes, loses power or is killed.
 *
 * <pre>{@code
 * try (UploadLog log = LmdbStorage.at(Path.of("data/ingest")).open(UploadLogOptions.DEFAULT)) {
 *   long version = log.append(changeset, objectCount, timestamp); // durable when it returns
 * }
 * }</pre>
 *
 * <p>What the log promises beyond the {@link UploadLog} contract:
 *
 * <ul>
 *   <li><b>Durability</b> as {@link UploadLogOptions#durability()} says: {@code SYNC} syncs data
 *       and meta page on each commit (LMDB default), {@code NO_META_SYNC} skips the meta-page sync
 *       ({@code MDB_NOMETASYNC}), {@code OS_FLUSH} leaves flushing to the OS ({@code MDB_NOSYNC})
 *       and syncs once on close. In every mode a process crash loses nothing that an append
 *       returned.
 *   <li><b>Group commit</b>: appends from concurrent threads that arrive while a commit is syncing
 *       share the next transaction and its sync.
 *   <li><b>Own thread</b>: all LMDB work runs on the log's storage thread ({@link
 *       LmdbEnvironment}); callers wait at most {@link UploadLogOptions#storageTimeout()}. Visitors
 *       run on that thread, with zero-copy views into the memory map valid until they return.
 *   <li><b>Size</b>: each entry counts its changeset plus a 32-byte header in {@link
 *       io.tributary.core.spi.LogStats#sizeBytes()}; the counters are persisted and checked against
 *       a recount of the entries at every open. The map starts at {@link #initialMapSizeBytes()}
 *       and doubles when full, up to {@link #maxMapSizeBytesFor} (by default four times the bound
 *       plus 16 MiB, which covers LMDB's page overhead).
 *   <li><b>Errors</b>: a directory holding something other than a Tributary upload log (not LMDB,
 *       LMDB without our format record, a newer format, a damaged entry or counters that do not
 *       match the entries) fails the open with {@link
 *       io.tributary.core.spi.UploadLogException.LogCorruptException} naming the path; nothing is
 *       ever reset silently.
 * </ul>
 *
 * <p>Immutable and thread safe. A directory may hold one open log per process.
 */
public final class LmdbStorage implements Storage {
  /** Default initial map size: 1 MiB; the map grows as needed. */
  public static final long INITIAL_MAP_SIZE_DEFAULT = 1L << 20;

  private static final long MAP_SLACK_BYTES = 16L << 20;

  private final Path directory;
  private final long initialMapSizeBytes;
  private final long maxMapSizeBytes; // 0: derived from the bound

  private LmdbStorage(Path directory, long initialMapSizeBytes, long maxMapSizeBytes) {
    this.directory = directory;
    this.initialMapSizeBytes = initialMapSizeBytes;
    this.maxMapSizeBytes = maxMapSizeBytes;
  }

  /**
   * The upload log in {@code directory} (created on first open; relative paths resolve against the
   * working directory).
   */
  public static LmdbStorage at(Path directory) {
    return new LmdbStorage(
        Objects.requireNonNull(directory, "directory"), INITIAL_MAP_SIZE_DEFAULT, 0);
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** The map size a new environment starts with, in bytes. */
  public long initialMapSizeBytes() {
    return initialMapSizeBytes;
  }

  /**
   * A copy that starts the map at {@code bytes}.
   *
   * @throws IllegalArgumentException if below 64 KiB
   */
  public LmdbStorage withInitialMapSizeBytes(long bytes) {
    if (bytes < 64 * 1024) {
      throw new IllegalArgumentException("initialMapSizeBytes: " + bytes + " (expected: >= 65536)");
    }
    return new LmdbStorage(directory, bytes, maxMapSizeBytes);
  }

  /**
   * A copy whose map grows at most to {@code bytes}, instead of a size derived from the log's
   * bound. Opening fails with {@link IllegalArgumentException} if this is below {@link
   * #minimumMapSizeBytesFor} the log's bound: LMDB stores an entry in up to about twice its size (a
   * value just too large for a leaf page takes a whole overflow page), and deleting entries needs
   * free pages too, so the map must be large enough that the bound, not the map, stops appends. If
   * the map does fill up anyway, appends fail with {@link
   * io.tributary.core.spi.UploadLogException.StorageFailureException}.
   *
   * @throws IllegalArgumentException if below 64 KiB
   */
  public LmdbStorage withMaxMapSizeBytes(long bytes) {
    if (bytes < 64 * 1024) {
      throw new IllegalArgumentException("maxMapSizeBytes: " + bytes + " (expected: >= 65536)");
    }
    return new LmdbStorage(directory, initialMapSizeBytes, bytes);
  }

  /**
   * The largest map size for a log bounded by {@code maxBytes}: the configured one, or {@code 4 *
   * maxBytes + 16 MiB}.
   */
  public long maxMapSizeBytesFor(long maxBytes) {
    if (maxMapSizeBytes > 0) {
      return maxMapSizeBytes;
    }
    if (maxBytes > (Long.MAX_VALUE - MAP_SLACK_BYTES) / 4) {
      return Long.MAX_VALUE;
    }
    return 4 * maxBytes + MAP_SLACK_BYTES;
  }

  /** The smallest map a log bounded by {@code maxBytes} accepts: {@code 3 * maxBytes + 1 MiB}. */
  public static long minimumMapSizeBytesFor(long maxBytes) {
    if (maxBytes > (Long.MAX_VALUE - (1L << 20)) / 3) {
      return Long.MAX_VALUE;
    }
    return 3 * maxBytes + (1L << 20);
  }

  /**
   * Opens the log in this directory, creating it if needed.
   *
   * @throws io.tributary.core.spi.UploadLogException.LogCorruptException if the directory holds
   *     damaged or foreign files
   * @throws io.tributary.core.spi.UploadLogException.StorageFailureException if LMDB cannot open
   * @throws IllegalStateException if the directory is already open in this process
   * @throws IllegalArgumentException if the configured maximum map size is below {@link
   *     #minimumMapSizeBytesFor} the bound
   */
  @Override
  public UploadLog open(UploadLogOptions options) {
    return LmdbUploadLog.open(this, options);
  }

  @Override
  public String toString() {
    return "LmdbStorage{" + directory + '}';
  }
}
