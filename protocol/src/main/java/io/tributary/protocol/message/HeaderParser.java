package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import java.nio.ByteBuffer;

/**
 * The strict header-line parser (spec protocol.md §4.1, §4.2) and the number syntax shared with
 * the changeset entry headers of UPLOAD/DOWNLOAD bodies.
 *
 * <p>Rules, each failure a {@link ProtocolException} naming the field and its byte offset:
 *
 * <ul>
 *   <li>the header line ends with LF within {@code maxHeaderLength} bytes; a body-less message
 *       ends right after it;
 *   <li>the first word is a known message type (else 102 unknown_message), followed by exactly the
 *       message's number of fields, each preceded by exactly one space: no empty field (double
 *       space), no space before the LF;
 *   <li>numbers are ASCII decimal digits, value 0..2^63-1: no sign ({@code +} never; {@code -}
 *       only parses for signed fields, whose negative values are then out of range), no other
 *       characters, at most {@value #MAX_NUMBER_CHARS} characters;
 *   <li>leading zeros are accepted: realm-core's parser accepts them ({@code std::from_chars}) and
 *       they are not in the spec's MUST-reject list (§4.2); writers never emit them.
 * </ul>
 *
 * <p>Reusable, allocation-free on valid input; not thread safe. Indices are absolute into the
 * buffer; the buffer's position and limit are never changed.
 */
final class HeaderParser {
  /** Longest number token: 19 digits of 2^63-1 plus room for leading zeros. */
  static final int MAX_NUMBER_CHARS = 32;

  /** Longest decimal (progress estimate) token. */
  static final int MAX_DECIMAL_CHARS = 64;

  private static final String U63_RANGE = "0.." + Long.MAX_VALUE;

  private ByteBuffer buf;
  private int base;
  private int lineEnd;
  private int pos;
  private int tokenStart;
  private int tokenEnd;
  private String prefix = "header";
  private long sessionIdent;

  /**
   * Starts parsing the message in {@code buf} from its position to its limit: finds the LF and
   * the type word.
   *
   * @return the message type
   * @throws ProtocolException 103 for a missing or late LF or an empty type word, 102 for an
   *     unknown type
   */
  MessageType begin(ByteBuffer buf, int maxHeaderLength) {
    this.buf = buf;
    this.base = buf.position();
    this.prefix = "header";
    this.sessionIdent = 0;
    int limit = buf.limit();
    if (limit == base) {
      throw syntax("header", base, "empty message (expected: a header line ending with LF)");
    }
    int searchEnd = (int) Math.min(limit, (long) base + maxHeaderLength);
    int lf = -1;
    int firstSpace = -1;
    for (int i = base; i < searchEnd; i++) {
      byte b = buf.get(i);
      if (b == '\n') {
        lf = i;
        break;
      }
      if (b == ' ' && firstSpace < 0) {
        firstSpace = i;
      }
    }
    if (lf < 0) {
      if (limit - base > maxHeaderLength) {
        throw syntax(
            "header",
            base,
            "no LF in the first "
                + maxHeaderLength
                + " bytes (expected: a header line of at most "
                + maxHeaderLength
                + " bytes ending with LF)");
      }
      throw syntax(
          "header",
          limit,
          "message of "
              + (limit - base)
              + " bytes has no LF (expected: a header line ending with LF)");
    }
    lineEnd = lf;
    int typeEnd = firstSpace < 0 ? lf : firstSpace;
    if (typeEnd == base) {
      throw syntax(
          "header.message_type", base, "empty (expected: a message type word first)");
    }
    MessageType type = MessageType.match(buf, base, typeEnd);
    if (type == null) {
      throw new ProtocolException(
          ProtocolError.UNKNOWN_MESSAGE,
          "header.message_type",
          0,
          0,
          quote(base, typeEnd) + " (expected: a known message type such as upload, bind, ping)");
    }
    pos = typeEnd;
    return type;
  }

