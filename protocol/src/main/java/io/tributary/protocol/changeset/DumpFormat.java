package io.tributary.protocol.changeset;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Text forms used by realm-core's {@code changeset-dump}: C's {@code %g}, hex, ISO times. */
final class DumpFormat {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private DumpFormat() {}

  /**
   * C's {@code printf("%.<precision>g", v)} as glibc prints it: {@code inf}, {@code nan}, shortest
   * of fixed/scientific with trailing zeros removed, two-digit exponents.
   */
  static String g(double v, int precision) {
    boolean negative = (Double.doubleToRawLongBits(v) < 0);
    if (Double.isNaN(v)) {
      return negative ? "-nan" : "nan";
    }
    if (Double.isInfinite(v)) {
      return negative ? "-inf" : "inf";
    }
    if (v == 0) {
      return negative ? "-0" : "0";
    }
    BigDecimal rounded =
        new BigDecimal(Math.abs(v)).round(new MathContext(precision, RoundingMode.HALF_EVEN));
    // decimal exponent X of the rounded value: rounded = d.ddd * 10^X
    int x = rounded.precision() - rounded.scale() - 1;
    String digits = rounded.unscaledValue().toString();
    // pad digits to the precision (unscaled may have fewer digits when trailing zeros were cut)
    StringBuilder sig = new StringBuilder(digits);
    while (sig.length() < precision) {
      sig.append('0');
    }
    StringBuilder out = new StringBuilder();
    if (negative) {
      out.append('-');
    }
    if (x < -4 || x >= precision) {
      out.append(sig.charAt(0));
      String frac = stripZeros(sig.substring(1));
      if (!frac.isEmpty()) {
        out.append('.').append(frac);
      }
      out.append('e').append(x < 0 ? '-' : '+');
      int ax = Math.abs(x);
      if (ax < 10) {
        out.append('0');
      }
      out.append(ax);
    } else if (x >= 0) {
      out.append(sig, 0, x + 1);
      String frac = stripZeros(sig.substring(x + 1));
      if (!frac.isEmpty()) {
        out.append('.').append(frac);
      }
    } else {
      StringBuilder frac = new StringBuilder();
      for (int i = 0; i < -x - 1; i++) {
        frac.append('0');
      }
      frac.append(sig);
      out.append("0.").append(stripZeros(frac.toString()));
    }
    return out.toString();
  }

  private static String stripZeros(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '0') {
      end--;
    }
    return s.substring(0, end);
  }

  /** The low {@code bytes} bytes of {@code bits} in little-endian order, as hex. */
  static String leHex(long bits, int bytes) {
    char[] c = new char[2 * bytes];
    for (int i = 0; i < bytes; i++) {
      int b = (int) (bits >>> (8 * i)) & 0xFF;
      c[2 * i] = HEX[b >>> 4];
      c[2 * i + 1] = HEX[b & 0xF];
    }
    return new String(c);
  }

  /** {@code 2024-03-01T12:34:56.789000000Z}: always nine fraction digits, UTC. */
  static String iso(long seconds, int nanos) {
    try {
      long s = seconds;
      long n = nanos;
      if (n < 0) {
        s -= 1;
        n += 1_000_000_000;
      }
      LocalDateTime t = LocalDateTime.ofEpochSecond(s, (int) n, ZoneOffset.UTC);
      return String.format(
          "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ",
          t.getYear(),
          t.getMonthValue(),
          t.getDayOfMonth(),
          t.getHour(),
          t.getMinute(),
          t.getSecond(),
          t.getNano());
    } catch (DateTimeException e) {
      return "out of range";
    }
  }
}
