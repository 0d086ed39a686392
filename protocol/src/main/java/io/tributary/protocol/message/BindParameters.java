package io.tributary.protocol.message;

import com.fasterxml.jackson.core.JsonToken;
import io.tributary.protocol.ProtocolException;

/**
 * The JSON document of an FLX BIND (spec protocol.md §5.1), e.g. {@code
 * {"schemaVersion":0,"sessionReason":0}}.
 *
 * <p>Written compactly with keys sorted, as realm-core does ({@code migratedPartition} only when
 * set). Read leniently as a server must: unknown keys are ignored, and a missing {@code
 * schemaVersion} or {@code sessionReason} (older protocol versions) reads as 0.
 *
 * @param schemaVersion the app's schema version, 0 when not versioned; 0..2^63-1
 * @param sessionReason 0 = normal sync, 1 = fresh-realm download for a client reset; 0..2^63-1
 * @param migratedPartition the partition of a PBS-to-FLX migrated realm, or {@code null}
 */
public record BindParameters(long schemaVersion, long sessionReason, String migratedPartition) {
  /** {@code sessionReason} of a normal sync session. */
  public static final long SESSION_REASON_SYNC = 0;

  /** {@code sessionReason} of a client-reset download session (never uploads). */
  public static final long SESSION_REASON_CLIENT_RESET = 1;

  /**
   * @throws IllegalArgumentException if a number is negative
   */
  public BindParameters {
    Checks.nonNegative(schemaVersion, "schemaVersion");
    Checks.nonNegative(sessionReason, "sessionReason");
  }

  /** Parameters of a normal sync session with the given schema version. */
  public static BindParameters of(long schemaVersion) {
    return new BindParameters(schemaVersion, SESSION_REASON_SYNC, null);
  }

  /** The compact JSON text, keys sorted. */
  public String toJson() {
    return Json.write(
        g -> {
          g.writeStartObject();
          if (migratedPartition != null) {
            g.writeStringField("migratedPartition", migratedPartition);
          }
          g.writeNumberField("schemaVersion", schemaVersion);
          g.writeNumberField("sessionReason", sessionReason);
          g.writeEndObject();
        });
  }

  /**
   * Parses a BIND JSON document.
   *
   * @param json the document text
   * @return the parameters
   * @throws ProtocolException (103 bad_syntax) if it is not a JSON object, or a known key has the
   *     wrong type or a negative value
   */
  public static BindParameters parse(String json) {
    return parse(json, ProtocolException.NO_OFFSET, 0);
  }

  static BindParameters parse(String json, long offset, long sessionIdent) {
    return Json.parse(
        json,
        "bind.json",
        offset,
        sessionIdent,
        p -> {
          Json.requireObject(p, "BIND JSON");
          long schemaVersion = 0;
          long sessionReason = 0;
          String partition = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
              case "schemaVersion" -> schemaVersion = Json.nonNegativeLong(p, key);
              case "sessionReason" -> sessionReason = Json.nonNegativeLong(p, key);
              case "migratedPartition" -> partition = Json.string(p, key);
              default -> p.skipChildren(); // servers MUST ignore unknown keys
            }
          }
          return new BindParameters(schemaVersion, sessionReason, partition);
        });
  }
}
