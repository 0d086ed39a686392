package io.tributary.storage.memory;

import io.tributary.core.spi.StorageProvider;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import java.net.URI;
import java.util.Objects;

/**
 * {@link StorageProvider} for the URI scheme {@code memory} (e.g. {@code memory:test}). Every
 * {@link #open} returns a new, empty log; the scheme-specific part is only a label. Registered in
 * {@code META-INF/services}.
 */
public final class MemoryStorageProvider implements StorageProvider {
  /** The scheme this provider handles. */
  public static final String SCHEME = "memory";

  /** For {@link java.util.ServiceLoader}. */
  public MemoryStorageProvider() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  /**
   * Opens a new, empty in-memory log.
   *
   * @throws IllegalArgumentException if the scheme of {@code location} is not {@code memory}
   */
  @Override
  public UploadLog open(URI location, UploadLogOptions options) {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(options, "options");
    if (!SCHEME.equalsIgnoreCase(location.getScheme())) {
      throw new IllegalArgumentException(
          "location: " + location + " (expected: a URI with scheme " + SCHEME + ")");
    }
    return MemoryStorage.create().open(options);
  }
}
