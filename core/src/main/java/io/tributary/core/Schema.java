package io.tributary.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated set of classes: what an ingest realm may write.
 *
 * <pre>{@code
 * Schema schema = Schema.of(
 *     ObjectSchema.asymmetric("Reading")
 *         .primaryKey("_id", PropertyType.OBJECT_ID)
 *         .property("value", PropertyType.DOUBLE)
 *         .embedded("location", "Location"),
 *     ObjectSchema.embedded("Location")
 *         .property("lat", PropertyType.DOUBLE)
 *         .property("lon", PropertyType.DOUBLE));
 * }</pre>
 *
 * <h2>Rules checked by {@link #of}</h2>
 *
 * <ul>
 *   <li>Class names are unique.
 *   <li>Every asymmetric and top-level class has a primary key, named {@code _id} (Realm requires
 *       that name for synced classes).
 *   <li>Every link targets a class of the schema.
 *   <li>An asymmetric class may contain embedded objects but not links to top-level or asymmetric
 *       classes; the embedded classes it contains may not link to top-level classes either.
 *   <li>Top-level and embedded classes may not contain (link to) asymmetric classes.
 *   <li>Every embedded class is reachable through links from an asymmetric or top-level class:
 *       Realm rejects unreachable ("orphan") embedded classes in synced realms, and so does this
 *       schema.
 *   <li>No cycle of links passes through only embedded classes (an embedded object would contain
 *       itself).
 * </ul>
 *
 * An ingest realm additionally refuses top-level classes when it opens ({@link IngestRealm#open}).
 * Rules about a single class are checked by the {@link ObjectSchema} builder methods.
 *
 * <p>Immutable and thread safe. Two schemas are equal when they have equal classes, whatever the
 * order the classes were given in (the order of properties within a class matters).
 */
public final class Schema {
  private final List<ObjectSchema> classes;
  private final Map<String, ObjectSchema> byName;

  private Schema(List<ObjectSchema> classes, Map<String, ObjectSchema> byName) {
    this.classes = classes;
    this.byName = byName;
  }

  /**
   * A schema of the given classes.
   *
   * @param classes at least one class
   * @return the validated schema
   * @throws SchemaException if a rule (see the class comment) is broken; the message names the
   *     class and property
   * @throws NullPointerException if the array or one of its elements is null
   */
  public static Schema of(ObjectSchema... classes) {
    Objects.requireNonNull(classes, "classes");
    return of(List.of(classes));
  }

  /**
   * A schema of the given classes.
   *
   * @param classes at least one class
   * @return the validated schema
   * @throws SchemaException if a rule (see the class comment) is broken
   * @throws NullPointerException if the collection or one of its elements is null
   */
  public static Schema of(Collection<ObjectSchema> classes) {
    List<ObjectSchema> list = List.copyOf(classes);
    if (list.isEmpty()) {
      throw new SchemaException("schema: no classes (expected: at least one)");
    }
    Map<String, ObjectSchema> byName = new LinkedHashMap<>();
    for (ObjectSchema c : list) {
      if (byName.put(c.name(), c) != null) {
        throw new SchemaException(c.name() + ": duplicate class (declared twice)");
      }
    }
    validate(list, byName);
    return new Schema(list, Collections.unmodifiableMap(byName));
  }

  /** The classes in the order they were given; unmodifiable. */
  public List<ObjectSchema> classes() {
    return classes;
  }

  /**
   * The class called {@code name}.
   *
   * @return the class, or {@code null} if the schema has none of that name
   */
  public ObjectSchema get(String name) {
    return byName.get(Objects.requireNonNull(name, "name"));
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Schema && byName.equals(((Schema) o).byName));
  }

  @Override
  public int hashCode() {
    return byName.hashCode();
  }

  /** The classes, one {@link ObjectSchema#toString()} per line. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Schema[");
    for (int i = 0; i < classes.size(); i++) {
      sb.append(i == 0 ? "" : ",").append("\n  ").append(classes.get(i));
    }
    return sb.append("]").toString();
  }

  // -------------------------------------------------------------------------------------------
  // the rules

  private static void validate(List<ObjectSchema> classes, Map<String, ObjectSchema> byName) {
    for (ObjectSchema c : classes) {
      if (c.kind() != ObjectSchema.Kind.EMBEDDED) {
        Property pk = c.primaryKey();
        if (pk == null) {
          throw new SchemaException(
              c.name() + ": " + (c.kind() == ObjectSchema.Kind.ASYMMETRIC ? "an " : "a ")
                  + c.kind() + " class needs a primary key (expected:"
                  + " primaryKey(\"_id\", type) with type int, string, objectId or uuid)");
        }
        if (!pk.name().equals("_id")) {
          throw new SchemaException(
              c.name() + "." + pk.name() + ": the primary key of a synced class must be named"
                  + " '_id'");
        }
      }
    }
    // links: targets exist, and no link reaches an asymmetric class
    for (ObjectSchema c : classes) {
      for (Property p : c.properties()) {
        if (p.type() != PropertyType.OBJECT) {
          continue;
        }
        ObjectSchema t = byName.get(p.target());
        if (t == null) {
          throw new SchemaException(
              c.name() + "." + p.name() + ": link target class '" + p.target()
                  + "' is not in the schema");
        }
        if (t.kind() == ObjectSchema.Kind.ASYMMETRIC) {
          throw new SchemaException(
              c.name() + "." + p.name() + ": "
                  + (c.kind() == ObjectSchema.Kind.ASYMMETRIC
                      ? "an asymmetric class may contain embedded objects but not links to"
                          + " asymmetric class '" + t.name() + "'"
                      : "top-level and embedded classes may not contain asymmetric class '"
                          + t.name() + "'"));
        }
        if (t.kind() == ObjectSchema.Kind.TOP_LEVEL && c.kind() == ObjectSchema.Kind.ASYMMETRIC) {
          throw new SchemaException(
              c.name() + "." + p.name() + ": an asymmetric class may contain embedded objects but"
                  + " not links to top-level class '" + t.name() + "'");
        }
      }
    }
    checkEmbeddedCycles(classes, byName);
    // reachability: embedded classes used by asymmetric classes, and orphans
    Map<String, String> ownerOf = new HashMap<>(); // embedded class -> an asymmetric class using it
    Map<String, Boolean> reached = new HashMap<>();
    for (ObjectSchema c : classes) {
      if (c.kind() != ObjectSchema.Kind.EMBEDDED) {
        walkEmbedded(c, byName, ownerOf, reached);
      }
    }
    for (ObjectSchema c : classes) {
      if (c.kind() == ObjectSchema.Kind.EMBEDDED && !reached.containsKey(c.name())) {
        throw new SchemaException(
            c.name() + ": embedded class is unreachable by any link path from asymmetric or"
                + " top-level classes (expected: a property of an asymmetric class that links to"
                + " it)");
      }
    }
    for (ObjectSchema c : classes) {
      String owner = ownerOf.get(c.name());
      if (owner == null) {
        continue;
      }
      for (Property p : c.properties()) {
        if (p.type() == PropertyType.OBJECT
            && byName.get(p.target()).kind() == ObjectSchema.Kind.TOP_LEVEL) {
          throw new SchemaException(
              c.name() + "." + p.name() + ": embedded class '" + c.name()
                  + "' is contained in asymmetric class '" + owner
                  + "', which may contain embedded objects but not links to top-level class '"
                  + p.target() + "'");
        }
      }
    }
  }

  /** Marks every embedded class reachable from {@code root}; records asymmetric owners. */
  private static void walkEmbedded(
      ObjectSchema root,
      Map<String, ObjectSchema> byName,
      Map<String, String> ownerOf,
      Map<String, Boolean> reached) {
    Deque<ObjectSchema> todo = new ArrayDeque<>();
    todo.push(root);
    List<String> seen = new ArrayList<>();
    while (!todo.isEmpty()) {
      ObjectSchema c = todo.pop();
      for (Property p : c.properties()) {
        if (p.type() != PropertyType.OBJECT) {
          continue;
        }
        ObjectSchema t = byName.get(p.target());
        if (t.kind() != ObjectSchema.Kind.EMBEDDED || seen.contains(t.name())) {
          continue;
        }
        seen.add(t.name());
        reached.put(t.name(), Boolean.TRUE);
        if (root.kind() == ObjectSchema.Kind.ASYMMETRIC) {
          ownerOf.putIfAbsent(t.name(), root.name());
        }
        todo.push(t);
      }
    }
  }

  /** Depth-first search for a cycle of links between embedded classes. */
  private static void checkEmbeddedCycles(
      List<ObjectSchema> classes, Map<String, ObjectSchema> byName) {
    Map<String, Integer> state = new HashMap<>(); // absent: new, 1: on the path, 2: done
    for (ObjectSchema c : classes) {
      if (c.kind() == ObjectSchema.Kind.EMBEDDED && !state.containsKey(c.name())) {
        visit(c, byName, state, new ArrayList<>());
      }
    }
  }

  private static void visit(
      ObjectSchema c, Map<String, ObjectSchema> byName, Map<String, Integer> state,
      List<String> path) {
    state.put(c.name(), 1);
    for (Property p : c.properties()) {
      if (p.type() != PropertyType.OBJECT) {
        continue;
      }
      ObjectSchema t = byName.get(p.target());
      if (t.kind() != ObjectSchema.Kind.EMBEDDED) {
        continue;
      }
      path.add(c.name() + "." + p.name());
      Integer s = state.get(t.name());
      if (s != null && s == 1) {
        int from = 0;
        while (!path.get(from).startsWith(t.name() + ".")) {
          from++;
        }
        throw new SchemaException(
            c.name() + "." + p.name() + ": cycles containing embedded classes are not supported ("
                + String.join(" -> ", path.subList(from, path.size())) + " -> " + t.name() + ")");
      }
      if (s == null) {
        visit(t, byName, state, path);
      }
      path.remove(path.size() - 1);
    }
    state.put(c.name(), 2);
  }
}
