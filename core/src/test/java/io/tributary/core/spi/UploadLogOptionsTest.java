package io.tributary.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UploadLogOptionsTest {

  @Test
  void defaultsAreDurableAndBlocking() {
    UploadLogOptions options = UploadLogOptions.DEFAULT;

    assertThat(options.durability()).isEqualTo(Durability.SYNC);
    assertThat(options.overflowPolicy()).isEqualTo(OverflowPolicy.BLOCK);
    assertThat(options.maxBytes()).isEqualTo(1L << 30);
    assertThat(options.blockTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void toBuilderKeepsEverySetting() {
    UploadLogOptions options =
        UploadLogOptions.newBuilder()
            .durability(Durability.OS_FLUSH)
            .overflowPolicy(OverflowPolicy.DROP_OLDEST)
            .maxBytes(1 << 20)
            .blockTimeout(Duration.ZERO)
            .storageTimeout(Duration.ofSeconds(5))
            .build();

    assertThat(options.toBuilder().build()).usingRecursiveComparison().isEqualTo(options);
  }

  @Test
  void rejectsABoundTooSmallForOneEntry() {
    assertThatThrownBy(() -> UploadLogOptions.newBuilder().maxBytes(100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBytes: 100 (expected: >= 4096)");
  }

  @Test
  void rejectsNegativeAndZeroTimeouts() {
    assertThatThrownBy(() -> UploadLogOptions.newBuilder().blockTimeout(Duration.ofMillis(-1)))
        .hasMessage("blockTimeout: PT-0.001S (expected: >= 0)");
    assertThatThrownBy(() -> UploadLogOptions.newBuilder().storageTimeout(Duration.ZERO))
        .hasMessage("storageTimeout: PT0S (expected: > 0)");
  }

  @Test
  void syncProgressRejectsNegativeVersions() {
    assertThatThrownBy(() -> new SyncProgress(0, 0, 0, 0, -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uploadClientVersion: -1 (expected: >= 0)");
  }
}
