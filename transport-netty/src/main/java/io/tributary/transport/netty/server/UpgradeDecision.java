package io.tributary.transport.netty.server;

import java.util.Objects;

/**
 * What an {@link UpgradeAuthorizer} decided: accept with a principal, or reject with an HTTP
 * status and the JSON error of spec protocol.md §2.6. Immutable.
 *
 * <p>The status tells a realm-core client what to do (spec §3.3): 401 refreshes the access token
 * and reconnects, 403 logs the user out, 404 and other 4xx are fatal after an earlier success
 * (else a location refresh), 5xx retries with backoff.
 */
public final class UpgradeDecision {
  private final Object principal;
  private final int httpStatus;
  private final String error;
  private final String errorCode;

  private UpgradeDecision(Object principal, int httpStatus, String error, String errorCode) {
    this.principal = principal;
    this.httpStatus = httpStatus;
    this.error = error;
    this.errorCode = errorCode;
  }

  /**
   * Accept the upgrade.
   *
   * @param principal whatever the server wants to find again on the connection ({@link
   *     EdgeConnection#principal()}), e.g. the verified user
   */
  public static UpgradeDecision accept(Object principal) {
    return new UpgradeDecision(Objects.requireNonNull(principal, "principal"), 101, null, null);
  }

  /**
   * Refuse the upgrade; the edge answers {@code httpStatus} with {@code Content-Type:
   * application/json} and body {@code {"error":error,"error_code":errorCode}}, then closes.
   *
   * @param httpStatus 400..599
   * @param error the human-readable message
   * @param errorCode the App Services error code name (e.g. {@code InvalidSession}), or {@code
   *     null} to leave it out
   * @throws IllegalArgumentException if {@code httpStatus} is not in 400..599
   */
  public static UpgradeDecision reject(int httpStatus, String error, String errorCode) {
    if (httpStatus < 400 || httpStatus > 599) {
      throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 400..599)");
    }
    return new UpgradeDecision(null, httpStatus, Objects.requireNonNull(error, "error"), errorCode);
  }

  /** Whether the upgrade may go on. */
  public boolean isAccepted() {
    return principal != null;
  }

  /** The principal of an accepted upgrade, or {@code null} for a rejection. */
  public Object principal() {
    return principal;
  }

  /** 101 for an acceptance, else the rejection's status. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The rejection message, or {@code null}. */
  public String error() {
    return error;
  }

  /** The rejection's error code, or {@code null}. */
  public String errorCode() {
    return errorCode;
  }

  @Override
  public String toString() {
    return isAccepted()
        ? "UpgradeDecision{accept}"
        : "UpgradeDecision{reject " + httpStatus + " " + errorCode + ": " + error + '}';
  }
}
