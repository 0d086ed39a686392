/**
 * The Realm sync protocol as Tributary speaks it: protocol versions ({@link
 * io.tributary.protocol.ProtocolVersion}), the error table ({@link
 * io.tributary.protocol.ProtocolError}, {@link io.tributary.protocol.ErrorAction}) and the
 * exception every decoder throws for bad input ({@link io.tributary.protocol.ProtocolException}).
 * Messages and their codec are in {@link io.tributary.protocol.message}; the changeset format in
 * {@code io.tributary.protocol.changeset}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 */
package io.tributary.protocol;
