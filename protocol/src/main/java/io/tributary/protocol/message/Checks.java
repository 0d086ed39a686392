package io.tributary.protocol.message;

import java.nio.ByteBuffer;
import java.util.Objects;

/** Argument checks shared by the message records and encoders (programming errors, not input). */
final class Checks {
  private Checks() {}

  static long nonNegative(long value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(
          field + ": " + value + " (expected: 0.." + Long.MAX_VALUE + ")");
    }
    return value;
  }

  static int nonNegative(int value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(
          field + ": " + value + " (expected: 0.." + Integer.MAX_VALUE + ")");
    }
    return value;
  }

  static <T> T notNull(T value, String field) {
    return Objects.requireNonNull(value, field);
  }

  /** A read-only view of {@code buf} from its position to its limit; the bytes are not copied. */
  static ByteBuffer view(ByteBuffer buf, String field) {
    Objects.requireNonNull(buf, field);
    return buf.slice().asReadOnlyBuffer();
  }
}
