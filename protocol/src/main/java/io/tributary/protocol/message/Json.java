package io.tributary.protocol.message;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The JSON bodies (BIND, JSON_ERROR, LOG_MESSAGE) are read and written with jackson-core's
 * streaming API. Input is always a {@link String} that was decoded from strict UTF-8 first, so
 * jackson's byte-encoding detection (UTF-16/32) never applies.
 */
final class Json {
  /** Thread safe once configured; shared. */
  static final JsonFactory FACTORY = JsonFactory.builder().build();

  private Json() {}

  /** Reads one JSON document; {@link Invalid} reports a semantic problem. */
  interface Reader<T> {
    T read(JsonParser p) throws IOException, Invalid;
  }

  /** Writes one JSON document. */
  interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  /** A well-formed document that does not have the expected shape. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String detail) {
      super(detail, null, false, false);
    }
  }

  /**
   * Parses {@code text} with {@code reader}, requiring exactly one root value.
   *
   * @param field names the body in errors, e.g. {@code "json_error.body"}
   * @param offset byte offset of the body in the message, or {@link ProtocolException#NO_OFFSET}
   * @throws ProtocolException (103 bad_syntax) if the text is not JSON or has the wrong shape
   */
  static <T> T parse(String text, String field, long offset, long sessionIdent, Reader<T> reader) {
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() == null) {
        throw new Invalid("empty (expected: a JSON document)");
      }
      T value = reader.read(p);
      JsonToken extra = p.nextToken();
      if (extra != null) {
        throw new Invalid(
            "content after the document at char "
                + p.currentTokenLocation().getCharOffset()
                + " (expected: one JSON document)");
      }
      return value;
    } catch (Invalid e) {
      throw new ProtocolException(
          ProtocolError.BAD_SYNTAX, field, offset, sessionIdent, e.getMessage());
    } catch (JsonProcessingException e) {
      throw new ProtocolException(
          ProtocolError.BAD_SYNTAX,
          field,
          offset,
          sessionIdent,
          "malformed JSON at char "
              + (e.getLocation() == null ? -1 : e.getLocation().getCharOffset())
              + ": "
              + e.getOriginalMessage()
              + " (expected: valid JSON)",
          e);
    } catch (IOException e) {
      // reading from a String cannot fail with a real I/O error
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a compact document. */
  static String write(Writer writer) {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /** Requires the current token to start an object. */
  static void requireObject(JsonParser p, String what) throws Invalid {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new Invalid(what + ": " + p.currentToken() + " (expected: a JSON object)");
    }
  }

  static String string(JsonParser p, String key) throws IOException, Invalid {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new Invalid(key + ": " + describe(p) + " (expected: a string)");
    }
    return p.getText();
  }

  static boolean bool(JsonParser p, String key) throws IOException, Invalid {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (t == JsonToken.VALUE_FALSE) {
      return false;
    }
    throw new Invalid(key + ": " + describe(p) + " (expected: true or false)");
  }

  static long nonNegativeLong(JsonParser p, String key) throws IOException, Invalid {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
        || p.getLongValue() < 0) {
      throw new Invalid(key + ": " + describe(p) + " (expected: an integer 0.." + Long.MAX_VALUE + ")");
    }
    return p.getLongValue();
  }

  static int integer(JsonParser p, String key) throws IOException, Invalid {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() != JsonParser.NumberType.INT) {
      throw new Invalid(
          key
              + ": "
              + describe(p)
              + " (expected: an integer "
              + Integer.MIN_VALUE
              + ".."
              + Integer.MAX_VALUE
              + ")");
    }
    return p.getIntValue();
  }

  private static String describe(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      return "nothing";
    }
    if (t.isScalarValue()) {
      String text = p.getText();
      if (text.length() > 40) {
        text = text.substring(0, 40) + "...";
      }
      return t == JsonToken.VALUE_STRING ? "\"" + text + "\"" : text;
    }
    return t.isStructStart() ? (t == JsonToken.START_OBJECT ? "an object" : "an array") : t.name();
  }
}
