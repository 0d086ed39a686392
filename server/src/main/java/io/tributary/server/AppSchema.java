package io.tributary.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The schema of an app: its classes and their properties, as the operator configures it (a JSON
 * file) or as the server adopts it from a client in development mode. The server checks every
 * AddTable and AddColumn a client uploads against it and builds objects with it (spec
 * changeset.md §7, §11). Immutable and thread safe.
 *
 * <h2>JSON format</h2>
 *
 * <pre>{@code
 * {
 *   "classes": [
 *     {
 *       "name": "Reading",
 *       "kind": "asymmetric",                 // asymmetric | embedded | topLevel
 *       "primaryKey": "_id",                  // asymmetric and topLevel classes only
 *       "properties": {
 *         "_id": "objectId",
 *         "sensor": "string",
 *         "value": "double?",                 // ? = optional (nullable)
 *         "ts": "date",
 *         "tags": "string<>",                 // set; [] = list, {} = dictionary (string keys)
 *         "samples": "Sample[]",              // a class name: a link (embedded object)
 *         "location": {"type": "object", "objectType": "Location"},
 *         "codes": {"type": "int", "collection": "list", "optional": false}
 *       }
 *     },
 *     {"name": "Location", "kind": "embedded", "properties": {"lat": "double", "lon": "double"}}
 *   ]
 * }
 * }</pre>
 *
 * <p>A property is either a short string, {@code <type>[?][[]|<>|{}]} as in Realm's JavaScript
 * SDK ({@code "int?[]"} is a list of optional ints), or an object with {@code type}, optional
 * {@code optional} (default false), {@code collection} ({@code list}, {@code set}, {@code
 * dictionary}) and {@code objectType} (the linked class, with type {@code object}). Types: {@code
 * int}, {@code bool}, {@code string}, {@code data}, {@code date}, {@code float}, {@code double},
 * {@code decimal128}, {@code objectId}, {@code uuid}, {@code mixed}, {@code object}; also accepted:
 * {@code binary}, {@code timestamp}, {@code decimal}, {@code link}. Unknown keys are errors.
 *
 * <h2>Rules</h2>
 *
 * Class names are 1..57 bytes of UTF-8, property names 1..63, both unique. Asymmetric and
 * top-level classes have a primary key: a single, non-list property of type int, string,
 * objectId or uuid (optional allowed). Embedded classes have none. A link names a declared class
 * that is not asymmetric; sets of embedded objects do not exist. Mixed values and single links are
 * always optional, lists and sets of links never, dictionaries of links always (normalised as
 * realm-core encodes them). As realm-core allows, an asymmetric class may link to a top-level
 * class; the server stores such links but ingests no top-level objects.
 */
public final class AppSchema {
  /** Longest class name in UTF-8 bytes (realm-core {@code group.hpp}). */
  public static final int MAX_CLASS_NAME_BYTES = 57;

  /** Longest property name in UTF-8 bytes (realm-core {@code table.hpp}). */
  public static final int MAX_PROPERTY_NAME_BYTES = 63;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final AppSchema EMPTY = new AppSchema(Map.of());

  private final Map<String, ObjectClass> classes;

  private AppSchema(Map<String, ObjectClass> classes) {
    this.classes = classes;
  }

  /** The kind of a class (changeset.md §7.1). */
  public enum ClassKind {
    /** Insert-only ("Data Ingest"): the only kind whose objects the server ingests. */
    ASYMMETRIC("asymmetric"),
    /** Embedded: lives inside another object. */
    EMBEDDED("embedded"),
    /** An ordinary synced class: accepted in a client's schema, its writes are refused. */
    TOP_LEVEL("topLevel");

    private final String jsonName;

    ClassKind(String jsonName) {
      this.jsonName = jsonName;
    }

    /** The spelling in the JSON format, e.g. {@code topLevel}. */
    public String jsonName() {
      return jsonName;
    }
  }

