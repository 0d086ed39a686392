package io.tributary.protocol.changeset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden vectors copied from {@code /work/shared/vectors} into {@code
 * src/test/resources/vectors/changeset}: realm-core 14.14.0 output and realm-core's verdicts on
 * the invalid ones, described by {@code index.json}.
 */
final class Vectors {
  private static final String DIR = "/vectors/changeset/";
  private static Map<String, Object> index;

  private Vectors() {}

  static byte[] bytes(String file) {
    try (InputStream in = Vectors.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + DIR + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static synchronized Map<String, Object> index() {
    if (index == null) {
      try (InputStream in = Vectors.class.getResourceAsStream(DIR + "index.json");
          JsonParser p = new JsonFactory().createParser(in)) {
        p.nextToken();
        index = (Map<String, Object>) read(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return index;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> all() {
    return (List<Map<String, Object>>) index().get("vectors");
  }

  /** Vectors with a data and/or schema changeset (not messages, not invalid). */
  static List<Map<String, Object>> changesetVectors() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> v : all()) {
      if (v.containsKey("schema_changeset") || v.containsKey("changesets")) {
        out.add(v);
      }
    }
    return out;
  }

  static List<Map<String, Object>> invalidVectors() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> v : all()) {
      if ("invalid".equals(v.get("category"))) {
        out.add(v);
      }
    }
    return out;
  }

  /** Every valid changeset file named by the index (schema, data, encoder, multi-transaction). */
  @SuppressWarnings("unchecked")
  static List<String> validChangesetFiles() {
    List<String> files = new ArrayList<>();
    for (Map<String, Object> v : changesetVectors()) {
      for (String k : List.of("schema_changeset", "data_changeset", "encoder_variant")) {
        if (v.containsKey(k)) {
          files.add((String) ((Map<String, Object>) v.get(k)).get("file"));
        }
      }
      if (v.containsKey("changesets")) {
        for (Object c : (List<Object>) v.get("changesets")) {
          files.add((String) ((Map<String, Object>) c).get("file"));
        }
      }
    }
    return files;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        {
          Map<String, Object> m = new LinkedHashMap<>();
          while (p.nextToken() != JsonToken.END_OBJECT) {
            String name = p.currentName();
            p.nextToken();
            m.put(name, read(p));
          }
          return m;
        }
      case START_ARRAY:
        {
          List<Object> l = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            l.add(read(p));
          }
          return l;
        }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IllegalStateException("unexpected JSON token " + t);
    }
  }
}
