package io.tributary.transport.netty.server;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the WebSocket subprotocol of an upgrade from the tokens the client offered (spec
 * protocol.md §3.2). The edge answers HTTP 400 (plain text) when the selector returns empty, and
 * otherwise puts exactly {@link Selection#subprotocol()} in the 101's {@code
 * Sec-WebSocket-Protocol} header.
 *
 * <p>Called on an event loop: must be fast and must not block. Implementations are thread safe.
 */
@FunctionalInterface
public interface SubprotocolSelector {

  /** Subprotocol prefix of Flexible Sync with {@code #} versions (protocol ≥ 8, spec §3.2). */
  String FLX_PREFIX = "com.mongodb.realm-query-sync#";

  /**
   * @param offered the tokens of every {@code Sec-WebSocket-Protocol} request header, split on
   *     commas and trimmed, empty ones removed, in the client's order (possibly empty)
   * @return the choice, or empty if none is acceptable
   */
  Optional<Selection> select(List<String> offered);

  /**
   * The negotiated subprotocol.
   *
   * @param subprotocol the exact token for the 101 response (need not be one of the offered
   *     tokens: a range offer {@code …#2-14} is answered with a single version {@code …#14})
   * @param version the protocol version it stands for (≥ 0)
   */
  record Selection(String subprotocol, int version) {
    /** @throws IllegalArgumentException if {@code subprotocol} is blank or {@code version < 0} */
    public Selection {
      Objects.requireNonNull(subprotocol, "subprotocol");
      if (subprotocol.isBlank() || subprotocol.contains(",")) {
        throw new IllegalArgumentException(
            "subprotocol: '" + subprotocol + "' (expected: one non-empty token)");
      }
      if (version < 0) {
        throw new IllegalArgumentException("version: " + version + " (expected: >= 0)");
      }
    }
  }

  /**
   * The negotiation of spec protocol.md §3.2 for the FLX prefix: keeps tokens {@code
   * com.mongodb.realm-query-sync#<n>} or {@code …#<n>-<m>} (decimal, no sign), ignores every other
   * token, and for each range that overlaps {@code [minVersion, maxVersion]} takes {@code min(range
   * max, maxVersion)}; the largest such candidate wins and is answered as {@code …#<candidate>}.
   *
   * @throws IllegalArgumentException if {@code minVersion < 0} or {@code maxVersion < minVersion}
   */
  static SubprotocolSelector flx(int minVersion, int maxVersion) {
    if (minVersion < 0 || maxVersion < minVersion) {
      throw new IllegalArgumentException(
          "versions: " + minVersion + ".." + maxVersion + " (expected: 0 <= min <= max)");
    }
    return offered -> {
      int best = -1;
      for (String token : offered) {
        if (!token.startsWith(FLX_PREFIX)) {
          continue;
        }
        String rest = token.substring(FLX_PREFIX.length());
        int dash = rest.indexOf('-');
        long from = parseVersion(dash < 0 ? rest : rest.substring(0, dash));
        long to = dash < 0 ? from : parseVersion(rest.substring(dash + 1));
        if (from < 0 || to < from || to < minVersion || from > maxVersion) {
          continue;
        }
        best = (int) Math.max(best, Math.min(to, maxVersion));
      }
      return best < 0 ? Optional.empty() : Optional.of(new Selection(FLX_PREFIX + best, best));
    };
  }

  /** Decimal digits only, at most 9 of them; -1 for anything else. */
  private static long parseVersion(String digits) {
    if (digits.isEmpty() || digits.length() > 9) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
