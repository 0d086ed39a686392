/**
 * A bounded in-memory {@link io.tributary.core.spi.UploadLog}: for tests, tools, and apps that
 * accept losing unacknowledged data when the process ends.
 *
 * <p>Entry point: {@link io.tributary.storage.memory.MemoryStorage#create()}; the {@link
 * io.tributary.core.spi.StorageProvider} for the URI scheme {@code memory} is {@link
 * io.tributary.storage.memory.MemoryStorageProvider}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 */
package io.tributary.storage.memory;
