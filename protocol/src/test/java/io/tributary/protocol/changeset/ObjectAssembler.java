package io.tributary.protocol.changeset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test model: applies object instructions to plain Java containers, the way the server builds new
 * objects (spec changeset.md §11.2): an object is an {@link Obj} (property → value), a list an
 * {@link ArrayList}, a set a {@link Bag} (insertion order), a dictionary a {@link Dict}; scalars
 * stay {@link Payload}s.
 */
final class ObjectAssembler {
  /** An object (top-level or embedded): property name → value. */
  static final class Obj extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;
  }

  /** A dictionary: key → value. */
  static final class Dict extends LinkedHashMap<String, Object> {
    private static final long serialVersionUID = 1L;
  }

  /** A set, in insertion order. */
  static final class Bag extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;
  }

  /** Objects by (table, primary key), in creation order. */
  final Map<PrimaryKey, Obj> objects = new LinkedHashMap<>();

  final List<String> tables = new ArrayList<>();

  void apply(Changeset cs) {
    for (Instruction i : cs.instructions()) {
      apply(i);
    }
  }

  void apply(Instruction i) {
    if (i instanceof Instruction.CreateObject) {
      Instruction.CreateObject c = (Instruction.CreateObject) i;
      if (objects.put(c.key(), new Obj()) != null) {
        throw new AssertionError("object created twice: " + c);
      }
      tables.add(c.table());
      return;
    }
    if (!(i instanceof Instruction.PathInstruction)) {
      return;
    }
    Instruction.PathInstruction p = (Instruction.PathInstruction) i;
    Obj root = objects.get(p.key());
    if (root == null) {
      throw new AssertionError("instruction for an object not created: " + i);
    }
    List<Object> keys = new ArrayList<>();
    keys.add(p.field());
    for (PathElement e : p.path()) {
      keys.add(e instanceof PathElement.Index ? (Object) (int) ((PathElement.Index) e).index()
          : ((PathElement.Key) e).key());
    }
    Object container = root;
    for (int k = 0; k < keys.size() - 1; k++) {
      container = getOrCreate(container, keys.get(k), keys.get(k + 1));
      if (container == null) {
        throw new AssertionError("path into nothing: " + i);
      }
    }
    Object last = keys.get(keys.size() - 1);
    if (i instanceof Instruction.Update) {
      put(container, last, value(((Instruction.Update) i).value()));
    } else if (i instanceof Instruction.ArrayInsert) {
      Instruction.ArrayInsert a = (Instruction.ArrayInsert) i;
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) container;
      if (list.size() != a.priorSize()) {
        throw new AssertionError("prior_size " + a.priorSize() + " but list has " + list.size());
      }
      list.add((Integer) last, value(a.value()));
    } else if (i instanceof Instruction.SetInsert) {
      Object set = get(container, last);
      if (set == null) {
        set = new Bag();
        put(container, last, set);
      }
      ((Bag) set).add(value(((Instruction.SetInsert) i).value()));
    } else if (i instanceof Instruction.Clear) {
      Object c = get(container, last);
      if (c instanceof List) {
        ((List<?>) c).clear();
      } else if (c instanceof Map) {
        ((Map<?, ?>) c).clear();
      }
    }
  }

  private static Object get(Object container, Object key) {
    if (container instanceof List) {
      return ((List<?>) container).get((Integer) key);
    }
    return ((Map<?, ?>) container).get(key);
  }

  /**
   * A list or dictionary property of a new object exists, empty, before its first element: create
   * it (a list if the next path element is an index, else a dictionary).
   */
  private static Object getOrCreate(Object container, Object key, Object next) {
    Object v = get(container, key);
    if (v == null) {
      v = next instanceof Integer ? new ArrayList<>() : new Dict();
      put(container, key, v);
    }
    return v;
  }

  private static void put(Object container, Object key, Object value) {
    if (container instanceof List) {
      @SuppressWarnings("unchecked")
      List<Object> l = (List<Object>) container;
      l.set((Integer) key, value);
    } else {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) container;
      m.put((String) key, value);
    }
  }

  private static Object value(Payload p) {
    if (p == Payload.OBJECT_VALUE) {
      return new Obj();
    } else if (p == Payload.LIST) {
      return new ArrayList<>();
    } else if (p == Payload.DICTIONARY) {
      return new Dict();
    } else if (p == Payload.SET) {
      return new Bag();
    }
    return p;
  }
}
