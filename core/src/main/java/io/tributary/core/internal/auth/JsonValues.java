package io.tributary.core.internal.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the App Services routes need (spec protocol.md §2): parse a response body into
 * maps, lists, strings, longs, doubles and booleans; write request bodies. Bodies are bounded by
 * {@link #MAX_BODY_CHARS} and nesting by Jackson's default depth limit.
 */
final class JsonValues {
  /** Largest response body parsed (App Services answers are a few hundred bytes). */
  static final int MAX_BODY_CHARS = 1 << 20;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxStringLength(MAX_BODY_CHARS).build())
          .build();

  private JsonValues() {}

  /** Thrown for a body that is not the expected JSON. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Parses a JSON object.
   *
   * @throws Malformed if the text is not one JSON object (or is too long)
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parseObject(String text) throws Malformed {
    if (text.length() > MAX_BODY_CHARS) {
      throw new Malformed(text.length() + " chars (expected: at most " + MAX_BODY_CHARS + ")", null);
    }
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) {
        throw new Malformed("not a JSON object (expected: {...})", null);
      }
      Object v = value(p, t);
      if (p.nextToken() != null) {
        throw new Malformed("text after the JSON object (expected: nothing)", null);
      }
      return (Map<String, Object>) v;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new Malformed("invalid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new Malformed("invalid JSON: " + e.getMessage(), e);
    }
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          m.put(key, value(p, p.nextToken()));
        }
        return m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
          l.add(value(p, e));
        }
        return l;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getDecimalValue()
            : p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected token " + t);
    }
  }

  /** A string field, or {@code null} if absent or not a string. */
  static String string(Map<String, Object> m, String key) {
    return m.get(key) instanceof String s ? s : null;
  }

  /** Writes a flat object of string fields plus one nested object of string fields. */
  static String write(Map<String, String> fields, String nestedKey, Map<String, Map<String, String>> nested) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      g.writeStartObject();
      for (Map.Entry<String, String> e : fields.entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      if (nestedKey != null) {
        g.writeObjectFieldStart(nestedKey);
        for (Map.Entry<String, Map<String, String>> o : nested.entrySet()) {
          g.writeObjectFieldStart(o.getKey());
          for (Map.Entry<String, String> e : o.getValue().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
          }
          g.writeEndObject();
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return w.toString();
  }
}