  /** The value type of a property (changeset.md §7.2). */
  public enum PropertyType {
    /** 64-bit integer. */
    INT("int"),
    /** Boolean. */
    BOOL("bool"),
    /** UTF-8 string. */
    STRING("string"),
    /** Binary data. */
    DATA("data"),
    /** Timestamp. */
    DATE("date"),
    /** 32-bit float. */
    FLOAT("float"),
    /** 64-bit float. */
    DOUBLE("double"),
    /** Decimal128. */
    DECIMAL("decimal128"),
    /** ObjectId. */
    OBJECT_ID("objectId"),
    /** UUID. */
    UUID("uuid"),
    /** Any value (always optional). */
    MIXED("mixed"),
    /** A link to an object of {@link Property#objectType()}. */
    OBJECT("object");

    private final String jsonName;

    PropertyType(String jsonName) {
      this.jsonName = jsonName;
    }

    /** The spelling in the JSON format, e.g. {@code objectId}. */
    public String jsonName() {
      return jsonName;
    }

    /** Whether a primary key may have this type. */
    public boolean isPrimaryKeyType() {
      return this == INT || this == STRING || this == OBJECT_ID || this == UUID;
    }

    static PropertyType ofJson(String name) {
      switch (name) {
        case "binary":
          return DATA;
        case "timestamp":
          return DATE;
        case "decimal":
          return DECIMAL;
        case "link":
          return OBJECT;
        default:
          for (PropertyType t : values()) {
            if (t.jsonName.equals(name)) {
              return t;
            }
          }
          return null;
      }
    }
  }

  /** Whether a property holds one value or a collection. */
  public enum CollectionKind {
    /** One value. */
    SINGLE(null, ""),
    /** A list. */
    LIST("list", "[]"),
    /** A set. */
    SET("set", "<>"),
    /** A dictionary with string keys. */
    DICTIONARY("dictionary", "{}");

    private final String jsonName;
    private final String suffix;

    CollectionKind(String jsonName, String suffix) {
      this.jsonName = jsonName;
      this.suffix = suffix;
    }

    /** The spelling in the JSON format ({@code null} for {@link #SINGLE}). */
    public String jsonName() {
      return jsonName;
    }
  }

  /**
   * A property.
   *
   * @param name the name, 1..63 bytes of UTF-8
   * @param type the value type (of the elements, for a collection)
   * @param collection single value or collection
   * @param optional whether the value (the elements, for a collection) may be null; normalised
   *     for mixed and links (see the class comment)
   * @param objectType the linked class for {@link PropertyType#OBJECT}, else {@code null}
   */
  public record Property(
      String name, PropertyType type, CollectionKind collection, boolean optional, String objectType) {
    /**
     * Normalises {@code optional} for mixed values and links.
     *
     * @throws SchemaException if {@code objectType} is missing for a link or present otherwise
     */
    public Property {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(collection, "collection");
      if ((type == PropertyType.OBJECT) != (objectType != null)) {
        throw new SchemaException(
            "property "
                + name
                + ": objectType "
                + (objectType == null ? "missing" : "'" + objectType + "'")
                + " (expected: "
                + (type == PropertyType.OBJECT ? "the linked class" : "none for type " + type.jsonName)
                + ")");
      }
      if (type == PropertyType.MIXED) {
        optional = true;
      } else if (type == PropertyType.OBJECT) {
        optional = collection == CollectionKind.SINGLE || collection == CollectionKind.DICTIONARY;
      }
    }

    /** A single-value property. */
    public static Property of(String name, PropertyType type, boolean optional) {
      return new Property(name, type, CollectionKind.SINGLE, optional, null);
    }

    /** A single link to {@code objectType}. */
    public static Property link(String name, String objectType) {
      return new Property(name, PropertyType.OBJECT, CollectionKind.SINGLE, true, objectType);
    }

    /** The short form, e.g. {@code double?}, {@code string<>}, {@code Sample[]}. */
    public String shortForm() {
      String base = type == PropertyType.OBJECT ? objectType : type.jsonName;
      boolean mark = optional && type != PropertyType.MIXED && type != PropertyType.OBJECT;
      return base + (mark ? "?" : "") + collection.suffix;
    }
  }

