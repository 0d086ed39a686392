package io.tributary.core.spi;

import java.net.URI;

/**
 * Opens {@link UploadLog}s of one kind; found with {@link java.util.ServiceLoader} by its {@link
 * #scheme()}, so that {@code storage("lmdb:data/ingest")} works without compile-time knowledge of
 * the storage module.
 *
 * <p>Implementations have a public no-argument constructor and are stateless.
 */
public interface StorageProvider {

  /** The URI scheme this provider handles, e.g. {@code "lmdb"} or {@code "memory"}. */
  String scheme();

  /**
   * Opens (creating if needed) the log at {@code location}.
   *
   * @param location a URI with this provider's scheme; its scheme-specific part names the place
   *     (for LMDB a directory path, relative paths resolved against the working directory)
   * @param options the log's settings
   * @throws UploadLogException.LogCorruptException if the files there are damaged or foreign
   * @throws IllegalArgumentException if the location is not valid for this provider
   */
  UploadLog open(URI location, UploadLogOptions options);
}
