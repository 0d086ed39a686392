package io.tributary.core.internal;

import io.tributary.core.spi.Storage;
import io.tributary.core.spi.StorageProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds the {@link StorageProvider} for a URI's scheme with {@link ServiceLoader}. */
public final class StorageProviders {
  private StorageProviders() {}

  /**
   * A {@link Storage} that opens {@code location} with the provider of its scheme.
   *
   * @param location an absolute URI, e.g. {@code lmdb:data/ingest} or {@code memory:test}
   * @param loader where to look for providers
   * @throws IllegalArgumentException if the URI has no scheme, or no provider (or more than one)
   *     handles it
   */
  public static Storage resolve(URI location, ClassLoader loader) {
    Objects.requireNonNull(location, "location");
    String scheme = location.getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException(
          "storage: " + location + " has no scheme (expected: e.g. lmdb:data/ingest or"
              + " memory:test)");
    }
    List<StorageProvider> matches = new ArrayList<>();
    TreeSet<String> found = new TreeSet<>();
    for (StorageProvider p : ServiceLoader.load(StorageProvider.class, loader)) {
      found.add(p.scheme());
      if (p.scheme().equalsIgnoreCase(scheme)) {
        matches.add(p);
      }
    }
    if (matches.isEmpty()) {
      throw new IllegalArgumentException(
          "storage: no StorageProvider for scheme '" + scheme + "' on the class path (found: "
              + (found.isEmpty() ? "none" : String.join(", ", found)) + "; expected: the module"
              + " that provides it, e.g. tributary-storage-" + scheme.toLowerCase(Locale.ROOT)
              + ")");
    }
    if (matches.size() > 1) {
      List<String> names = new ArrayList<>();
      for (StorageProvider p : matches) {
        names.add(p.getClass().getName());
      }
      throw new IllegalArgumentException(
          "storage: " + matches.size() + " StorageProviders for scheme '" + scheme + "' ("
              + String.join(", ", names) + "; expected: exactly one)");
    }
    StorageProvider provider = matches.get(0);
    return new Storage() {
      @Override
      public io.tributary.core.spi.UploadLog open(io.tributary.core.spi.UploadLogOptions o) {
        return provider.open(location, o);
      }

      @Override
      public String toString() {
        return location + " (" + provider.getClass().getName() + ")";
      }
    };
  }
}
