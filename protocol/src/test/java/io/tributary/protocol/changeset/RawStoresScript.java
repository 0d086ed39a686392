package io.tributary.protocol.changeset;

import io.tributary.protocol.ObjectId;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A random changeset from a seed, written through one sink kind: every payload of the prepared
 * Updates (and the fluent calls mixed in), every primary-key kind, top-level and embedded paths,
 * enough objects to cross many windows. {@link RawStoresTest} runs it with {@link RawStores} on
 * and, in a class loader of its own, with the checked fallback, and compares the bytes. Only
 * {@code java.*} types cross the class-loader boundary (a {@code long}, an {@code int}, a {@code
 * byte[]}).
 */
public final class RawStoresScript {
  /** Sink kinds. */
  public static final int HEAP = 0;
  public static final int DIRECT_GROWABLE = 1;
  public static final int DIRECT_WRAPPED_SLICE = 2;
  public static final int HEAP_WRAPPED = 3;
  public static final int KINDS = 4;

  private RawStoresScript() {}

  /** Whether this class loader's writer uses the raw stores. */
  public static boolean rawStores() {
    return RawStores.ENABLED;
  }

  /** Whether this class loader's writer reads compact strings' own bytes. */
  public static boolean rawStrings() {
    return RawStores.STRINGS;
  }

  /**
   * Each of {@code values} written as a String Update three ways (prepared twice, so that the
   * second takes the fast route; fluent; fluent with a plain-String path, the general route),
   * several objects, into a sink of {@code kind} whose first window is {@code 0..63} bytes; the
   * changeset's bytes.
   */
  public static byte[] strings(String[] values, int kind, int firstWindow) {
    ByteSink sink = kind == HEAP
        ? new ArrayByteSink(firstWindow)
        : ByteBufferSink.allocateDirect(firstWindow, 1 << 24);
    ChangesetWriter w = new ChangesetWriter(sink);
    FieldPath top = FieldPath.of(Name.of("s"));
    FieldPath embedded = FieldPath.ofEmbedded(Name.of("e"), Name.of("s"), Name.of("E"));
    long k = 0;
    for (String v : values) {
      w.createObject(Name.of("T"), k++);
      w.stringValue(top, v);
      w.stringValue(top, v);
      w.stringValue(embedded, v);
      w.update(Name.of("f")).stringValue(v);
      w.update("g").key("h").inEmbedded("E").stringValue(v);
    }
    return written(sink, w.finish());
  }

