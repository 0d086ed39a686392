package io.tributary.protocol.changeset;

/**
 * The {@code collection_type} of AddColumn and Clear (spec changeset.md §6): whether a column holds
 * one value or a collection of values.
 */
public enum CollectionType {
  /** 0: a single value. */
  SINGLE(0, "Single"),
  /** 1: a list. */
  LIST(1, "List"),
  /** 2: a dictionary with string keys; AddColumn then carries a key type. */
  DICTIONARY(2, "Dictionary"),
  /** 3: a set. */
  SET(3, "Set");

  private static final CollectionType[] BY_CODE = values();

  private final int code;
  private final String dumpName;

  CollectionType(int code, String dumpName) {
    this.code = code;
    this.dumpName = dumpName;
  }

  /** The wire code, 0 … 3. */
  public int code() {
    return code;
  }

  /** The name realm-core's {@code changeset-dump} prints, for example {@code Dictionary}. */
  public String dumpName() {
    return dumpName;
  }

  /**
   * The type for a wire code.
   *
   * @return the type, or {@code null} if {@code code} is outside 0 … 3
   */
  public static CollectionType ofCode(long code) {
    return code < 0 || code >= BY_CODE.length ? null : BY_CODE[(int) code];
  }
}
