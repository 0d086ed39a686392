package io.tributary.protocol.changeset;

import java.util.Objects;

/**
 * A name (class, property, dictionary key or string primary key) prepared once for a {@link
 * ChangesetWriter}: checked, with its UTF-8 bytes computed, so writing it costs no string hashing
 * or encoding.
 *
 * <p>Make the names of a schema once ({@code Name.of("Reading")}, {@code Name.of("sensor")}, ...)
 * and pass them to the writer's {@code Name} overloads. The writer interns a name on its first use
 * in each changeset; later uses find its intern index through a hint kept in this object and
 * checked with one comparison, instead of a hash lookup. The hint is only a hint: a name may be
 * shared by any number of writers on any threads, and a stale hint just takes the slow path.
 *
 * <p>Immutable as far as callers can see, and thread safe. Equal names have equal values.
 */
public final class Name {
  private final String value;
  private final byte[] utf8;
  /** {@code utf8.length}, kept in the object: one load less per use. */
  final int utf8Length;
  /** The intern index this name had in the last changeset that used it: a hint, verified. */
  int hint;

  private Name(String value, byte[] utf8) {
    this.value = value;
    this.utf8 = utf8;
    this.utf8Length = utf8.length;
  }

  /**
   * Prepares {@code value}.
   *
   * @param value the name
   * @return the prepared name
   * @throws IllegalArgumentException if {@code value} has an unpaired surrogate or more than
   *     {@link ChangesetWriter#MAX_STRING_BYTES} UTF-8 bytes (the tighter limits of class and
   *     property names are checked where the name is used as one)
   */
  public static Name of(String value) {
    Objects.requireNonNull(value, "value");
    long len = Utf8.encodedLength(value, "name");
    if (len > ChangesetWriter.MAX_STRING_BYTES) {
      throw new IllegalArgumentException(
          "name: " + len + " UTF-8 bytes (expected: at most " + ChangesetWriter.MAX_STRING_BYTES
              + ")");
    }
    byte[] utf8 = new byte[(int) len];
    Utf8.encode(value, 0, value.length(), utf8, 0);
    return new Name(value, utf8);
  }

  /** The name as a String. */
  public String value() {
    return value;
  }

  /** The length of the name's UTF-8 form, in bytes. */
  public int utf8Length() {
    return utf8Length;
  }

  /** The UTF-8 bytes; not copied, never modified. */
  byte[] utf8() {
    return utf8;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Name && ((Name) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** The name's value. */
  @Override
  public String toString() {
    return value;
  }
}
