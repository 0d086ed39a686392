package io.tributary.server.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PageCacheTrim} on a real file: which pages the kernel keeps is read with {@link
 * MappedByteBuffer#isLoaded()} (mincore) over mappings that this test never touches, so they do
 * not count as mapped pages themselves.
 */
class PageCacheTrimTest {
  private static final int MIB = 1 << 20;
  private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

  @TempDir Path dir;

  /** Appends {@code mib} MiB to {@code file} and flushes it to disk (its pages are then clean). */
  private static void append(Path file, int mib) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer b = ByteBuffer.allocate(MIB);
      for (int i = 0; i < mib; i++) {
        b.clear();
        while (b.hasRemaining()) {
          b.put((byte) (i + b.position()));
        }
        b.flip();
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
      ch.force(true);
    }
  }

  private static MappedByteBuffer map(Path file, long from, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, from, size);
    }
  }

  @Test
  void dropsTheCleanPagesBehindTheNewestOnesOnceTheFileGrewByTheStep() throws IOException {
    Path file = dir.resolve("data.mdb");
    append(file, 8);
    MappedByteBuffer older = map(file, 0, 6L * MIB);
    MappedByteBuffer newest = map(file, 6L * MIB, 2L * MIB);
    assertThat(older.isLoaded()).as("just written: in the page cache").isTrue();
    try (PageCacheTrim trim = new PageCacheTrim(file, "trim-test", 2L * MIB, 4L * MIB, 1L * MIB)) {
      if (!LINUX) {
        assertThat(trim.active()).isFalse();
        return;
      }
      assertThat(trim.active()).as("libc's posix_fadvise bound").isTrue();
      assertThat(trim.trimNow()).isTrue();
      assertThat(trim.droppedTo()).isEqualTo(6L * MIB);
      assertThat(older.isLoaded()).as("older pages dropped").isFalse();
      assertThat(newest.isLoaded()).as("the newest 2 MiB kept").isTrue();

      append(file, 3); // 11 MiB: less than the step past the last drop
      assertThat(trim.trimNow()).isTrue();
      assertThat(trim.droppedTo()).isEqualTo(6L * MIB);
      assertThat(map(file, 6L * MIB, 5L * MIB).isLoaded()).as("nothing dropped below the step").isTrue();

      append(file, 2); // 13 MiB
      assertThat(trim.trimNow()).isTrue();
      assertThat(trim.droppedTo()).isEqualTo(11L * MIB);
      assertThat(map(file, 6L * MIB, 5L * MIB).isLoaded()).isFalse();
      assertThat(map(file, 11L * MIB, 2L * MIB).isLoaded()).isTrue();
      assertThat(trim.active()).isTrue();
    }
  }

  @Test
  void keepsThePagesMappedIntoTheProcessAsLmdbsReadPagesAre() throws IOException {
    Path file = dir.resolve("data.mdb");
    append(file, 8);
    MappedByteBuffer read = map(file, 0, 2L * MIB);
    long sum = 0;
    for (int i = 0; i < read.capacity(); i += 4096) {
      sum += read.get(i); // mapped now: in this process's page tables
    }
    MappedByteBuffer untouched = map(file, 2L * MIB, 4L * MIB);
    try (PageCacheTrim trim = new PageCacheTrim(file, "trim-test", 2L * MIB, 1L * MIB, 0)) {
      if (!LINUX) {
        assertThat(trim.active()).isFalse();
        return;
      }
      assertThat(trim.trimNow()).isTrue();
      assertThat(read.isLoaded()).as("read through a mapping: kept (sum %d)", sum).isTrue();
      assertThat(untouched.isLoaded()).isFalse();
    }
  }

  @Test
  void aWriteNotedBeforeCloseIsDroppedByTheThreadAndCloseWaitsForIt() throws IOException {
    Path file = dir.resolve("data.mdb");
    append(file, 8);
    PageCacheTrim trim = new PageCacheTrim(file, "trim-test", 2L * MIB, 1L * MIB, 0);
    trim.afterWrite();
    trim.close();
    assertThat(trim.active()).isFalse();
    assertThat(trim.droppedTo()).isEqualTo(LINUX ? 6L * MIB : 0);
    if (LINUX) {
      assertThat(map(file, 0, 6L * MIB).isLoaded()).isFalse();
    }
    trim.afterWrite(); // closed: nothing, no thread
    trim.close();
    assertThat(trim.droppedTo()).isEqualTo(LINUX ? 6L * MIB : 0);
  }

  @Test
  void aFileNotThereYetIsNothingToDrop() throws IOException {
    try (PageCacheTrim trim = new PageCacheTrim(dir.resolve("none"), "trim-test", 0, 1, 0)) {
      assertThat(trim.trimNow()).isTrue();
      assertThat(trim.droppedTo()).isZero();
    }
  }
}
