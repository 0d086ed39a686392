package io.tributary.server.internal.ingest;

import io.tributary.protocol.changeset.CollectionType;
import io.tributary.protocol.changeset.ColumnType;
import io.tributary.protocol.changeset.PayloadType;
import io.tributary.protocol.changeset.TableType;
import io.tributary.server.AppSchema.ClassKind;
import io.tributary.server.AppSchema.CollectionKind;
import io.tributary.server.AppSchema.Property;
import io.tributary.server.AppSchema.PropertyType;

/**
 * How app-schema classes and properties appear in AddTable and AddColumn (spec changeset.md §7):
 * the encoding realm-core writes for each, and back. Stateless.
 */
final class SchemaWire {
  private SchemaWire() {}

  /**
   * An AddColumn's type fields.
   *
   * @param type column type
   * @param nullable nullable flag
   * @param collection collection type
   * @param linkTarget link target class, or null
   * @param keyType dictionary key type, or null
   */
  record Column(
      ColumnType type, boolean nullable, CollectionType collection, String linkTarget, ColumnType keyType) {
    @Override
    public String toString() {
      return "type=" + type.dumpName() + " nullable=" + nullable + " collection=" + collection.dumpName()
          + (linkTarget == null ? "" : " link_target=\"" + linkTarget + "\"")
          + (keyType == null ? "" : " key_type=" + keyType.dumpName());
    }
  }

  /** The AddColumn realm-core writes for {@code p} (changeset.md §7.2). */
  static Column expected(Property p) {
    boolean nullable;
    if (p.type() == PropertyType.MIXED) {
      nullable = true;
    } else if (p.type() == PropertyType.OBJECT) {
      nullable = p.collection() == CollectionKind.SINGLE || p.collection() == CollectionKind.DICTIONARY;
    } else {
      nullable = p.optional();
    }
    return new Column(
        columnType(p.type()),
        nullable,
        collectionType(p.collection()),
        p.type() == PropertyType.OBJECT ? p.objectType() : null,
        p.collection() == CollectionKind.DICTIONARY ? ColumnType.STRING : null);
  }

  /**
   * The property an AddColumn declares, or null if the app schema cannot express it (a dictionary
   * key type other than String).
   */
  static Property property(String name, Column c) {
    if (c.collection() == CollectionType.DICTIONARY && c.keyType() != ColumnType.STRING) {
      return null;
    }
    PropertyType type = propertyType(c.type());
    return new Property(
        name, type, collectionKind(c.collection()), c.nullable(), type == PropertyType.OBJECT ? c.linkTarget() : null);
  }

  static ColumnType columnType(PropertyType t) {
    switch (t) {
      case INT:
        return ColumnType.INT;
      case BOOL:
        return ColumnType.BOOL;
      case STRING:
        return ColumnType.STRING;
      case DATA:
        return ColumnType.BINARY;
      case DATE:
        return ColumnType.TIMESTAMP;
      case FLOAT:
        return ColumnType.FLOAT;
      case DOUBLE:
        return ColumnType.DOUBLE;
      case DECIMAL:
        return ColumnType.DECIMAL;
      case OBJECT_ID:
        return ColumnType.OBJECT_ID;
      case UUID:
        return ColumnType.UUID;
      case MIXED:
        return ColumnType.MIXED;
      default:
        return ColumnType.LINK;
    }
  }

  static PropertyType propertyType(ColumnType t) {
    switch (t) {
      case INT:
        return PropertyType.INT;
      case BOOL:
        return PropertyType.BOOL;
      case STRING:
        return PropertyType.STRING;
      case BINARY:
        return PropertyType.DATA;
      case TIMESTAMP:
        return PropertyType.DATE;
      case FLOAT:
        return PropertyType.FLOAT;
      case DOUBLE:
        return PropertyType.DOUBLE;
      case DECIMAL:
        return PropertyType.DECIMAL;
      case OBJECT_ID:
        return PropertyType.OBJECT_ID;
      case UUID:
        return PropertyType.UUID;
      case MIXED:
        return PropertyType.MIXED;
      default:
        return PropertyType.OBJECT;
    }
  }

  /** The payload type of a value of scalar type {@code t}, or null for mixed and links. */
  static PayloadType payloadType(PropertyType t) {
    switch (t) {
      case INT:
        return PayloadType.INT;
      case BOOL:
        return PayloadType.BOOL;
      case STRING:
        return PayloadType.STRING;
      case DATA:
        return PayloadType.BINARY;
      case DATE:
        return PayloadType.TIMESTAMP;
      case FLOAT:
        return PayloadType.FLOAT;
      case DOUBLE:
        return PayloadType.DOUBLE;
      case DECIMAL:
        return PayloadType.DECIMAL;
      case OBJECT_ID:
        return PayloadType.OBJECT_ID;
      case UUID:
        return PayloadType.UUID;
      default:
        return null;
    }
  }

  /** The primary-key property type of an AddTable pk type, or null (GlobalKey). */
  static PropertyType primaryKeyType(PayloadType t) {
    switch (t) {
      case INT:
        return PropertyType.INT;
      case STRING:
        return PropertyType.STRING;
      case OBJECT_ID:
        return PropertyType.OBJECT_ID;
      case UUID:
        return PropertyType.UUID;
      default:
        return null;
    }
  }

  static CollectionType collectionType(CollectionKind k) {
    switch (k) {
      case LIST:
        return CollectionType.LIST;
      case SET:
        return CollectionType.SET;
      case DICTIONARY:
        return CollectionType.DICTIONARY;
      default:
        return CollectionType.SINGLE;
    }
  }

  static CollectionKind collectionKind(CollectionType t) {
    switch (t) {
      case LIST:
        return CollectionKind.LIST;
      case SET:
        return CollectionKind.SET;
      case DICTIONARY:
        return CollectionKind.DICTIONARY;
      default:
        return CollectionKind.SINGLE;
    }
  }

  static ClassKind classKind(TableType t) {
    switch (t) {
      case EMBEDDED:
        return ClassKind.EMBEDDED;
      case TOP_LEVEL_ASYMMETRIC:
        return ClassKind.ASYMMETRIC;
      default:
        return ClassKind.TOP_LEVEL;
    }
  }

  static TableType tableType(ClassKind k) {
    switch (k) {
      case EMBEDDED:
        return TableType.EMBEDDED;
      case ASYMMETRIC:
        return TableType.TOP_LEVEL_ASYMMETRIC;
      default:
        return TableType.TOP_LEVEL;
    }
  }
}
