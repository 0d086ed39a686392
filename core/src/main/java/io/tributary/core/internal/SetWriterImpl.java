package io.tributary.core.internal;

import io.tributary.core.ObjectWriter;
import io.tributary.core.PropertyType;
import io.tributary.core.SetWriter;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** Adds to a set: one SetInsert per element (spec changeset.md §9.2). */
final class SetWriterImpl extends CollectionWriterBase implements SetWriter {

  SetWriterImpl(ObjectWriterImpl owner, PropertyModel p) {
    super(owner, p, p.type);
  }

  void attach() {
    attach(false);
  }

  private ChangesetWriter open() {
    return owner.open(ObjectWriterImpl.SET_INSERT, p);
  }

  @Override
  public SetWriter add(long value) {
    check(PropertyType.INT);
    open().intValue(value);
    return this;
  }

  @Override
  public SetWriter add(double value) {
    check(PropertyType.DOUBLE);
    open().doubleValue(value);
    return this;
  }

  @Override
  public SetWriter add(float value) {
    check(PropertyType.FLOAT);
    open().floatValue(value);
    return this;
  }

  @Override
  public SetWriter add(boolean value) {
    check(PropertyType.BOOL);
    open().boolValue(value);
    return this;
  }

  @Override
  public SetWriter add(String value) {
    check(PropertyType.STRING);
    if (value == null) {
      return writeNull();
    }
    ChangesetWriter w = open();
    try {
      w.stringValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public SetWriter add(byte[] value) {
    check(PropertyType.BINARY);
    if (value == null) {
      return writeNull();
    }
    open().binaryValue(value);
    return this;
  }

  @Override
  public SetWriter add(Instant value) {
    check(PropertyType.TIMESTAMP);
    if (value == null) {
      return writeNull();
    }
    open().timestampValue(value);
    return this;
  }

  @Override
  public SetWriter add(BigDecimal value) {
    check(PropertyType.DECIMAL128);
    if (value == null) {
      return writeNull();
    }
    ChangesetWriter w = open();
    try {
      w.decimalValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public SetWriter add(ObjectId value) {
    check(PropertyType.OBJECT_ID);
    if (value == null) {
      return writeNull();
    }
    open().objectIdValue(value);
    return this;
  }

  @Override
  public SetWriter add(UUID value) {
    check(PropertyType.UUID);
    if (value == null) {
      return writeNull();
    }
    open().uuidValue(value);
    return this;
  }

  @Override
  public SetWriter addNull() {
    checkUsable();
    return writeNull();
  }

  private SetWriter writeNull() {
    checkNull();
    open().nullValue();
    return this;
  }

  @Override
  public SetWriter addMixed(Object value) {
    if (value == null) {
      return addNull();
    }
    PropertyType t = Values.mixedType(value);
    if (t == null) {
      checkUsable();
      throw Values.mixedError(p.qualified(), value);
    }
    switch (t) {
      case INT:
        return add(((Number) value).longValue());
      case DOUBLE:
        return add((double) (Double) value);
      case FLOAT:
        return add((float) (Float) value);
      case BOOL:
        return add((boolean) (Boolean) value);
      case STRING:
        return add((String) value);
      case BINARY:
        return add((byte[]) value);
      case TIMESTAMP:
        return add((Instant) value);
      case DECIMAL128:
        return add((BigDecimal) value);
      case OBJECT_ID:
        return add((ObjectId) value);
      default:
        return add((UUID) value);
    }
  }

  @Override
  public ObjectWriter parent() {
    checkUsable();
    return owner;
  }

  @Override
  public String toString() {
    return "SetWriter{" + p.qualified() + "}";
  }
}