  /**
   * Checks that the header has exactly the named fields, none empty, before any is parsed.
   *
   * @param prefix the message name used in field names, e.g. {@code "upload"}
   * @throws ProtocolException 103
   */
  void expectFields(String prefix, String[] names) {
    this.prefix = prefix;
    int count = 0;
    int i = pos;
    while (i < lineEnd) { // buf[i] == ' ': a field starts after it
      int fieldStart = i + 1;
      int j = fieldStart;
      while (j < lineEnd && buf.get(j) != ' ') {
        j++;
      }
      if (j == fieldStart) {
        String name = count < names.length ? prefix + "." + names[count] : prefix + ".header";
        if (j == lineEnd) {
          throw syntax(name, fieldStart, "space before LF (expected: LF right after the last field)");
        }
        throw syntax(
            name, fieldStart, "empty field: two spaces in a row (expected: one space between fields)");
      }
      count++;
      i = j;
    }
    if (count != names.length) {
      throw syntax(
          prefix + ".header",
          base,
          count
              + " fields (expected: "
              + names.length
              + ": "
              + String.join(" ", names)
              + ")");
    }
  }

  /** Records the session ident for error context once it has been read. */
  void sessionIdent(long sessionIdent) {
    this.sessionIdent = sessionIdent;
  }

  long sessionIdent() {
    return sessionIdent;
  }

  /** Offset of the first body byte from the message start. */
  int bodyOffset() {
    return lineEnd + 1 - base;
  }

  /** Absolute index of the first body byte. */
  int bodyIndex() {
    return lineEnd + 1;
  }

  /** Number of body bytes (after the LF) in the message. */
  int bodyLength() {
    return buf.limit() - lineEnd - 1;
  }

  /** Offset of an absolute index from the message start. */
  long offsetOf(int index) {
    return index - base;
  }

  /** Requires an empty body (body-less message). */
  void requireNoBody() {
    int extra = bodyLength();
    if (extra != 0) {
      throw syntax(
          prefix + ".body",
          lineEnd + 1,
          extra + " bytes after the header line (expected: none, " + prefix + " has no body)");
    }
  }

  // --- typed fields, read in order after expectFields ---

  private void nextToken() {
    int s = pos + 1;
    int e = s;
    while (e < lineEnd && buf.get(e) != ' ') {
      e++;
    }
    tokenStart = s;
    tokenEnd = e;
    pos = e;
  }

  /** An unsigned field: digits only, 0..2^63-1. */
  long unsigned(String name) {
    nextToken();
    return number(name, false);
  }

  /** A signed field (salts, query_version, ping timestamps): a '-' parses, but must be ≥ 0. */
  long signed(String name) {
    nextToken();
    return number(name, true);
  }

  private long number(String name, boolean signed) {
    long v = parseDigits(buf, tokenStart, tokenEnd, signed);
    if (v < 0) {
      throw numberError(v, buf, tokenStart, tokenEnd, prefix + "." + name, base, sessionIdent,
          ProtocolError.BAD_SYNTAX);
    }
    return v;
  }

  /** A boolean field: the number 0 or 1. */
  boolean bool(String name) {
    long v = unsigned(name);
    if (v > 1) {
      throw syntax(prefix + "." + name, tokenStart, quote(tokenStart, tokenEnd)
          + " (expected: 0 or 1)");
    }
    return v == 1;
  }

  /** An unsigned field of at most {@code max}. */
  long unsigned(String name, long max) {
    long v = unsigned(name);
    if (v > max) {
      throw syntax(prefix + "." + name, tokenStart, quote(tokenStart, tokenEnd)
          + " (expected: 0.." + max + ")");
    }
    return v;
  }

  /** The offset of the last token read, from the message start (for later size errors). */
  long lastTokenOffset() {
    return tokenStart - base;
  }

