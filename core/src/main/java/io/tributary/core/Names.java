package io.tributary.core;

/** Checks of class and property names (spec changeset.md §3.3). */
final class Names {
  /** Longest class name in UTF-8 bytes (realm-core stores class X as table {@code class_X}). */
  static final int MAX_CLASS_NAME_BYTES = 57;
  /** Longest property name in UTF-8 bytes. */
  static final int MAX_PROPERTY_NAME_BYTES = 63;

  private Names() {}

  static String checkClassName(String name) {
    check(name, MAX_CLASS_NAME_BYTES, "class name");
    return name;
  }

  static String checkPropertyName(String className, String name) {
    check(name, MAX_PROPERTY_NAME_BYTES, className + ": property name");
    return name;
  }

  private static void check(String name, int max, String what) {
    if (name == null) {
      throw new NullPointerException(what);
    }
    if (name.isEmpty()) {
      throw new SchemaException(what + ": empty (expected: 1 to " + max + " UTF-8 bytes)");
    }
    long len = utf8Length(name);
    if (len < 0) {
      throw new SchemaException(
          what + " '" + name + "': unpaired surrogate at index " + (-len - 1)
              + " (expected: valid UTF-16)");
    }
    if (len > max) {
      throw new SchemaException(
          what + " '" + name + "': " + len + " UTF-8 bytes (expected: at most " + max + ")");
    }
  }

  /** UTF-8 length of {@code s}, or {@code -(index + 1)} of its first unpaired surrogate. */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          n += 4;
          i++;
        } else {
          return -(i + 1);
        }
      } else if (Character.isLowSurrogate(c)) {
        return -(i + 1);
      } else {
        n += 3;
      }
    }
    return n;
  }
}
