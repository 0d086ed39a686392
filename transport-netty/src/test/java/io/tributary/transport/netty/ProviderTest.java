package io.tributary.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.spi.SyncTransport;
import io.tributary.core.spi.SyncTransportProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ProviderTest {
  @Test
  void serviceLoaderFindsTheNettyTransport() {
    SyncTransportProvider provider =
        ServiceLoader.load(SyncTransportProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("netty"))
            .findFirst()
            .orElseThrow();
    assertThat(provider).isInstanceOf(NettySyncTransportProvider.class);
    try (SyncTransport t = provider.create()) {
      assertThat(t).isInstanceOf(NettySyncTransport.class);
    }
  }
}
