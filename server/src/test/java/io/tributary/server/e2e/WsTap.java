package io.tributary.server.e2e;

/**
 * Reads a copy of one direction of a proxied sync connection: skips the HTTP upgrade head, then
 * parses WebSocket frames (RFC 6455: 7/16/64-bit lengths, masking, continuation frames, control
 * frames between fragments) and reports every data message's first line (the sync message header,
 * up to its LF, at most 300 characters) and total length. Not thread safe: one pump feeds it.
 */
final class WsTap {
  /** Receives each complete data message. */
  interface Sink {
    void message(String firstLine, long length);
  }

  private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

  private final Sink sink;
  private boolean inHead = true;
  private int headMatched;
  private final byte[] header = new byte[14];
  private int headerLen;
  private int headerNeed = 2;
  private boolean inPayload;
  private long payloadLeft;
  private final byte[] mask = new byte[4];
  private boolean masked;
  private long maskIndex;
  private boolean control;
  private boolean fin;
  private final StringBuilder line = new StringBuilder();
  private boolean lineDone;
  private long messageLength;

  WsTap(Sink sink) {
    this.sink = sink;
  }

  void feed(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      if (inHead) {
        byte c = b[i++];
        if (c == END_OF_HEAD[headMatched]) {
          headMatched++;
        } else {
          headMatched = c == '\r' ? 1 : 0;
        }
        if (headMatched == END_OF_HEAD.length) {
          inHead = false;
        }
        continue;
      }
      if (!inPayload) {
        header[headerLen++] = b[i++];
        if (headerLen == 2) {
          int len7 = header[1] & 0x7f;
          headerNeed = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
        }
        if (headerLen >= 2 && headerLen == headerNeed) {
          startFrame();
        }
        continue;
      }
      int n = (int) Math.min(end - i, payloadLeft);
      if (!control) {
        for (int k = 0; k < n && !lineDone; k++) {
          int v = b[i + k] & 0xff;
          if (masked) {
            v ^= mask[(int) ((maskIndex + k) & 3)] & 0xff;
          }
          if (v == '\n') {
            lineDone = true;
          } else if (line.length() < 300) {
            line.append((char) v);
          }
        }
        messageLength += n;
      }
      maskIndex += n;
      payloadLeft -= n;
      i += n;
      if (payloadLeft == 0) {
        endFrame();
      }
    }
  }

  private void startFrame() {
    int len7 = header[1] & 0x7f;
    int p = 2;
    long length = len7;
    if (len7 == 126) {
      length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
      p = 4;
    } else if (len7 == 127) {
      length = 0;
      for (int k = 0; k < 8; k++) {
        length = (length << 8) | (header[2 + k] & 0xff);
      }
      p = 10;
    }
    masked = (header[1] & 0x80) != 0;
    if (masked) {
      System.arraycopy(header, p, mask, 0, 4);
    }
    int opcode = header[0] & 0x0f;
    fin = (header[0] & 0x80) != 0;
    control = opcode >= 8;
    if (opcode == 1 || opcode == 2) {
      line.setLength(0);
      lineDone = false;
      messageLength = 0;
    }
    maskIndex = 0;
    payloadLeft = length;
    headerLen = 0;
    headerNeed = 2;
    inPayload = true;
    if (payloadLeft == 0) {
      endFrame();
    }
  }

  private void endFrame() {
    inPayload = false;
    if (!control && fin) {
      sink.message(line.toString(), messageLength);
    }
  }
}
