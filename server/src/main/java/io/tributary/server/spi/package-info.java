/**
 * What a storage back end implements to receive ingested objects: {@link
 * io.tributary.server.spi.IngestSink}, with its {@link io.tributary.server.spi.IngestBatch} (of
 * serialised objects in one {@link io.tributary.server.spi.IngestRecords} buffer, or as {@link
 * io.tributary.server.spi.IngestRecord}s) and {@link
 * io.tributary.server.spi.CommitResult}. Records are the protobuf types of {@code
 * io.tributary.server.proto}.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 */
package io.tributary.server.spi;
