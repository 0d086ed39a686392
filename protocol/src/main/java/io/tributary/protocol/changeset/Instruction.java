package io.tributary.protocol.changeset;

import java.util.List;
import java.util.Objects;

/**
 * A materialised changeset instruction (spec changeset.md §6), with interned strings resolved. For
 * tests, tools and the server; the allocation-free way to read a changeset is {@link
 * ChangesetReader}.
 *
 * <p>{@code toString()} prints one line in the format of realm-core's {@code changeset-dump}, as
 * quoted in the vectors' {@code index.json}, for example:
 *
 * <pre>
 * AddTable table="Reading" type=TopLevelAsymmetric pk_field="_id" pk_type=ObjectId pk_nullable=false
 * Update table="Reading" pk=ObjectId(65f1a2b3c4d5e6f708192a3b) field="location" path=["lat"] value=Double(52.100000000000001 bits=cdcccccccc0c4a40) is_default=false
 * </pre>
 *
 * The lines of AddTable, AddColumn, CreateObject, Update (non-array), ArrayInsert and SetInsert
 * are checked against realm-core's output; the others follow the same pattern.
 */
public sealed interface Instruction {

  /** The instruction type. */
  InstructionType type();

  /**
   * The common prefix of path instructions: {@code table object field path} (§5.4).
   */
  sealed interface PathInstruction extends Instruction {
    /** The class of the addressed top-level object. */
    String table();

    /** The primary key of the addressed object. */
    PrimaryKey key();

    /** The property of that object. */
    String field();

    /** The path from that property into embedded objects, lists and dictionaries. */
    List<PathElement> path();

    /** Whether the path's last element is an index. */
    default boolean endsWithIndex() {
      List<PathElement> p = path();
      return !p.isEmpty() && p.get(p.size() - 1) instanceof PathElement.Index;
    }
  }

  private static String prefix(PathInstruction i) {
    StringBuilder sb = new StringBuilder();
    sb.append(i.type().dumpName()).append(" table=\"").append(i.table()).append("\" pk=")
        .append(i.key()).append(" field=\"").append(i.field()).append("\" path=[");
    List<PathElement> path = i.path();
    for (int k = 0; k < path.size(); k++) {
      if (k > 0) {
        sb.append(", ");
      }
      sb.append(path.get(k));
    }
    return sb.append(']').toString();
  }

  private static void requireIndexLast(String what, List<PathElement> path) {
    if (path.isEmpty() || !(path.get(path.size() - 1) instanceof PathElement.Index)) {
      throw new IllegalArgumentException(
          what + " path: " + path + " (expected: ends with an index)");
    }
  }

  private static long checkSize(String what, long size) {
    if (size < 0 || size > ChangesetWriter.MAX_UINT32) {
      throw new IllegalArgumentException(
          what + ": " + size + " (expected: 0.." + ChangesetWriter.MAX_UINT32 + ")");
    }
    return size;
  }

  /**
   * AddTable.
   *
   * @param table class name
   * @param tableType top-level, embedded or asymmetric
   * @param pkField primary-key property; {@code null} for embedded tables
   * @param pkType primary-key type; {@code null} for embedded tables
   * @param pkNullable whether the primary key is nullable; false for embedded tables
   */
  record AddTable(
      String table, TableType tableType, String pkField, PayloadType pkType, boolean pkNullable)
      implements Instruction {
    /** Checks the components. */
    public AddTable {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(tableType, "tableType");
      if ((tableType == TableType.EMBEDDED) != (pkField == null && pkType == null)) {
        throw new IllegalArgumentException(
            "AddTable pk: " + pkField + "/" + pkType
                + " (expected: none exactly for embedded tables)");
      }
    }

    @Override
    public InstructionType type() {
      return InstructionType.ADD_TABLE;
    }

    @Override
    public String toString() {
      String s = "AddTable table=\"" + table + "\" type=" + tableType.dumpName();
      if (tableType != TableType.EMBEDDED) {
        s += " pk_field=\"" + pkField + "\" pk_type=" + pkType.dumpName() + " pk_nullable="
            + pkNullable;
      }
      return s;
    }
  }

  /**
   * EraseTable.
   *
   * @param table class name
   */
  record EraseTable(String table) implements Instruction {
    /** Checks the component. */
    public EraseTable {
      Objects.requireNonNull(table, "table");
    }

    @Override
    public InstructionType type() {
      return InstructionType.ERASE_TABLE;
    }

    @Override
    public String toString() {
      return "EraseTable table=\"" + table + "\"";
    }
  }

  /**
   * CreateObject.
   *
   * @param table class name
   * @param key primary key
   */
  record CreateObject(String table, PrimaryKey key) implements Instruction {
    /** Checks the components. */
    public CreateObject {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
    }