  /**
   * A class.
   *
   * @param name the name, 1..57 bytes of UTF-8
   * @param kind asymmetric, embedded or top-level
   * @param primaryKey the primary-key property's name; {@code null} for embedded classes
   * @param properties every property in declaration order, the primary key included
   */
  public record ObjectClass(
      String name, ClassKind kind, String primaryKey, List<Property> properties) {
    /** Copies the property list. */
    public ObjectClass {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      properties = List.copyOf(properties);
    }

    /** The property named {@code name}, if declared. */
    public Optional<Property> property(String name) {
      for (Property p : properties) {
        if (p.name().equals(name)) {
          return Optional.of(p);
        }
      }
      return Optional.empty();
    }

    /** The primary-key property, if the class has one. */
    public Optional<Property> primaryKeyProperty() {
      return primaryKey == null ? Optional.empty() : property(primaryKey);
    }

    /** This class with {@code property} added at the end (or replacing the one of that name). */
    public ObjectClass withProperty(Property property) {
      List<Property> list = new ArrayList<>(properties.size() + 1);
      boolean replaced = false;
      for (Property p : properties) {
        if (p.name().equals(property.name())) {
          list.add(property);
          replaced = true;
        } else {
          list.add(p);
        }
      }
      if (!replaced) {
        list.add(property);
      }
      return new ObjectClass(name, kind, primaryKey, list);
    }
  }

  /** The schema with no classes. */
  public static AppSchema empty() {
    return EMPTY;
  }

  /**
   * A schema of the given classes.
   *
   * @throws SchemaException if a rule of the class comment is broken
   */
  public static AppSchema of(Collection<ObjectClass> classes) {
    Map<String, ObjectClass> map = new LinkedHashMap<>();
    int i = 0;
    for (ObjectClass c : classes) {
      String where = "classes[" + i + "] (" + c.name() + ")";
      checkName(where + ".name", c.name(), MAX_CLASS_NAME_BYTES);
      if (map.put(c.name(), c) != null) {
        throw new SchemaException(where + ".name: '" + c.name() + "' declared twice (expected: unique)");
      }
      i++;
    }
    AppSchema schema = new AppSchema(Collections.unmodifiableMap(map));
    i = 0;
    for (ObjectClass c : map.values()) {
      schema.check("classes[" + i + "] (" + c.name() + ")", c);
      i++;
    }
    return schema;
  }

  /** {@link #of(Collection)} of the arguments. */
  public static AppSchema of(ObjectClass... classes) {
    return of(List.of(classes));
  }

  private void check(String where, ObjectClass c) {
    Set<String> names = new LinkedHashSet<>();
    for (Property p : c.properties()) {
      String pw = where + ".properties." + p.name();
      checkName(pw, p.name(), MAX_PROPERTY_NAME_BYTES);
      if (!names.add(p.name())) {
        throw new SchemaException(pw + ": declared twice (expected: unique property names)");
      }
      if (p.type() == PropertyType.OBJECT) {
        ObjectClass target = classes.get(p.objectType());
        if (target == null) {
          throw new SchemaException(
              pw + ": objectType '" + p.objectType() + "' (expected: a class of this schema)");
        }
        if (target.kind() == ClassKind.ASYMMETRIC) {
          throw new SchemaException(
              pw + ": links to asymmetric class '" + p.objectType()
                  + "' (expected: an embedded or top-level class; asymmetric objects cannot be linked)");
        }
        if (target.kind() == ClassKind.EMBEDDED && p.collection() == CollectionKind.SET) {
          throw new SchemaException(
              pw + ": set of embedded objects (expected: a list or dictionary; sets of embedded"
                  + " objects do not exist)");
        }
      }
    }
    if (c.kind() == ClassKind.EMBEDDED) {
      if (c.primaryKey() != null) {
        throw new SchemaException(
            where + ".primaryKey: '" + c.primaryKey() + "' (expected: none for an embedded class)");
      }
      return;
    }
    if (c.primaryKey() == null) {
      throw new SchemaException(
          where + ".primaryKey: missing (expected: the primary-key property of a "
              + c.kind().jsonName + " class)");
    }
    Property pk =
        c.property(c.primaryKey())
            .orElseThrow(
                () ->
                    new SchemaException(
                        where + ".primaryKey: '" + c.primaryKey()
                            + "' (expected: one of the class's properties)"));
    if (!pk.type().isPrimaryKeyType() || pk.collection() != CollectionKind.SINGLE) {
      throw new SchemaException(
          where + ".properties." + pk.name() + ": primary key of type '" + pk.shortForm()
              + "' (expected: int, string, objectId or uuid, optional allowed)");
    }
  }

