package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * zlib bodies (spec protocol.md §6): RFC 1950 streams, as zlib's {@code deflateInit}/{@code
 * inflateInit} produce and read them ({@code nowrap = false}). One instance owns a reusable {@link
 * Deflater} and {@link Inflater}, created on first use; not thread safe. {@link #close()} frees
 * their native memory.
 */
final class Zlib implements AutoCloseable {
  /** First allocation of an inflate target; it then doubles up to the declared size. */
  private static final int INFLATE_CHUNK = 64 * 1024;

  private final int level;
  private Deflater deflater;
  private Inflater inflater;
  private byte[] scratch = new byte[0];
  private final byte[] probe = new byte[1];

  Zlib(int level) {
    this.level = level;
  }

  /**
   * Deflates {@code src[off, off+len)} into an internal scratch array if the result is strictly
   * shorter than {@code len}.
   *
   * @return the compressed length (the bytes are in {@link #scratch()}), or -1 if compression
   *     would not make the body strictly smaller
   */
  int deflateIfSmaller(byte[] src, int off, int len) {
    if (len == 0) {
      return -1;
    }
    Deflater d = deflater;
    if (d == null) {
      d = new Deflater(level, false);
      deflater = d;
    } else {
      d.reset();
    }
    if (scratch.length < len) {
      scratch = new byte[Math.max(len, scratch.length * 2)];
    }
    d.setInput(src, off, len);
    d.finish();
    int limit = len - 1; // strictly smaller, or not at all
    int n = 0;
    while (!d.finished()) {
      if (n == limit) {
        return -1;
      }
      n += d.deflate(scratch, n, limit - n);
    }
    return n;
  }

  byte[] scratch() {
    return scratch;
  }

  /**
   * Inflates exactly {@code declaredSize} bytes from {@code src[srcIndex, srcIndex+srcLength)}
   * (absolute indices; {@code src}'s position is unchanged) into {@code target}, growing it
   * progressively (never beyond {@code declaredSize}), so memory follows the real output, not the
   * declaration.
   *
   * @param target reused if large enough; may be null
   * @return the target array holding the body in {@code [0, declaredSize)}
   * @throws ProtocolException 110 if the stream is corrupt, ends early, inflates to fewer or more
   *     bytes than declared, or is followed by trailing bytes
   */
  byte[] inflate(
      ByteBuffer src,
      int srcIndex,
      int srcLength,
      int declaredSize,
      byte[] target,
      String field,
      long offset,
      long sessionIdent) {
    Inflater inf = inflater;
    if (inf == null) {
      inf = new Inflater(false);
      inflater = inf;
    } else {
      inf.reset();
    }
    if (src.hasArray()) {
      inf.setInput(src.array(), src.arrayOffset() + srcIndex, srcLength);
    } else {
      ByteBuffer in = src.duplicate();
      in.limit(srcIndex + srcLength).position(srcIndex);
      inf.setInput(in);
    }
    byte[] out = target == null ? new byte[0] : target;
    int produced = 0;
    int stalls = 0;
    try {
      while (produced < declaredSize) {
        if (out.length == produced) {
          int grown = (int) Math.min(declaredSize, Math.max(INFLATE_CHUNK, 2L * out.length));
          out = Arrays.copyOf(out, grown);
        }
        int n = inf.inflate(out, produced, Math.min(out.length, declaredSize) - produced);
        produced += n;
        if (n == 0) {
          if (inf.finished()) {
            throw bad(
                field,
                offset,
                sessionIdent,
                "zlib stream inflates to "
                    + produced
                    + " bytes (expected: uncompressed_body_size "
                    + declaredSize
                    + ")");
          }
          if (inf.needsDictionary()) {
            throw bad(field, offset, sessionIdent, "zlib stream needs a preset dictionary "
                + "(expected: none)");
          }
          if (inf.needsInput()) {
            throw bad(
                field,
                offset,
                sessionIdent,
                "zlib stream truncated after "
                    + produced
                    + " of "
                    + declaredSize
                    + " inflated bytes (expected: complete stream of "
                    + srcLength
                    + " bytes)");
          }
          // zlib makes progress whenever it has input and output room; never spin
          if (++stalls > 2) {
            throw bad(field, offset, sessionIdent, "zlib stream makes no progress after "
                + produced + " inflated bytes (expected: a valid stream)");
          }
        } else {
          stalls = 0;
        }
      }
      // Everything declared was produced: the stream must end here (trailer included) with no
      // further output. A one-byte probe both consumes the trailer and detects a bomb.
      if (!inf.finished()) {
        int extra = inf.inflate(probe, 0, 1);
        if (extra > 0) {
          throw bad(
              field,
              offset,
              sessionIdent,
              "zlib stream inflates to more than "
                  + declaredSize
                  + " bytes (expected: exactly uncompressed_body_size "
                  + declaredSize
                  + ")");
        }
        if (!inf.finished()) {
          throw bad(
              field,
              offset,
              sessionIdent,
              "zlib stream truncated: no end after "
                  + declaredSize
                  + " inflated bytes (expected: complete stream of "
                  + srcLength
                  + " bytes)");
        }
      }
      int trailing = inf.getRemaining();
      if (trailing != 0) {
        throw bad(
            field,
            offset,
            sessionIdent,
            trailing
                + " bytes after the end of the zlib stream (expected: compressed_body_size "
                + srcLength
                + " = "
                + (srcLength - trailing)
                + ")");
      }
    } catch (DataFormatException e) {
      throw new ProtocolException(
          ProtocolError.BAD_DECOMPRESSION,
          field,
          offset,
          sessionIdent,
          "corrupt zlib data after "
              + produced
              + " inflated bytes: "
              + e.getMessage()
              + " (expected: a zlib stream)",
          e);
    }
    return out;
  }

  private static ProtocolException bad(String field, long offset, long sessionIdent, String d) {
    return new ProtocolException(ProtocolError.BAD_DECOMPRESSION, field, offset, sessionIdent, d);
  }

  @Override
  public void close() {
    if (deflater != null) {
      deflater.end();
      deflater = null;
    }
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }
}
