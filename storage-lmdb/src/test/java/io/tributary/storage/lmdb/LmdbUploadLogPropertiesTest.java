package io.tributary.storage.lmdb;

import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogOptions;
import io.tributary.core.spi.UploadLogStateMachineProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The stateful UploadLog properties against the LMDB log, one temporary directory per try. */
class LmdbUploadLogPropertiesTest extends UploadLogStateMachineProperties {

  @Override
  protected Fixture newFixture() throws IOException {
    Path directory = Files.createTempDirectory("tributary-lmdb-prop");
    LmdbStorage storage = LmdbStorage.at(directory).withInitialMapSizeBytes(64 * 1024);
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
      public void close() throws IOException {
        TestFiles.deleteRecursively(directory);
      }
    };
  }
}
