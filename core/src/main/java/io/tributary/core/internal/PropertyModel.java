package io.tributary.core.internal;

import io.tributary.core.CollectionType;
import io.tributary.core.Property;
import io.tributary.core.PropertyType;
import io.tributary.protocol.changeset.FieldPath;
import io.tributary.protocol.changeset.Name;

/** A property prepared for the write path: prepared name, index, and the checks it needs. */
final class PropertyModel {
  final ClassModel owner;
  final Property property;
  final String name;
  final Name preparedName;
  /** The Update target of this property on a root object: one writer call per value. */
  final FieldPath path;
  /** Position among the class's non-key properties (declaration order); -1 for the key. */
  final int index;
  final PropertyType type;
  final CollectionType collection;
  final boolean nullable;
  final boolean primaryKey;
  /**
   * The type a single-value setter must match: the type for a single, non-key, non-link property,
   * otherwise null (one comparison on the hot path).
   */
  final PropertyType single;
  /** For links: the target class (resolved after all classes exist). */
  ClassModel target;
  /**
   * For a single embedded-object property: the Update targets of the embedded object's
   * properties by their index ({@code update(this).key(q).inEmbedded(target)}), made once with
   * the target so that writing an embedded property costs one array load; otherwise null.
   */
  FieldPath[] embeddedPaths;

  PropertyModel(ClassModel owner, Property p, int index) {
    this.owner = owner;
    this.property = p;
    this.name = p.name();
    this.preparedName = Name.of(p.name());
    this.path = FieldPath.of(preparedName); // names are checked against the limits by the schema
    this.index = index;
    this.type = p.type();
    this.collection = p.collection();
    this.nullable = p.nullable();
    this.primaryKey = p.primaryKey();
    this.single =
        collection == CollectionType.SINGLE && !primaryKey && type != PropertyType.OBJECT
            ? type
            : null;
  }

  /** Sets {@link #target} and, for a single embedded-object property, {@link #embeddedPaths}. */
  void resolve(ClassModel target) {
    this.target = target;
    if (target == null || collection != CollectionType.SINGLE || type != PropertyType.OBJECT) {
      return;
    }
    PropertyModel[] qs = target.properties;
    FieldPath[] a = new FieldPath[qs.length];
    try {
      for (PropertyModel q : qs) {
        a[q.index] = FieldPath.ofEmbedded(preparedName, q.preparedName, target.preparedName);
      }
    } catch (IllegalArgumentException e) {
      return; // a name beyond the prepared route's limits: the fluent route reports it
    }
    this.embeddedPaths = a;
  }

  /** {@code Class.property}, for messages. */
  String qualified() {
    return owner.name + "." + name;
  }

  @Override
  public String toString() {
    return qualified() + ": " + property.typeName();
  }
}
