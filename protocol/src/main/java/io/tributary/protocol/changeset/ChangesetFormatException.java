package io.tributary.protocol.changeset;

import java.util.Objects;

/**
 * A changeset is malformed: {@link ChangesetReader} found bytes that realm-core's parser rejects
 * (spec changeset.md §13), or that Tributary rejects on top of it (invalid UTF-8, invalid
 * timestamps and decimals, a sign bit in an unsigned field, bool values other than 0/1, negative
 * path elements other than −1, negative column types).
 *
 * <p>It names the problem ({@link #reason()}), the field being read ({@link #field()}, for example
 * {@code "Update.value.type"}) and the byte offset of that field from the start of the changeset
 * ({@link #offset()}). The message has the shape {@code "<field>: <actual> (expected: <what>) at
 * byte offset <n>"}.
 */
public final class ChangesetFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * What is wrong. Each constant names realm-core's {@code BadChangesetError} message for the same
   * input where there is one ({@link #realmCoreMessage()}); the constant names are stable.
   */
  public enum Reason {
    /** The input ends inside a record ("truncated input"). */
    TRUNCATED("truncated input"),
    /** A varint is longer than its field allows, overflows it, or sets the sign bit of an unsigned field. */
    BAD_INTEGER("bad changeset - integer decoding failure"),
    /** Record type not 0–13 or 63. */
    UNKNOWN_INSTRUCTION("Unknown instruction type"),
    /** An InternString index that is not the number of strings interned so far. */
    BAD_INTERN_INDEX("Unexpected intern index"),
    /** The same string interned twice. */
    DUPLICATE_INTERN_STRING("Unexpected intern string"),
    /** A reference to an intern index not defined (yet). */
    UNDEFINED_INTERN_STRING("Invalid interned string"),
    /** AddTable table_type not 0, 1 or 2. */
    BAD_TABLE_TYPE("AddTable: unknown table type"),
    /** AddTable pk_type not Int, String, ObjectId, UUID or GlobalKey. */
    BAD_TABLE_PRIMARY_KEY_TYPE("Invalid primary key type in AddTable"),
    /** A payload or column type code outside −6 … 11. */
    BAD_DATA_TYPE("Unsupported data type"),
    /** A value of type GlobalKey. */
    BAD_PAYLOAD_TYPE("Unsupported payload data type"),
    /** A primary key of a type other than Null, Int, String, ObjectId, UUID, GlobalKey. */
    BAD_PRIMARY_KEY_TYPE("Unsupported object key type"),
    /** A collection type above 3. */
    BAD_COLLECTION_TYPE("Unsupported collection type"),
    /** ArrayInsert, ArrayMove or ArrayErase whose path does not end with an index. */
    MISSING_ARRAY_INDEX("ArrayInsert without an index"),
    /** Timestamp nanoseconds above 2^31−1. */
    TIMESTAMP_OUT_OF_RANGE("timestamp out of range"),
    /** A string longer than 16 777 199 bytes. */
    STRING_TOO_LONG("string too long"),
    /** Tributary: a Timestamp with |nanoseconds| ≥ 10^9 or signs that differ (realm-core aborts). */
    INVALID_TIMESTAMP(null),
    /** Tributary: a string that is not valid UTF-8. */
    INVALID_UTF8(null),
    /** Tributary: a Decimal128 coefficient ≥ 10^34, exponent outside −6176 … 6111, or sign not 0/1. */
    INVALID_DECIMAL(null),
    /** Tributary: a bool (or pk_nullable, nullable, is_default) other than 0 or 1. */
    INVALID_BOOL(null),
    /** Tributary: a path element that is negative but not −1, or an index ≥ 2^32. */
    INVALID_PATH_ELEMENT(null),
    /** Tributary: an AddColumn type or dictionary key type that is negative (not a column type). */
    INVALID_COLUMN_TYPE(null);

    private final String realmCoreMessage;

    Reason(String realmCoreMessage) {
      this.realmCoreMessage = realmCoreMessage;
    }

    /**
     * The start of realm-core's {@code BadChangesetError} message for this problem, or {@code
     * null} where realm-core accepts the input (or aborts the process on it).
     */
    public String realmCoreMessage() {
      return realmCoreMessage;
    }
  }

  private final Reason reason;
  private final String field;
  private final long offset;

  /**
   * Creates the exception.
   *
   * @param reason what is wrong
   * @param field the field being read, for example {@code "AddColumn.collection_type"}
   * @param offset byte offset of that field from the start of the changeset
   * @param detail the actual value and what was expected, for example {@code "5 (expected:
   *     0..3)"}
   */
  public ChangesetFormatException(Reason reason, String field, long offset, String detail) {
    super(field + ": " + detail + " at byte offset " + offset);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.field = Objects.requireNonNull(field, "field");
    this.offset = offset;
  }

  /** What is wrong. */
  public Reason reason() {
    return reason;
  }

  /** The field being read when the problem was found, for example {@code "Update.value.type"}. */
  public String field() {
    return field;
  }

  /** The byte offset of that field from the start of the changeset. */
  public long offset() {
    return offset;
  }
}
