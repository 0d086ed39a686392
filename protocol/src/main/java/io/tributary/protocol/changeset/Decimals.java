package io.tributary.protocol.changeset;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Decimal128 parts (coefficient, exponent, sign; spec changeset.md §3.6) and their conversions. */
final class Decimals {
  static final int EXPONENT_BIAS = 6176;
  static final int MIN_EXPONENT = -6176;
  static final int MAX_EXPONENT = 6111;

  /** 10^34, the exclusive bound of the coefficient, as high and low 64 bits. */
  static final long LIMIT_HIGH = 0x1ed09bead87c0L;

  static final long LIMIT_LOW = 0x378d8e6400000000L;

  private static final BigInteger LIMIT = BigInteger.TEN.pow(34);
  private static final BigInteger MASK64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private Decimals() {}

  static boolean coefficientInRange(long high, long low) {
    return Long.compareUnsigned(high, LIMIT_HIGH) < 0
        || (high == LIMIT_HIGH && Long.compareUnsigned(low, LIMIT_LOW) < 0);
  }

  static void check(long coefficientHigh, long coefficientLow, int exponent) {
    if (!coefficientInRange(coefficientHigh, coefficientLow)) {
      throw new IllegalArgumentException(
          "decimal coefficient: " + toBigInteger(coefficientHigh, coefficientLow)
              + " (expected: below 10^34)");
    }
    if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
      throw new IllegalArgumentException(
          "decimal exponent: " + exponent + " (expected: " + MIN_EXPONENT + ".." + MAX_EXPONENT
              + ")");
    }
  }

  /**
   * Converts exactly, moving trailing zeros between coefficient and exponent when the plain form is
   * out of range.
   *
   * @return {coefficient high, coefficient low, exponent, negative ? 1 : 0}
   */
  static long[] fromBigDecimal(BigDecimal value) {
    BigInteger coefficient = value.unscaledValue().abs();
    long exponent = -(long) value.scale();
    if (coefficient.compareTo(LIMIT) >= 0 || exponent < MIN_EXPONENT) {
      // drop trailing zeros while that helps (exact)
      while (coefficient.signum() != 0
          && (coefficient.compareTo(LIMIT) >= 0 || exponent < MIN_EXPONENT)) {
        BigInteger[] qr = coefficient.divideAndRemainder(BigInteger.TEN);
        if (qr[1].signum() != 0) {
          break;
        }
        coefficient = qr[0];
        exponent++;
      }
      if (coefficient.signum() == 0 && exponent < MIN_EXPONENT) {
        exponent = MIN_EXPONENT; // zero is zero at any exponent
      }
    }
    if (coefficient.compareTo(LIMIT) >= 0) {
      throw new IllegalArgumentException(
          "decimal: " + value + " has " + coefficient.toString().length()
              + " significant digits (expected: at most 34)");
    }
    if (exponent > MAX_EXPONENT) {
      // add trailing zeros to the coefficient while it stays below 10^34 (exact)
      while (exponent > MAX_EXPONENT && coefficient.signum() != 0) {
        BigInteger next = coefficient.multiply(BigInteger.TEN);
        if (next.compareTo(LIMIT) >= 0) {
          break;
        }
        coefficient = next;
        exponent--;
      }
      if (coefficient.signum() == 0) {
        exponent = Math.min(exponent, MAX_EXPONENT);
      }
    }
    if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
      throw new IllegalArgumentException(
          "decimal: " + value + " needs exponent " + exponent + " (expected: " + MIN_EXPONENT
              + ".." + MAX_EXPONENT + " for an exact Decimal128)");
    }
    return new long[] {
      coefficient.shiftRight(64).longValue(),
      coefficient.and(MASK64).longValue(),
      exponent,
      value.signum() < 0 ? 1 : 0
    };
  }

  static BigInteger toBigInteger(long high, long low) {
    BigInteger h = new BigInteger(Long.toUnsignedString(high));
    return h.shiftLeft(64).or(new BigInteger(Long.toUnsignedString(low)));
  }

  static BigDecimal toBigDecimal(long high, long low, int exponent, boolean negative) {
    BigInteger c = toBigInteger(high, low);
    return new BigDecimal(negative ? c.negate() : c, -exponent);
  }

  /** The IEEE 754-2008 BID encoding: {high, low}. */
  static long bidHigh(long high, int exponent, boolean negative) {
    long h = ((long) (exponent + EXPONENT_BIAS) << 49) | high;
    return negative ? h | Long.MIN_VALUE : h;
  }

  /**
   * realm-core's {@code Decimal128::to_string()}: the coefficient's digits with the decimal point
   * moved left as far as the exponent allows (keeping one digit before it), then {@code E<exp>} if
   * anything is left: 123.45, -1E-3, 0, 1E10. Coefficients of 2^64 and more are printed by
   * realm-core's Intel library; this prints {@code +<digits>E+<exp>} for them (unverified).
   */
  static String toRealmString(long high, long low, int exponent, boolean negative) {
    if (high != 0) {
      return (negative ? "-" : "+") + toBigInteger(high, low) + "E" + (exponent < 0 ? "" : "+")
          + exponent;
    }
    String digits = Long.toUnsignedString(low);
    int before = digits.length();
    int exp = exponent;
    while (before > 1 && exp < 0) {
      before--;
      exp++;
    }
    StringBuilder sb = new StringBuilder();
    if (negative) {
      sb.append('-');
    }
    sb.append(digits, 0, before);
    if (before < digits.length()) {
      sb.append('.').append(digits, before, digits.length());
    }
    if (exp != 0) {
      sb.append('E').append(exp);
    }
    return sb.toString();
  }
}
