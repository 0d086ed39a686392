package io.tributary.server.internal.store;

import com.google.protobuf.ByteString;
import io.tributary.server.proto.Value;
import io.tributary.server.spi.IngestRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The (class, primary key) index key shared by the sinks: {@code [class length u16][class
 * UTF-8][tag][key bytes]} with tag {@code N} null, {@code I} int (8 bytes big-endian), {@code S}
 * string (UTF-8), {@code O} object id (12 bytes), {@code U} uuid (16 bytes). A key longer than
 * {@link #MAX_KEY_BYTES} (LMDB's key limit) keeps its class part and replaces tag and key bytes by
 * {@code H} and the SHA-256 of them. Stored format 2 of {@code LmdbIngestSink} replaces the class
 * part by a class number without length ({@link #primaryKey(byte[], Value)}), with the same tags,
 * key bytes and hashing. Thread safe.
 */
public final class Keys {
  /** LMDB's default largest key, in bytes. */
  public static final int MAX_KEY_BYTES = 511;

  private Keys() {}

  /**
   * The index key of an object.
   *
   * @param className the class
   * @param primaryKey a null, int, string, object id or uuid value
   * @return the key bytes
   * @throws IllegalArgumentException for another kind of value, or a class name over 65535 bytes
   */
  public static byte[] primaryKey(String className, Value primaryKey) {
    byte[] cls = className.getBytes(StandardCharsets.UTF_8);
    if (cls.length > 0xFFFF) {
      throw new IllegalArgumentException("className: " + cls.length + " bytes (expected: <= 65535)");
    }
    return key(cls, true, primaryKey);
  }

  /**
   * The index key of an object under a class prefix written as is, without a length (stored format
   * 2: a class number): {@code [prefix][tag][key bytes]}, hashed as {@link #primaryKey(String,
   * Value)} when longer than {@link #MAX_KEY_BYTES}.
   *
   * @param classPrefix the class's prefix bytes (fixed length for all classes of a store)
   * @param primaryKey a null, int, string, object id or uuid value
   * @return the key bytes
   * @throws IllegalArgumentException for another kind of value
   */
  public static byte[] primaryKey(byte[] classPrefix, Value primaryKey) {
    return key(classPrefix, false, primaryKey);
  }

  private static byte[] key(byte[] cls, boolean classLength, Value primaryKey) {
    int prefix = (classLength ? 2 : 0) + cls.length;
    byte[] key = keyBytes(primaryKey);
    int length = prefix + key.length;
    if (length > MAX_KEY_BYTES) {
      key = hashed(key);
      length = prefix + key.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    if (classLength) {
      out.putShort((short) cls.length);
    }
    out.put(cls).put(key);
    return out.array();
  }

  /**
   * Writes the index key of an object into {@code out} without allocating, for the fixed-size
   * keys (null, int, object id, uuid) when the key fits {@link #MAX_KEY_BYTES} unhashed: the same
   * bytes as {@link #primaryKey}. Other keys (strings, hashed keys) are left to {@link
   * #primaryKey}.
   *
   * @param classUtf8 the class name's UTF-8 bytes; borrowed for the call
   * @param primaryKey a null, int, string, object id or uuid value
   * @param out on true: cleared, written and flipped (position 0, limit the key's length); on
   *     false: untouched. Must hold {@link #MAX_KEY_BYTES}
   * @return whether the key was written; false if the caller must use {@link #primaryKey}
   * @throws IllegalArgumentException for an object id that is not 24 hex digits
   */
  public static boolean putPrimaryKey(byte[] classUtf8, Value primaryKey, ByteBuffer out) {
    return putValueKey(classUtf8, true, primaryKey, out);
  }

  private static boolean putValueKey(byte[] cls, boolean classLength, Value primaryKey, ByteBuffer out) {
    int keyLength = fixedKeyLength(primaryKey.getKindCase());
    if (keyLength < 0 || (classLength ? 2 : 0) + cls.length + keyLength > MAX_KEY_BYTES) {
      return false;
    }
    putClass(cls, classLength, out);
    switch (primaryKey.getKindCase()) {
      case NULL_VALUE:
        out.put((byte) 'N');
        break;
      case INT_VALUE:
        out.put((byte) 'I').putLong(primaryKey.getIntValue());
        break;
      case OBJECT_ID_VALUE:
        {
          String hex = primaryKey.getObjectIdValue();
          if (hex.length() != 24) {
            hex(hex, 12); // throws primaryKey's message
          }
          out.put((byte) 'O');
          for (int i = 0; i < 12; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
              throw new IllegalArgumentException("object id: '" + hex + "' (expected: hex digits)");
            }
            out.put((byte) (hi << 4 | lo));
          }
          break;
        }
      default:
        {
          java.util.UUID u = java.util.UUID.fromString(primaryKey.getUuidValue());
          out.put((byte) 'U').putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
          break;
        }
    }
    out.flip();
    return true;
  }

  /**
   * Writes the index key of object {@code i} of {@code records} into {@code out}, reading its
   * primary key without building a {@link Value} (int, string, and the object ids and uuids of
   * {@link IngestRecords#hasPrimaryKeyBits(int)}; other objects go through {@link
   * #putPrimaryKey(byte[], Value, ByteBuffer)}): the same bytes as {@link #primaryKey(String,
   * Value)} of its {@link IngestRecords#primaryKey(int)}.
   *
   * @param classUtf8 the object's class name's UTF-8 bytes; borrowed for the call
   * @param records the objects
   * @param i the object's index
   * @param out on true: cleared, written and flipped; on false: position and limit undefined. Must
   *     hold {@link #MAX_KEY_BYTES}
   * @return whether the key was written; false if the caller must use {@link #primaryKey} (keys
   *     over {@link #MAX_KEY_BYTES}, which are hashed)
   * @throws IllegalArgumentException as {@link #putPrimaryKey(byte[], Value, ByteBuffer)}
   */
  public static boolean putPrimaryKey(byte[] classUtf8, IngestRecords records, int i, ByteBuffer out) {
    return putRecordKey(classUtf8, true, records, i, out);
  }

  /**
   * As {@link #putPrimaryKey(byte[], IngestRecords, int, ByteBuffer)}, for the keys of {@link
   * #primaryKey(byte[], Value)}: the class prefix written as is.
   *
   * @param classPrefix the class's prefix bytes; borrowed for the call
   * @param records the objects
   * @param i the object's index
   * @param out as there
   * @return whether the key was written; false if the caller must use {@link #primaryKey(byte[],
   *     Value)}
   */
  public static boolean putPrefixedKey(byte[] classPrefix, IngestRecords records, int i, ByteBuffer out) {
    return putRecordKey(classPrefix, false, records, i, out);
  }

  private static boolean putRecordKey(byte[] cls, boolean classLength, IngestRecords records, int i, ByteBuffer out) {
    int r = putKeyBits(cls, classLength, records.primaryKeyKind(i), records.hasPrimaryKeyBits(i),
        records.primaryKeyHigh(i), records.primaryKeyLow(i), records.primaryKeyString(i), out);
    return r < 0 ? putValueKey(cls, classLength, records.primaryKey(i), out) : r != 0;
  }

  private static void putClass(byte[] cls, boolean classLength, ByteBuffer out) {
    out.clear();
    out.order(java.nio.ByteOrder.BIG_ENDIAN);
    if (classLength) {
      out.putShort((short) cls.length);
    }
    out.put(cls);
  }

  /** 1: written; 0: too long (the caller hashes); -1: the caller must go through the Value. */
  private static int putKeyBits(byte[] classUtf8, boolean classLength, Value.KindCase kind, boolean hasBits,
      long high, long low, String string, ByteBuffer out) {
    int keyLength = kind == Value.KindCase.STRING_VALUE
        ? 1 + string.length() // at least the UTF-8 length
        : fixedKeyLength(kind);
    if (keyLength < 0 || kind == Value.KindCase.NULL_VALUE
        || kind != Value.KindCase.INT_VALUE && kind != Value.KindCase.STRING_VALUE && !hasBits) {
      return -1;
    }
    if ((classLength ? 2 : 0) + classUtf8.length + keyLength > MAX_KEY_BYTES) {
      return 0;
    }
    putClass(classUtf8, classLength, out);
    switch (kind) {
      case INT_VALUE:
        out.put((byte) 'I').putLong(high);
        break;
      case STRING_VALUE:
        return putString(string, out.put((byte) 'S')) ? 1 : 0;
      case OBJECT_ID_VALUE:
        out.put((byte) 'O').putInt((int) high).putLong(low);
        break;
      default:
        out.put((byte) 'U').putLong(high).putLong(low);
        break;
    }
    out.flip();
    return 1;
  }

  /** The key's length after the class name, for the kinds of fixed size; else -1. */
  private static int fixedKeyLength(Value.KindCase kind) {
    return switch (kind) {
      case NULL_VALUE -> 1;
      case INT_VALUE -> 9;
      case OBJECT_ID_VALUE -> 13;
      case UUID_VALUE -> 17;
      default -> -1;
    };
  }

  /** Appends {@code s} as UTF-8 and flips {@code out}; false if it does not fit (then unflipped). */
  private static boolean putString(String s, ByteBuffer out) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) { // not ASCII: encode the whole string the general way
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int start = out.position() - i;
        if (start + utf8.length > MAX_KEY_BYTES) {
          return false;
        }
        out.position(start).put(utf8);
        break;
      }
      out.put((byte) c);
    }
    out.flip();
    return true;
  }

  private static byte[] keyBytes(Value v) {
    switch (v.getKindCase()) {
      case NULL_VALUE:
        return new byte[] {'N'};
      case INT_VALUE:
        return ByteBuffer.allocate(9).put((byte) 'I').putLong(v.getIntValue()).array();
      case STRING_VALUE:
        {
          byte[] s = v.getStringValue().getBytes(StandardCharsets.UTF_8);
          return ByteBuffer.allocate(1 + s.length).put((byte) 'S').put(s).array();
        }
      case OBJECT_ID_VALUE:
        return ByteBuffer.allocate(13).put((byte) 'O').put(hex(v.getObjectIdValue(), 12)).array();
      case UUID_VALUE:
        {
          java.util.UUID u = java.util.UUID.fromString(v.getUuidValue());
          return ByteBuffer.allocate(17)
              .put((byte) 'U')
              .putLong(u.getMostSignificantBits())
              .putLong(u.getLeastSignificantBits())
              .array();
        }
      default:
        throw new IllegalArgumentException(
            "primary key: " + v.getKindCase() + " (expected: null, int, string, objectId or uuid)");
    }
  }

  private static byte[] hashed(byte[] key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      return ByteBuffer.allocate(1 + digest.length).put((byte) 'H').put(digest).array();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static byte[] hex(String hex, int bytes) {
    if (hex.length() != bytes * 2) {
      throw new IllegalArgumentException(
          "object id: '" + hex + "' (expected: " + bytes * 2 + " hex digits)");
    }
    byte[] out = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("object id: '" + hex + "' (expected: hex digits)");
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  /** The key as a {@link ByteString} (for hash maps). */
  public static ByteString primaryKeyString(String className, Value primaryKey) {
    return ByteString.copyFrom(primaryKey(className, primaryKey));
  }
}
