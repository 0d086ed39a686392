package io.tributary.transport.netty;

import io.tributary.core.spi.SyncTransport;
import io.tributary.core.spi.SyncTransportProvider;

/**
 * Makes {@link NettySyncTransport} discoverable with {@link java.util.ServiceLoader} (registered in
 * {@code META-INF/services/io.tributary.core.spi.SyncTransportProvider}).
 */
public final class NettySyncTransportProvider implements SyncTransportProvider {

  /** The name this provider reports. */
  public static final String NAME = "netty";

  /** Public no-argument constructor, for {@link java.util.ServiceLoader}. */
  public NettySyncTransportProvider() {}

  /** {@return {@value #NAME}} */
  @Override
  public String name() {
    return NAME;
  }

  /** A transport with {@link NettySyncTransport#IO_THREADS_DEFAULT} event loop thread. */
  @Override
  public SyncTransport create() {
    return NettySyncTransport.create();
  }
}
