package io.tributary.storage.memory;

import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.core.spi.UploadLogStateMachineProperties;

/** The stateful UploadLog properties against the in-memory log. */
class MemoryUploadLogPropertiesTest extends UploadLogStateMachineProperties {

  @Override
  protected Fixture newFixture() {
    MemoryStorage storage = MemoryStorage.create();
    return new Fixture() {
      @Override
      public UploadLog open(UploadLogOptions options) {
        return storage.open(options);
      }

      @Override
      public boolean durable() {
        return true;
      }

      @Override
      public void close() {}
    };
  }
}