    @Override
    public InstructionType type() {
      return InstructionType.CREATE_OBJECT;
    }

    @Override
    public String toString() {
      return "CreateObject table=\"" + table + "\" pk=" + key;
    }
  }

  /**
   * EraseObject.
   *
   * @param table class name
   * @param key primary key
   */
  record EraseObject(String table, PrimaryKey key) implements Instruction {
    /** Checks the components. */
    public EraseObject {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
    }

    @Override
    public InstructionType type() {
      return InstructionType.ERASE_OBJECT;
    }

    @Override
    public String toString() {
      return "EraseObject table=\"" + table + "\" pk=" + key;
    }
  }

  /**
   * Update: set the value at the path. When the path ends with an index it carries {@code
   * priorSize} (and {@code isDefault} is false); otherwise {@code isDefault} (and {@code priorSize}
   * is −1).
   *
   * @param table class name
   * @param key primary key
   * @param field property name
   * @param path path below the property
   * @param value the new value
   * @param isDefault whether the value came from a schema default
   * @param priorSize list size before the update, or −1
   */
  record Update(
      String table,
      PrimaryKey key,
      String field,
      List<PathElement> path,
      Payload value,
      boolean isDefault,
      long priorSize)
      implements PathInstruction {
    /** Checks the components. */
    public Update {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
      Objects.requireNonNull(value, "value");
      boolean array = !path.isEmpty() && path.get(path.size() - 1) instanceof PathElement.Index;
      if (array) {
        checkSize("Update priorSize", priorSize);
        if (isDefault) {
          throw new IllegalArgumentException(
              "Update isDefault: true (expected: false for a list element update)");
        }
      } else if (priorSize != -1) {
        throw new IllegalArgumentException(
            "Update priorSize: " + priorSize + " (expected: -1 unless the path ends with an"
                + " index)");
      }
    }

    /**
     * An Update whose path is empty or ends with a string.
     *
     * @param table class name
     * @param key primary key
     * @param field property name
     * @param path path below the property
     * @param value the new value
     * @param isDefault whether the value came from a schema default
     * @return the instruction
     */
    public static Update of(
        String table, PrimaryKey key, String field, List<PathElement> path, Payload value,
        boolean isDefault) {
      return new Update(table, key, field, path, value, isDefault, -1);
    }

    /** Whether this updates a list element (the path ends with an index). */
    public boolean isArrayUpdate() {
      return endsWithIndex();
    }

    @Override
    public InstructionType type() {
      return InstructionType.UPDATE;
    }

    @Override
    public String toString() {
      return prefix(this) + " value=" + value
          + (isArrayUpdate() ? " prior_size=" + priorSize : " is_default=" + isDefault);
    }
  }

  /**
   * AddInteger: add {@code value} to the integer at the path.
   *
   * @param table class name
   * @param key primary key
   * @param field property name
   * @param path path below the property
   * @param value the amount
   */
  record AddInteger(String table, PrimaryKey key, String field, List<PathElement> path, long value)
      implements PathInstruction {
    /** Checks the components. */
    public AddInteger {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
    }

    @Override
    public InstructionType type() {
      return InstructionType.ADD_INTEGER;
    }

    @Override
    public String toString() {
      return prefix(this) + " value=" + value;
    }
  }

  /**
   * AddColumn.
   *
   * @param table class name
   * @param field property name
   * @param columnType column (element) type
   * @param nullable whether values may be null
   * @param collection single, list, dictionary or set
   * @param linkTarget target class of a link column, otherwise {@code null}
   * @param keyType key type of a dictionary, otherwise {@code null}
   */
  record AddColumn(
      String table,
      String field,
      ColumnType columnType,
      boolean nullable,
      CollectionType collection,
      String linkTarget,
      ColumnType keyType)
      implements Instruction {
    /** Checks the components. */
    public AddColumn {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(columnType, "columnType");
      Objects.requireNonNull(collection, "collection");
      if ((columnType == ColumnType.LINK) != (linkTarget != null)) {
        throw new IllegalArgumentException(
            "AddColumn linkTarget: " + linkTarget + " (expected: set exactly for LINK columns)");
      }
      if ((collection == CollectionType.DICTIONARY) != (keyType != null)) {
        throw new IllegalArgumentException(
            "AddColumn keyType: " + keyType + " (expected: set exactly for dictionaries)");
      }
    }

    @Override
    public InstructionType type() {
      return InstructionType.ADD_COLUMN;
    }

    @Override
    public String toString() {
      return "AddColumn table=\"" + table + "\" field=\"" + field + "\" type="
          + columnType.dumpName() + " nullable=" + nullable + " collection="
          + collection.dumpName()
          + (linkTarget != null ? " link_target=\"" + linkTarget + "\"" : "")
          + (keyType != null ? " key_type=" + keyType.dumpName() : "");
    }
  }

