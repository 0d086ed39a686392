/**
 * Service provider interfaces of the client engine: what a storage or transport implementation
 * must do, so that other SDKs can embed {@code core} and bring their own.
 *
 * <ul>
 *   <li>{@link io.tributary.core.spi.UploadLog}: the durable local log of changesets waiting for
 *       upload, opened through a {@link io.tributary.core.spi.StorageProvider}.
 *   <li>{@link io.tributary.core.spi.SyncTransport}: a WebSocket connection to a sync server,
 *       created through a {@link io.tributary.core.spi.SyncTransportProvider}.
 * </ul>
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader} and may also be passed
 * explicitly. Nothing here depends on Netty or lmdbjava; implementations live in their own
 * modules ({@code storage-memory}, {@code storage-lmdb}, {@code transport-netty}).
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 *
 * <p>Buffer ownership: every {@link java.nio.ByteBuffer} parameter or callback argument is
 * documented as <em>borrowed</em> (valid only until the method or callback returns; copy what you
 * keep), <em>transferred</em>, or <em>copied</em>.
 */
package io.tributary.core.spi;
