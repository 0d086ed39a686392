package io.tributary.server.spi;

import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link IngestSink#commit} stores atomically: new objects, the client files whose
 * progress changed, the client-file ident allocation counter and server settings (spec
 * protocol.md §7.3: objects and progress in one commit). Immutable.
 *
 * @param objects new objects in ingest order; {@link IngestedObject#getSequence()} and {@link
 *     IngestedObject#getIngestedAtMs()} are unset (the sink assigns them). An object whose
 *     (class, primary key) is already stored, or appears earlier in this list, is a duplicate:
 *     the sink skips it (spec changeset.md §11.3)
 * @param clientFiles client-file records to store (insert or replace by ident)
 * @param lastClientFileIdent the highest client-file ident allocated so far (the sink keeps the
 *     maximum of the stored value and this), or 0 if this batch allocated none
 * @param settings server settings to store (insert or replace by key), e.g. the adopted schema
 */
public record IngestBatch(
    List<IngestedObject> objects,
    List<ClientFileRecord> clientFiles,
    long lastClientFileIdent,
    Map<String, String> settings) {

  /** Copies the collections. */
  public IngestBatch {
    objects = List.copyOf(objects);
    clientFiles = List.copyOf(clientFiles);
    settings = Map.copyOf(Objects.requireNonNull(settings, "settings"));
    if (lastClientFileIdent < 0) {
      throw new IllegalArgumentException(
          "lastClientFileIdent: " + lastClientFileIdent + " (expected: >= 0)");
    }
  }

  /** Whether the batch stores nothing. */
  public boolean isEmpty() {
    return objects.isEmpty() && clientFiles.isEmpty() && lastClientFileIdent == 0 && settings.isEmpty();
  }
}
