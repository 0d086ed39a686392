/**
 * The server's network edge: a Netty listener for the sync WebSocket endpoint and the App
 * Services HTTP routes (spec protocol.md §2, §3), into which the {@code server} module plugs its
 * logic.
 *
 * <ul>
 *   <li>{@link io.tributary.transport.netty.server.SyncServerEdge} starts and stops the listener,
 *       configured by {@link io.tributary.transport.netty.server.EdgeConfig}.
 *   <li>{@link io.tributary.transport.netty.server.UpgradeAuthorizer} decides each upgrade
 *       (asynchronously); {@link io.tributary.transport.netty.server.SubprotocolSelector} picks
 *       the protocol version.
 *   <li>{@link io.tributary.transport.netty.server.EdgeHandler} receives one connection's messages;
 *       it answers through {@link io.tributary.transport.netty.server.EdgeConnection}.
 *   <li>{@link io.tributary.transport.netty.server.AppServicesBackend} makes the login, token and
 *       profile decisions behind the HTTP routes.
 * </ul>
 *
 * <p>Threads: every callback into the server's code runs on an event loop thread and must not
 * block; slow work goes elsewhere and comes back through {@link
 * io.tributary.transport.netty.server.EdgeConnection#executor()}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 *
 * <p>Buffer ownership: {@link io.tributary.transport.netty.server.EdgeConnection#send} copies;
 * {@link io.tributary.transport.netty.server.EdgeHandler#onMessage} lends (valid until it
 * returns, read-only).
 */
package io.tributary.transport.netty.server;
