package io.tributary.protocol.changeset;

/** UTF-8 length and encoding of Java strings, without allocation. */
final class Utf8 {
  private Utf8() {}

  /**
   * The UTF-8 length of {@code s}.
   *
   * @param what the field name for the error message
   * @return the length in bytes (as a long: up to 3 bytes per char)
   * @throws IllegalArgumentException if {@code s} has an unpaired surrogate (it has no UTF-8 form)
   */
  static long encodedLength(String s, String what) {
    int n = s.length();
    long len = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          len += 1;
        } else if (Character.isSurrogate(c)) {
          if (Character.isHighSurrogate(c)
              && i + 1 < n
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            len += 2; // 2 chars -> 4 bytes
            i++;
          } else {
            throw new IllegalArgumentException(
                what
                    + ": unpaired surrogate U+"
                    + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
                    + " at char index "
                    + i
                    + " (expected: well-formed UTF-16, which has a UTF-8 form)");
          }
        } else {
          len += 2;
        }
      }
    }
    return len;
  }

  /**
   * Encodes {@code s[from, to)} (well-formed, a pair never split at {@code to}) into {@code dst}
   * at {@code pos}.
   *
   * @return the index after the last byte written
   */
  static int encode(String s, int from, int to, byte[] dst, int pos) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        dst[pos++] = (byte) c;
      } else if (c < 0x800) {
        dst[pos++] = (byte) (0xC0 | (c >>> 6));
        dst[pos++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        dst[pos++] = (byte) (0xF0 | (cp >>> 18));
        dst[pos++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
        dst[pos++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
        dst[pos++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        dst[pos++] = (byte) (0xE0 | (c >>> 12));
        dst[pos++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
        dst[pos++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return pos;
  }
}
