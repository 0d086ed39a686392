package io.tributary.core.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tributary.core.DictionaryWriter;
import io.tributary.core.ListWriter;
import io.tributary.core.ObjectSchema;
import io.tributary.core.ObjectWriter;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.SetWriter;
import io.tributary.core.Transaction;
import io.tributary.protocol.ObjectId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * realm-core 14.14.0's golden vectors (protocol's test-jar: {@code /vectors/changeset/}), read
 * through the public API: {@link #schema} builds the vector's {@link Schema} from index.json's
 * description, {@link #create} writes one described object with the public write API, calling
 * the setters in schema order as Realm's SDKs do.
 */
public final class RealmCoreVectors {
  private static final String DIR = "/vectors/changeset/";
  private static final HexFormat HEX = HexFormat.of();
  private static Map<String, Object> index;

  private RealmCoreVectors() {}

  /** The bytes of a vector file. */
  public static byte[] bytes(String file) {
    try (InputStream in = RealmCoreVectors.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + DIR + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every vector of index.json that has a schema. */
  @SuppressWarnings("unchecked")
  public static synchronized List<Map<String, Object>> withSchema() {
    if (index == null) {
      try (InputStream in = RealmCoreVectors.class.getResourceAsStream(DIR + "index.json");
          JsonParser p = new JsonFactory().createParser(in)) {
        p.nextToken();
        index = (Map<String, Object>) read(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object v : (List<Object>) index.get("vectors")) {
      Map<String, Object> m = map(v);
      if (m.containsKey("schema")) {
        out.add(m);
      }
    }
    return out;
  }

  /** The vector called {@code name}. */
  public static Map<String, Object> vector(String name) {
    for (Map<String, Object> v : withSchema()) {
      if (v.get("name").equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("no vector " + name);
  }

  /** The file name of a vector's schema changeset (or its first changeset). */
  public static String schemaFile(Map<String, Object> v) {
    if (v.containsKey("schema_changeset")) {
      return (String) map(v.get("schema_changeset")).get("file");
    }
    return (String) map(list(v.get("changesets")).get(0)).get("file");
  }

  /** The file name of a vector's data changeset, or null. */
  public static String dataFile(Map<String, Object> v) {
    return v.containsKey("data_changeset")
        ? (String) map(v.get("data_changeset")).get("file")
        : null;
  }

  /** The objects index.json describes for a vector (empty if none). */
  public static List<Map<String, Object>> objects(Map<String, Object> v) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (v.containsKey("objects")) {
      for (Object o : list(v.get("objects"))) {
        out.add(map(o));
      }
    }
    return out;
  }

  /** The vector's schema, built with the public schema API. */
  public static Schema schema(Map<String, Object> v) {
    List<ObjectSchema> classes = new ArrayList<>();
    for (Object o : list(v.get("schema"))) {
      Map<String, Object> c = map(o);
      String name = (String) c.get("name");
      ObjectSchema s =
          "Embedded".equals(c.get("table_type"))
              ? ObjectSchema.embedded(name)
              : ObjectSchema.asymmetric(name);
      for (Object po : list(c.get("properties"))) {
        s = property(s, map(po));
      }
      classes.add(s);
    }
    return Schema.of(classes);
  }

  private static ObjectSchema property(ObjectSchema s, Map<String, Object> p) {
    String name = (String) p.get("name");
    String type = (String) p.get("type");
    boolean nullable = Boolean.TRUE.equals(p.get("nullable"));
    if (Boolean.TRUE.equals(p.get("primary_key"))) {
      return s.primaryKey(name, type(type), nullable);
    }
    String target = (String) p.get("object_type");
    if (type.startsWith("array<")) {
      String element = type.substring(6, type.length() - 1);
      return target != null ? s.embeddedList(name, target) : s.list(name, type(element), nullable);
    }
    if (type.startsWith("set<")) {
      return s.set(name, type(type.substring(4, type.length() - 1)), nullable);
    }
    if (type.startsWith("dictionary<string, ")) {
      String element = type.substring(19, type.length() - 1);
      return target != null
          ? s.embeddedDictionary(name, target)
          : s.dictionary(name, type(element), nullable);
    }
    if (type.startsWith("<")) {
      return s.embedded(name, target);
    }
    return nullable ? s.optional(name, type(type)) : s.property(name, type(type));
  }

  private static PropertyType type(String t) {
    switch (t) {
      case "int":
        return PropertyType.INT;
      case "bool":
        return PropertyType.BOOL;
      case "string":
        return PropertyType.STRING;
      case "data":
        return PropertyType.BINARY;
      case "float":
        return PropertyType.FLOAT;
      case "double":
        return PropertyType.DOUBLE;
      case "date":
        return PropertyType.TIMESTAMP;
      case "decimal":
        return PropertyType.DECIMAL128;
      case "object id":
        return PropertyType.OBJECT_ID;
      case "uuid":
        return PropertyType.UUID;
      case "mixed":
        return PropertyType.MIXED;
      default:
        throw new IllegalArgumentException("type " + t);
    }
  }

  /**
   * Creates {@code object} (an entry of the vector's "objects") of asymmetric class {@code cls}
   * with the public API, setting the properties in schema order.
   */
  public static void create(Transaction tx, Schema schema, String cls, Map<String, Object> object) {
    ObjectSchema c = schema.get(cls);
    Map<String, Object> key = map(object.get(c.primaryKey().name()));
    ObjectWriter w;
    switch ((String) key.get("type")) {
      case "objectId":
        w = tx.create(cls, ObjectId.fromHex((String) key.get("value")));
        break;
      case "int":
        w = tx.create(cls, ((Number) key.get("value")).longValue());
        break;
      case "string":
        w = tx.create(cls, (String) key.get("value"));
        break;
      case "uuid":
        w = tx.create(cls, UUID.fromString((String) key.get("value")));
        break;
      default:
        w = tx.createWithNullKey(cls);
    }
    fill(w, schema, c, object);
  }

  private static void fill(ObjectWriter w, Schema schema, ObjectSchema c, Map<String, Object> obj) {
    for (io.tributary.core.Property p : c.properties()) {
      if (p.primaryKey() || !obj.containsKey(p.name())) {
        continue;
      }
      Map<String, Object> value = map(obj.get(p.name()));
      String type = (String) value.get("type");
      switch (type) {
        case "embedded":
          fill(w.embedded(p.name()), schema, schema.get(p.target()), map(value.get("value")));
          break;
        case "list<embedded>":
          {
            ListWriter l = w.list(p.name());
            for (Object item : list(value.get("items"))) {
              fill(l.addEmbedded(), schema, schema.get(p.target()), map(item));
            }
            break;
          }
        case "list":
          {
            ListWriter l = w.list(p.name());
            for (Object item : list(value.get("items"))) {
              l.addMixed(javaValue(map(item)));
            }
            break;
          }
        case "set":
          {
            SetWriter s = w.set(p.name());
            for (Object item : list(value.get("items"))) {
              s.addMixed(javaValue(map(item)));
            }
            break;
          }
        case "dictionary":
          {
            DictionaryWriter d = w.dictionary(p.name());
            for (Map.Entry<String, Object> e : map(value.get("entries")).entrySet()) {
              d.putMixed(e.getKey(), javaValue(map(e.getValue())));
            }
            break;
          }
        default:
          w.setMixed(p.name(), javaValue(value));
      }
    }
  }

  /** The Java value of a scalar described in index.json. */
  public static Object javaValue(Map<String, Object> v) {
    switch ((String) v.get("type")) {
      case "null":
        return null;
      case "int":
        return ((Number) v.get("value")).longValue();
      case "bool":
        return v.get("value");
      case "string":
        return v.get("value");
      case "binary":
        return HEX.parseHex((String) v.get("hex"));
      case "float":
        return Float.intBitsToFloat(
            ByteBuffer.wrap(HEX.parseHex((String) v.get("bits_le_hex")))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getInt());
      case "double":
        return Double.longBitsToDouble(
            ByteBuffer.wrap(HEX.parseHex((String) v.get("bits_le_hex")))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong());
      case "timestamp":
        return Instant.ofEpochSecond(
            ((Number) v.get("seconds")).longValue(), ((Number) v.get("nanoseconds")).longValue());
      case "decimal128":
        return new BigDecimal((String) v.get("value"));
      case "objectId":
        return ObjectId.fromHex((String) v.get("value"));
      case "uuid":
        return UUID.fromString((String) v.get("value"));
      default:
        throw new IllegalArgumentException("value type " + v.get("type"));
    }
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        {
          Map<String, Object> m = new LinkedHashMap<>();
          while (p.nextToken() != JsonToken.END_OBJECT) {
            String k = p.currentName();
            p.nextToken();
            m.put(k, read(p));
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
        throw new IOException("unexpected " + t);
    }
  }
}
