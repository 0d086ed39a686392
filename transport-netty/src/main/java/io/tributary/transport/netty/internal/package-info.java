/**
 * Internal-use-only: the Netty handlers and helpers behind {@code io.tributary.transport.netty}
 * and {@code io.tributary.transport.netty.server}. Not API; may change without notice.
 */
package io.tributary.transport.netty.internal;
