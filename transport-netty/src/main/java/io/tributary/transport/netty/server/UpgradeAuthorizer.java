package io.tributary.transport.netty.server;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a WebSocket upgrade to the sync endpoint may proceed, before the edge answers
 * it (spec protocol.md §2.7, §3.3): checks the app id and the access token.
 *
 * <p>Called on the connection's event loop; the work may finish anywhere (a cache, a store, a
 * thread pool): return a stage and never block. While the stage is pending the edge reads nothing
 * more from the connection; the whole upgrade, this decision included, must finish within {@link
 * EdgeConfig#handshakeTimeout()} or the connection is closed. A stage that fails, or a call that
 * throws, is answered with HTTP 500. Implementations are thread safe.
 */
@FunctionalInterface
public interface UpgradeAuthorizer {

  /**
   * @param request the upgrade request (the token is in {@link UpgradeRequest#accessToken()})
   * @return the decision
   */
  CompletionStage<UpgradeDecision> authorize(UpgradeRequest request);
}
