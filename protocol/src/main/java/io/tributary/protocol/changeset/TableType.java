package io.tributary.protocol.changeset;

/** The {@code table_type} of AddTable (spec changeset.md §6, §7.1). */
public enum TableType {
  /** 0: an ordinary top-level class, with a primary key. Not used by Tributary clients. */
  TOP_LEVEL(0, "TopLevel"),
  /** 1: an embedded class; no primary key fields follow on the wire. */
  EMBEDDED(1, "Embedded"),
  /** 2: an asymmetric (insert-only, "Data Ingest") top-level class, with a primary key. */
  TOP_LEVEL_ASYMMETRIC(2, "TopLevelAsymmetric");

  private static final TableType[] BY_CODE = values();

  private final int code;
  private final String dumpName;

  TableType(int code, String dumpName) {
    this.code = code;
    this.dumpName = dumpName;
  }

  /** The wire code, 0 … 2. */
  public int code() {
    return code;
  }

  /** The name realm-core's {@code changeset-dump} prints, for example {@code Embedded}. */
  public String dumpName() {
    return dumpName;
  }

  /**
   * The type for a wire code.
   *
   * @return the type, or {@code null} if {@code code} is outside 0 … 2
   */
  public static TableType ofCode(long code) {
    return code < 0 || code >= BY_CODE.length ? null : BY_CODE[(int) code];
  }
}
