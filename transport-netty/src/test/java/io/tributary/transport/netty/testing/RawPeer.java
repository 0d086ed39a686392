package io.tributary.transport.netty.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One end of a plain blocking socket that speaks HTTP/1.1 and RFC 6455 by hand, to replay exact
 * bytes at the edge or to play a misbehaving server for the client. Reads time out after 10 s.
 */
public final class RawPeer implements AutoCloseable {
  /** A status or request line with its headers (names lower-cased, values in order). */
  public record Head(String startLine, Map<String, List<String>> headers) {
    public int status() {
      return Integer.parseInt(startLine.split(" ")[1]);
    }

    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : v.get(0);
    }

    public List<String> all(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
  }

  /** A decoded frame. */
  public record Frame(boolean fin, int opcode, boolean masked, byte[] payload) {
    public int closeCode() {
      return payload.length < 2 ? -1 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    public String closeReason() {
      return payload.length < 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawPeer(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static RawPeer connect(int port) throws IOException {
    return new RawPeer(new Socket(InetAddress.getLoopbackAddress(), port));
  }

  public static RawPeer accept(ServerSocket server) throws IOException {
    return new RawPeer(server.accept());
  }

  public void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void write(String ascii) throws IOException {
    write(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads a start line and headers up to the empty line. */
  public Head readHead() throws IOException {
    String start = readLine();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      headers
          .computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    return new Head(start, headers);
  }

  /** Reads exactly {@code n} bytes. */
  public byte[] readBytes(int n) throws IOException {
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  /** Reads a response head and its Content-Length body; returns the body as UTF-8. */
  public String readBody(Head head) throws IOException {
    String length = head.header("content-length");
    return new String(readBytes(length == null ? 0 : Integer.parseInt(length)), StandardCharsets.UTF_8);
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("end of stream inside a header line: " + line);
      }
      if (prev == '\r' && c == '\n') {
        byte[] b = line.toByteArray();
        return new String(b, 0, b.length - 1, StandardCharsets.ISO_8859_1);
      }
      line.write(c);
      prev = c;
    }
  }

  /** Writes one frame, masked with a random key when {@code mask} (client role). */
  public void sendFrame(boolean fin, int opcode, byte[] payload, boolean mask) throws IOException {
    write(frame(fin, opcode, payload, mask));
  }

  public static byte[] frame(boolean fin, int opcode, byte[] payload, boolean mask) {
    ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
    b.put((byte) ((fin ? 0x80 : 0) | opcode));
    int m = mask ? 0x80 : 0;
    if (payload.length < 126) {
      b.put((byte) (m | payload.length));
    } else if (payload.length <= 0xFFFF) {
      b.put((byte) (m | 126)).putShort((short) payload.length);
    } else {
      b.put((byte) (m | 127)).putLong(payload.length);
    }
    byte[] key = new byte[4];
    if (mask) {
      ThreadLocalRandom.current().nextBytes(key);
      b.put(key);
    }
    for (int i = 0; i < payload.length; i++) {
      b.put((byte) (payload[i] ^ (mask ? key[i & 3] : 0)));
    }
    b.flip();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  /** Reads one frame (masked or not). */
  public Frame readFrame() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    boolean masked = (b1 & 0x80) != 0;
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] key = masked ? readBytes(4) : null;
    byte[] payload = readBytes((int) length);
    if (masked) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= key[i & 3];
      }
    }
    return new Frame((b0 & 0x80) != 0, b0 & 0x0F, masked, payload);
  }

  /** Reads until end of stream (or 10 s); true if the peer closed the connection. */
  public boolean awaitEof() throws IOException {
    byte[] sink = new byte[8192];
    try {
      while (true) {
        if (in.read(sink) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by peer
    }
  }

  public InputStream input() {
    return in;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A test resource as bytes. */
  public static byte[] resource(String path) {
    try (InputStream s = RawPeer.class.getResourceAsStream("/" + path)) {
      if (s == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return s.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
