package io.tributary.core.internal;

import io.tributary.core.spi.UploadLog;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;
import java.util.Objects;

/**
 * Appends finished changesets to the realm's {@link UploadLog} under the next client version and
 * tells the {@link CommitListener}s. The log serializes appends and shares syncs between
 * concurrent committers (group commit); this class adds the origin timestamp and the
 * notification.
 *
 * <p>Thread safe.
 */
public final class Committer {
  /** 2015-01-01T00:00:00Z in milliseconds since the Unix epoch: the protocol's time origin. */
  public static final long ORIGIN_EPOCH_MS = 1_420_070_400_000L;

  private static final System.Logger LOG = System.getLogger(Committer.class.getName());

  private final UploadLog log;
  private final Clock clock;
  private volatile CommitListener[] listeners = new CommitListener[0];

  /**
   * @param log where changesets go; owned by the caller
   * @param clock gives the origin timestamps
   */
  public Committer(UploadLog log, Clock clock) {
    this.log = Objects.requireNonNull(log, "log");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The log changesets are appended to. */
  public UploadLog log() {
    return log;
  }

  /**
   * Milliseconds since 2015-01-01T00:00:00Z for {@code epochMillis} (0 for earlier instants: the
   * log refuses negative timestamps).
   *
   * @param epochMillis milliseconds since 1970-01-01T00:00:00Z
   * @return milliseconds since 2015-01-01T00:00:00Z, >= 0
   */
  public static long originTimestamp(long epochMillis) {
    return Math.max(0, epochMillis - ORIGIN_EPOCH_MS);
  }

  /**
   * Appends {@code changeset} and notifies the listeners.
   *
   * @param changeset the bytes from position to limit; borrowed (the log copies them)
   * @param objectCount the number of objects it creates, >= 0
   * @return the client version the log assigned
   * @throws io.tributary.core.spi.UploadLogException as {@link UploadLog#append} does
   */
  public long commit(ByteBuffer changeset, int objectCount) {
    int offset = changeset.position();
    int size = changeset.remaining();
    long origin = originTimestamp(clock.millis());
    long version = log.append(changeset, objectCount, origin);
    CommitListener[] ls = listeners;
    for (CommitListener l : ls) {
      try {
        l.committed(version, objectCount, origin, changeset, offset, size);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "commit listener " + l + " threw; ignored", e);
      }
    }
    return version;
  }

  /**
   * Adds a listener; it sees every commit that starts after this call.
   *
   * @param listener the listener
   */
  public synchronized void addListener(CommitListener listener) {
    Objects.requireNonNull(listener, "listener");
    CommitListener[] ls = Arrays.copyOf(listeners, listeners.length + 1);
    ls[ls.length - 1] = listener;
    listeners = ls;
  }

  /**
   * Removes a listener added earlier (no-op if it is not registered).
   *
   * @param listener the listener
   */
  public synchronized void removeListener(CommitListener listener) {
    CommitListener[] ls = listeners;
    for (int i = 0; i < ls.length; i++) {
      if (ls[i] == listener) {
        CommitListener[] copy = new CommitListener[ls.length - 1];
        System.arraycopy(ls, 0, copy, 0, i);
        System.arraycopy(ls, i + 1, copy, i, ls.length - i - 1);
        listeners = copy;
        return;
      }
    }
  }
}
