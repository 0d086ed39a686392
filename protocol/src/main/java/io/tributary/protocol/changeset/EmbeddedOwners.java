package io.tributary.protocol.changeset;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which embedded class a path leads into, from a schema's AddTable/AddColumn instructions.
 *
 * <p>realm-core interns the class name of an embedded object before an instruction that sets one
 * of that object's properties (see {@link ChangesetWriter#inEmbedded(String)}). To reproduce its
 * bytes from parsed instructions, {@link #ownerOf} walks the path through the schema: a link column
 * to an embedded class followed by more path elements enters that class (after the list index or
 * dictionary key of a collection column); the class owning the last addressed property is the
 * answer.
 *
 * <p>Immutable and thread safe.
 */
public final class EmbeddedOwners {
  /** Knows no schema: {@link #ownerOf} always returns {@code null}. */
  public static final EmbeddedOwners NONE = new EmbeddedOwners(Map.of(), Map.of());

  private final Map<String, Instruction.AddColumn> columns;
  private final Map<String, TableType> tables;

  private EmbeddedOwners(
      Map<String, Instruction.AddColumn> columns, Map<String, TableType> tables) {
    this.columns = columns;
    this.tables = tables;
  }

  /**
   * The structure of the schema declared by {@code schema}'s AddTable and AddColumn instructions
   * (other instructions are ignored).
   *
   * @param schema the schema changeset
   * @return the owners
   */
  public static EmbeddedOwners of(Changeset schema) {
    Map<String, Instruction.AddColumn> columns = new HashMap<>();
    Map<String, TableType> tables = new HashMap<>();
    for (Instruction i : schema.instructions()) {
      if (i instanceof Instruction.AddTable) {
        Instruction.AddTable t = (Instruction.AddTable) i;
        tables.put(t.table(), t.tableType());
      } else if (i instanceof Instruction.AddColumn) {
        Instruction.AddColumn c = (Instruction.AddColumn) i;
        columns.put(c.table() + '\u0000' + c.field(), c);
      }
    }
    return new EmbeddedOwners(Map.copyOf(columns), Map.copyOf(tables));
  }

  /**
   * The embedded class whose property the instruction {@code table[..].field path} sets, or
   * {@code null} if it sets a property (or collection element) of the top-level object itself, or
   * the path cannot be resolved against the schema.
   *
   * @param table the top-level class
   * @param field its property
   * @param path the path below the property
   * @return the embedded class name, or {@code null}
   */
  public String ownerOf(String table, String field, List<PathElement> path) {
    Objects.requireNonNull(path, "path");
    String owner = null;
    Instruction.AddColumn column = columns.get(table + '\u0000' + field);
    int i = 0;
    while (column != null) {
      if (column.collection() != CollectionType.SINGLE) {
        if (i == path.size()) {
          return owner;
        }
        i++; // the list index or dictionary key
      }
      if (i == path.size()) {
        return owner;
      }
      if (column.columnType() != ColumnType.LINK
          || tables.get(column.linkTarget()) != TableType.EMBEDDED
          || !(path.get(i) instanceof PathElement.Key)) {
        return owner; // e.g. into a Mixed collection: still the same object
      }
      owner = column.linkTarget();
      column = columns.get(owner + '\u0000' + ((PathElement.Key) path.get(i)).key());
      i++;
    }
    return owner;
  }
}
