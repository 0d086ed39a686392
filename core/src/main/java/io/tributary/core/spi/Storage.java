package io.tributary.core.spi;

/**
 * A place an {@link UploadLog} lives, bound to its location and storage-specific settings: what an
 * app passes explicitly to the engine's configuration (DESIGN.md: {@code
 * .storage(LmdbStorage.at(Path.of("data/ingest")))} or {@code MemoryStorage.create()}), where
 * {@link StorageProvider} is the {@link java.util.ServiceLoader} route from a URI.
 *
 * <p>Implementations are immutable and thread safe. Opening the same location twice while the first
 * log is still open is an error ({@link IllegalStateException}); after {@link UploadLog#close()} it
 * may be opened again, and a durable storage then shows what was there.
 */
@FunctionalInterface
public interface Storage {

  /**
   * Opens (creating if needed) the log at this storage's location.
   *
   * @param options the log's settings
   * @return the open log; the caller owns it and closes it
   * @throws UploadLogException.LogCorruptException if the files there are damaged or foreign
   * @throws UploadLogException.StorageFailureException if the storage cannot be opened
   * @throws IllegalStateException if the location is already open in this process
   */
  UploadLog open(UploadLogOptions options);
}
