package io.tributary.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The schema of one class: its kind, primary key and properties, in declaration order.
 *
 * <pre>{@code
 * ObjectSchema reading = ObjectSchema.asymmetric("Reading")
 *     .primaryKey("_id", PropertyType.OBJECT_ID)
 *     .property("sensor", PropertyType.STRING)
 *     .property("value", PropertyType.DOUBLE)
 *     .optional("note", PropertyType.STRING)
 *     .list("samples", PropertyType.DOUBLE)
 *     .embedded("location", "Location");
 * }</pre>
 *
 * <p>Immutable and thread safe: every builder method returns a new {@code ObjectSchema} and leaves
 * the receiver unchanged. Rules that concern this class alone (name limits, duplicate properties,
 * primary-key type, no primary key on an embedded class, the right method for each type) are
 * checked at the call that breaks them; rules that need the other classes (link targets, a primary
 * key on every asymmetric class, reachability) are checked by {@link Schema#of}. Violations throw
 * {@link SchemaException} naming the class and property.
 *
 * <p>Null arguments throw {@link NullPointerException}.
 */
public final class ObjectSchema {

  /** What kind of class this is (spec changeset.md §7.1). */
  public enum Kind {
    /** Insert-only and never read back: the objects an ingest realm uploads. */
    ASYMMETRIC("asymmetric"),
    /** Owned by exactly one parent object; has no primary key. */
    EMBEDDED("embedded"),
    /**
     * An ordinary, queryable top-level class. It exists so that the rules about such classes can
     * be expressed; an ingest realm rejects schemas containing one.
     */
    TOP_LEVEL("top-level");

    private final String text;

    Kind(String text) {
      this.text = text;
    }

    /** {@code "asymmetric"}, {@code "embedded"} or {@code "top-level"}. */
    @Override
    public String toString() {
      return text;
    }
  }

  private final String name;
  private final Kind kind;
  private final List<Property> properties;
  private final Property primaryKey;

  private ObjectSchema(String name, Kind kind, List<Property> properties, Property primaryKey) {
    this.name = name;
    this.kind = kind;
    this.properties = properties;
    this.primaryKey = primaryKey;
  }

  /**
   * Starts the schema of an asymmetric (insert-only) class. It needs a primary key named {@code
   * _id}.
   *
   * @param name 1 to 57 UTF-8 bytes
   * @throws SchemaException if the name is empty, too long or not valid UTF-16
   */
  public static ObjectSchema asymmetric(String name) {
    return new ObjectSchema(Names.checkClassName(name), Kind.ASYMMETRIC, List.of(), null);
  }

  /**
   * Starts the schema of an embedded class (no primary key).
   *
   * @param name 1 to 57 UTF-8 bytes
   * @return the new class schema, without properties
   * @throws SchemaException if the name is empty, too long or not valid UTF-16
   */
  public static ObjectSchema embedded(String name) {
    return new ObjectSchema(Names.checkClassName(name), Kind.EMBEDDED, List.of(), null);
  }

  /**
   * Starts the schema of an ordinary top-level class. Ingest realms refuse such classes; this
   * exists so that schemas with them can be described and rejected with a clear message.
   *
   * @param name 1 to 57 UTF-8 bytes
   * @return the new class schema, without properties
   * @throws SchemaException if the name is empty, too long or not valid UTF-16
   */
  public static ObjectSchema topLevel(String name) {
    return new ObjectSchema(Names.checkClassName(name), Kind.TOP_LEVEL, List.of(), null);
  }

  /**
   * Adds the (non-nullable) primary key.
   *
   * @param name must be {@code _id} (checked by {@link Schema#of}: Realm requires it for synced
   *     classes)
   * @param type {@link PropertyType#INT}, {@link PropertyType#STRING}, {@link
   *     PropertyType#OBJECT_ID} or {@link PropertyType#UUID}
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if this class is embedded, already has a primary key, the type is not
   *     allowed, or the name is invalid or taken
   */
  public ObjectSchema primaryKey(String name, PropertyType type) {
    return primaryKey(name, type, false);
  }

  /**
   * Adds the primary key, nullable or not.
   *
   * @param name must be {@code _id} (checked by {@link Schema#of})
   * @param type {@link PropertyType#INT}, {@link PropertyType#STRING}, {@link
   *     PropertyType#OBJECT_ID} or {@link PropertyType#UUID}
   * @param nullable whether one object of the class may have a null key
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if this class is embedded, already has a primary key, the type is not
   *     allowed, or the name is invalid or taken
   */
  public ObjectSchema primaryKey(String name, PropertyType type, boolean nullable) {
    Objects.requireNonNull(type, "type");
    checkNewProperty(name);
    if (kind == Kind.EMBEDDED) {
      throw new SchemaException(
          this.name + "." + name + ": an embedded class has no primary key (expected: a property)");
    }
    if (primaryKey != null) {
      throw new SchemaException(
          this.name + "." + name + ": a primary key is already declared ("
              + primaryKey.name() + ")");
    }
    if (!type.isPrimaryKeyType()) {
      throw new SchemaException(
          this.name + "." + name + ": primary key type " + type.realmName()
              + " is not allowed (expected: int, string, objectId or uuid)");
    }
    Property pk = new Property(name, type, CollectionType.SINGLE, nullable, null, true);
    return new ObjectSchema(this.name, kind, append(pk), pk);
  }

  /**
   * Adds a required (non-nullable) property; {@link PropertyType#MIXED} is always nullable.
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param type any type but {@link PropertyType#OBJECT} (use {@link #embedded(String, String)})
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if the name is invalid or taken, or the type is {@code OBJECT}
   */
  public ObjectSchema property(String name, PropertyType type) {
    return add(name, type, CollectionType.SINGLE, false);
  }

  /**
   * Adds an optional (nullable) property.
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param type any type but {@link PropertyType#OBJECT}
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if the name is invalid or taken, or the type is {@code OBJECT}
   */
  public ObjectSchema optional(String name, PropertyType type) {
    return add(name, type, CollectionType.SINGLE, true);
  }

  /**
   * Adds a list of non-null values (of {@link PropertyType#MIXED}: of any values).
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param elementType any type but {@link PropertyType#OBJECT} (use {@link #embeddedList})
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if the name is invalid or taken, or the type is {@code OBJECT}
   */
  public ObjectSchema list(String name, PropertyType elementType) {
    return add(name, elementType, CollectionType.LIST, false);
  }

  /**
   * Adds a list.
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param elementType any type but {@link PropertyType#OBJECT}
   * @param optionalElements whether elements may be null
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if the name is invalid or taken, or the type is {@code OBJECT}
   */
  public ObjectSchema list(String name, PropertyType elementType, boolean optionalElements) {
    return add(name, elementType, CollectionType.LIST, optionalElements);
  }

  /**
   * Adds a set of non-null values.
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param elementType any type but {@link PropertyType#OBJECT} (sets of embedded objects do not
   *     exist)
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if the name is invalid or taken, or the type is {@code OBJECT}
   */
  public ObjectSchema set(String name, PropertyType elementType) {
    return add(name, elementType, CollectionType.SET, false);
  }

  /**
   * Adds a set.
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param elementType any type but {@link PropertyType#OBJECT}
   * @param optionalElements whether the set may contain null
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if the name is invalid or taken, or the type is {@code OBJECT}
   */
  public ObjectSchema set(String name, PropertyType elementType, boolean optionalElements) {
    return add(name, elementType, CollectionType.SET, optionalElements);
  }

  /**
   * Adds a dictionary from string keys to non-null values.
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param valueType any type but {@link PropertyType#OBJECT} (use {@link #embeddedDictionary})
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if the name is invalid or taken, or the type is {@code OBJECT}
   */
  public ObjectSchema dictionary(String name, PropertyType valueType) {
    return add(name, valueType, CollectionType.DICTIONARY, false);
  }

  /**
   * Adds a dictionary from string keys to values.
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param valueType any type but {@link PropertyType#OBJECT}
   * @param optionalValues whether values may be null
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if the name is invalid or taken, or the type is {@code OBJECT}
   */
  public ObjectSchema dictionary(String name, PropertyType valueType, boolean optionalValues) {
    return add(name, valueType, CollectionType.DICTIONARY, optionalValues);
  }

  /**
   * Adds a link to one object of {@code targetClass}, which must be an embedded class (checked by
   * {@link Schema#of}). Always nullable, as in Realm.
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param targetClass the embedded class
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if a name is invalid or the property name is taken
   */
  public ObjectSchema embedded(String name, String targetClass) {
    return addLink(name, targetClass, CollectionType.SINGLE);
  }

  /**
   * Adds a list of embedded objects of {@code targetClass} (elements are never null).
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param targetClass the embedded class
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if a name is invalid or the property name is taken
   */
  public ObjectSchema embeddedList(String name, String targetClass) {
    return addLink(name, targetClass, CollectionType.LIST);
  }

  /**
   * Adds a dictionary from string keys to embedded objects of {@code targetClass} (values are
   * nullable, as in Realm).
   *
   * @param name 1 to 63 UTF-8 bytes, not yet used in this class
   * @param targetClass the embedded class
   * @return a new {@code ObjectSchema} with the property added
   * @throws SchemaException if a name is invalid or the property name is taken
   */
  public ObjectSchema embeddedDictionary(String name, String targetClass) {
    return addLink(name, targetClass, CollectionType.DICTIONARY);
  }

  /** The class name. */
  public String name() {
    return name;
  }

  /** The kind of class. */
  public Kind kind() {
    return kind;
  }

  /** All properties in declaration order, the primary key included; unmodifiable. */
  public List<Property> properties() {
    return properties;
  }

  /** The primary key, or {@code null} if none was declared (always for embedded classes). */
  public Property primaryKey() {
    return primaryKey;
  }

  /**
   * The property called {@code name}.
   *
   * @return the property, or {@code null} if this class has none of that name
   */
  public Property property(String name) {
    Objects.requireNonNull(name, "name");
    for (Property p : properties) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  private ObjectSchema add(
      String name, PropertyType type, CollectionType collection, boolean nullable) {
    Objects.requireNonNull(type, "type");
    checkNewProperty(name);
    if (type == PropertyType.OBJECT) {
      String method =
          collection == CollectionType.SINGLE
              ? "embedded"
              : collection == CollectionType.LIST
                  ? "embeddedList"
                  : collection == CollectionType.DICTIONARY ? "embeddedDictionary" : null;
      throw new SchemaException(
          this.name + "." + name + ": "
              + (method == null
                  ? "sets of objects do not exist (expected: a set of a value type)"
                  : "a link to an object needs its target class (expected: " + method
                      + "(name, targetClass))"));
    }
    return new ObjectSchema(
        this.name, kind, append(new Property(name, type, collection, nullable, null, false)),
        primaryKey);
  }

  private ObjectSchema addLink(String name, String targetClass, CollectionType collection) {
    checkNewProperty(name);
    Objects.requireNonNull(targetClass, "targetClass");
    try {
      Names.checkClassName(targetClass);
    } catch (SchemaException e) {
      throw new SchemaException(this.name + "." + name + ": link target " + e.getMessage());
    }
    return new ObjectSchema(
        this.name, kind,
        append(new Property(name, PropertyType.OBJECT, collection, false, targetClass, false)),
        primaryKey);
  }

  private void checkNewProperty(String name) {
    Names.checkPropertyName(this.name, name);
    if (property(name) != null) {
      throw new SchemaException(this.name + "." + name + ": duplicate property (declared twice)");
    }
  }

  private List<Property> append(Property p) {
    List<Property> copy = new ArrayList<>(properties.size() + 1);
    copy.addAll(properties);
    copy.add(p);
    return Collections.unmodifiableList(copy);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ObjectSchema)) {
      return false;
    }
    ObjectSchema s = (ObjectSchema) o;
    return name.equals(s.name) && kind == s.kind && properties.equals(s.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind, properties);
  }

  /**
   * For example {@code asymmetric Reading {_id: objectId (primary key), value: double, location:
   * Location?}}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(kind).append(' ').append(name).append(" {");
    for (int i = 0; i < properties.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(properties.get(i));
    }
    return sb.append('}').toString();
  }
}
