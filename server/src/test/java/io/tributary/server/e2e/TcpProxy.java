package io.tributary.server.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on 127.0.0.1 between a client and a server, for fault injection: every accepted
 * connection is connected upstream and its bytes pumped both ways on plain threads. In chaos mode
 * each direction of each connection is cut (both sockets closed) after a random number of bytes,
 * and chunks are delayed at random; {@link #cutAll()} cuts every open connection; {@link
 * #refuse(boolean)} closes new connections at once.
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
      connections.incrementAndGet();
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
      start(client, server, "up");
      start(server, client, "down");
    }
  }

  private void start(Socket from, Socket to, String direction) {
    long budget = chaos ? 1 + nextInt(Math.max(1, maxBytesBeforeCut)) : Long.MAX_VALUE;
    Thread t = new Thread(() -> pump(from, to, budget), "proxy-" + direction);
    t.setDaemon(true);
    t.start();
  }

  private void pump(Socket from, Socket to, long budget) {
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
