package io.tributary.core.spi;

import io.tributary.core.TributaryException;

/** Errors a {@link SyncTransport} reports when a connection cannot be opened or ends badly. */
public class SyncTransportException extends TributaryException {
  private static final long serialVersionUID = 1L;

  public SyncTransportException(String message) {
    super(message);
  }

  public SyncTransportException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The server answered the upgrade with something other than an acceptable 101 (spec protocol.md
   * §3.3): {@link #httpStatus()} tells the client whether to refresh its token (401), stop (403),
   * re-query the location (301/308) or back off.
   */
  public static class HandshakeException extends SyncTransportException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;

    /**
     * @param httpStatus the HTTP status of the response, or 101 if the upgrade itself succeeded
     *     but its subprotocol or accept header was wrong
     */
    public HandshakeException(int httpStatus, String message) {
      super(message);
      this.httpStatus = httpStatus;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  /** TCP, TLS and WebSocket handshake did not complete within the connect timeout. */
  public static class ConnectTimeoutException extends SyncTransportException {
    private static final long serialVersionUID = 1L;

    public ConnectTimeoutException(String message) {
      super(message);
    }
  }
}