  /** The changeset of {@code seed} written into a sink of {@code kind}; its bytes. */
  public static byte[] run(long seed, int kind) {
    SplittableRandom r = new SplittableRandom(seed);
    ByteBuffer parent = null;
    ByteSink sink;
    switch (kind) {
      case HEAP:
        sink = new ArrayByteSink(r.nextInt(0, 64));
        break;
      case DIRECT_GROWABLE:
        sink = ByteBufferSink.allocateDirect(r.nextInt(0, 64), 1 << 22);
        break;
      case DIRECT_WRAPPED_SLICE:
        parent = ByteBuffer.allocateDirect(1 << 20);
        sink = ByteBufferSink.wrap(parent.position(r.nextInt(1, 16)).slice());
        break;
      default:
        parent = ByteBuffer.allocate(1 << 20);
        sink = ByteBufferSink.wrap(parent.position(r.nextInt(1, 16)).slice());
        break;
    }
    ChangesetWriter w = new ChangesetWriter(sink);
    int paths = 12;
    FieldPath[] p = new FieldPath[paths];
    for (int i = 0; i < paths; i++) {
      p[i] = i % 3 == 2
          ? FieldPath.ofEmbedded(Name.of("f" + i), Name.of("k" + i), Name.of("E" + (i % 2)))
          : FieldPath.of(Name.of(i == 5 ? "fé" + i : "f" + i));
    }
    int objects = r.nextInt(1, 400);
    // padding interns push the later indices past the fast route's one-byte limit sometimes
    int pad = r.nextInt(4) == 0 ? r.nextInt(0, 80) : 0;
    for (int i = 0; i < pad; i++) {
      w.createObject("pad", "p" + i);
    }
    for (int o = 0; o < objects; o++) {
      switch (r.nextInt(6)) {
        case 0:
          w.createObject(Name.of("T"), ObjectId.of(r.nextInt(), r.nextLong()));
          break;
        case 1:
          w.createObject("T" + r.nextInt(3), r.nextLong() >> r.nextInt(64));
          break;
        case 2:
          w.createObject("T", "k" + r.nextInt(100));
          break;
        case 3:
          w.createObject("U", new UUID(r.nextLong(), r.nextLong()));
          break;
        case 4:
          w.createObjectWithNullKey("N");
          break;
        default:
          w.createObject(Name.of("R"), ObjectId.of(r.nextInt(), r.nextLong())); // reading
          break;
      }
      int updates = r.nextInt(0, 10);
      for (int u = 0; u < updates; u++) {
        FieldPath f = p[r.nextInt(paths)];
        switch (r.nextInt(12)) {
          case 0:
            w.intValue(f, r.nextLong() >> r.nextInt(64));
            break;
          case 1:
            w.boolValue(f, r.nextBoolean());
            break;
          case 2:
            w.stringValue(f, string(r));
            break;
          case 3:
            w.timestampValue(f, Instant.ofEpochSecond(
                r.nextLong(-(1L << 40), 1L << 40), r.nextInt(0, 1_000_000_000)));
            break;
          case 4: {
            long s = r.nextLong() >> r.nextInt(64);
            int n = r.nextInt(0, 1_000_000_000);
            w.timestampValue(f, s, s > 0 ? n : s < 0 ? -n : 0);
            break;
          }
          case 5:
            w.floatValue(f, Float.intBitsToFloat(r.nextInt()));
            break;
          case 6:
            w.doubleValue(f, Double.longBitsToDouble(r.nextLong()));
            break;
          case 7:
            w.objectIdValue(f, ObjectId.of(r.nextInt(), r.nextLong()));
            break;
          case 8:
            w.nullValue(f);
            break;
          case 9:
            w.objectValue(f);
            break;
          case 10:
            // the fluent route in between (array windows for a direct sink)
            w.update("fluent").stringValue(string(r));
            break;
          default:
            w.update("bin").binaryValue(new byte[r.nextInt(0, 300)]);
            break;
        }
      }
    }
    return written(sink, w.finish());
  }

  private static String string(SplittableRandom r) {
    int kind = r.nextInt(8);
    int n;
    switch (kind) {
      case 0:
        n = r.nextInt(60, 70);
        break;
      case 5: // long: the general route (up to 1,024 chars), or the exact one beyond
        n = r.nextInt(64, 1100);
        break;
      default:
        n = r.nextInt(0, 20);
        break;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (kind == 1 && r.nextInt(4) == 0) {
        sb.appendCodePoint(r.nextBoolean() ? r.nextInt(0x80, 0xD800) : r.nextInt(0x10000,
            0x110000));
      } else {
        sb.append((char) r.nextInt(0, 0x80));
      }
    }
    if ((kind == 6 || kind == 5) && n > 0) {
      // one char that a compact string holds but is not ASCII (two UTF-8 bytes), anywhere
      sb.setCharAt(r.nextInt(n), (char) r.nextInt(0x80, 0x100));
    } else if (kind == 7 && n > 0) {
      sb.setCharAt(r.nextInt(n), (char) r.nextInt(0x100, 0xD800)); // a UTF-16 string
    }
    return sb.toString();
  }

  /** The {@code size} bytes written into {@code sink} (an {@link ArrayByteSink} or a {@link ByteBufferSink}). */
  private static byte[] written(ByteSink sink, long size) {
    byte[] out = new byte[(int) size];
    if (sink instanceof ArrayByteSink) {
      System.arraycopy(((ArrayByteSink) sink).array(), 0, out, 0, out.length);
    } else {
      ((ByteBufferSink) sink).written().get(out);
    }
    return out;
  }
}
