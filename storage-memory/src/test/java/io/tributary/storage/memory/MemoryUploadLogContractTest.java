package io.tributary.storage.memory;

import io.tributary.core.spi.UploadLog;
import io.tributary.core.spi.UploadLogContractTest;
import io.tributary.core.spi.UploadLogOptions;

/** The UploadLog contract against the in-memory log; "reopen" reopens the same MemoryStorage. */
class MemoryUploadLogContractTest extends UploadLogContractTest {
  private final MemoryStorage storage = MemoryStorage.create();

  @Override
  protected UploadLog openLog(UploadLogOptions options) {
    return storage.open(options);
  }

  @Override
  protected boolean supportsReopen() {
    return true;
  }
}
