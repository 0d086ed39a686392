package io.tributary.protocol.changeset;

/**
 * The instruction record types of a changeset (spec changeset.md §6). Record type 63 is the
 * InternString meta-record (§4), which is not an instruction; see {@link #INTERN_STRING_CODE}.
 */
public enum InstructionType {
  /** 0: {@code table table_type [pk_field pk_type pk_nullable]}. */
  ADD_TABLE(0, "AddTable"),
  /** 1: {@code table}. */
  ERASE_TABLE(1, "EraseTable"),
  /** 2: {@code table object}. */
  CREATE_OBJECT(2, "CreateObject"),
  /** 3: {@code table object}. */
  ERASE_OBJECT(3, "EraseObject"),
  /** 4: {@code prefix value (prior_size | is_default)}. */
  UPDATE(4, "Update"),
  /** 5: {@code prefix value:i64}. */
  ADD_INTEGER(5, "AddInteger"),
  /** 6: {@code table field type nullable collection_type [link_target] [key_type]}. */
  ADD_COLUMN(6, "AddColumn"),
  /** 7: {@code table field}. */
  ERASE_COLUMN(7, "EraseColumn"),
  /** 8: {@code prefix value prior_size}; the path ends with the insert position. */
  ARRAY_INSERT(8, "ArrayInsert"),
  /** 9: {@code prefix ndx_2 prior_size}; the path ends with the from-index. */
  ARRAY_MOVE(9, "ArrayMove"),
  /** 10: {@code prefix prior_size}; the path ends with the index. */
  ARRAY_ERASE(10, "ArrayErase"),
  /** 11: {@code prefix collection_type}. */
  CLEAR(11, "Clear"),
  /** 12: {@code prefix value}. */
  SET_INSERT(12, "SetInsert"),
  /** 13: {@code prefix value}. */
  SET_ERASE(13, "SetErase");

  /** The record type of the InternString meta-record (§4). */
  public static final int INTERN_STRING_CODE = 63;

  private static final InstructionType[] BY_CODE = values();

  private final int code;
  private final String dumpName;

  InstructionType(int code, String dumpName) {
    this.code = code;
    this.dumpName = dumpName;
  }

  /** The record type code, 0 … 13. */
  public int code() {
    return code;
  }

  /** The name realm-core's {@code changeset-dump} prints, for example {@code CreateObject}. */
  public String dumpName() {
    return dumpName;
  }

  /**
   * Whether the instruction starts with the path-instruction prefix {@code table object field path}
   * (§5.4).
   */
  public boolean isPathInstruction() {
    return code >= 4 && this != ADD_COLUMN && this != ERASE_COLUMN;
  }

  /**
   * The type for a record type code.
   *
   * @return the type, or {@code null} if {@code code} is not 0 … 13 (63 is not an instruction)
   */
  public static InstructionType ofCode(long code) {
    return code < 0 || code >= BY_CODE.length ? null : BY_CODE[(int) code];
  }
}
