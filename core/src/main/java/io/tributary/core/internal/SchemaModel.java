package io.tributary.core.internal;

import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;

/**
 * A {@link Schema} prepared for the write path: one {@link ClassModel} per class, links resolved,
 * and an open-addressing table from class name to model. Immutable after construction and safe to
 * share between threads ({@link io.tributary.protocol.changeset.Name} hints are racy by design).
 */
public final class SchemaModel {
  private final Schema schema;
  private final ClassModel[] classes;
  private final String[] keys;
  private final ClassModel[] slots;
  private final int mask;

  /**
   * Prepares {@code schema}.
   *
   * @param schema a validated schema
   */
  public SchemaModel(Schema schema) {
    this.schema = schema;
    int n = schema.classes().size();
    this.classes = new ClassModel[n];
    for (int i = 0; i < n; i++) {
      classes[i] = new ClassModel(i, schema.classes().get(i));
    }
    int cap = Integer.highestOneBit(Math.max(4, n * 4) - 1) << 1;
    this.keys = new String[cap];
    this.slots = new ClassModel[cap];
    this.mask = cap - 1;
    for (ClassModel c : classes) {
      int i = ClassModel.spread(c.name.hashCode()) & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = c.name;
      slots[i] = c;
    }
    for (ClassModel c : classes) {
      for (PropertyModel p : c.properties) {
        if (p.type == PropertyType.OBJECT) {
          p.resolve(find(p.property.target()));
        }
      }
    }
  }

  /** The schema this model was made from. */
  public Schema schema() {
    return schema;
  }

  /** The class called {@code name}, or null. */
  ClassModel find(String name) {
    int i = ClassModel.spread(name.hashCode()) & mask;
    for (; ; ) {
      String s = keys[i];
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

  int classCount() {
    return classes.length;
  }

  /** The asymmetric class names, for "expected one of" messages. */
  String asymmetricNames() {
    StringBuilder sb = new StringBuilder();
    for (ClassModel c : classes) {
      if (c.kind == ObjectSchema.Kind.ASYMMETRIC) {
        sb.append(sb.length() == 0 ? "" : ", ").append(c.name);
      }
    }
    return sb.toString();
  }
}
