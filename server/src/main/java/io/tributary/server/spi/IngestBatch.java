package io.tributary.server.spi;

import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link IngestSink#commit} stores atomically: new objects, the client files whose
 * progress changed, the client-file ident allocation counter and server settings (spec
 * protocol.md §7.3: objects and progress in one commit). Immutable (the lists are copied; the
 * records' bytes are shared, see {@link IngestRecord}).
 *
 * <p>Objects come as {@link IngestRecord}s in ingest order, serialised without {@code sequence}
 * and {@code ingested_at_ms} (the sink assigns them). An object whose (class, primary key) is
 * already stored, or appears earlier in the list, is a duplicate: the sink skips it (spec
 * changeset.md §11.3).
 */
public final class IngestBatch {
  private final List<IngestRecord> records;
  private final List<ClientFileRecord> clientFiles;
  private final long lastClientFileIdent;
  private final Map<String, String> settings;

  /**
   * A batch of message objects (tests, tools): each is serialised here.
   *
   * @param objects new objects in ingest order; sequence and ingested-at unset
   * @param clientFiles client-file records to store (insert or replace by ident)
   * @param lastClientFileIdent the highest client-file ident allocated so far (the sink keeps the
   *     maximum of the stored value and this), or 0 if this batch allocated none
   * @param settings server settings to store (insert or replace by key), e.g. the adopted schema
   * @return the batch
   * @throws IllegalArgumentException if {@code lastClientFileIdent} is negative
   */
  public static IngestBatch ofObjects(
      List<IngestedObject> objects,
      List<ClientFileRecord> clientFiles,
      long lastClientFileIdent,
      Map<String, String> settings) {
    return new IngestBatch(
        objects.stream().map(IngestRecord::of).toList(), clientFiles, lastClientFileIdent, settings);
  }

  private IngestBatch(
      List<IngestRecord> records,
      List<ClientFileRecord> clientFiles,
      long lastClientFileIdent,
      Map<String, String> settings) {
    this.records = List.copyOf(records);
    this.clientFiles = List.copyOf(clientFiles);
    this.settings = Map.copyOf(Objects.requireNonNull(settings, "settings"));
    if (lastClientFileIdent < 0) {
      throw new IllegalArgumentException(
          "lastClientFileIdent: " + lastClientFileIdent + " (expected: >= 0)");
    }
    this.lastClientFileIdent = lastClientFileIdent;
  }

  /**
   * A batch of serialised objects (the server's path).
   *
   * @param records new objects in ingest order (the list is copied, the bytes are not)
   * @param clientFiles client-file records to store (insert or replace by ident)
   * @param lastClientFileIdent the highest client-file ident allocated so far, or 0
   * @param settings server settings to store (insert or replace by key)
   * @return the batch
   * @throws IllegalArgumentException if {@code lastClientFileIdent} is negative
   */
  public static IngestBatch ofRecords(
      List<IngestRecord> records,
      List<ClientFileRecord> clientFiles,
      long lastClientFileIdent,
      Map<String, String> settings) {
    return new IngestBatch(records, clientFiles, lastClientFileIdent, settings);
  }

  /** The new objects, in ingest order; unmodifiable. */
  public List<IngestRecord> records() {
    return records;
  }

  /** The client-file records to store; unmodifiable. */
  public List<ClientFileRecord> clientFiles() {
    return clientFiles;
  }

  /** The highest client-file ident allocated so far, or 0. */
  public long lastClientFileIdent() {
    return lastClientFileIdent;
  }

  /** The server settings to store; unmodifiable. */
  public Map<String, String> settings() {
    return settings;
  }

  /** Whether the batch stores nothing. */
  public boolean isEmpty() {
    return records.isEmpty() && clientFiles.isEmpty() && lastClientFileIdent == 0 && settings.isEmpty();
  }

  @Override
  public String toString() {
    return "IngestBatch{objects=" + records.size() + ", clientFiles=" + clientFiles.size()
        + ", lastClientFileIdent=" + lastClientFileIdent + ", settings=" + settings.keySet() + '}';
  }
}