  /**
   * EraseColumn.
   *
   * @param table class name
   * @param field property name
   */
  record EraseColumn(String table, String field) implements Instruction {
    /** Checks the components. */
    public EraseColumn {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(field, "field");
    }

    @Override
    public InstructionType type() {
      return InstructionType.ERASE_COLUMN;
    }

    @Override
    public String toString() {
      return "EraseColumn table=\"" + table + "\" field=\"" + field + "\"";
    }
  }

  /**
   * ArrayInsert: insert {@code value} at the path's last index.
   *
   * @param table class name
   * @param key primary key
   * @param field property name
   * @param path path ending with the insert position
   * @param value the inserted value
   * @param priorSize list size before the insert
   */
  record ArrayInsert(
      String table,
      PrimaryKey key,
      String field,
      List<PathElement> path,
      Payload value,
      long priorSize)
      implements PathInstruction {
    /** Checks the components. */
    public ArrayInsert {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
      requireIndexLast("ArrayInsert", path);
      Objects.requireNonNull(value, "value");
      checkSize("ArrayInsert priorSize", priorSize);
    }

    @Override
    public InstructionType type() {
      return InstructionType.ARRAY_INSERT;
    }

    @Override
    public String toString() {
      return prefix(this) + " value=" + value + " prior_size=" + priorSize;
    }
  }

  /**
   * ArrayMove: move the element at the path's last index to {@code toIndex}.
   *
   * @param table class name
   * @param key primary key
   * @param field property name
   * @param path path ending with the from-index
   * @param toIndex the to-index ({@code ndx_2})
   * @param priorSize list size
   */
  record ArrayMove(
      String table, PrimaryKey key, String field, List<PathElement> path, long toIndex,
      long priorSize)
      implements PathInstruction {
    /** Checks the components. */
    public ArrayMove {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
      requireIndexLast("ArrayMove", path);
      checkSize("ArrayMove toIndex", toIndex);
      checkSize("ArrayMove priorSize", priorSize);
    }

    @Override
    public InstructionType type() {
      return InstructionType.ARRAY_MOVE;
    }

    @Override
    public String toString() {
      return prefix(this) + " ndx_2=" + toIndex + " prior_size=" + priorSize;
    }
  }

  /**
   * ArrayErase: erase the element at the path's last index.
   *
   * @param table class name
   * @param key primary key
   * @param field property name
   * @param path path ending with the index
   * @param priorSize list size before the erase
   */
  record ArrayErase(
      String table, PrimaryKey key, String field, List<PathElement> path, long priorSize)
      implements PathInstruction {
    /** Checks the components. */
    public ArrayErase {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
      requireIndexLast("ArrayErase", path);
      checkSize("ArrayErase priorSize", priorSize);
    }

    @Override
    public InstructionType type() {
      return InstructionType.ARRAY_ERASE;
    }

    @Override
    public String toString() {
      return prefix(this) + " prior_size=" + priorSize;
    }
  }

  /**
   * Clear: empty the collection at the path.
   *
   * @param table class name
   * @param key primary key
   * @param field property name
   * @param path path below the property
   * @param collection the kind of collection cleared
   */
  record Clear(
      String table, PrimaryKey key, String field, List<PathElement> path,
      CollectionType collection)
      implements PathInstruction {
    /** Checks the components. */
    public Clear {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
      Objects.requireNonNull(collection, "collection");
    }

    @Override
    public InstructionType type() {
      return InstructionType.CLEAR;
    }

    @Override
    public String toString() {
      return prefix(this) + " collection_type=" + collection.dumpName();
    }
  }

  /**
   * SetInsert: add {@code value} to the set at the path.
   *
   * @param table class name
   * @param key primary key
   * @param field property name
   * @param path path below the property
   * @param value the value
   */
  record SetInsert(String table, PrimaryKey key, String field, List<PathElement> path,
      Payload value) implements PathInstruction {
    /** Checks the components. */
    public SetInsert {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
      Objects.requireNonNull(value, "value");
    }

    @Override
    public InstructionType type() {
      return InstructionType.SET_INSERT;
    }

    @Override
    public String toString() {
      return prefix(this) + " value=" + value;
    }
  }

  /**
   * SetErase: remove {@code value} from the set at the path.
   *
   * @param table class name
   * @param key primary key
   * @param field property name
   * @param path path below the property
   * @param value the value
   */
  record SetErase(String table, PrimaryKey key, String field, List<PathElement> path,
      Payload value) implements PathInstruction {
    /** Checks the components. */
    public SetErase {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(field, "field");
      path = List.copyOf(path);
      Objects.requireNonNull(value, "value");
    }

    @Override
    public InstructionType type() {
      return InstructionType.SET_ERASE;
    }

    @Override
    public String toString() {
      return prefix(this) + " value=" + value;
    }
  }
}
