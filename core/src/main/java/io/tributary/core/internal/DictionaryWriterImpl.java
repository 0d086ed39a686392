package io.tributary.core.internal;

import io.tributary.core.DictionaryWriter;
import io.tributary.core.ObjectWriter;
import io.tributary.core.PropertyType;
import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * Puts into a dictionary: one Update per entry whose path ends with the key (so the trailer is
 * {@code is_default}, spec changeset.md §6, §9.2). The key is interned when the instruction is
 * written; a key the writer refuses (too long, bad UTF-16) throws with the property named.
 */
final class DictionaryWriterImpl extends CollectionWriterBase implements DictionaryWriter {

  DictionaryWriterImpl(ObjectWriterImpl owner, PropertyModel p, PropertyType element) {
    super(owner, p, element);
  }

  private ChangesetWriter open(String key) {
    return owner.open(ObjectWriterImpl.UPDATE, p).key(key);
  }

  /** Checks usability, the value type and the key. */
  private void check(String key, PropertyType given) {
    check(given);
    Values.checkDictionaryKey(p, key);
  }

  @Override
  public DictionaryWriter put(String key, long value) {
    check(key, PropertyType.INT);
    try {
      open(key).intValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, double value) {
    check(key, PropertyType.DOUBLE);
    try {
      open(key).doubleValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, float value) {
    check(key, PropertyType.FLOAT);
    try {
      open(key).floatValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, boolean value) {
    check(key, PropertyType.BOOL);
    try {
      open(key).boolValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, String value) {
    check(key, PropertyType.STRING);
    if (value == null) {
      return writeNull(key);
    }
    try {
      open(key).stringValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, byte[] value) {
    check(key, PropertyType.BINARY);
    if (value == null) {
      return writeNull(key);
    }
    try {
      open(key).binaryValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, Instant value) {
    check(key, PropertyType.TIMESTAMP);
    if (value == null) {
      return writeNull(key);
    }
    try {
      open(key).timestampValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, BigDecimal value) {
    check(key, PropertyType.DECIMAL128);
    if (value == null) {
      return writeNull(key);
    }
    try {
      open(key).decimalValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, ObjectId value) {
    check(key, PropertyType.OBJECT_ID);
    if (value == null) {
      return writeNull(key);
    }
    try {
      open(key).objectIdValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter put(String key, UUID value) {
    check(key, PropertyType.UUID);
    if (value == null) {
      return writeNull(key);
    }
    try {
      open(key).uuidValue(value);
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter putNull(String key) {
    checkUsable();
    Values.checkDictionaryKey(p, key);
    return writeNull(key);
  }

  private DictionaryWriter writeNull(String key) {
    checkNull();
    try {
      open(key).nullValue();
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    return this;
  }

  @Override
  public DictionaryWriter putMixed(String key, Object value) {
    if (value == null) {
      return putNull(key);
    }
    PropertyType t = Values.mixedType(value);
    if (t == null) {
      checkUsable();
      throw Values.mixedError(p.qualified(), value);
    }
    switch (t) {
      case INT:
        return put(key, ((Number) value).longValue());
      case DOUBLE:
        return put(key, (double) (Double) value);
      case FLOAT:
        return put(key, (float) (Float) value);
      case BOOL:
        return put(key, (boolean) (Boolean) value);
      case STRING:
        return put(key, (String) value);
      case BINARY:
        return put(key, (byte[]) value);
      case TIMESTAMP:
        return put(key, (Instant) value);
      case DECIMAL128:
        return put(key, (BigDecimal) value);
      case OBJECT_ID:
        return put(key, (ObjectId) value);
      default:
        return put(key, (UUID) value);
    }
  }

  @Override
  public ObjectWriter putEmbedded(String key) {
    checkEmbedded();
    Values.checkDictionaryKey(p, key);
    try {
      open(key).objectValue();
    } catch (IllegalArgumentException e) {
      throw Values.valueError(p, e);
    }
    ObjectWriterImpl w = embeddedWriter(size);
    w.assignEmbedded(owner, p, -1, key);
    size++;
    return w;
  }

  @Override
  public ObjectWriter parent() {
    checkUsable();
    return owner;
  }

  @Override
  public String toString() {
    return "DictionaryWriter{" + p.qualified() + "}";
  }
}
