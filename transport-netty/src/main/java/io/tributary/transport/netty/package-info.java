/**
 * Netty implementation of the client engine's {@link io.tributary.core.spi.SyncTransport}:
 * {@link io.tributary.transport.netty.NettySyncTransport}, found through {@link
 * io.tributary.transport.netty.NettySyncTransportProvider} by {@link java.util.ServiceLoader}.
 * The server's network edge is in {@link io.tributary.transport.netty.server}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 *
 * <p>Buffer ownership: messages passed to {@code send} are <em>copied</em> before the call returns;
 * messages passed to listeners are <em>borrowed</em> (valid until the callback returns, read-only).
 */
package io.tributary.transport.netty;
