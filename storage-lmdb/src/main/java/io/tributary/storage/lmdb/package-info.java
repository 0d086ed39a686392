/**
 * The durable {@link io.tributary.core.spi.UploadLog} on LMDB, and the LMDB machinery it runs on.
 *
 * <ul>
 *   <li>{@link io.tributary.storage.lmdb.LmdbStorage#at(java.nio.file.Path)}: the upload log in a
 *       directory; {@link io.tributary.storage.lmdb.LmdbStorageProvider} serves the URI scheme
 *       {@code lmdb}.
 *   <li>{@link io.tributary.storage.lmdb.LmdbEnvironment}: an LMDB environment on its own storage
 *       thread with group commit, map growth and the durability modes; the server's embedded store
 *       builds on it.
 * </ul>
 *
 * <p>Threads: LMDB is touched only by an environment's storage thread. Callers submit work and wait
 * for it with a timeout; nothing here blocks without one.
 *
 * <p>JVM flags: lmdbjava reads direct buffers' addresses reflectively, so the JVM needs {@code
 * --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 */
package io.tributary.storage.lmdb;
