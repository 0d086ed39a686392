package io.tributary.protocol.changeset;

/**
 * The type of a column in AddColumn, and the key type of a dictionary column (spec changeset.md
 * §6, §7.2). The wire codes are the payload codes of {@link PayloadType}, except that code 0
 * (Null) means <b>Mixed</b> here. Negative codes are never column types; Tributary's reader
 * rejects them.
 */
public enum ColumnType {
  /** 0: Mixed (any value, always nullable). */
  MIXED(0, "Mixed"),
  /** 1: int. */
  INT(1, "Int"),
  /** 2: bool. */
  BOOL(2, "Bool"),
  /** 3: string. */
  STRING(3, "String"),
  /** 4: binary data. */
  BINARY(4, "Binary"),
  /** 5: timestamp (date). */
  TIMESTAMP(5, "Timestamp"),
  /** 6: float. */
  FLOAT(6, "Float"),
  /** 7: double. */
  DOUBLE(7, "Double"),
  /** 8: Decimal128. */
  DECIMAL(8, "Decimal"),
  /** 9: link; AddColumn then carries a link target table (an embedded class for Tributary). */
  LINK(9, "Link"),
  /** 10: ObjectId. */
  OBJECT_ID(10, "ObjectId"),
  /** 11: UUID. */
  UUID(11, "UUID");

  private static final ColumnType[] BY_CODE = values();

  private final int code;
  private final String dumpName;

  ColumnType(int code, String dumpName) {
    this.code = code;
    this.dumpName = dumpName;
  }

  /** The wire code, 0 … 11. */
  public int code() {
    return code;
  }

  /** The name realm-core's {@code changeset-dump} prints, for example {@code Mixed}. */
  public String dumpName() {
    return dumpName;
  }

  /**
   * The type for a wire code.
   *
   * @return the type, or {@code null} if {@code code} is outside 0 … 11
   */
  public static ColumnType ofCode(long code) {
    return code < 0 || code >= BY_CODE.length ? null : BY_CODE[(int) code];
  }
}
