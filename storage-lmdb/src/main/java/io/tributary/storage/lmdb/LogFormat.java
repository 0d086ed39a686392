package io.tributary.storage.lmdb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk format of the LMDB upload log (format version 1). All integers big-endian.
 *
 * <h2>Databases</h2>
 *
 * <ul>
 *   <li>{@value #ENTRIES_DB}: key = client version (8 bytes, big-endian, so LMDB's byte order is
 *       version order and appends are sequential B+tree inserts); value = entry header + changeset.
 *   <li>{@value #META_DB}: key {@code "format"} = {@link #MAGIC} + format version (int32); key
 *       {@code "state"} = the state record; key {@code "schema"} = the stored schema bytes.
 * </ul>
 *
 * <h2>Entry value</h2>
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * | format (1)    | flags (0)     | reserved (0)                  |  0
 * +---------------+---------------+-------------------------------+
 * | object count (int32, >= 0)                                    |  4
 * +---------------------------------------------------------------+
 * | origin timestamp (int64, ms since 2015-01-01, >= 0)           |  8
 * |                                                               |
 * +---------------------------------------------------------------+
 * | last integrated server version (int64, >= 0)                  | 16
 * |                                                               |
 * +---------------------------------------------------------------+
 * | changeset length (int32) = value length - 32                  | 24
 * +---------------------------------------------------------------+
 * | CRC-32C of bytes 0..27 and of the changeset                   | 28
 * +---------------------------------------------------------------+
 * | changeset bytes ...                                           | 32
 * </pre>
 *
 * <h2>State record</h2>
 *
 * Fifteen int64: last assigned version, client file ident, client file salt, the six {@link
 * io.tributary.core.spi.SyncProgress} fields in declaration order, dropped entries, dropped
 * objects, entry count, size in bytes, pending objects. The counters are checked against a recount
 * of the entries at every open.
 */
final class LogFormat {
  static final String ENTRIES_DB = "tributary.entries";
  static final String META_DB = "tributary.meta";

  static final byte[] MAGIC = "tributary-upload-log".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT_VERSION = 1;
  static final int FORMAT_RECORD_LENGTH = MAGIC.length + 4;

  static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.US_ASCII);
  static final byte[] STATE_KEY = "state".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SCHEMA_KEY = "schema".getBytes(StandardCharsets.US_ASCII);
  /** The identity record ({@code UploadLog.storeIdentity}); absent until one is stored. */
  static final byte[] IDENTITY_KEY = "identity".getBytes(StandardCharsets.US_ASCII);

  static final int ENTRY_FORMAT = 1;
  static final int HEADER_LENGTH = 32;
  static final int FORMAT_OFFSET = 0;
  static final int FLAGS_OFFSET = 1;
  static final int OBJECT_COUNT_OFFSET = 4;
  static final int TIMESTAMP_OFFSET = 8;
  static final int SERVER_VERSION_OFFSET = 16;
  static final int LENGTH_OFFSET = 24;
  static final int CRC_OFFSET = 28;

  static final int STATE_RECORD_LENGTH = 15 * 8;

  private LogFormat() {}

  /**
   * The CRC-32C of an entry: header bytes 0..27, then the changeset. Leaves {@code value}'s
   * position and limit as they were.
   */
  static int crc(CRC32C crc, ByteBuffer value) {
    int position = value.position();
    int limit = value.limit();
    crc.reset();
    value.limit(CRC_OFFSET).position(0);
    crc.update(value);
    value.limit(limit).position(HEADER_LENGTH);
    crc.update(value);
    value.limit(limit).position(position);
    return (int) crc.getValue();
  }

  /**
   * Why {@code value} (an entry under {@code version}) is not a valid entry, or {@code null} if it
   * is one. Checks lengths, the format byte, non-negative fields and the CRC.
   */
  static String validate(long version, ByteBuffer value, CRC32C crc) {
    value.order(ByteOrder.BIG_ENDIAN);
    int length = value.limit();
    if (length < HEADER_LENGTH) {
      return "entry "
          + version
          + ": value of "
          + length
          + " bytes (expected: >= "
          + HEADER_LENGTH
          + ")";
    }
    int format = value.get(FORMAT_OFFSET) & 0xff;
    if (format != ENTRY_FORMAT) {
      return "entry " + version + ": entry format " + format + " (expected: " + ENTRY_FORMAT + ")";
    }
    int declared = value.getInt(LENGTH_OFFSET);
    if (declared != length - HEADER_LENGTH) {
      return "entry "
          + version
          + ": changeset length "
          + declared
          + " (expected: "
          + (length - HEADER_LENGTH)
          + " from the value length)";
    }
    if (value.getInt(OBJECT_COUNT_OFFSET) < 0
        || value.getLong(TIMESTAMP_OFFSET) < 0
        || value.getLong(SERVER_VERSION_OFFSET) < 0) {
      return "entry " + version + ": negative object count, timestamp or server version";
    }
    int stored = value.getInt(CRC_OFFSET);
    int actual = crc(crc, value);
    if (stored != actual) {
      return "entry "
          + version
          + ": CRC-32C 0x"
          + Integer.toHexString(actual)
          + " (expected: 0x"
          + Integer.toHexString(stored)
          + ")";
    }
    return null;
  }
}
