package io.tributary.storage.lmdb;

import io.tributary.core.spi.StorageProvider;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * {@link StorageProvider} for the URI scheme {@code lmdb}: {@code lmdb:data/ingest} (relative to
 * the working directory), {@code lmdb:/var/lib/app/ingest} or {@code lmdb:///var/lib/app/ingest}.
 * Registered in {@code META-INF/services}.
 */
public final class LmdbStorageProvider implements StorageProvider {
  /** The scheme this provider handles. */
  public static final String SCHEME = "lmdb";

  /** For {@link java.util.ServiceLoader}. */
  public LmdbStorageProvider() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Opens the log in the directory the URI names.
   *
   * @throws IllegalArgumentException if the scheme is not {@code lmdb} or no path is given
   */
  @Override
  public UploadLog open(URI location, UploadLogOptions options) {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(options, "options");
    return LmdbStorage.at(directoryOf(location)).open(options);
  }

  static Path directoryOf(URI location) {
    if (!SCHEME.equalsIgnoreCase(location.getScheme())) {
      throw new IllegalArgumentException(
          "location: " + location + " (expected: a URI with scheme " + SCHEME + ")");
    }
    String path = location.isOpaque() ? location.getSchemeSpecificPart() : location.getPath();
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException(
          "location: " + location + " (expected: lmdb:<directory path>)");
    }
    return Path.of(path);
  }
}
