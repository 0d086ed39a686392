package io.tributary.server.spi;

import io.tributary.server.proto.ClientFileRecord;
import java.util.Optional;

/**
 * Where the ingest server stores objects and client-file progress (DESIGN.md, "Server sinks").
 *
 * <p>The server calls {@link #commit} with everything a group of UPLOADs (and IDENT allocations)
 * produced, and sends the acknowledging DOWNLOADs only after it returned: a commit must be
 * <b>atomic</b> (objects, client files, ident counter and settings all stored, or none) and
 * <b>durable</b> as far as the sink promises. The sink de-duplicates objects by (class, primary
 * key) against everything stored and within the batch, and reports which it skipped (spec
 * changeset.md §11.3); de-duplication by client version is the server's.
 *
 * <p>Threads: the server calls {@link #commit} from its commit thread and {@link #clientFile},
 * {@link #lastClientFileIdent} and {@link #setting} from its ingest thread, never two of these at a
 * time (a read waits until the commit in flight returned; at most one commit is in flight), so a
 * sink needs no locking for them, but must not rely on the calling thread; a commit may block its
 * thread. Reads for export ({@link io.tributary.server.IngestStore}, if the sink offers it) may
 * come from any thread. Every call must return or fail within a bounded time.
 *
 * <p>Records are the protobuf messages of {@code tributary/v1/ingested_object.proto}, serialised.
 * The batch's objects ({@link IngestBatch#objects()}) are lent for the call: the server does not
 * modify them until {@link #commit} returned and reuses their buffer afterwards, so a sink must
 * neither modify them nor keep them (or its array) past the call; the records of {@link
 * IngestBatch#records()} are copies a sink may keep.
 */
public interface IngestSink extends AutoCloseable {

  /**
   * Stores a batch atomically.
   *
   * @param batch what to store; objects without sequence numbers (the sink assigns 1, 2, ... in
   *     ingest order, continuing after the last stored object)
   * @return which objects were stored and which skipped as duplicates
   * @throws SinkException if nothing was stored (or, with {@link SinkException#outcomeUnknown()},
   *     if the sink cannot tell)
   */
  CommitResult commit(IngestBatch batch);

  /**
   * The stored record of a client file.
   *
   * @param ident the client file ident
   * @return the record, or empty if the sink has none
   * @throws SinkException if the sink cannot read
   */
  Optional<ClientFileRecord> clientFile(long ident);

  /**
   * The highest client-file ident ever committed through {@link IngestBatch#lastClientFileIdent()},
   * or 0 if none.
   *
   * @throws SinkException if the sink cannot read
   */
  long lastClientFileIdent();

  /**
   * A server setting committed through {@link IngestBatch#settings()}.
   *
   * @param key the key, e.g. {@code schema}
   * @return the value, or empty
   * @throws SinkException if the sink cannot read
   */
  Optional<String> setting(String key);

  /** Releases the sink (the server closes the sink it was given when it stops). Idempotent. */
  @Override
  void close();
}
