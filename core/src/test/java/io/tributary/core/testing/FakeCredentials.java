package io.tributary.core.testing;

import io.tributary.core.spi.CredentialsProvider;
import io.tributary.core.spi.SyncAuthorization;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A {@link CredentialsProvider} that answers at once with {@code ws://sync.test/...} and tokens
 * {@code tok-1}, {@code tok-2}, ... (a new one per refresh), or with what {@link #answer} says.
 * Records every request. Thread safe.
 */
public final class FakeCredentials implements CredentialsProvider {
  /** The sync URL every authorization carries. */
  public static final URI SYNC_URL =
      URI.create("ws://sync.test:7800/api/client/v2.0/app/test-app/realm-sync");

  private final List<Refresh> requests = new ArrayList<>();
  private Function<Refresh, CompletableFuture<SyncAuthorization>> answer;
  private int tokens;
  private boolean closed;

  /** Replaces the default answer (e.g. a failed future). */
  public synchronized void answer(Function<Refresh, CompletableFuture<SyncAuthorization>> f) {
    this.answer = f;
  }

  /** Every refresh reason asked for, in order. */
  public synchronized List<Refresh> requests() {
    return new ArrayList<>(requests);
  }

  @Override
  public synchronized CompletableFuture<SyncAuthorization> authorize(Refresh refresh) {
    requests.add(refresh);
    if (answer != null) {
      return answer.apply(refresh);
    }
    if (tokens == 0 || refresh != Refresh.NONE) {
      tokens++;
    }
    return CompletableFuture.completedFuture(new SyncAuthorization(SYNC_URL, "tok-" + tokens));
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
