package io.tributary.core.spi;

/**
 * Creates {@link SyncTransport}s; found with {@link java.util.ServiceLoader} when the application
 * does not pass a transport explicitly. Implementations have a public no-argument constructor.
 */
public interface SyncTransportProvider {

  /** A short name for logs and configuration, e.g. {@code "netty"}. */
  String name();

  /** Higher wins when several providers are on the class path. */
  default int priority() {
    return 0;
  }

  /** Creates a transport with its own I/O threads. */
  SyncTransport create();
}