  private static void checkName(String where, String name, int maxBytes) {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > maxBytes) {
      throw new SchemaException(
          where + ": '" + name + "' is " + bytes + " bytes (expected: 1.." + maxBytes + " bytes of UTF-8)");
    }
  }

  /**
   * Reads a schema file in the JSON format of the class comment.
   *
   * @throws SchemaException if the file is not valid JSON or breaks a rule (the message names the
   *     file and the place)
   * @throws IOException if the file cannot be read
   */
  public static AppSchema read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return parse(text);
    } catch (SchemaException e) {
      throw new SchemaException(file + ": " + e.getMessage(), e.getCause());
    }
  }

  /**
   * Parses the JSON format of the class comment.
   *
   * @throws SchemaException if the text is not valid JSON or breaks a rule
   */
  public static AppSchema parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new SchemaException(
          "schema: invalid JSON at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(),
          e);
    }
    if (root == null || !root.isObject()) {
      throw new SchemaException("schema: " + kindOf(root) + " (expected: a JSON object with \"classes\")");
    }
    onlyKeys("schema", root, Set.of("classes"));
    JsonNode list = root.get("classes");
    if (list == null || !list.isArray()) {
      throw new SchemaException("schema.classes: " + kindOf(list) + " (expected: an array of classes)");
    }
    List<ObjectClass> classes = new ArrayList<>();
    Set<String> classNames = new LinkedHashSet<>();
    for (JsonNode c : list) {
      JsonNode n = c.get("name");
      if (n != null && n.isTextual()) {
        classNames.add(n.asText());
      }
    }
    int i = 0;
    for (JsonNode c : list) {
      classes.add(parseClass("classes[" + i + "]", c, classNames));
      i++;
    }
    return of(classes);
  }

  private static ObjectClass parseClass(String where, JsonNode c, Set<String> classNames) {
    if (!c.isObject()) {
      throw new SchemaException(where + ": " + kindOf(c) + " (expected: a class object)");
    }
    onlyKeys(where, c, Set.of("name", "kind", "primaryKey", "properties"));
    String name = text(where + ".name", c.get("name"), true);
    where = where + " (" + name + ")";
    String kindName = text(where + ".kind", c.get("kind"), true);
    ClassKind kind = null;
    for (ClassKind k : ClassKind.values()) {
      if (k.jsonName.equals(kindName)) {
        kind = k;
      }
    }
    if (kind == null) {
      throw new SchemaException(
          where + ".kind: '" + kindName + "' (expected: asymmetric, embedded or topLevel)");
    }
    String pk = text(where + ".primaryKey", c.get("primaryKey"), false);
    JsonNode props = c.get("properties");
    if (props == null || !props.isObject()) {
      throw new SchemaException(
          where + ".properties: " + kindOf(props) + " (expected: an object of name: property)");
    }
    List<Property> properties = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : props.properties()) {
      properties.add(parseProperty(where + ".properties." + e.getKey(), e.getKey(), e.getValue(), classNames));
    }
    return new ObjectClass(name, kind, pk, properties);
  }

  private static Property parseProperty(
      String where, String name, JsonNode spec, Set<String> classNames) {
    try {
      if (spec.isTextual()) {
        return parseShortForm(where, name, spec.asText(), classNames);
      }
      if (!spec.isObject()) {
        throw new SchemaException(
            where + ": " + kindOf(spec) + " (expected: a type string such as \"double?\" or an object)");
      }
      onlyKeys(where, spec, Set.of("type", "optional", "collection", "objectType"));
      String typeName = text(where + ".type", spec.get("type"), true);
      PropertyType type = PropertyType.ofJson(typeName);
      if (type == null) {
        throw new SchemaException(where + ".type: '" + typeName + "' (expected: " + typeList() + ")");
      }
      JsonNode opt = spec.get("optional");
      if (opt != null && !opt.isBoolean()) {
        throw new SchemaException(where + ".optional: " + kindOf(opt) + " (expected: true or false)");
      }
      String collName = text(where + ".collection", spec.get("collection"), false);
      CollectionKind collection = CollectionKind.SINGLE;
      if (collName != null) {
        collection = null;
        for (CollectionKind k : CollectionKind.values()) {
          if (collName.equals(k.jsonName)) {
            collection = k;
          }
        }
        if (collection == null) {
          throw new SchemaException(
              where + ".collection: '" + collName + "' (expected: list, set or dictionary)");
        }
      }
      String objectType = text(where + ".objectType", spec.get("objectType"), false);
      return new Property(name, type, collection, opt != null && opt.asBoolean(), objectType);
    } catch (SchemaException e) {
      if (e.getMessage().startsWith("property " + name + ":")) {
        throw new SchemaException(where + e.getMessage().substring(("property " + name).length()));
      }
      throw e;
    }
  }

  private static Property parseShortForm(
      String where, String name, String text, Set<String> classNames) {
    String s = text;
    CollectionKind collection = CollectionKind.SINGLE;
    for (CollectionKind k : CollectionKind.values()) {
      if (k != CollectionKind.SINGLE && s.endsWith(k.suffix)) {
        collection = k;
        s = s.substring(0, s.length() - 2);
        break;
      }
    }
    boolean optional = s.endsWith("?");
    if (optional) {
      s = s.substring(0, s.length() - 1);
    }
    PropertyType type = PropertyType.ofJson(s);
    String objectType = null;
    if (type == PropertyType.OBJECT) {
      throw new SchemaException(
          where + ": '" + text + "' (expected: the linked class name, or {\"type\": \"object\","
              + " \"objectType\": ...})");
    }
    if (type == null) {
      if (!classNames.contains(s)) {
        throw new SchemaException(
            where + ": type '" + s + "' (expected: " + typeList() + ", or a class name of this schema)");
      }
      type = PropertyType.OBJECT;
      objectType = s;
    }
    return new Property(name, type, collection, optional, objectType);
  }

  private static String typeList() {
    StringBuilder sb = new StringBuilder("one of ");
    for (PropertyType t : PropertyType.values()) {
      if (sb.length() > 7) {
        sb.append(", ");
      }
      sb.append(t.jsonName);
    }
    return sb.toString();
  }

  private static void onlyKeys(String where, JsonNode node, Set<String> allowed) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String key = e.getKey();
      if (!allowed.contains(key)) {
        throw new SchemaException(
            where + ": unknown key '" + key + "' (expected: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
      }
    }
  }

  private static String text(String where, JsonNode node, boolean required) {
    if (node == null || node.isNull()) {
      if (required) {
        throw new SchemaException(where + ": missing (expected: a string)");
      }
      return null;
    }
    if (!node.isTextual()) {
      throw new SchemaException(where + ": " + kindOf(node) + " (expected: a string)");
    }
    return node.asText();
  }

  private static String kindOf(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "missing";
    }
    return node.getNodeType().name().toLowerCase(Locale.ROOT) + " " + abbreviate(node.toString());
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  /** The classes in declaration order. */
  public List<ObjectClass> classes() {
    return List.copyOf(classes.values());
  }

  /** The class named {@code name}, if declared. */
  public Optional<ObjectClass> objectClass(String name) {
    return Optional.ofNullable(classes.get(name));
  }

  /** Whether the schema has no classes. */
  public boolean isEmpty() {
    return classes.isEmpty();
  }

  /**
   * This schema with {@code c} added (or replacing the class of that name).
   *
   * @throws SchemaException if the result breaks a rule
   */
  public AppSchema with(ObjectClass c) {
    Map<String, ObjectClass> map = new LinkedHashMap<>(classes);
    map.put(c.name(), c);
    return of(map.values());
  }

  /** The schema in the JSON format of the class comment (short property forms, indented). */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("classes");
    for (ObjectClass c : classes.values()) {
      ObjectNode o = list.addObject();
      o.put("name", c.name());
      o.put("kind", c.kind().jsonName);
      if (c.primaryKey() != null) {
        o.put("primaryKey", c.primaryKey());
      }
      ObjectNode props = o.putObject("properties");
      for (Property p : c.properties()) {
        props.put(p.name(), p.shortForm());
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("schema to JSON", e); // cannot happen: a tree of strings
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AppSchema && ((AppSchema) o).classes.equals(classes);
  }

  @Override
  public int hashCode() {
    return classes.hashCode();
  }

  @Override
  public String toString() {
    return "AppSchema" + classes.keySet();
  }
}
