package io.tributary.core.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Gives the sync session where to connect and the access token to connect with (spec protocol.md
 * §2, §3.1): the App Services flow (location, login, profile, refresh) for the built-in {@link
 * io.tributary.core.Credentials}, or anything else an SDK brings.
 *
 * <p>The session calls {@link #authorize} before every connection attempt, never twice at once,
 * with the reason a fresh token or location is needed. An implementation does its I/O off the
 * calling thread and completes the future from any thread. It fails the future with a {@link
 * io.tributary.core.SyncException} whose {@link io.tributary.core.SyncException#isFatal()} is true
 * when retrying cannot help (credentials refused, user logged out), which stops the session; any
 * other failure (server unreachable, HTTP 5xx, timeout) makes the session retry after its
 * reconnect backoff.
 */
public interface CredentialsProvider extends AutoCloseable {

  /** Why the session asks. */
  enum Refresh {
    /** A normal (re)connect: reuse what is cached; refresh a token that expires within 5 s. */
    NONE,
    /** The server refused the access token (HTTP 401, close code 4001, action RefreshUser). */
    ACCESS_TOKEN,
    /** The server said the location moved (HTTP 301/308, close code 4003, RefreshLocation). */
    LOCATION
  }

  /**
   * Where to connect and with which token.
   *
   * @param refresh what must be renewed before answering
   * @return completes with the authorization, or exceptionally (see the class comment)
   */
  CompletableFuture<SyncAuthorization> authorize(Refresh refresh);

  /** Releases threads and connections; a pending {@link #authorize} may fail. Idempotent. */
  @Override
  void close();
}
