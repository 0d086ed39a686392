package io.tributary.server;

import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Predicate;

/**
 * The read side of a store of ingested objects, for export, inspection and tests. The embedded
 * sinks ({@link LmdbIngestSink}, {@link MemoryIngestSink}) offer it; {@link IngestServer#store()}
 * returns it for the running server's sink.
 *
 * <p>Thread safe; reads see committed data only. Every call may throw {@link
 * io.tributary.server.spi.SinkException} if the store cannot be read.
 */
public interface IngestStore {

  /** The number of stored objects. */
  long objectCount();

  /** The number of stored objects per class, by class name (sorted). */
  SortedMap<String, Long> countByClass();

  /**
   * The stored object of a class with a primary key.
   *
   * @param className the class
   * @param primaryKey an int, string, object id or uuid value, or a null value
   * @return the object, or empty
   */
  Optional<IngestedObject> find(String className, Value primaryKey);

  /**
   * Visits stored objects in ingest order (by sequence number), starting after {@code
   * afterSequence}, until the visitor returns false or none are left. The visitor runs on the
   * calling thread, outside any storage lock or transaction; objects committed meanwhile may or may
   * not be seen.
   *
   * @param afterSequence 0 to start at the first object
   * @param visitor called once per object; return false to stop
   * @return the sequence number of the last object visited, or {@code afterSequence} if none
   */
  long scan(long afterSequence, Predicate<IngestedObject> visitor);

  /** Every stored client-file record, by ident. */
  List<ClientFileRecord> clientFiles();
}
