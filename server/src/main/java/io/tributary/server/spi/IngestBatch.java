package io.tributary.server.spi;

import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link IngestSink#commit} stores atomically: new objects, the client files whose
 * progress changed, the client-file ident allocation counter and server settings (spec
 * protocol.md §7.3: objects and progress in one commit). The lists are copied; the objects are
 * not: see {@link IngestRecords} for who may change them when.
 *
 * <p>Objects come in ingest order, serialised without {@code sequence} and {@code ingested_at_ms}
 * (the sink assigns them), as {@link #objects()} (one buffer, what the server builds; no
 * allocation per object to read) or, for sinks that want them, as {@link #records()} (a copy per
 * call). An object whose (class, primary key) is already stored, or appears earlier in the batch,
 * is a duplicate: the sink skips it (spec changeset.md §11.3).
 */
public final class IngestBatch {
  private final IngestRecords objects;
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
        IngestRecords.of(objects.stream().map(IngestRecord::of).toList()), clientFiles,
        lastClientFileIdent, settings);
  }

  private IngestBatch(
      IngestRecords objects,
      List<ClientFileRecord> clientFiles,
      long lastClientFileIdent,
      Map<String, String> settings) {
    this.objects = Objects.requireNonNull(objects, "objects");
    this.clientFiles = List.copyOf(clientFiles);
    this.settings = Map.copyOf(Objects.requireNonNull(settings, "settings"));
    if (lastClientFileIdent < 0) {
      throw new IllegalArgumentException(
          "lastClientFileIdent: " + lastClientFileIdent + " (expected: >= 0)");
    }
    this.lastClientFileIdent = lastClientFileIdent;
  }

  /**
   * A batch of serialised objects (tests, tools).
   *
   * @param records new objects in ingest order (their bytes are copied)
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
    return new IngestBatch(IngestRecords.of(records), clientFiles, lastClientFileIdent, settings);
  }

  /**
   * A batch of objects in one buffer (the server's path): not copied; the caller does not modify
   * {@code objects} until the commit of this batch returned.
   *
   * @param objects new objects in ingest order
   * @param clientFiles client-file records to store (insert or replace by ident)
   * @param lastClientFileIdent the highest client-file ident allocated so far, or 0
   * @param settings server settings to store (insert or replace by key)
   * @return the batch
   * @throws IllegalArgumentException if {@code lastClientFileIdent} is negative
   */
  public static IngestBatch of(
      IngestRecords objects,
      List<ClientFileRecord> clientFiles,
      long lastClientFileIdent,
      Map<String, String> settings) {
    return new IngestBatch(objects, clientFiles, lastClientFileIdent, settings);
  }

  /**
   * The new objects, in ingest order, in one buffer: lent for the commit (see {@link
   * IngestRecords}); reading allocates nothing.
   */
  public IngestRecords objects() {
    return objects;
  }

  /**
   * The new objects as records, in ingest order: a new list of copies on each call ({@link
   * IngestRecords#toList()}), for sinks that want records rather than {@link #objects()}.
   */
  public List<IngestRecord> records() {
    return objects.toList();
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
    return objects.isEmpty() && clientFiles.isEmpty() && lastClientFileIdent == 0 && settings.isEmpty();
  }

  @Override
  public String toString() {
    return "IngestBatch{objects=" + objects.size() + ", clientFiles=" + clientFiles.size()
        + ", lastClientFileIdent=" + lastClientFileIdent + ", settings=" + settings.keySet() + '}';
  }
}
