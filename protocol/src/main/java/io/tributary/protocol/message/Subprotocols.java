package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolVersion;
import java.util.List;
import java.util.OptionalInt;

/**
 * WebSocket subprotocol negotiation of the sync protocol version (spec protocol.md §1, §3.2).
 *
 * <ul>
 *   <li>Client offer: one token {@code com.mongodb.realm-query-sync#<n>} per version, highest
 *       first, joined by {@code ", "}: {@link #clientOffer()}.
 *   <li>Server pick: split on commas, trim, keep FLX tokens, parse {@code <n>} or {@code <n>-<m>}
 *       (decimal, no sign), and for each range overlapping the server's choose min(range max,
 *       server max); the largest wins: {@link #select}. Other prefixes and junk are ignored.
 *   <li>Client check of the server's answer: the FLX prefix, then only digits, in the accepted
 *       range: {@link #checkServerChoice}.
 * </ul>
 *
 * <p>Stateless and thread safe.
 */
public final class Subprotocols {
  /** Token prefix of flexible sync (FLX), the only one Tributary speaks. */
  public static final String FLX_PREFIX = "com.mongodb.realm-query-sync#";

  /** Token prefix of partition-based sync (PBS); recognised to explain a refusal. */
  public static final String PBS_PREFIX = "com.mongodb.realm-sync#";

  /** The WebSocket header carrying the tokens. */
  public static final String HEADER = "Sec-WebSocket-Protocol";

  private static final int MAX_VERSION_DIGITS = 9; // keeps parsing in int range

  private Subprotocols() {}

  /** The token for one version, e.g. {@code com.mongodb.realm-query-sync#14}. */
  public static String token(int version) {
    if (version < 0) {
      throw new IllegalArgumentException("version: " + version + " (expected: >= 0)");
    }
    return FLX_PREFIX + version;
  }

  /** What the Tributary client offers: versions 14 down to 8. */
  public static String clientOffer() {
    return clientOffer(ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED);
  }

  /**
   * The header value offering versions {@code max} down to {@code min}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= min <= max}
   */
  public static String clientOffer(int min, int max) {
    if (min < 0 || min > max) {
      throw new IllegalArgumentException(
          "versions: " + min + ".." + max + " (expected: 0 <= min <= max)");
    }
    StringBuilder sb = new StringBuilder((max - min + 1) * (FLX_PREFIX.length() + 4));
    for (int v = max; v >= min; v--) {
      if (v != max) {
        sb.append(", ");
      }
      sb.append(FLX_PREFIX).append(v);
    }
    return sb.toString();
  }

  /**
   * The server's choice among the offered tokens, for Tributary's supported range 8..14.
   *
   * @param headerValues the values of every {@value #HEADER} header of the request (a client may
   *     send several headers); empty if none
   */
  public static Selection select(List<String> headerValues) {
    return select(headerValues, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED);
  }

  /**
   * The server's choice among the offered tokens for the server range {@code [min, max]}.
   *
   * @param headerValues the header values; not null (elements may not be null)
   * @throws IllegalArgumentException unless {@code 0 <= min <= max}
   */
  public static Selection select(List<String> headerValues, int min, int max) {
    if (min < 0 || min > max) {
      throw new IllegalArgumentException(
          "server versions: " + min + ".." + max + " (expected: 0 <= min <= max)");
    }
    int best = -1;
    boolean flx = false;
    boolean pbs = false;
    for (String value : headerValues) {
      for (String raw : value.split(",", -1)) {
        String tok = raw.strip();
        if (tok.startsWith(PBS_PREFIX)) {
          pbs = true;
          continue;
        }
        if (!tok.startsWith(FLX_PREFIX)) {
          continue;
        }
        String spec = tok.substring(FLX_PREFIX.length());
        int dash = spec.indexOf('-');
        int from;
        int to;
        if (dash < 0) {
          from = version(spec);
          to = from;
        } else {
          from = version(spec.substring(0, dash));
          to = version(spec.substring(dash + 1));
        }
        if (from < 0 || to < 0 || from > to) {
          continue; // junk token: ignored
        }
        flx = true;
        if (to >= min && from <= max) {
          best = Math.max(best, Math.min(to, max));
        }
      }
    }
    if (best >= 0) {
      return new Selection(best, Outcome.SELECTED, min, max);
    }
    Outcome outcome =
        flx ? Outcome.NO_COMMON_VERSION : pbs ? Outcome.PBS_ONLY : Outcome.NO_FLX_TOKEN;
    return new Selection(-1, outcome, min, max);
  }

  /**
   * The client's check of the server's answer (realm-core's rule, with Tributary's range 8..14).
   *
   * @param headerValue the response's {@value #HEADER} value, or null if absent
   * @return the negotiated version, or empty if the answer is missing or not acceptable (a fatal
   *     negotiation error)
   */
  public static OptionalInt checkServerChoice(String headerValue) {
    return checkServerChoice(
        headerValue, ProtocolVersion.MIN_SUPPORTED, ProtocolVersion.MAX_SUPPORTED);
  }

  /**
   * The client's check of the server's answer for the accepted range {@code [min, max]}
   * (realm-core accepts 2..14): exactly {@value #FLX_PREFIX} followed by decimal digits only.
   *
   * @param headerValue the response's header value, or null if absent
   */
  public static OptionalInt checkServerChoice(String headerValue, int min, int max) {
    if (headerValue == null || !headerValue.startsWith(FLX_PREFIX)) {
      return OptionalInt.empty();
    }
    int v = version(headerValue.substring(FLX_PREFIX.length()));
    return v >= min && v <= max ? OptionalInt.of(v) : OptionalInt.empty();
  }

  /** Digits only (no sign, no spaces), at most 9 of them; else -1. */
  private static int version(String s) {
    int n = s.length();
    if (n == 0 || n > MAX_VERSION_DIGITS) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Why negotiation ended as it did. */
  public enum Outcome {
    /** A common version was found. */
    SELECTED,
    /** FLX tokens were offered but none overlaps the server's range. */
    NO_COMMON_VERSION,
    /** Only partition-based-sync tokens were offered (a PBS client). */
    PBS_ONLY,
    /** No usable FLX token at all (missing header, other protocols, junk). */
    NO_FLX_TOKEN
  }

  /**
   * The server's negotiation result.
   *
   * @param version the chosen version, or -1 unless {@link Outcome#SELECTED}
   * @param outcome what happened
   * @param serverMin the lowest version the server supports
   * @param serverMax the highest version the server supports
   */
  public record Selection(int version, Outcome outcome, int serverMin, int serverMax) {
    /** Whether a version was chosen. */
    public boolean isSelected() {
      return outcome == Outcome.SELECTED;
    }

    /**
     * The single token to answer with.
     *
     * @throws IllegalStateException if nothing was selected
     */
    public String token() {
      if (!isSelected()) {
        throw new IllegalStateException("no version selected: " + outcome);
      }
      return Subprotocols.token(version);
    }

    /**
     * A plain-text explanation for an HTTP 400 response when nothing was selected (spec §3.2).
     */
    public String explanation() {
      return switch (outcome) {
        case SELECTED -> "protocol version " + version + " selected";
        case NO_COMMON_VERSION -> "no common sync protocol version: the server supports "
            + FLX_PREFIX + serverMin + " to " + serverMax;
        case PBS_ONLY -> "partition-based sync is not supported: this server speaks flexible sync ("
            + FLX_PREFIX + serverMin + " to " + serverMax + ")";
        case NO_FLX_TOKEN -> "missing or unusable " + HEADER + " header: expected "
            + FLX_PREFIX + "<version> tokens";
      };
    }
  }
}
