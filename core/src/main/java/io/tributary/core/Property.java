package io.tributary.core;

import java.util.Objects;

/**
 * One property of an {@link ObjectSchema}: its name, type, collection kind, nullability and, for
 * {@link PropertyType#OBJECT} properties, the class it links to.
 *
 * <p>Made by the {@link ObjectSchema} builder methods. Immutable and thread safe. {@link
 * #toString()} uses Realm's schema notation: {@code value: double}, {@code note: string?}, {@code
 * codes: list<int>}, {@code tags: set<string>}, {@code attrs: dictionary<string, mixed>}, {@code
 * location: Location?}, {@code _id: objectId (primary key)}.
 */
public final class Property {
  private final String name;
  private final PropertyType type;
  private final CollectionType collection;
  private final boolean nullable;
  private final String target;
  private final boolean primaryKey;

  Property(
      String name,
      PropertyType type,
      CollectionType collection,
      boolean nullable,
      String target,
      boolean primaryKey) {
    this.name = name;
    this.type = type;
    this.collection = collection;
    // Mixed values and links to (embedded) objects are nullable in Realm whatever was declared,
    // except the elements of a list of objects (spec changeset.md §7.2)
    this.nullable =
        type == PropertyType.MIXED
            || (type == PropertyType.OBJECT && collection != CollectionType.LIST)
            || nullable;
    this.target = target;
    this.primaryKey = primaryKey;
  }

  /** The property name, 1 to 63 UTF-8 bytes. */
  public String name() {
    return name;
  }

  /** The value type; for collections, the element type. */
  public PropertyType type() {
    return type;
  }

  /** Single value, list, set or dictionary. */
  public CollectionType collection() {
    return collection;
  }

  /**
   * Whether the value (for a collection: each element) may be null. Always true for {@link
   * PropertyType#MIXED} and for single and dictionary {@link PropertyType#OBJECT} properties.
   */
  public boolean nullable() {
    return nullable;
  }

  /** The class an {@link PropertyType#OBJECT} property links to; {@code null} for other types. */
  public String target() {
    return target;
  }

  /** Whether this is the class's primary key. */
  public boolean primaryKey() {
    return primaryKey;
  }

  /**
   * The type in Realm's notation without the name, e.g. {@code double}, {@code string?}, {@code
   * list<int>}, {@code dictionary<string, Part?>}.
   */
  public String typeName() {
    String element = type == PropertyType.OBJECT ? target : type.realmName();
    if (nullable && type != PropertyType.MIXED) {
      element += "?";
    }
    switch (collection) {
      case LIST:
        return "list<" + element + ">";
      case SET:
        return "set<" + element + ">";
      case DICTIONARY:
        return "dictionary<string, " + element + ">";
      default:
        return element;
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Property)) {
      return false;
    }
    Property p = (Property) o;
    return name.equals(p.name)
        && type == p.type
        && collection == p.collection
        && nullable == p.nullable
        && Objects.equals(target, p.target)
        && primaryKey == p.primaryKey;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, collection, nullable, target, primaryKey);
  }

  /** {@code name: type} in Realm's notation, with {@code (primary key)} for the primary key. */
  @Override
  public String toString() {
    return name + ": " + typeName() + (primaryKey ? " (primary key)" : "");
  }
}
