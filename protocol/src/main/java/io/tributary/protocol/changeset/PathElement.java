package io.tributary.protocol.changeset;

import java.util.Objects;

/**
 * One element of a materialised path (spec changeset.md §5.3): a list index or a string (a
 * property of an embedded object, or a dictionary key). {@code toString()} prints {@code 0} or
 * {@code "lat"}, as realm-core's {@code changeset-dump} does.
 */
public sealed interface PathElement {

  /**
   * An index element.
   *
   * @param index 0 … 2^32−1
   * @return the element
   */
  static PathElement index(long index) {
    return new Index(index);
  }

  /**
   * A string element.
   *
   * @param key the property name or dictionary key
   * @return the element
   */
  static PathElement key(String key) {
    return new Key(key);
  }

  /**
   * A list index.
   *
   * @param index 0 … 2^32−1
   */
  record Index(long index) implements PathElement {
    /** Checks the range. */
    public Index {
      if (index < 0 || index > ChangesetWriter.MAX_UINT32) {
        throw new IllegalArgumentException(
            "path index: " + index + " (expected: 0.." + ChangesetWriter.MAX_UINT32 + ")");
      }
    }

    @Override
    public String toString() {
      return Long.toString(index);
    }
  }

  /**
   * A property of an embedded object, or a dictionary key.
   *
   * @param key the string
   */
  record Key(String key) implements PathElement {
    /** Checks the component. */
    public Key {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
      return "\"" + key + "\"";
    }
  }
}
