package io.tributary.server.spi;

import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The new objects of an {@link IngestBatch}, serialised back to back in one growable byte array:
 * per object its class name, its primary key (as {@link IngestRecord} keeps it: numbers and a
 * string, or a {@link Value}) and where its encoded {@link IngestedObject} lies in {@link
 * #array()}. The ingest server fills one per round and reuses it for later rounds, so the hot path
 * allocates no {@code byte[]} or {@link IngestRecord} per object; a sink that wants records gets
 * them from {@link #record(int)} (a copy each).
 *
 * <p>Ownership: the server does not modify the records of a batch handed to {@link
 * IngestSink#commit} until the commit returned, and clears them afterwards for reuse: a sink must
 * not keep this object, its array or anything read without copying past the commit (a record of
 * {@link #record(int)} is a copy and may be kept).
 *
 * <p>Not thread safe: filled by one thread, then handed to the commit thread (the hand-over must
 * publish it, as an executor does).
 */
public final class IngestRecords {
  /** Largest total of serialised bytes (the array's size is an int). */
  static final int MAX_BYTES = Integer.MAX_VALUE - 16;
  /** Arrays larger than this are dropped by {@link #clear()}, not kept for reuse. */
  private static final int KEEP_BYTES = 16 << 20;

  /**
   * Thrown by {@link #reserve} when the records would pass their byte limit: an {@link
   * IllegalArgumentException} with a type of its own, so that the ingest answers it with a typed
   * error naming the limit instead of failing the round.
   */
  public static final class LimitExceededException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    LimitExceededException(String message) {
      super(message);
    }
  }

  private final int maxBytes;
  private byte[] data;
  private int end;
  private int count;
  private int[] ends;
  private String[] classNames;
  private Value.KindCase[] kinds;
  private long[] highs;
  private long[] lows;
  private String[] strings;
  private Value[] values; // non-null: the key as a Value (records of IngestRecord's constructor)

  /** An empty list with room for a few objects. */
  public IngestRecords() {
    this(16, 1024);
  }

  /**
   * An empty list.
   *
   * @param objects initial room for objects
   * @param bytes initial room for serialised bytes
   */
  public IngestRecords(int objects, int bytes) {
    this(objects, bytes, MAX_BYTES);
  }

  /**
   * An empty list holding at most {@code maxBytes} serialised bytes in all.
   *
   * @param objects initial room for objects
   * @param bytes initial room for serialised bytes
   * @param maxBytes the limit, 1 to about 2 GiB (larger values are capped there)
   */
  public IngestRecords(int objects, int bytes, int maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes " + maxBytes + " (expected: at least 1)");
    }
    this.maxBytes = Math.min(maxBytes, MAX_BYTES);
    int n = Math.max(1, objects);
    data = new byte[Math.max(16, bytes)];
    ends = new int[n];
    classNames = new String[n];
    kinds = new Value.KindCase[n];
    highs = new long[n];
    lows = new long[n];
    strings = new String[n];
    values = new Value[n];
  }

  /**
   * A list of copies of {@code records}' bytes (tests, tools).
   *
   * @param records the records, in order
   * @return the list
   */
  public static IngestRecords of(List<IngestRecord> records) {
    int bytes = 0;
    for (IngestRecord r : records) {
      bytes += r.serialized().length;
    }
    IngestRecords out = new IngestRecords(records.size(), bytes);
    for (IngestRecord r : records) {
      out.add(r);
    }
    return out;
  }

  // --- reading ---

  /** The number of objects. */
  public int size() {
    return count;
  }

  /** Whether there are no objects. */
  public boolean isEmpty() {
    return count == 0;
  }

  /**
   * The array holding every object's encoding (at {@link #offset(int)}, {@link #length(int)}
   * bytes); lent: do not modify or keep.
   */
  public byte[] array() {
    return data;
  }

  /** Where object {@code i}'s encoded {@link IngestedObject} starts in {@link #array()}. */
  public int offset(int i) {
    Objects.checkIndex(i, count);
    return i == 0 ? 0 : ends[i - 1];
  }

  /** The length of object {@code i}'s encoding. */
  public int length(int i) {
    Objects.checkIndex(i, count);
    return ends[i] - (i == 0 ? 0 : ends[i - 1]);
  }

  /** Object {@code i}'s class name. */
  public String className(int i) {
    Objects.checkIndex(i, count);
    return classNames[i];
  }

  /** As {@link IngestRecord#primaryKeyKind()}, for object {@code i}. */
  public Value.KindCase primaryKeyKind(int i) {
    Objects.checkIndex(i, count);
    return kinds[i];
  }

  /** As {@link IngestRecord#hasPrimaryKeyBits()}, for object {@code i}. */
  public boolean hasPrimaryKeyBits(int i) {
    Objects.checkIndex(i, count);
    return values[i] == null;
  }

  /** As {@link IngestRecord#primaryKeyHigh()}, for object {@code i}. */
  public long primaryKeyHigh(int i) {
    Objects.checkIndex(i, count);
    return highs[i];
  }

  /** As {@link IngestRecord#primaryKeyLow()}, for object {@code i}. */
  public long primaryKeyLow(int i) {
    Objects.checkIndex(i, count);
    return lows[i];
  }

  /** As {@link IngestRecord#primaryKeyString()}, for object {@code i}. */
  public String primaryKeyString(int i) {
    Objects.checkIndex(i, count);
    return strings[i];
  }

  /**
   * Object {@code i}'s primary key as a {@link Value}; built on each call unless the object was
   * added as a record with one (not for hot paths).
   */
  public Value primaryKey(int i) {
    Objects.checkIndex(i, count);
    return values[i] != null ? values[i] : record(i).primaryKey();
  }

  /**
   * Object {@code i} as a record of its own: allocates a copy of its bytes (for sinks that want
   * records; the copy may be kept).
   *
   * @param i the index
   * @return the record
   */
  public IngestRecord record(int i) {
    int from = offset(i);
    byte[] bytes = Arrays.copyOfRange(data, from, ends[i]);
    if (values[i] != null) {
      return new IngestRecord(classNames[i], values[i], bytes);
    }
    switch (kinds[i]) {
      case INT_VALUE:
        return IngestRecord.ofIntKey(classNames[i], highs[i], bytes);
      case STRING_VALUE:
        return IngestRecord.ofStringKey(classNames[i], strings[i], bytes);
      case OBJECT_ID_VALUE:
        return IngestRecord.ofObjectIdKey(classNames[i], (int) highs[i], lows[i], bytes);
      default:
        return IngestRecord.ofUuidKey(classNames[i], highs[i], lows[i], bytes);
    }
  }

  /** Every object as a record ({@link #record(int)}: allocates copies), in order. */
  public List<IngestRecord> toList() {
    List<IngestRecord> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(record(i));
    }
    return out;
  }

  // --- writing (the ingest side) ---

  /**
   * Makes room for {@code n} more bytes after the last object and returns the array to write them
   * into, from {@link #end()}; then one of the {@code add...} methods ends the object.
   *
   * @param n bytes the next object needs
   * @return the array (valid until the next call of this method)
   * @throws IllegalArgumentException if {@code n} is negative
   * @throws LimitExceededException if the total would pass the limit (about 2 GiB unless the
   *     constructor set a lower one)
   */
  public byte[] reserve(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("ingest records: reserve " + n + " bytes (expected: >= 0)");
    }
    if ((long) end + n > maxBytes) {
      throw new LimitExceededException(
          "ingest records: " + end + " + " + n + " bytes (expected: at most " + maxBytes + " in all)");
    }
    if (end + n > data.length) {
      data = Arrays.copyOf(data, (int) Math.min(maxBytes, Math.max((long) data.length * 2, (long) end + n)));
    }
    return data;
  }

  /** The index in {@link #reserve}'s array where the next object's bytes go. */
  public int end() {
    return end;
  }

  /**
   * Ends an object of {@code length} bytes written at {@link #end()} whose primary key is an int.
   */
  public void addIntKey(String className, long key, int length) {
    add(className, Value.KindCase.INT_VALUE, key, 0, null, null, length);
  }

  /** Ends an object (as {@link #addIntKey}) whose primary key is a string. */
  public void addStringKey(String className, String key, int length) {
    add(className, Value.KindCase.STRING_VALUE, 0, 0, Objects.requireNonNull(key, "key"), null, length);
  }

  /** Ends an object (as {@link #addIntKey}) whose primary key is an object id (as {@link IngestRecord#ofObjectIdKey}). */
  public void addObjectIdKey(String className, int high, long low, int length) {
    add(className, Value.KindCase.OBJECT_ID_VALUE, high, low, null, null, length);
  }

  /** Ends an object (as {@link #addIntKey}) whose primary key is a uuid (as {@link IngestRecord#ofUuidKey}). */
  public void addUuidKey(String className, long mostSignificantBits, long leastSignificantBits, int length) {
    add(className, Value.KindCase.UUID_VALUE, mostSignificantBits, leastSignificantBits, null, null, length);
  }

  /**
   * Appends a copy of {@code record}'s bytes and its key.
   *
   * @param record the record
   */
  public void add(IngestRecord record) {
    byte[] bytes = record.serialized();
    byte[] a = reserve(bytes.length);
    System.arraycopy(bytes, 0, a, end, bytes.length);
    Value value = record.hasPrimaryKeyBits() ? null : record.primaryKey();
    add(record.className(), record.primaryKeyKind(), record.primaryKeyHigh(), record.primaryKeyLow(),
        record.primaryKeyString(), value, bytes.length);
  }

  private void add(String className, Value.KindCase kind, long high, long low, String string, Value value,
      int length) {
    Objects.requireNonNull(className, "className");
    if (length < 0 || end + length > data.length) {
      throw new IllegalArgumentException(
          "ingest record of " + length + " bytes at " + end + " (expected: within the " + data.length
              + " reserved)");
    }
    int i = count;
    if (i == ends.length) {
      grow();
    }
    end += length;
    ends[i] = end;
    classNames[i] = className;
    kinds[i] = kind;
    highs[i] = high;
    lows[i] = low;
    strings[i] = string;
    values[i] = value;
    count = i + 1;
  }

  private void grow() {
    int n = ends.length * 2;
    ends = Arrays.copyOf(ends, n);
    classNames = Arrays.copyOf(classNames, n);
    kinds = Arrays.copyOf(kinds, n);
    highs = Arrays.copyOf(highs, n);
    lows = Arrays.copyOf(lows, n);
    strings = Arrays.copyOf(strings, n);
    values = Arrays.copyOf(values, n);
  }

  /**
   * Drops the objects from index {@code size} on (e.g. those of an upload that failed).
   *
   * @param size the number of objects to keep, at most {@link #size()}
   */
  public void truncate(int size) {
    Objects.checkIndex(size, count + 1);
    Arrays.fill(classNames, size, count, null);
    Arrays.fill(strings, size, count, null);
    Arrays.fill(values, size, count, null);
    count = size;
    end = size == 0 ? 0 : ends[size - 1];
  }

  /** Drops every object, keeping the arrays for reuse (an array over 16 MiB is released). */
  public void clear() {
    truncate(0);
    if (data.length > KEEP_BYTES) {
      data = new byte[KEEP_BYTES];
    }
  }

  @Override
  public String toString() {
    return "IngestRecords{objects=" + count + ", bytes=" + end + '}';
  }
}
