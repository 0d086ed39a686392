/**
 * The Tributary ingest server: {@link io.tributary.server.IngestServer} with its {@link
 * io.tributary.server.IngestServerConfig}, the app schema ({@link io.tributary.server.AppSchema}),
 * the embedded sinks ({@link io.tributary.server.LmdbIngestSink}, {@link
 * io.tributary.server.MemoryIngestSink}), their read side ({@link io.tributary.server.IngestStore}),
 * {@link io.tributary.server.Values} and {@link io.tributary.server.ServerMetrics}. {@link
 * io.tributary.server.Main} is the command line ({@code serve}, {@code export}).
 *
 * <p>Stored records are the protobuf messages of {@code io.tributary.server.proto}
 * ({@code tributary/v1/ingested_object.proto}); storage back ends implement {@link
 * io.tributary.server.spi.IngestSink}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 */
package io.tributary.server;
