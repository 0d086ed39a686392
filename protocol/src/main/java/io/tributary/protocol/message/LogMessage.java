package io.tributary.protocol.message;

import com.fasterxml.jackson.core.JsonToken;
import java.util.Locale;

/**
 * LOG_MESSAGE, server to client, protocol ≥ 10 (spec protocol.md §5.12): {@code log_message
 * <session_ident> <message_size>\n<JSON>} with the optional string keys {@code level}, {@code msg}
 * and {@code co_id}.
 *
 * <p>realm-core closes the connection on an unknown {@code level} or malformed JSON, so the
 * decoder rejects both. Written with keys sorted ({@code co_id} only when set): {@code
 * {"co_id":"abc","level":"info","msg":"hello"}}.
 *
 * @param sessionIdent 0 = connection-wide, else the session; 0..2^63-1
 * @param level the level; a missing key reads as {@link Level#DEBUG}
 * @param message the text ({@code msg}); a missing key reads as the empty string
 * @param connectionId the {@code co_id} shown in client logs, or {@code null}
 */
public record LogMessage(long sessionIdent, Level level, String message, String connectionId)
    implements ServerMessage {

  /** realm-core's log levels, the only values {@code level} may have. */
  public enum Level {
    /** {@code fatal} */
    FATAL,
    /** {@code error} */
    ERROR,
    /** {@code warn} */
    WARN,
    /** {@code info} */
    INFO,
    /** {@code detail} */
    DETAIL,
    /** {@code debug} */
    DEBUG,
    /** {@code trace} */
    TRACE;

    /** The JSON spelling, e.g. {@code "warn"}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The level for a JSON string, or null if it is not one of realm-core's levels. */
    public static Level forWireName(String name) {
      for (Level l : values()) {
        if (l.wireName().equals(name)) {
          return l;
        }
      }
      return null;
    }
  }

  /**
   * @throws IllegalArgumentException if {@code sessionIdent} is negative
   * @throws NullPointerException if {@code level} or {@code message} is null
   */
  public LogMessage {
    Checks.nonNegative(sessionIdent, "session_ident");
    Checks.notNull(level, "level");
    Checks.notNull(message, "message");
  }

  @Override
  public MessageType type() {
    return MessageType.LOG_MESSAGE;
  }

  String bodyJson() {
    return Json.write(
        g -> {
          g.writeStartObject();
          if (connectionId != null) {
            g.writeStringField("co_id", connectionId);
          }
          g.writeStringField("level", level.wireName());
          g.writeStringField("msg", message);
          g.writeEndObject();
        });
  }

  static LogMessage parse(long sessionIdent, String json, long offset) {
    return Json.parse(
        json,
        "log_message.body",
        offset,
        sessionIdent,
        p -> {
          Json.requireObject(p, "LOG_MESSAGE body");
          Level level = Level.DEBUG;
          String msg = "";
          String coId = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
              case "level" -> {
                String name = Json.string(p, key);
                level = Level.forWireName(name);
                if (level == null) {
                  throw new Json.Invalid(
                      "level: \""
                          + name
                          + "\" (expected: one of fatal, error, warn, info, detail, debug, trace)");
                }
              }
              case "msg" -> msg = Json.string(p, key);
              case "co_id" -> coId = Json.string(p, key);
              default -> p.skipChildren();
            }
          }
          return new LogMessage(sessionIdent, level, msg, coId);
        });
  }
}
