package io.tributary.protocol.changeset;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A prepared Update target: a property of the selected object, or a property of the embedded
 * object in one of its properties. Made once per schema property, it lets a {@link
 * ChangesetWriter} write a whole Update in one call, for example {@link
 * ChangesetWriter#doubleValue(FieldPath, double)}, instead of an opener, path elements and a
 * terminal.
 *
 * <pre>{@code
 * static final FieldPath VALUE = FieldPath.of(Name.of("value"));
 * static final FieldPath LAT =
 *     FieldPath.ofEmbedded(Name.of("location"), Name.of("lat"), Name.of("Location"));
 *
 * w.createObject(READING, id);
 * w.doubleValue(VALUE, 21.5);       // same bytes as w.update("value").doubleValue(21.5)
 * w.objectValue(LOCATION);          // w.update("location").objectValue()
 * w.doubleValue(LAT, 52.1);         // w.update("location").key("lat").inEmbedded("Location")
 *                                   //  .doubleValue(52.1)
 * }</pre>
 *
 * <p>The bytes are always those of the equivalent fluent calls (tested differentially): the first
 * use of a path in a changeset takes the fluent route, which interns the names in realm-core's
 * order (embedded class, field, key; spec changeset.md §9, §10). The writer then remembers the
 * encoded path ({@code field count [40 key]}) in a small table of its own (256 slots, picked by
 * the low bits of the path's {@link #id}, each stamped with the id and the changeset's
 * generation); a later use in the same changeset is one tag compare, and copies the path in one
 * store. Nothing is cached in the path itself, so a path may be shared by any number of writers
 * on any threads. The fast route needs intern indices below 64 (the first 64 names of a
 * changeset) and each name interned as the very String instance the path holds (checked by
 * identity when the writer remembers the path: if an equal but different String was interned
 * first through a {@code String} overload, the path stays on the fluent route for the rest of
 * that changeset). Two paths whose ids share a slot, used alternately in one changeset, evict
 * each other; paths made together (one schema's) have consecutive ids and never share a slot
 * unless more than 256 are in use. Such paths are still correct, just as slow as the fluent
 * calls.
 *
 * <p>Prepared Updates have {@code is_default} false and no list index or dictionary key: for
 * anything else (default values, lists, dictionaries, deeper embedded paths) use the fluent
 * calls, which mix freely with prepared ones in a changeset.
 *
 * <p>Immutable as far as callers can see, and thread safe.
 */
public final class FieldPath {
  /** Intern indices the cached word can hold: one-byte varints. */
  static final int MAX_CACHED_INDEX = 63;

  final Name field;
  final Name key;
  final Name embeddedClass;
  final String fieldValue;
  final String keyValue;
  final String classValue;
  /**
   * The {@link #id} of a path made after 2^31 − 1 others (never in practice): never remembered by
   * a writer, so always on the fluent route.
   */
  static final int NO_ID = Integer.MAX_VALUE;

  /** Ids handed out so far; saturates at {@link #NO_ID}, so an id is never given twice. */
  private static final AtomicInteger IDS = new AtomicInteger();

  /** Bytes of the encoded path ({@link #word}): 2 (field, 0) or 4 (field, 1, 40, key). */
  final int pathBytes;

  /**
   * This path's identity in a writer's table of remembered paths (which is direct-mapped by the
   * id's low bits): unique among all paths of the JVM, 0 … 2^31 − 2, or {@link #NO_ID}.
   */
  final int id;

  private FieldPath(Name field, Name key, Name embeddedClass) {
    this(field, key, embeddedClass, assignId(IDS));
  }

  /** A path with the given {@link #id} (tests: {@link #NO_ID}). */
  FieldPath(Name field, Name key, Name embeddedClass, int id) {
    this.field = field;
    this.key = key;
    this.embeddedClass = embeddedClass;
    this.fieldValue = field.value();
    this.keyValue = key == null ? null : key.value();
    this.classValue = embeddedClass == null ? null : embeddedClass.value();
    this.pathBytes = key == null ? 2 : 4;
    this.id = id;
  }

  /** The next id from {@code ids}, or {@link #NO_ID} once every other value was given. */
  static int assignId(AtomicInteger ids) {
    return ids.getAndUpdate(i -> i < NO_ID ? i + 1 : i);
  }

  /**
   * A property of the selected (top-level) object.
   *
   * @param field the property, at most {@link ChangesetWriter#MAX_PROPERTY_NAME_BYTES} UTF-8 bytes
   * @return the path
   * @throws IllegalArgumentException if the name is too long
   */
  public static FieldPath of(Name field) {
    checkLength(Objects.requireNonNull(field, "field"), ChangesetWriter.MAX_PROPERTY_NAME_BYTES,
        "field");
    return new FieldPath(field, null, null);
  }

  /**
   * A property of the embedded object held in property {@code field} of the selected object: the
   * equivalent of {@code update(field).key(key).inEmbedded(embeddedClass)}.
   *
   * @param field the selected object's property holding the embedded object, at most {@link
   *     ChangesetWriter#MAX_PROPERTY_NAME_BYTES} UTF-8 bytes
   * @param key the embedded object's property
   * @param embeddedClass the embedded object's class, at most {@link
   *     ChangesetWriter#MAX_CLASS_NAME_BYTES} UTF-8 bytes
   * @return the path
   * @throws IllegalArgumentException if a name is too long
   */
  public static FieldPath ofEmbedded(Name field, Name key, Name embeddedClass) {
    checkLength(Objects.requireNonNull(field, "field"), ChangesetWriter.MAX_PROPERTY_NAME_BYTES,
        "field");
    Objects.requireNonNull(key, "key");
    checkLength(Objects.requireNonNull(embeddedClass, "embeddedClass"),
        ChangesetWriter.MAX_CLASS_NAME_BYTES, "embedded class");
    return new FieldPath(field, key, embeddedClass);
  }

  private static void checkLength(Name n, int max, String what) {
    if (n.utf8Length() > max) {
      throw new IllegalArgumentException(
          what + " '" + n.value() + "': " + n.utf8Length() + " UTF-8 bytes (expected: at most "
              + max + ")");
    }
  }

  /** The property of the selected object. */
  public Name field() {
    return field;
  }

  /** The embedded object's property, or {@code null} for a top-level path. */
  public Name key() {
    return key;
  }

  /** The embedded object's class, or {@code null} for a top-level path. */
  public Name embeddedClass() {
    return embeddedClass;
  }

  /** Whether this path goes into an embedded object. */
  public boolean isEmbedded() {
    return key != null;
  }

  /**
   * The encoded path for intern indices below 64, little-endian in the low {@link #pathBytes}
   * bytes: {@code field 00} or {@code field 01 40 key}.
   */
  int word(int fieldIndex, int keyIndex) {
    if (key == null) {
      return fieldIndex;
    }
    return fieldIndex | 1 << 8 | 0x40 << 16 | keyIndex << 24;
  }

  /**
   * Whether the strings at intern indices {@code f}, {@code k} and {@code e} (field, key,
   * embedded class; {@code k} and {@code e} ignored for a top-level path) of {@code byIndex} (a
   * writer's strings by intern index, {@code null} past its count) are this path's, by identity.
   */
  boolean internedAt(int f, int k, int e, String[] byIndex) {
    String[] b = byIndex;
    if (key == null) {
      return f < b.length && b[f] == fieldValue;
    }
    return f < b.length && k < b.length && e < b.length
        && b[f] == fieldValue && b[k] == keyValue && b[e] == classValue;
  }

  @Override
  public String toString() {
    return key == null ? fieldValue : fieldValue + "." + keyValue + " (" + classValue + ")";
  }
}
