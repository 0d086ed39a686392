package io.tributary.core.internal;

import io.tributary.core.CollectionType;
import io.tributary.core.PropertyType;
import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** Type checks and error messages shared by the writers. */
final class Values {
  private Values() {}

  /** How a Java value is named in messages ("cannot set a string"). */
  static String javaName(PropertyType t) {
    switch (t) {
      case INT:
        return "an int";
      case BOOL:
        return "a bool";
      case STRING:
        return "a string";
      case BINARY:
        return "data";
      case FLOAT:
        return "a float";
      case DOUBLE:
        return "a double";
      case TIMESTAMP:
        return "a date";
      case DECIMAL128:
        return "a decimal128";
      case OBJECT_ID:
        return "an objectId";
      case UUID:
        return "a uuid";
      default:
        return "a " + t.realmName();
    }
  }

  /** The error for a single-value setter of type {@code given} on {@code p}. */
  static IllegalArgumentException setError(PropertyModel p, PropertyType given) {
    if (p.primaryKey) {
      return new IllegalArgumentException(
          p.qualified() + ": is the primary key (expected: give it to create(\"" + p.owner.name
              + "\", key); it cannot be set)");
    }
    if (p.collection != CollectionType.SINGLE) {
      String method =
          p.collection == CollectionType.LIST
              ? "list"
              : p.collection == CollectionType.SET ? "set" : "dictionary";
      return new IllegalArgumentException(
          p.qualified() + ": cannot set " + javaName(given) + " on a " + p.property.typeName()
              + " (expected: " + method + "(\"" + p.name + "\") to add elements)");
    }
    if (p.type == PropertyType.OBJECT) {
      return new IllegalArgumentException(
          p.qualified() + ": cannot set " + javaName(given) + " on an embedded object "
              + p.property.typeName() + " (expected: embedded(\"" + p.name + "\"))");
    }
    return new IllegalArgumentException(
        p.qualified() + ": cannot set " + javaName(given) + " (expected: "
            + p.property.typeName() + ")");
  }

  /** The error for adding an element of type {@code given} to the collection {@code p}. */
  static IllegalArgumentException elementError(
      PropertyModel p, PropertyType element, PropertyType given) {
    return new IllegalArgumentException(
        p.qualified() + ": cannot add " + javaName(given) + " to " + collectionName(p, element)
            + " (expected: " + (element == PropertyType.OBJECT ? p.target.name : element.realmName())
            + ")");
  }

  static String collectionName(PropertyModel p, PropertyType element) {
    return element == p.type && p.collection != CollectionType.SINGLE
        ? p.property.typeName()
        : "a mixed " + (element == PropertyType.MIXED ? "collection" : "value");
  }

  static IllegalArgumentException nullError(PropertyModel p) {
    return new IllegalArgumentException(
        p.qualified() + ": null for a required property (expected: " + p.property.typeName()
            + ", not nullable)");
  }

  static IllegalArgumentException elementNullError(PropertyModel p) {
    return new IllegalArgumentException(
        p.qualified() + ": null element in " + p.property.typeName()
            + " (expected: non-null elements)");
  }

  /** Rethrows a writer's refusal of a value (too long, bad UTF-16, decimal range) with context. */
  static IllegalArgumentException valueError(PropertyModel p, IllegalArgumentException e) {
    return new IllegalArgumentException(p.qualified() + ": " + e.getMessage(), e);
  }

  /** The type {@code value} has for setMixed, or null if unsupported. Never null for null. */
  static PropertyType mixedType(Object value) {
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return PropertyType.INT;
    } else if (value instanceof Double) {
      return PropertyType.DOUBLE;
    } else if (value instanceof Float) {
      return PropertyType.FLOAT;
    } else if (value instanceof Boolean) {
      return PropertyType.BOOL;
    } else if (value instanceof String) {
      return PropertyType.STRING;
    } else if (value instanceof byte[]) {
      return PropertyType.BINARY;
    } else if (value instanceof Instant) {
      return PropertyType.TIMESTAMP;
    } else if (value instanceof BigDecimal) {
      return PropertyType.DECIMAL128;
    } else if (value instanceof ObjectId) {
      return PropertyType.OBJECT_ID;
    } else if (value instanceof UUID) {
      return PropertyType.UUID;
    }
    return null;
  }

  static IllegalArgumentException mixedError(String where, Object value) {
    return new IllegalArgumentException(
        where + ": cannot store a " + value.getClass().getName() + " (expected: Long, Integer,"
            + " Short, Byte, Double, Float, Boolean, String, byte[], Instant, BigDecimal,"
            + " ObjectId, UUID or null)");
  }

  /** realm-core refuses dictionary keys with '.' or a leading '$' (Dictionary::insert). */
  static void checkDictionaryKey(PropertyModel p, String key) {
    if (key == null) {
      throw new NullPointerException(p.qualified() + ": dictionary key");
    }
    int dot = key.indexOf('.');
    if (dot >= 0 || key.startsWith("$")) {
      throw new IllegalArgumentException(
          p.qualified() + ": dictionary key '" + key + "' "
              + (dot >= 0 ? "contains '.' at index " + dot : "starts with '$'")
              + " (expected: no '.' and no leading '$')");
    }
  }
}
