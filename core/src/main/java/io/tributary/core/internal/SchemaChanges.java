package io.tributary.core.internal;

import io.tributary.core.CollectionType;
import io.tributary.core.ObjectSchema;
import io.tributary.core.Property;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.ColumnType;
import io.tributary.protocol.changeset.PayloadType;
import io.tributary.protocol.changeset.TableType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Schema changesets (spec changeset.md §7, §9.1) and the comparison of a stored schema with a new
 * one, as realm-core's additive schema mode does them.
 *
 * <p>Order, as {@code ObjectStore::apply_schema_changes} produces it: classes sorted by name
 * byte-wise (UTF-8, which is code-point order); first one AddTable per new class; then, class by
 * class in the same order, one AddColumn per new property except the primary key, in declaration
 * order. For a new log "new" means everything. Stateless and thread safe.
 */
public final class SchemaChanges {
  /** Byte-wise UTF-8 order = code-point order (String.compareTo is UTF-16 order). */
  static final Comparator<String> UTF8_ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  private SchemaChanges() {}

  /**
   * What {@code target} removes or changes compared with {@code stored}: one line per class or
   * property, e.g. {@code "Reading.value: removed"}, {@code "Reading.ts: changed from date to
   * int"}. Empty if {@code target} only adds classes and properties (or equals {@code stored});
   * the order of classes and of properties does not matter.
   */
  public static List<String> incompatibilities(Schema stored, Schema target) {
    List<String> out = new ArrayList<>();
    for (ObjectSchema s : stored.classes()) {
      ObjectSchema t = target.get(s.name());
      if (t == null) {
        out.add(s.name() + ": class removed");
        continue;
      }
      if (s.kind() != t.kind()) {
        out.add(s.name() + ": changed from " + s.kind() + " to " + t.kind() + " class");
      }
      for (Property sp : s.properties()) {
        Property tp = t.property(sp.name());
        if (tp == null) {
          out.add(s.name() + "." + sp.name() + ": removed");
        } else if (!sp.equals(tp)) {
          out.add(s.name() + "." + sp.name() + ": changed from " + describe(sp) + " to "
              + describe(tp));
        }
      }
    }
    return out;
  }

  private static String describe(Property p) {
    return p.typeName() + (p.primaryKey() ? " (primary key)" : "");
  }

  /** Whether {@code target} has a class or property that {@code stored} lacks. */
  public static boolean hasAdditions(Schema stored, Schema target) {
    for (ObjectSchema t : target.classes()) {
      ObjectSchema s = stored.get(t.name());
      if (s == null) {
        return true;
      }
      for (Property p : t.properties()) {
        if (s.property(p.name()) == null) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Writes the AddTable and AddColumn instructions that turn {@code stored} into {@code target}
   * (all of {@code target} if {@code stored} is null), in realm-core's order.
   *
   * @param w a writer with an open changeset
   * @param target the new schema
   * @param stored the schema the log already has, or null
   */
  public static void write(ChangesetWriter w, Schema target, Schema stored) {
    List<ObjectSchema> sorted = new ArrayList<>(target.classes());
    sorted.sort(Comparator.comparing(ObjectSchema::name, UTF8_ORDER));
    for (ObjectSchema c : sorted) {
      if (stored != null && stored.get(c.name()) != null) {
        continue;
      }
      if (c.kind() == ObjectSchema.Kind.EMBEDDED) {
        w.addEmbeddedTable(c.name());
      } else {
        Property pk = c.primaryKey();
        w.addTable(
            c.name(),
            c.kind() == ObjectSchema.Kind.ASYMMETRIC
                ? TableType.TOP_LEVEL_ASYMMETRIC
                : TableType.TOP_LEVEL,
            pk.name(),
            payloadType(pk.type()),
            pk.nullable());
      }
    }
    for (ObjectSchema c : sorted) {
      ObjectSchema old = stored == null ? null : stored.get(c.name());
      for (Property p : c.properties()) {
        if (p.primaryKey() || (old != null && old.property(p.name()) != null)) {
          continue;
        }
        io.tributary.protocol.changeset.CollectionType collection = collection(p.collection());
        w.addColumn(
            c.name(),
            p.name(),
            columnType(p.type()),
            p.nullable(),
            collection,
            p.type() == PropertyType.OBJECT ? p.target() : null,
            collection == io.tributary.protocol.changeset.CollectionType.DICTIONARY
                ? ColumnType.STRING
                : null);
      }
    }
  }

  static ColumnType columnType(PropertyType t) {
    switch (t) {
      case INT:
        return ColumnType.INT;
      case BOOL:
        return ColumnType.BOOL;
      case STRING:
        return ColumnType.STRING;
      case BINARY:
        return ColumnType.BINARY;
      case FLOAT:
        return ColumnType.FLOAT;
      case DOUBLE:
        return ColumnType.DOUBLE;
      case TIMESTAMP:
        return ColumnType.TIMESTAMP;
      case DECIMAL128:
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

  static PayloadType payloadType(PropertyType t) {
    switch (t) {
      case INT:
        return PayloadType.INT;
      case STRING:
        return PayloadType.STRING;
      case OBJECT_ID:
        return PayloadType.OBJECT_ID;
      case UUID:
        return PayloadType.UUID;
      default:
        throw new IllegalArgumentException("primary key type: " + t + " (expected: a key type)");
    }
  }

  static io.tributary.protocol.changeset.CollectionType collection(CollectionType c) {
    switch (c) {
      case LIST:
        return io.tributary.protocol.changeset.CollectionType.LIST;
      case SET:
        return io.tributary.protocol.changeset.CollectionType.SET;
      case DICTIONARY:
        return io.tributary.protocol.changeset.CollectionType.DICTIONARY;
      default:
        return io.tributary.protocol.changeset.CollectionType.SINGLE;
    }
  }
}
