package io.tributary.benchmarks.storage;

import io.tributary.core.spi.Durability;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.lmdbjava.EnvFlags;

/**
 * Inputs shared by the storage benchmarks: changeset-sized byte arrays for sensor readings, the
 * durability flags, scratch directories.
 *
 * <p>A sensor reading ({@code _id} ObjectId, sensor string, value double, timestamp, an embedded
 * location of two doubles) encodes to about 102 bytes of changeset instructions, and a changeset
 * carries about 32 bytes of table and string headers. The bytes are seeded random (not
 * compressible), so nothing downstream can take a shortcut.
 */
final class SensorChangesets {
  static final int BYTES_PER_OBJECT = 102;
  static final int HEADER_BYTES = 32;

  private SensorChangesets() {}

  static int changesetBytes(int objects) {
    return HEADER_BYTES + BYTES_PER_OBJECT * objects;
  }

  static byte[] changeset(int objects) {
    byte[] bytes = new byte[changesetBytes(objects)];
    new Random(objects).nextBytes(bytes);
    return bytes;
  }

  static EnvFlags[] flags(Durability durability) {
    switch (durability) {
      case NO_META_SYNC:
        return new EnvFlags[] {EnvFlags.MDB_NOMETASYNC};
      case OS_FLUSH:
        return new EnvFlags[] {EnvFlags.MDB_NOSYNC};
      case SYNC:
      default:
        return new EnvFlags[0];
    }
  }

  static Path scratchDirectory(String prefix) {
    try {
      // next to the build output, on the same disk the tests use; not /tmp, which may be tmpfs
      Path base = Path.of(System.getProperty("tributary.bench.dir", "target/bench-data"));
      Files.createDirectories(base);
      return Files.createTempDirectory(base, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path directory) {
    if (directory == null || !Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
