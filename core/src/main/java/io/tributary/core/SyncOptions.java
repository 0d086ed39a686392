package io.tributary.core;

import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How the sync session of an {@link IngestRealm} talks to the server: timers, backoff, batching,
 * compression and the amount of data in flight. Immutable and thread safe; build with {@link
 * #newBuilder()}, or use {@link #DEFAULT}.
 *
 * <p>The defaults are realm-core's (spec protocol.md §3.6, §5.5, §6), except the window of
 * unacknowledged bytes, which realm-core does not have:
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #connectTimeout()}</td><td>120 s (TCP + TLS + WebSocket upgrade)</td></tr>
 *   <tr><td>{@link #pingInterval()}</td><td>60 s, each period shortened by a random 0–10 %; the
 *       first PING at a random point of the first period</td></tr>
 *   <tr><td>{@link #pongTimeout()}</td><td>120 s</td></tr>
 *   <tr><td>{@link #reconnectDelayInitial()}, {@link #reconnectDelayMax()}, {@link
 *       #reconnectMultiplier()}, {@link #reconnectJitter()}</td><td>1 s, 300 s, ×2, each delay
 *       reduced by a random 0–25 %</td></tr>
 *   <tr><td>{@link #uploadBatchBytes()}</td><td>128 KiB of changesets per UPLOAD (one larger
 *       changeset is sent alone)</td></tr>
 *   <tr><td>{@link #compressionThreshold()}</td><td>UPLOAD bodies longer than 1 KiB are
 *       zlib-compressed (level 1) when that makes them smaller</td></tr>
 *   <tr><td>{@link #maxBytesInFlight()}</td><td>8 MiB of changesets sent and not yet
 *       acknowledged</td></tr>
 *   <tr><td>{@link #closeTimeout()}</td><td>5 s to wait for the server's UNBOUND when the realm
 *       closes</td></tr>
 *   <tr><td>{@link #maxIncomingMessageBytes()}</td><td>16 MiB</td></tr>
 *   <tr><td>{@link #sslContext()}</td><td>none: the JDK's default trust store for {@code
 *       wss://} and {@code https://}</td></tr>
 *   <tr><td>{@link #ticker()}</td><td>{@link Ticker#system()}</td></tr>
 *   <tr><td>{@link #clientReset()}</td><td>{@link ClientResetMode#RECOVER}: a server that lost
 *       this client file gets the log's unacknowledged entries again under a new one</td></tr>
 * </table>
 */
public final class SyncOptions {
  /** Default connect timeout: 120 s. */
  public static final Duration CONNECT_TIMEOUT_DEFAULT = Duration.ofSeconds(120);
  /** Default PING period: 60 s. */
  public static final Duration PING_INTERVAL_DEFAULT = Duration.ofSeconds(60);
  /** Default time to wait for a PONG: 120 s. */
  public static final Duration PONG_TIMEOUT_DEFAULT = Duration.ofSeconds(120);
  /** Default first reconnect delay: 1 s. */
  public static final Duration RECONNECT_DELAY_INITIAL_DEFAULT = Duration.ofSeconds(1);
  /** Default longest reconnect delay: 300 s. */
  public static final Duration RECONNECT_DELAY_MAX_DEFAULT = Duration.ofSeconds(300);
  /** Default growth of the reconnect delay per repeated failure: 2. */
  public static final int RECONNECT_MULTIPLIER_DEFAULT = 2;
  /** Default jitter: each delay is reduced by a random fraction of up to 0.25. */
  public static final double RECONNECT_JITTER_DEFAULT = 0.25;
  /** Default soft limit of changeset bytes per UPLOAD: 128 KiB. */
  public static final int UPLOAD_BATCH_BYTES_DEFAULT = 128 * 1024;
  /** Default compression threshold: bodies longer than 1024 bytes. */
  public static final int COMPRESSION_THRESHOLD_DEFAULT = 1024;
  /** Default window of changeset bytes sent and not yet acknowledged: 8 MiB. */
  public static final long MAX_BYTES_IN_FLIGHT_DEFAULT = 8L << 20;
  /** Default time {@link IngestRealm#close()} waits for the server's UNBOUND: 5 s. */
  public static final Duration CLOSE_TIMEOUT_DEFAULT = Duration.ofSeconds(5);
  /** Default largest message accepted from the server: 16 MiB. */
  public static final int MAX_INCOMING_MESSAGE_BYTES_DEFAULT = 16 << 20;

  /** The defaults. */
  public static final SyncOptions DEFAULT = newBuilder().build();

  private final Duration connectTimeout;
  private final Duration pingInterval;
  private final Duration pongTimeout;
  private final Duration reconnectDelayInitial;
  private final Duration reconnectDelayMax;
  private final int reconnectMultiplier;
  private final double reconnectJitter;
  private final int uploadBatchBytes;
  private final boolean compression;
  private final int compressionThreshold;
  private final long maxBytesInFlight;
  private final Duration closeTimeout;
  private final int maxIncomingMessageBytes;
  private final SSLContext sslContext;
  private final Ticker ticker;
  private final ClientResetMode clientReset;

  private SyncOptions(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.pingInterval = b.pingInterval;
    this.pongTimeout = b.pongTimeout;
    this.reconnectDelayInitial = b.reconnectDelayInitial;
    this.reconnectDelayMax = b.reconnectDelayMax;
    this.reconnectMultiplier = b.reconnectMultiplier;
    this.reconnectJitter = b.reconnectJitter;
    this.uploadBatchBytes = b.uploadBatchBytes;
    this.compression = b.compression;
    this.compressionThreshold = b.compressionThreshold;
    this.maxBytesInFlight = b.maxBytesInFlight;
    this.closeTimeout = b.closeTimeout;
    this.maxIncomingMessageBytes = b.maxIncomingMessageBytes;
    this.sslContext = b.sslContext;
    this.ticker = b.ticker;
    this.clientReset = b.clientReset;
  }

  /**
   * A builder seeded with the defaults.
   *
   * @return a new builder
   */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * A builder seeded with these options.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.connectTimeout = connectTimeout;
    b.pingInterval = pingInterval;
    b.pongTimeout = pongTimeout;
    b.reconnectDelayInitial = reconnectDelayInitial;
    b.reconnectDelayMax = reconnectDelayMax;
    b.reconnectMultiplier = reconnectMultiplier;
    b.reconnectJitter = reconnectJitter;
    b.uploadBatchBytes = uploadBatchBytes;
    b.compression = compression;
    b.compressionThreshold = compressionThreshold;
    b.maxBytesInFlight = maxBytesInFlight;
    b.closeTimeout = closeTimeout;
    b.maxIncomingMessageBytes = maxIncomingMessageBytes;
    b.sslContext = sslContext;
    b.ticker = ticker;
    b.clientReset = clientReset;
    return b;
  }

  /** TCP + TLS + WebSocket handshake (and each App Services HTTP request) must finish in this. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The period between PINGs (before jitter). */
  public Duration pingInterval() {
    return pingInterval;
  }

  /** No PONG within this time after a PING closes the connection (then reconnect). */
  public Duration pongTimeout() {
    return pongTimeout;
  }

  /** The first reconnect delay after a failure. */
  public Duration reconnectDelayInitial() {
    return reconnectDelayInitial;
  }

  /** The reconnect delay never grows beyond this. */
  public Duration reconnectDelayMax() {
    return reconnectDelayMax;
  }

  /** Factor by which the delay grows while the same kind of failure repeats, >= 1. */
  public int reconnectMultiplier() {
    return reconnectMultiplier;
  }

  /** Each delay is reduced by a random fraction in [0, this], 0..1. */
  public double reconnectJitter() {
    return reconnectJitter;
  }

  /** Soft limit of changeset bytes per UPLOAD message (one larger changeset is sent alone). */
  public int uploadBatchBytes() {
    return uploadBatchBytes;
  }

  /** Whether UPLOAD bodies are compressed (when longer than the threshold and smaller). */
  public boolean compression() {
    return compression;
  }

  /** Bodies longer than this many bytes are candidates for compression. */
  public int compressionThreshold() {
    return compressionThreshold;
  }

  /**
   * Changeset bytes sent and not yet acknowledged: no further UPLOAD is sent while this many are in
   * flight (one UPLOAD always may be, however large).
   */
  public long maxBytesInFlight() {
    return maxBytesInFlight;
  }

  /** How long {@link IngestRealm#close()} waits for the server to confirm the UNBIND. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** The largest message accepted from the server; a larger one ends the connection. */
  public int maxIncomingMessageBytes() {
    return maxIncomingMessageBytes;
  }

  /** The TLS context for {@code wss://} and {@code https://}, or {@code null} for the JDK's. */
  public SSLContext sslContext() {
    return sslContext;
  }

  /** The time source of the session's timers. */
  public Ticker ticker() {
    return ticker;
  }

  /** What the session does when the server no longer knows this log's client file. */
  public ClientResetMode clientReset() {
    return clientReset;
  }

  @Override
  public String toString() {
    return "SyncOptions{connectTimeout=" + connectTimeout + ", pingInterval=" + pingInterval
        + ", pongTimeout=" + pongTimeout + ", reconnectDelayInitial=" + reconnectDelayInitial
        + ", reconnectDelayMax=" + reconnectDelayMax + ", reconnectMultiplier="
        + reconnectMultiplier + ", reconnectJitter=" + reconnectJitter + ", uploadBatchBytes="
        + uploadBatchBytes + ", compression=" + compression + ", compressionThreshold="
        + compressionThreshold + ", maxBytesInFlight=" + maxBytesInFlight + ", closeTimeout="
        + closeTimeout + ", maxIncomingMessageBytes=" + maxIncomingMessageBytes
        + ", sslContext=" + (sslContext == null ? "default" : sslContext.getProtocol())
        + ", ticker=" + ticker + ", clientReset=" + clientReset + '}';
  }

  /**
   * Builds {@link SyncOptions}. Not thread safe. Unset options take the documented defaults; each
   * setter checks its value, {@link #build()} checks the settings against each other.
   */
  public static final class Builder {
    private Duration connectTimeout = CONNECT_TIMEOUT_DEFAULT;
    private Duration pingInterval = PING_INTERVAL_DEFAULT;
    private Duration pongTimeout = PONG_TIMEOUT_DEFAULT;
    private Duration reconnectDelayInitial = RECONNECT_DELAY_INITIAL_DEFAULT;
    private Duration reconnectDelayMax = RECONNECT_DELAY_MAX_DEFAULT;
    private int reconnectMultiplier = RECONNECT_MULTIPLIER_DEFAULT;
    private double reconnectJitter = RECONNECT_JITTER_DEFAULT;
    private int uploadBatchBytes = UPLOAD_BATCH_BYTES_DEFAULT;
    private boolean compression = true;
    private int compressionThreshold = COMPRESSION_THRESHOLD_DEFAULT;
    private long maxBytesInFlight = MAX_BYTES_IN_FLIGHT_DEFAULT;
    private Duration closeTimeout = CLOSE_TIMEOUT_DEFAULT;
    private int maxIncomingMessageBytes = MAX_INCOMING_MESSAGE_BYTES_DEFAULT;
    private SSLContext sslContext;
    private Ticker ticker = Ticker.system();
    private ClientResetMode clientReset = ClientResetMode.RECOVER;

    private Builder() {}

    /**
     * @param timeout > 0; default 120 s
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * @param interval > 0; default 60 s
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder pingInterval(Duration interval) {
      this.pingInterval = positive(interval, "pingInterval");
      return this;
    }

    /**
     * @param timeout > 0; default 120 s
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder pongTimeout(Duration timeout) {
      this.pongTimeout = positive(timeout, "pongTimeout");
      return this;
    }

    /**
     * The reconnect backoff: the first delay, the longest delay and the growth factor while the
     * same kind of failure repeats (a different kind starts again at {@code initial}).
     *
     * @param initial > 0; default 1 s
     * @param max >= {@code initial}; default 300 s
     * @param multiplier 1..1000; default 2
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder reconnectBackoff(Duration initial, Duration max, int multiplier) {
      positive(initial, "reconnectDelayInitial");
      positive(max, "reconnectDelayMax");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("reconnectDelayMax: " + max
            + " (expected: >= reconnectDelayInitial " + initial + ")");
      }
      if (multiplier < 1 || multiplier > 1000) {
        throw new IllegalArgumentException(
            "reconnectMultiplier: " + multiplier + " (expected: 1..1000)");
      }
      this.reconnectDelayInitial = initial;
      this.reconnectDelayMax = max;
      this.reconnectMultiplier = multiplier;
      return this;
    }

    /**
     * @param fraction each reconnect and rebind delay is reduced by a random fraction of up to
     *     this, 0..1; default 0.25 (the PING period's jitter is realm-core's fixed 10 %)
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder reconnectJitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("reconnectJitter: " + fraction + " (expected: 0..1)");
      }
      this.reconnectJitter = fraction;
      return this;
    }

    /**
     * @param bytes soft limit of changeset bytes per UPLOAD, 1 KiB..16 MiB; default 128 KiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder uploadBatchBytes(int bytes) {
      if (bytes < 1024 || bytes > (16 << 20)) {
        throw new IllegalArgumentException(
            "uploadBatchBytes: " + bytes + " (expected: 1024.." + (16 << 20) + ")");
      }
      this.uploadBatchBytes = bytes;
      return this;
    }

    /**
     * @param enabled whether UPLOAD bodies may be compressed; default true
     * @return this builder
     */
    public Builder compression(boolean enabled) {
      this.compression = enabled;
      return this;
    }

    /**
     * @param bytes bodies longer than this are compressed when that makes them smaller, >= 0;
     *     default 1024
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder compressionThreshold(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "compressionThreshold: " + bytes + " (expected: >= 0)");
      }
      this.compressionThreshold = bytes;
      return this;
    }

    /**
     * @param bytes window of changeset bytes sent and not yet acknowledged, >= 1 KiB; default 8
     *     MiB. Durable throughput is bound by the amount in flight (Little's law).
     * @return this builder
     * @throws IllegalArgumentException if below 1 KiB
     */
    public Builder maxBytesInFlight(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxBytesInFlight: " + bytes + " (expected: >= 1024)");
      }
      this.maxBytesInFlight = bytes;
      return this;
    }

    /**
     * @param timeout how long closing waits for the server's UNBOUND, >= 0; default 5 s
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "closeTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout: " + timeout + " (expected: >= 0)");
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * @param bytes largest message accepted from the server, 1 KiB..2 GiB; default 16 MiB
     * @return this builder
     * @throws IllegalArgumentException if below 1 KiB
     */
    public Builder maxIncomingMessageBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException(
            "maxIncomingMessageBytes: " + bytes + " (expected: >= 1024)");
      }
      this.maxIncomingMessageBytes = bytes;
      return this;
    }

    /**
     * @param context TLS context for {@code wss://} and {@code https://}, or {@code null} for the
     *     JDK's default (may be null)
     * @return this builder
     */
    public Builder sslContext(SSLContext context) {
      this.sslContext = context;
      return this;
    }

    /**
     * @param ticker the time source of the session's timers; default {@link Ticker#system()}. With
     *     another ticker the session thread re-reads it at least every 20 ms of real time, so a
     *     test can advance it and wait for the effect.
     * @return this builder
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * @param mode what the session does when the server no longer knows this log's client file;
     *     default {@link ClientResetMode#RECOVER} (see there)
     * @return this builder
     */
    public Builder clientReset(ClientResetMode mode) {
      this.clientReset = Objects.requireNonNull(mode, "clientReset");
      return this;
    }

    /**
     * The options.
     *
     * @return new immutable options
     */
    public SyncOptions build() {
      return new SyncOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
      }
      return d;
    }
  }
}
