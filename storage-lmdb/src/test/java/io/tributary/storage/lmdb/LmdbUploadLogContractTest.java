package io.tributary.storage.lmdb;

import io.tributary.core.spi.Durability;
import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogContractTest;
import io.tributary.core.spi.UploadLogOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UploadLog contract against the LMDB log, on real files in a temporary directory, once per
 * durability mode. Reopen closes the environment and opens the same directory again.
 */
class LmdbUploadLogContractTest extends UploadLogContractTest {
  @TempDir Path directory;

  /** The durability every log of this class is opened with. */
  Durability durability() {
    return Durability.SYNC;
  }

  @Override
  protected UploadLog openLog(UploadLogOptions options) {
    // a small initial map, so that the suite also exercises map growth
    return LmdbStorage.at(directory)
        .withInitialMapSizeBytes(64 * 1024)
        .open(options.toBuilder().durability(durability()).build());
  }

  @Override
  protected boolean supportsReopen() {
    return true;
  }

  @Nested
  class WithNoMetaSync extends UploadLogContractTest {
    @TempDir Path directory;

    @Override
    protected UploadLog openLog(UploadLogOptions options) {
      return LmdbStorage.at(directory)
          .open(options.toBuilder().durability(Durability.NO_META_SYNC).build());
    }

    @Override
    protected boolean supportsReopen() {
      return true;
    }
  }

  @Nested
  class WithOsFlush extends UploadLogContractTest {
    @TempDir Path directory;

    @Override
    protected UploadLog openLog(UploadLogOptions options) {
      return LmdbStorage.at(directory)
          .open(options.toBuilder().durability(Durability.OS_FLUSH).build());
    }

    @Override
    protected boolean supportsReopen() {
      return true;
    }
  }
}
