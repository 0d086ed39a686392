package io.tributary.protocol.message;

import com.fasterxml.jackson.core.JsonToken;
import io.tributary.protocol.ProtocolError;

/**
 * JSON_ERROR, client to server (spec protocol.md §5.10, protocol ≥ 7): {@code json_error
 * <error_code> <message_size> <session_ident>\n{"message":"<text>"}}. realm-core sends it when it
 * cannot integrate a downloaded changeset.
 *
 * <p>Read leniently: keys other than {@code message} are ignored and a missing {@code message}
 * reads as the empty string.
 *
 * @param errorCode the code the client wants reported (e.g. 212), kept even when unknown; ≥ 0
 * @param sessionIdent the session; 0..2^63-1
 * @param message the text; not null
 */
public record ClientJsonErrorMessage(int errorCode, long sessionIdent, String message)
    implements ClientMessage {
  /**
   * @throws IllegalArgumentException if a number is negative
   * @throws NullPointerException if {@code message} is null
   */
  public ClientJsonErrorMessage {
    Checks.nonNegative(errorCode, "error_code");
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.notNull(message, "message");
  }

  /** The error; {@link ProtocolError#UNKNOWN} if the code is not in the table. */
  public ProtocolError error() {
    return ProtocolError.forCode(errorCode);
  }

  @Override
  public MessageType type() {
    return MessageType.JSON_ERROR;
  }

  String bodyJson() {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("message", message);
          g.writeEndObject();
        });
  }

  static String parseMessage(String json, long offset, long sessionIdent) {
    return Json.parse(
        json,
        "json_error.body",
        offset,
        sessionIdent,
        p -> {
          Json.requireObject(p, "JSON_ERROR body");
          String message = "";
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            if (key.equals("message")) {
              message = Json.string(p, key);
            } else {
              p.skipChildren();
            }
          }
          return message;
        });
  }
}
