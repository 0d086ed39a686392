package io.tributary.protocol.changeset;

/**
 * The payload type codes of a changeset (spec changeset.md §5.1), written as a signed varint.
 *
 * <p>They are used for values (Update, ArrayInsert, SetInsert, SetErase), for primary keys (§5.2:
 * only {@link #NULL}, {@link #INT}, {@link #STRING}, {@link #OBJECT_ID}, {@link #UUID} and {@link
 * #GLOBAL_KEY}) and for the primary-key type of AddTable. Column types of AddColumn use the same
 * codes but have their own enum, {@link ColumnType}, where code 0 means Mixed.
 *
 * <p>These codes are <b>not</b> realm-core's {@code DataType} numbers (where String is 2).
 */
public enum PayloadType {
  /** −6: create an empty set in a Mixed position; no data. */
  SET(-6, "Set"),
  /** −5: create an empty list in a Mixed position; no data. */
  LIST(-5, "List"),
  /** −4: erase a dictionary key; no data. */
  ERASED(-4, "Erased"),
  /** −3: create an empty dictionary in a Mixed position; no data. */
  DICTIONARY(-3, "Dictionary"),
  /** −2: create an (empty) embedded object at this position; no data. */
  OBJECT_VALUE(-2, "ObjectValue"),
  /** −1: the implicit key of a table without primary key (hi, lo); never a value. */
  GLOBAL_KEY(-1, "GlobalKey"),
  /** 0: null; no data. */
  NULL(0, "Null"),
  /** 1: signed 64-bit integer, varint. */
  INT(1, "Int"),
  /** 2: boolean, varint 0 or 1. */
  BOOL(2, "Bool"),
  /** 3: string, length and UTF-8 bytes, inline (not interned) as a value, interned as a key. */
  STRING(3, "String"),
  /** 4: binary, length and bytes. */
  BINARY(4, "Binary"),
  /** 5: timestamp, seconds and nanoseconds (§3.5). */
  TIMESTAMP(5, "Timestamp"),
  /** 6: IEEE 754 binary32, 4 bytes little-endian. */
  FLOAT(6, "Float"),
  /** 7: IEEE 754 binary64, 8 bytes little-endian. */
  DOUBLE(7, "Double"),
  /** 8: Decimal128 as coefficient, exponent, sign (§3.6). */
  DECIMAL(8, "Decimal"),
  /** 9: link to a top-level object: target table (interned) and primary key. */
  LINK(9, "Link"),
  /** 10: ObjectId, 12 bytes. */
  OBJECT_ID(10, "ObjectId"),
  /** 11: UUID, 16 bytes. */
  UUID(11, "UUID");

  /** Smallest valid code. */
  public static final int MIN_CODE = -6;
  /** Largest valid code. */
  public static final int MAX_CODE = 11;

  private static final PayloadType[] BY_CODE = new PayloadType[MAX_CODE - MIN_CODE + 1];

  static {
    for (PayloadType t : values()) {
      BY_CODE[t.code - MIN_CODE] = t;
    }
  }

  private final int code;
  private final String dumpName;

  PayloadType(int code, String dumpName) {
    this.code = code;
    this.dumpName = dumpName;
  }

  /** The wire code, −6 … 11. */
  public int code() {
    return code;
  }

  /** The name realm-core's {@code changeset-dump} prints, for example {@code ObjectId}. */
  public String dumpName() {
    return dumpName;
  }

  /**
   * The type for a wire code.
   *
   * @return the type, or {@code null} if {@code code} is outside −6 … 11
   */
  public static PayloadType ofCode(long code) {
    return code < MIN_CODE || code > MAX_CODE ? null : BY_CODE[(int) code - MIN_CODE];
  }

  /** Whether this type may be the type of a primary key in AddTable (§6). */
  public boolean isTablePrimaryKeyType() {
    return this == INT || this == STRING || this == OBJECT_ID || this == UUID || this == GLOBAL_KEY;
  }

  /** Whether this type may be the type of an object's primary key (§5.2). */
  public boolean isObjectKeyType() {
    return this == NULL || isTablePrimaryKeyType();
  }
}
