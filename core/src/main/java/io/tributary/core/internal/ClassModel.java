package io.tributary.core.internal;

import io.tributary.core.ObjectSchema;
import io.tributary.core.Property;
import io.tributary.protocol.changeset.Name;
import java.util.ArrayList;
import java.util.List;

/**
 * A class prepared for the write path: prepared names and an open-addressing table from property
 * name to {@link PropertyModel}, probed by String identity first (names written as literals in the
 * app and in the schema are the same interned String) and {@code equals} second.
 */
final class ClassModel {
  final int index;
  final String name;
  final Name preparedName;
  final ObjectSchema schema;
  final ObjectSchema.Kind kind;
  /** The primary key, null for embedded classes. */
  final PropertyModel primaryKey;
  /** Non-key properties in declaration order. */
  final PropertyModel[] properties;

  private final String[] keys;
  private final PropertyModel[] slots;
  private final int mask;

  ClassModel(int index, ObjectSchema schema) {
    this.index = index;
    this.name = schema.name();
    this.preparedName = Name.of(name);
    this.schema = schema;
    this.kind = schema.kind();
    List<PropertyModel> props = new ArrayList<>();
    PropertyModel pk = null;
    for (Property p : schema.properties()) {
      if (p.primaryKey()) {
        pk = new PropertyModel(this, p, -1);
      } else {
        props.add(new PropertyModel(this, p, props.size()));
      }
    }
    this.primaryKey = pk;
    this.properties = props.toArray(new PropertyModel[0]);
    int n = properties.length + (pk == null ? 0 : 1);
    int cap = Integer.highestOneBit(Math.max(4, n * 4) - 1) << 1; // load factor <= 1/4
    this.keys = new String[cap];
    this.slots = new PropertyModel[cap];
    this.mask = cap - 1;
    for (PropertyModel p : properties) {
      put(p);
    }
    if (pk != null) {
      put(pk);
    }
  }

  private void put(PropertyModel p) {
    int i = spread(p.name.hashCode()) & mask;
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = p.name;
    slots[i] = p;
  }

  /**
   * The property called {@code name} (the primary key included), or null.
   *
   * @throws NullPointerException if {@code name} is null
   */
  PropertyModel find(String name) {
    int i = spread(name.hashCode()) & mask;
    String[] k = keys;
    for (; ; ) {
      String s = k[i];
      if (s == name) {
        return slots[i];
      }
      if (s == null) {
        return null;
      }
      if (s.equals(name)) {
        return slots[i];
      }
      i = (i + 1) & mask;
    }
  }

  static int spread(int h) {
    return (h ^ (h >>> 16)) * 0x9E3779B1;
  }

  /** The property names, for "expected one of" messages. */
  String propertyNames() {
    StringBuilder sb = new StringBuilder();
    if (primaryKey != null) {
      sb.append(primaryKey.name);
    }
    for (PropertyModel p : properties) {
      sb.append(sb.length() == 0 ? "" : ", ").append(p.name);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return schema.toString();
  }
}
