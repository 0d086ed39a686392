package io.tributary.server.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on 127.0.0.1 between a client and a server, for fault injection: every accepted
 * connection is connected upstream and its bytes pumped both ways on plain threads. In chaos mode
 * each direction of each connection is cut (both sockets closed) after a random number of bytes,
 * and chunks are delayed at random; {@link #cutAll()} cuts every open connection; {@link
 * #refuse(boolean)} closes new connections at once; {@link #silenceServers()} makes the open
 * connections swallow what the server sends (a peer that stops answering).
 *
 * <p>It also watches the traffic: HTTP request lines on App Services connections are counted by
 * method and path ({@link #requests(String)}), and the WebSocket messages of sync connections are
 * recorded with their first line and length ({@link #syncMessages()}), in the order the proxy
 * passed them on.
 *
 * <p>Randomness comes from one seeded {@link Random}: the seed is in {@link #toString()} so a
 * failing run can be replayed (the thread interleaving still varies).
 */
final class TcpProxy implements AutoCloseable {
  private final InetSocketAddress upstream;
  private final ServerSocket listener;
  private final Thread acceptor;
  private final Random random;
  private final long seed;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private volatile boolean chaos;
  private volatile int maxBytesBeforeCut = 256 * 1024;
  private volatile int maxDelayMillis = 5;
  private volatile boolean refusing;
  private volatile boolean closed;
  private final Set<Socket> upstreams = ConcurrentHashMap.newKeySet();
  private final Set<Socket> silenced = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final List<WsMessage> syncMessages = new ArrayList<>();

  /**
   * One WebSocket message seen on a sync connection.
   *
   * @param connection the proxy's number of the connection (1 = first accepted)
   * @param fromClient client to server (else server to client)
   * @param firstLine the sync message header, e.g. {@code upload 1 1 131072 2405 96 0 0}
   * @param length the whole message's length in bytes
   */
  record WsMessage(int connection, boolean fromClient, String firstLine, long length) {}

  TcpProxy(InetSocketAddress upstream, long seed) throws IOException {
    this.upstream = upstream;
    this.seed = seed;
    this.random = new Random(seed);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The proxy's port on 127.0.0.1. */
  int port() {
    return listener.getLocalPort();
  }

  /** {@code http://127.0.0.1:<port>}: the base URL clients use to go through the proxy. */
  String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * Chaos mode: cut each direction after a random 1 .. {@code maxBytes} bytes, and delay a random
   * tenth of the chunks by up to {@code maxDelayMillis}.
   */
  void chaos(boolean on, int maxBytes, int maxDelay) {
    this.maxBytesBeforeCut = maxBytes;
    this.maxDelayMillis = maxDelay;
    this.chaos = on;
  }

  /** Whether new connections are closed at once. */
  void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  /** Closes every open connection. */
  void cutAll() {
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  /**
   * Makes every open connection swallow the bytes the server sends from now on (the client's
   * bytes still reach the server); connections accepted later are not affected.
   */
  void silenceServers() {
    silenced.addAll(upstreams);
  }

  /**
   * HTTP requests seen so far on App Services (non-sync) connections with this method and path
   * (without query), e.g. {@code "POST /api/client/v2.0/auth/session"}.
   */
  int requests(String methodAndPath) {
    AtomicInteger n = requests.get(methodAndPath);
    return n == null ? 0 : n.get();
  }

  /** The WebSocket messages seen on sync connections so far, in the order they were passed on. */
  List<WsMessage> syncMessages() {
    synchronized (syncMessages) {
      return List.copyOf(syncMessages);
    }
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Connections cut by chaos so far. */
  int cuts() {
    return cuts.get();
  }

  private int nextInt(int bound) {
    synchronized (random) {
      return random.nextInt(bound);
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      int number = connections.incrementAndGet();
      if (refusing) {
        closeQuietly(client);
        continue;
      }
      Socket server = new Socket();
      try {
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        server.connect(upstream, 5_000);
      } catch (IOException e) {
        closeQuietly(client); // upstream down: the client sees a closed connection
        closeQuietly(server);
        continue;
      }
      open.add(client);
      open.add(server);
      upstreams.add(server);
      Watch watch = new Watch(number);
      start(client, server, "up", watch);
      start(server, client, "down", watch);
    }
  }

  private void start(Socket from, Socket to, String direction, Watch watch) {
    long budget = chaos ? 1 + nextInt(Math.max(1, maxBytesBeforeCut)) : Long.MAX_VALUE;
    boolean up = direction.equals("up");
    Thread t = new Thread(() -> pump(from, to, budget, up, watch), "proxy-" + direction);
    t.setDaemon(true);
    t.start();
  }

  private void pump(Socket from, Socket to, long budget, boolean up, Watch watch) {
    byte[] buf = new byte[16 * 1024];
    long left = budget;
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      while (true) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, Math.max(1, left)));
        if (n < 0) {
          break;
        }
        if (chaos && maxDelayMillis > 0 && nextInt(10) == 0) {
          // delaying bytes is the fault being injected, not a wait for a condition
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1 + nextInt(maxDelayMillis)));
        }
        if (up) {
          watch.up(buf, n);
        } else if (silenced.contains(from)) {
          continue; // swallowed: the client hears nothing more from the server
        } else {
          watch.down(buf, n);
        }
        out.write(buf, 0, n);
        out.flush();
        left -= n;
        if (left <= 0) {
          cuts.incrementAndGet();
          break;
        }
      }
    } catch (SocketException e) {
      // closed by the other pump, by cutAll or by the peer
    } catch (IOException e) {
      // same
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
      upstreams.remove(from);
      upstreams.remove(to);
      silenced.remove(from);
      silenced.remove(to);
    }
  }

  private static final Pattern REQUEST_LINE =
      Pattern.compile("(GET|POST|PUT|DELETE) (/[^ ?\\r\\n]*)[^ \\r\\n]* HTTP/1\\.1\\r\\n");

  /** What one connection carries: its first request line decides whether it is a sync connection. */
  private final class Watch {
    private final int number;
    private final StringBuilder firstLine = new StringBuilder();
    private volatile Boolean sync;
    private String tail = "";
    private WsTap upTap;
    private WsTap downTap;

    Watch(int number) {
      this.number = number;
    }

    void up(byte[] b, int n) {
      int off = 0;
      while (sync == null && off < n) {
        char c = (char) (b[off++] & 0xff);
        firstLine.append(c);
        if (c == '\n' || firstLine.length() > 8192) {
          sync = firstLine.toString().startsWith("GET ") && firstLine.indexOf("/realm-sync") > 0;
          if (sync) {
            upTap = new WsTap((line, length) -> record(true, line, length));
            upTap.feed(firstLine.toString().getBytes(StandardCharsets.ISO_8859_1), 0,
                firstLine.length());
          }
        }
      }
      if (sync == null) {
        return;
      }
      if (sync) {
        if (off < n) {
          upTap.feed(b, off, n - off);
        }
        return;
      }
      // App Services requests: count request lines, also across chunk boundaries
      String text = (off > 0 ? firstLine.toString() : "") + tail
          + new String(b, off, n - off, StandardCharsets.ISO_8859_1);
      int fresh = off > 0 ? 0 : tail.length();
      Matcher m = REQUEST_LINE.matcher(text);
      while (m.find()) {
        if (m.end() > fresh) {
          requests.computeIfAbsent(m.group(1) + " " + m.group(2), k -> new AtomicInteger())
              .incrementAndGet();
        }
      }
      tail = text.substring(Math.max(0, text.length() - 1024));
    }

    void down(byte[] b, int n) {
      if (Boolean.TRUE.equals(sync)) {
        if (downTap == null) {
          downTap = new WsTap((line, length) -> record(false, line, length));
        }
        downTap.feed(b, 0, n);
      }
    }

    private void record(boolean fromClient, String line, long length) {
      synchronized (syncMessages) {
        syncMessages.add(new WsMessage(number, fromClient, line, length));
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    cutAll();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "TcpProxy{seed=" + seed + ", port=" + port() + ", connections=" + connections
        + ", cuts=" + cuts + '}';
  }
}