  /**
   * A plain decimal in 0..1 ({@code 1}, {@code 0.5}, {@code 1.000}): digits, optionally a point and
   * at least one digit; no sign, no exponent.
   */
  double decimal01(String name) {
    nextToken();
    int s = tokenStart;
    int e = tokenEnd;
    if (e - s == 1 && (buf.get(s) == '0' || buf.get(s) == '1')) {
      return buf.get(s) - '0'; // what servers send: no allocation
    }
    String field = prefix + "." + name;
    if (e - s > MAX_DECIMAL_CHARS) {
      throw syntax(field, s, quote(s, e) + " has " + (e - s) + " characters (expected: at most "
          + MAX_DECIMAL_CHARS + ")");
    }
    int dot = -1;
    for (int i = s; i < e; i++) {
      byte b = buf.get(i);
      if (b == '.' && dot < 0 && i > s && i < e - 1) {
        dot = i;
      } else if (b < '0' || b > '9') {
        throw syntax(field, s, quote(s, e)
            + " is not a plain decimal (expected: digits with an optional fraction, e.g. 1 or 0.5)");
      }
    }
    char[] chars = new char[e - s];
    for (int i = s; i < e; i++) {
      chars[i - s] = (char) buf.get(i);
    }
    double v = Double.parseDouble(new String(chars));
    if (v > 1.0) {
      throw syntax(field, s, quote(s, e) + " (expected: 0..1)");
    }
    return v;
  }

  // --- shared number syntax ---

  static final long TOO_LONG = -1;
  static final long HAS_SIGN = -2;
  static final long NOT_A_NUMBER = -3;
  static final long NOT_DECIMAL = -4;
  static final long OVERFLOW = -5;
  static final long NEGATIVE = -6;

  /**
   * Parses the non-empty decimal token {@code [s, e)} of {@code b} into 0..2^63-1 without
   * allocating.
   *
   * @param signed whether a leading '-' is the field's syntax (its value is then out of range)
   * @return the value, or one of the negative error constants ({@link #TOO_LONG}, ...)
   */
  static long parseDigits(ByteBuffer b, int s, int e, boolean signed) {
    if (e - s > MAX_NUMBER_CHARS) {
      return TOO_LONG;
    }
    byte first = b.get(s);
    if (first == '+' || (first == '-' && !signed)) {
      return HAS_SIGN;
    }
    int i = first == '-' ? s + 1 : s;
    if (i == e) {
      return NOT_A_NUMBER;
    }
    long v = 0;
    for (; i < e; i++) {
      int d = b.get(i) - '0';
      if (d < 0 || d > 9) {
        return NOT_DECIMAL;
      }
      if (v > (Long.MAX_VALUE - d) / 10) {
        return OVERFLOW;
      }
      v = v * 10 + d;
    }
    return first == '-' ? NEGATIVE : v;
  }

  /** The exception for an error constant of {@link #parseDigits}. */
  static ProtocolException numberError(
      long code,
      ByteBuffer b,
      int s,
      int e,
      String field,
      int base,
      long sessionIdent,
      ProtocolError error) {
    String actual = quote(b, s, e);
    String detail;
    if (code == TOO_LONG) {
      detail = actual + " has " + (e - s) + " characters (expected: at most " + MAX_NUMBER_CHARS
          + ")";
    } else if (code == HAS_SIGN) {
      detail = actual + " has a sign (expected: unsigned decimal " + U63_RANGE + ")";
    } else if (code == NOT_A_NUMBER) {
      detail = actual + " is not a number (expected: decimal digits)";
    } else if (code == NOT_DECIMAL) {
      detail = actual + " is not a decimal number (expected: digits 0-9 only)";
    } else if (code == OVERFLOW) {
      detail = actual + " overflows (expected: " + U63_RANGE + ")";
    } else {
      detail = actual + " is negative (expected: " + U63_RANGE + ")";
    }
    return new ProtocolException(error, field, s - base, sessionIdent, detail);
  }

  private ProtocolException syntax(String field, int index, String detail) {
    return new ProtocolException(
        ProtocolError.BAD_SYNTAX, field, index - base, sessionIdent, detail);
  }

  private String quote(int s, int e) {
    return quote(buf, s, e);
  }

  /** The bytes {@code [s, e)} as a quoted, escaped, shortened string for error messages. */
  static String quote(ByteBuffer b, int s, int e) {
    StringBuilder sb = new StringBuilder(Math.min(e - s, 40) + 8).append('"');
    int n = Math.min(e, s + 40);
    for (int i = s; i < n; i++) {
      int c = b.get(i) & 0xFF;
      if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02X", c));
      }
    }
    if (n < e) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }
}
