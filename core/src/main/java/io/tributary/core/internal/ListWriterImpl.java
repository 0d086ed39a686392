package io.tributary.core.internal;

import io.tributary.core.ListWriter;
import io.tributary.core.ObjectWriter;
import io.tributary.core.PropertyType;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** Appends to a list: ArrayInsert at index {@code size} with prior size {@code size} (§9.2). */
final class ListWriterImpl extends CollectionWriterBase implements ListWriter {

  ListWriterImpl(ObjectWriterImpl owner, PropertyModel p, PropertyType element) {
    super(owner, p, element);
  }

  private ChangesetWriter open() {
    return owner.open(ObjectWriterImpl.ARRAY_INSERT, p).index(size).priorSize(size);
  }

  @Override
  public ListWriter add(long value) {
    check(PropertyType.INT);
    open().intValue(value);
    size++;
    return this;
  }

  @Override
  public ListWriter add(double value) {
    check(PropertyType.DOUBLE);
    open().doubleValue(value);
    size++;
    return this;
  }

  @Override
  public ListWriter add(float value) {
    check(PropertyType.FLOAT);
    open().floatValue(value);
    size++;
    return this;
  }

  @Override
  public ListWriter add(boolean value) {
    check(PropertyType.BOOL);
    open().boolValue(value);
    size++;
    return this;
  }

  @Override
  public ListWriter add(String value) {
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
    size++;
    return this;
  }

  @Override
  public ListWriter add(byte[] value) {
    check(PropertyType.BINARY);
    if (value == null) {
      return writeNull();
    }
    open().binaryValue(value);
    size++;
    return this;
  }

  @Override
  public ListWriter add(Instant value) {
    check(PropertyType.TIMESTAMP);
    if (value == null) {
      return writeNull();
    }
    open().timestampValue(value);
    size++;
    return this;
  }

  @Override
  public ListWriter add(BigDecimal value) {
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
    size++;
    return this;
  }

  @Override
  public ListWriter add(ObjectId value) {
    check(PropertyType.OBJECT_ID);
    if (value == null) {
      return writeNull();
    }
    open().objectIdValue(value);
    size++;
    return this;
  }

  @Override
  public ListWriter add(UUID value) {
    check(PropertyType.UUID);
    if (value == null) {
      return writeNull();
    }
    open().uuidValue(value);
    size++;
    return this;
  }

  @Override
  public ListWriter addNull() {
    checkUsable();
    if (element == PropertyType.OBJECT) {
      throw new IllegalArgumentException(
          p.qualified() + ": null element in " + p.property.typeName()
              + " (expected: embedded objects, never null)");
    }
    return writeNull();
  }

  private ListWriter writeNull() {
    checkNull();
    open().nullValue();
    size++;
    return this;
  }

  @Override
  public ListWriter addMixed(Object value) {
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
  public ObjectWriter addEmbedded() {
    checkEmbedded();
    open().objectValue();
    ObjectWriterImpl w = embeddedWriter(size);
    w.assignEmbedded(owner, p, size, null);
    size++;
    return w;
  }

  @Override
  public int size() {
    checkUsable();
    return size;
  }

  @Override
  public ObjectWriter parent() {
    checkUsable();
    return owner;
  }

  @Override
  public String toString() {
    return "ListWriter{" + p.qualified() + ", size=" + size + "}";
  }
}
