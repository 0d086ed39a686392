package io.tributary.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.tributary.protocol.testing.Captures;
import io.tributary.server.AppSchema;
import io.tributary.server.AppSchema.ClassKind;
import io.tributary.server.AppSchema.CollectionKind;
import io.tributary.server.AppSchema.ObjectClass;
import io.tributary.server.AppSchema.Property;
import io.tributary.server.AppSchema.PropertyType;
import io.tributary.server.Values;
import io.tributary.server.proto.Decimal128;
import io.tributary.server.proto.EmbeddedObject;
import io.tributary.server.proto.RealmTimestamp;
import io.tributary.server.proto.Value;
import io.tributary.server.proto.ValueList;
import io.tributary.server.proto.ValueMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The realm-core vectors' {@code index.json}, read independently of the server's code: each
 * vector's schema as an {@link AppSchema} and its objects as the {@link Value}s the server must
 * store (properties the vector does not list take the type's default, written out here again).
 */
public final class VectorIndex {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DIR = "vectors/changeset/";

  private final JsonNode root;

  private VectorIndex(JsonNode root) {
    this.root = root;
  }

  /** Loads {@code vectors/changeset/index.json} from the classpath (protocol test-jar). */
  public static VectorIndex load() {
    try {
      return new VectorIndex(JSON.readTree(Captures.resource(DIR + "index.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A changeset file's bytes. */
  public static byte[] file(String name) {
    return Captures.resource(DIR + name);
  }

  /** One vector with a schema changeset, a data changeset and its objects. */
  public record Vector(String name, AppSchema schema, byte[] schemaChangeset, byte[] dataChangeset,
      String table, List<Map<String, Value>> objects) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Every vector that has a schema, a data changeset and objects. */
  public List<Vector> objectVectors() {
    List<Vector> out = new ArrayList<>();
    for (JsonNode v : root.get("vectors")) {
      if (!v.has("schema_changeset") || !v.has("data_changeset") || !v.has("objects")) {
        continue;
      }
      AppSchema schema = schema(v.get("schema"));
      List<Map<String, Value>> objects = new ArrayList<>();
      for (JsonNode o : v.get("objects")) {
        objects.add(object(schema, v.get("table").asText(), o));
      }
      out.add(new Vector(v.get("name").asText(), schema, file(v.get("schema_changeset").get("file").asText()),
          file(v.get("data_changeset").get("file").asText()), v.get("table").asText(), objects));
    }
    return out;
  }

  /** A vector's schema in the server's form. */
  public static AppSchema schema(JsonNode classes) {
    List<ObjectClass> list = new ArrayList<>();
    for (JsonNode c : classes) {
      ClassKind kind = switch (c.get("table_type").asText()) {
        case "TopLevelAsymmetric" -> ClassKind.ASYMMETRIC;
        case "Embedded" -> ClassKind.EMBEDDED;
        default -> ClassKind.TOP_LEVEL;
      };
      String pk = null;
      List<Property> props = new ArrayList<>();
      for (JsonNode p : c.get("properties")) {
        String name = p.get("name").asText();
        if (p.path("primary_key").asBoolean(false)) {
          pk = name;
        }
        props.add(property(name, p.get("type").asText(), p.get("nullable").asBoolean()));
      }
      list.add(new ObjectClass(c.get("name").asText(), kind, pk, props));
    }
    return AppSchema.of(list);
  }

  private static Property property(String name, String type, boolean nullable) {
    CollectionKind coll = CollectionKind.SINGLE;
    String t = type;
    if (t.startsWith("array<")) {
      coll = CollectionKind.LIST;
      t = t.substring(6, t.length() - 1);
    } else if (t.startsWith("set<")) {
      coll = CollectionKind.SET;
      t = t.substring(4, t.length() - 1);
    } else if (t.startsWith("dictionary<string, ")) {
      coll = CollectionKind.DICTIONARY;
      t = t.substring(19, t.length() - 1);
    }
    if (t.startsWith("<")) {
      t = t.substring(1, t.length() - 1);
    }
    PropertyType pt = switch (t) {
      case "int" -> PropertyType.INT;
      case "bool" -> PropertyType.BOOL;
      case "string" -> PropertyType.STRING;
      case "data" -> PropertyType.DATA;
      case "date" -> PropertyType.DATE;
      case "float" -> PropertyType.FLOAT;
      case "double" -> PropertyType.DOUBLE;
      case "decimal" -> PropertyType.DECIMAL;
      case "object id" -> PropertyType.OBJECT_ID;
      case "uuid" -> PropertyType.UUID;
      case "mixed" -> PropertyType.MIXED;
      default -> PropertyType.OBJECT;
    };
    return new Property(name, pt, coll, nullable, pt == PropertyType.OBJECT ? t : null);
  }

  /** One object of class {@code table} as the server must store its fields. */
  public static Map<String, Value> object(AppSchema schema, String table, JsonNode o) {
    Map<String, Value> out = new LinkedHashMap<>();
    ObjectClass c = schema.objectClass(table).orElseThrow();
    for (Property p : c.properties()) {
      JsonNode v = o.get(p.name());
      out.put(p.name(), v == null ? defaultOf(p) : value(schema, v));
    }
    return out;
  }

  static Value value(AppSchema schema, JsonNode v) {
    Value.Builder b = Value.newBuilder();
    switch (v.get("type").asText()) {
      case "null":
        return Values.nullValue();
      case "int":
        return b.setIntValue(v.get("value").asLong()).build();
      case "bool":
        return b.setBoolValue(v.get("value").asBoolean()).build();
      case "string":
        return b.setStringValue(v.get("value").asText()).build();
      case "binary":
        return b.setBinaryValue(ByteString.copyFrom(HexFormat.of().parseHex(v.get("hex").asText()))).build();
      case "float":
        return b.setFloatValue(Float.intBitsToFloat(
            ByteBuffer.wrap(HexFormat.of().parseHex(v.get("bits_le_hex").asText())).order(ByteOrder.LITTLE_ENDIAN).getInt())).build();
      case "double":
        return b.setDoubleValue(Double.longBitsToDouble(
            ByteBuffer.wrap(HexFormat.of().parseHex(v.get("bits_le_hex").asText())).order(ByteOrder.LITTLE_ENDIAN).getLong())).build();
      case "timestamp":
        return b.setTimestampValue(RealmTimestamp.newBuilder().setSeconds(v.get("seconds").asLong())
            .setNanos(v.get("nanoseconds").asInt())).build();
      case "decimal128": {
        byte[] bid = HexFormat.of().parseHex(v.get("bid128_hex").asText());
        ByteBuffer bb = ByteBuffer.wrap(bid);
        return b.setDecimalValue(Decimal128.newBuilder().setValue(v.get("value").asText())
            .setBidHigh(bb.getLong(0)).setBidLow(bb.getLong(8))).build();
      }
      case "objectId":
        return b.setObjectIdValue(v.get("value").asText()).build();
      case "uuid":
        return b.setUuidValue(v.get("value").asText()).build();
      case "embedded":
        return embedded(schema, v.get("object_type").asText(), v.get("value"));
      case "list":
        return b.setListValue(list(schema, v.get("items"), null)).build();
      case "list<embedded>":
        return b.setListValue(list(schema, v.get("items"), v.get("object_type").asText())).build();
      case "set":
        return b.setSetValue(list(schema, v.get("items"), null)).build();
      case "dictionary": {
        ValueMap.Builder m = ValueMap.newBuilder();
        for (Map.Entry<String, JsonNode> e : v.get("entries").properties()) {
          m.putEntries(e.getKey(), value(schema, e.getValue()));
        }
        return b.setDictionaryValue(m).build();
      }
      default:
        throw new IllegalArgumentException("vector value type " + v.get("type"));
    }
  }

  private static ValueList list(AppSchema schema, JsonNode items, String embeddedClass) {
    ValueList.Builder l = ValueList.newBuilder();
    for (JsonNode i : items) {
      l.addValues(embeddedClass == null ? value(schema, i) : embedded(schema, embeddedClass, i));
    }
    return l.build();
  }

  private static Value embedded(AppSchema schema, String cls, JsonNode props) {
    EmbeddedObject.Builder e = EmbeddedObject.newBuilder().setClassName(cls);
    ObjectClass c = schema.objectClass(cls).orElseThrow();
    for (Property p : c.properties()) {
      JsonNode v = props.get(p.name());
      e.putFields(p.name(), v == null ? defaultOf(p) : value(schema, v));
    }
    return Value.newBuilder().setObjectValue(e).build();
  }

  /** The default of a property never set, written out independently of the server's code. */
  public static Value defaultOf(Property p) {
    Value.Builder b = Value.newBuilder();
    if (p.collection() == CollectionKind.LIST) {
      return b.setListValue(ValueList.newBuilder()).build();
    } else if (p.collection() == CollectionKind.SET) {
      return b.setSetValue(ValueList.newBuilder()).build();
    } else if (p.collection() == CollectionKind.DICTIONARY) {
      return b.setDictionaryValue(ValueMap.newBuilder()).build();
    }
    if (p.optional()) {
      return Values.nullValue();
    }
    return switch (p.type()) {
      case INT -> b.setIntValue(0).build();
      case BOOL -> b.setBoolValue(false).build();
      case STRING -> b.setStringValue("").build();
      case DATA -> b.setBinaryValue(ByteString.EMPTY).build();
      case DATE -> b.setTimestampValue(RealmTimestamp.newBuilder()).build();
      case FLOAT -> b.setFloatValue(0).build();
      case DOUBLE -> b.setDoubleValue(0).build();
      case DECIMAL -> b.setDecimalValue(Decimal128.newBuilder().setValue("0").setBidHigh(0x3040000000000000L)).build();
      case OBJECT_ID -> b.setObjectIdValue("000000000000000000000000").build();
      case UUID -> b.setUuidValue("00000000-0000-0000-0000-000000000000").build();
      default -> Values.nullValue();
    };
  }
}
