package io.tributary.core.internal;

import io.tributary.core.CollectionType;
import io.tributary.core.ObjectSchema;
import io.tributary.core.Property;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.core.SchemaException;
import io.tributary.core.spi.UploadLogException.LogCorruptException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form in which a realm stores its schema in the log's metadata ({@link
 * io.tributary.core.spi.UploadLog#storeSchema}), to compare it with the schema of the next open.
 * Our own, versioned format (not Java serialization); all integers big-endian:
 *
 * <pre>
 *   magic        4 bytes  "TSCH" (54 53 43 48)
 *   version      u8       1
 *   classCount   u16
 *   class*       nameLength u8, name UTF-8, kind u8 (0 asymmetric, 1 embedded, 2 top-level),
 *                propertyCount u16, property*
 *   property     nameLength u8, name UTF-8, type u8 (see {@link #typeCode}),
 *                collection u8 (0 single, 1 list, 2 set, 3 dictionary),
 *                flags u8 (bit 0 nullable, bit 1 primary key; other bits 0),
 *                targetLength u8, target UTF-8 (length 0 unless type is object)
 * </pre>
 *
 * Classes and properties are in declaration order. {@link #decode} checks every length against
 * the bytes left before reading, refuses unknown codes, versions and trailing bytes, and validates
 * the result as {@link Schema#of} does; a failure is a {@link LogCorruptException} naming the
 * offset. Stateless and thread safe.
 */
public final class SchemaCodec {
  /** The format version written by {@link #encode}. */
  public static final int VERSION = 1;

  private static final byte[] MAGIC = {0x54, 0x53, 0x43, 0x48};

  private SchemaCodec() {}

  /**
   * Encodes {@code schema}.
   *
   * @return a new array
   */
  public static byte[] encode(Schema schema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(MAGIC);
    out.write(VERSION);
    writeU16(out, schema.classes().size());
    for (ObjectSchema c : schema.classes()) {
      writeName(out, c.name());
      out.write(kindCode(c.kind()));
      writeU16(out, c.properties().size());
      for (Property p : c.properties()) {
        writeName(out, p.name());
        out.write(typeCode(p.type()));
        out.write(p.collection().ordinal());
        out.write((p.nullable() ? 1 : 0) | (p.primaryKey() ? 2 : 0));
        writeName(out, p.target() == null ? "" : p.target());
      }
    }
    return out.toByteArray();
  }

  /**
   * Decodes what {@link #encode} wrote.
   *
   * @param bytes the stored schema
   * @return the schema
   * @throws LogCorruptException if the bytes are not a valid stored schema
   */
  public static Schema decode(byte[] bytes) {
    Reader r = new Reader(bytes);
    for (int i = 0; i < MAGIC.length; i++) {
      if (r.u8("magic") != (MAGIC[i] & 0xFF)) {
        throw r.corrupt(i, "magic: not \"TSCH\" (expected: a schema stored by Tributary)");
      }
    }
    int version = r.u8("version");
    if (version != VERSION) {
      throw r.corrupt(4, "version: " + version + " (expected: " + VERSION + ")");
    }
    int classCount = r.u16("class count");
    List<ObjectSchema> classes = new ArrayList<>(Math.min(classCount, bytes.length));
    for (int c = 0; c < classCount; c++) {
      int classAt = r.pos;
      String name = r.name("class name");
      int kindAt = r.pos;
      int kind = r.u8("class kind");
      ObjectSchema s;
      try {
        switch (kind) {
          case 0:
            s = ObjectSchema.asymmetric(name);
            break;
          case 1:
            s = ObjectSchema.embedded(name);
            break;
          case 2:
            s = ObjectSchema.topLevel(name);
            break;
          default:
            throw r.corrupt(kindAt, "class kind: " + kind + " (expected: 0, 1 or 2)");
        }
      } catch (SchemaException e) {
        throw r.corrupt(classAt, "class: " + e.getMessage());
      }
      int propertyCount = r.u16("property count");
      for (int i = 0; i < propertyCount; i++) {
        s = property(r, s);
      }
      classes.add(s);
    }
    if (r.pos != bytes.length) {
      throw r.corrupt(r.pos, (bytes.length - r.pos) + " trailing bytes (expected: none)");
    }
    try {
      return Schema.of(classes);
    } catch (SchemaException e) {
      throw new LogCorruptException("stored schema: invalid: " + e.getMessage());
    }
  }

  private static ObjectSchema property(Reader r, ObjectSchema s) {
    int at = r.pos;
    String name = r.name("property name");
    int typeAt = r.pos;
    PropertyType type = typeOf(r.u8("property type"));
    if (type == null) {
      throw r.corrupt(typeAt, "property type: " + (r.bytes[typeAt] & 0xFF) + " (expected: 1..12)");
    }
    int collectionAt = r.pos;
    int collection = r.u8("collection");
    if (collection > 3) {
      throw r.corrupt(collectionAt, "collection: " + collection + " (expected: 0..3)");
    }
    int flagsAt = r.pos;
    int flags = r.u8("flags");
    if ((flags & ~3) != 0) {
      throw r.corrupt(flagsAt, "flags: " + flags + " (expected: bits 0 and 1 only)");
    }
    String target = r.name("link target");
    boolean nullable = (flags & 1) != 0;
    boolean pk = (flags & 2) != 0;
    CollectionType kind = CollectionType.values()[collection];
    try {
      if (pk) {
        if (kind != CollectionType.SINGLE || !target.isEmpty()) {
          throw r.corrupt(at, "property " + name + ": a primary key is a single value");
        }
        return s.primaryKey(name, type, nullable);
      }
      if (type == PropertyType.OBJECT) {
        switch (kind) {
          case SINGLE:
            return s.embedded(name, target);
          case LIST:
            return s.embeddedList(name, target);
          case DICTIONARY:
            return s.embeddedDictionary(name, target);
          default:
            throw r.corrupt(at, "property " + name + ": a set of objects");
        }
      }
      if (!target.isEmpty()) {
        throw r.corrupt(at, "property " + name + ": a link target on a " + type + " property");
      }
      switch (kind) {
        case SINGLE:
          return nullable ? s.optional(name, type) : s.property(name, type);
        case LIST:
          return s.list(name, type, nullable);
        case SET:
          return s.set(name, type, nullable);
        default:
          return s.dictionary(name, type, nullable);
      }
    } catch (SchemaException e) {
      throw r.corrupt(at, "property: " + e.getMessage());
    }
  }

  /** The stable code of a property type in this format. */
  static int typeCode(PropertyType t) {
    switch (t) {
      case INT:
        return 1;
      case BOOL:
        return 2;
      case STRING:
        return 3;
      case BINARY:
        return 4;
      case FLOAT:
        return 5;
      case DOUBLE:
        return 6;
      case TIMESTAMP:
        return 7;
      case DECIMAL128:
        return 8;
      case OBJECT_ID:
        return 9;
      case UUID:
        return 10;
      case MIXED:
        return 11;
      default:
        return 12;
    }
  }

  private static PropertyType typeOf(int code) {
    for (PropertyType t : PropertyType.values()) {
      if (typeCode(t) == code) {
        return t;
      }
    }
    return null;
  }

  private static int kindCode(ObjectSchema.Kind k) {
    return k == ObjectSchema.Kind.ASYMMETRIC ? 0 : k == ObjectSchema.Kind.EMBEDDED ? 1 : 2;
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void writeName(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length); // names are at most 63 bytes (checked when the schema was built)
    out.writeBytes(b);
  }

  private static final class Reader {
    final byte[] bytes;
    int pos;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    int u8(String field) {
      need(1, field);
      return bytes[pos++] & 0xFF;
    }

    int u16(String field) {
      need(2, field);
      int v = ((bytes[pos] & 0xFF) << 8) | (bytes[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }

    String name(String field) {
      int len = u8(field + " length");
      need(len, field);
      try {
        String s = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(java.nio.ByteBuffer.wrap(bytes, pos, len))
            .toString();
        pos += len;
        return s;
      } catch (CharacterCodingException e) {
        throw corrupt(pos, field + ": invalid UTF-8 (expected: a UTF-8 name)");
      }
    }

    void need(int n, String field) {
      if (bytes.length - pos < n) {
        throw corrupt(pos, "truncated: " + field + " needs " + n + " bytes, "
            + (bytes.length - pos) + " left");
      }
    }

    LogCorruptException corrupt(int offset, String what) {
      return new LogCorruptException("stored schema at offset " + offset + ": " + what);
    }
  }
}
