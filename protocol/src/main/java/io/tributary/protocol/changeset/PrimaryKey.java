package io.tributary.protocol.changeset;

import io.tributary.protocol.ObjectId;
import java.util.Objects;
import java.util.UUID;

/**
 * A materialised object primary key (spec changeset.md §5.2). {@code toString()} prints it as
 * realm-core's {@code changeset-dump} does, for example {@code ObjectId(65f1a2b3c4d5e6f708192a3b)}
 * or {@code String("e1")}.
 */
public sealed interface PrimaryKey {

  /** The wire type of this key. */
  PayloadType type();

  /** The Null key of a nullable primary key. */
  PrimaryKey NULL = new NullKey();

  /**
   * The Int key {@code value}.
   *
   * @param value the key
   * @return the key
   */
  static PrimaryKey of(long value) {
    return new IntKey(value);
  }

  /**
   * The String key {@code value}.
   *
   * @param value the key
   * @return the key
   */
  static PrimaryKey of(String value) {
    return new StringKey(value);
  }

  /**
   * The ObjectId key {@code value}.
   *
   * @param value the key
   * @return the key
   */
  static PrimaryKey of(ObjectId value) {
    return new ObjectIdKey(value);
  }

  /**
   * The UUID key {@code value}.
   *
   * @param value the key
   * @return the key
   */
  static PrimaryKey of(UUID value) {
    return new UuidKey(value);
  }

  /** A null primary key. */
  record NullKey() implements PrimaryKey {
    @Override
    public PayloadType type() {
      return PayloadType.NULL;
    }

    @Override
    public String toString() {
      return "Null";
    }
  }

  /**
   * An Int primary key.
   *
   * @param value the key
   */
  record IntKey(long value) implements PrimaryKey {
    @Override
    public PayloadType type() {
      return PayloadType.INT;
    }

    @Override
    public String toString() {
      return "Int(" + value + ")";
    }
  }

  /**
   * A String primary key (interned on the wire).
   *
   * @param value the key
   */
  record StringKey(String value) implements PrimaryKey {
    /** Checks the component. */
    public StringKey {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public PayloadType type() {
      return PayloadType.STRING;
    }

    @Override
    public String toString() {
      return "String(\"" + value + "\")";
    }
  }

  /**
   * An ObjectId primary key.
   *
   * @param value the key
   */
  record ObjectIdKey(ObjectId value) implements PrimaryKey {
    /** Checks the component. */
    public ObjectIdKey {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public PayloadType type() {
      return PayloadType.OBJECT_ID;
    }

    @Override
    public String toString() {
      return "ObjectId(" + value.toHexString() + ")";
    }
  }

  /**
   * A UUID primary key.
   *
   * @param value the key
   */
  record UuidKey(UUID value) implements PrimaryKey {
    /** Checks the component. */
    public UuidKey {
      Objects.requireNonNull(value, "value");
    }

    @Override
    public PayloadType type() {
      return PayloadType.UUID;
    }

    @Override
    public String toString() {
      return "UUID(" + value + ")";
    }
  }

  /**
   * The implicit key of a table without primary key (not used by sync).
   *
   * @param hi the high part, unsigned
   * @param lo the low part, unsigned
   */
  record GlobalKey(long hi, long lo) implements PrimaryKey {
    @Override
    public PayloadType type() {
      return PayloadType.GLOBAL_KEY;
    }

    @Override
    public String toString() {
      return "GlobalKey{" + Long.toUnsignedString(hi) + ", " + Long.toUnsignedString(lo) + "}";
    }
  }
}
