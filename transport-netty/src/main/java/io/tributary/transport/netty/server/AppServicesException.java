package io.tributary.transport.netty.server;

/**
 * An App Services request the {@link AppServicesBackend} refuses. The edge answers with {@link
 * #httpStatus()}, {@code Content-Type: application/json} and body {@code {"error":
 * getMessage(), "error_code": errorCode()}} (spec protocol.md §2.6).
 *
 * <p>What realm-core does with the status: 401 on an access-token request refreshes the token and
 * retries once; 401 on a refresh logs the user out.
 */
public class AppServicesException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int httpStatus;
  private final String errorCode;

  /**
   * @param httpStatus 400..599
   * @param errorCode the App Services error code name, e.g. {@code InvalidSession}, {@code
   *     AuthError}, {@code AppNotFound}; or {@code null} to leave it out
   * @param message the human-readable {@code error}
   * @throws IllegalArgumentException if {@code httpStatus} is not in 400..599
   */
  public AppServicesException(int httpStatus, String errorCode, String message) {
    super(message);
    if (httpStatus < 400 || httpStatus > 599) {
      throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 400..599)");
    }
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  /** The HTTP status to answer with. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The {@code error_code} to send, or {@code null}. */
  public String errorCode() {
    return errorCode;
  }
}
