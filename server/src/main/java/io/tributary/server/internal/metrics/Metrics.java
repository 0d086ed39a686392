package io.tributary.server.internal.metrics;

import io.tributary.server.ServerMetrics;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link ServerMetrics}, updated by the server's threads. Thread safe. */
public final class Metrics implements ServerMetrics {
  /** Upper bounds of the commit latency histogram, in milliseconds. */
  private static final long[] BUCKETS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000};

  /** Connections accepted. */
  public final LongAdder connectionsOpened = new LongAdder();
  /** Connections open now. */
  public final AtomicLong connectionsOpen = new AtomicLong();
  /** Sessions bound by IDENT. */
  public final LongAdder sessionsBound = new LongAdder();
  /** Sessions open now. */
  public final AtomicLong sessionsActive = new AtomicLong();
  /** Client file idents allocated. */
  public final LongAdder clientFilesAllocated = new LongAdder();
  /** UPLOAD messages received. */
  public final LongAdder uploads = new LongAdder();
  /** UPLOAD bytes received. */
  public final LongAdder uploadBytes = new LongAdder();
  /** Changesets integrated. */
  public final LongAdder changesetsIntegrated = new LongAdder();
  /** Changesets skipped as re-sends. */
  public final LongAdder changesetsSkipped = new LongAdder();
  /** Objects stored. */
  public final LongAdder objectsIngested = new LongAdder();
  /** Objects discarded as duplicates. */
  public final LongAdder duplicatesDiscarded = new LongAdder();
  /** Successful commits (see commitTook). */
  public final LongAdder commits = new LongAdder();
  /** Failed commits. */
  public final LongAdder commitFailures = new LongAdder();
  private final LongAdder commitNanos = new LongAdder();
  private final AtomicLong commitNanosMax = new AtomicLong();
  private final LongAdder[] commitBuckets = new LongAdder[BUCKETS_MS.length + 1];
  private final Map<Integer, LongAdder> errors = new ConcurrentHashMap<>();

  /** Creates zeroed counters. */
  public Metrics() {
    for (int i = 0; i < commitBuckets.length; i++) {
      commitBuckets[i] = new LongAdder();
    }
  }

  /** Records a successful commit that took {@code nanos}. */
  public void commitTook(long nanos) {
    commits.increment();
    commitNanos.add(nanos);
    commitNanosMax.accumulateAndGet(nanos, Math::max);
    long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
    int i = 0;
    while (i < BUCKETS_MS.length && ms >= BUCKETS_MS[i]) {
      i++;
    }
    commitBuckets[i].increment();
  }

  /** Records one error sent with {@code code}. */
  public void errorSent(int code) {
    errors.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  @Override
  public long connectionsOpened() {
    return connectionsOpened.sum();
  }

  @Override
  public long connectionsOpen() {
    return connectionsOpen.get();
  }

  @Override
  public long sessionsBound() {
    return sessionsBound.sum();
  }

  @Override
  public long sessionsActive() {
    return sessionsActive.get();
  }

  @Override
  public long clientFilesAllocated() {
    return clientFilesAllocated.sum();
  }

  @Override
  public long uploads() {
    return uploads.sum();
  }

  @Override
  public long changesetsIntegrated() {
    return changesetsIntegrated.sum();
  }

  @Override
  public long changesetsSkipped() {
    return changesetsSkipped.sum();
  }

  @Override
  public long objectsIngested() {
    return objectsIngested.sum();
  }

  @Override
  public long duplicatesDiscarded() {
    return duplicatesDiscarded.sum();
  }

  @Override
  public long commits() {
    return commits.sum();
  }

  @Override
  public long commitFailures() {
    return commitFailures.sum();
  }

  @Override
  public long commitNanosTotal() {
    return commitNanos.sum();
  }

  @Override
  public long commitNanosMax() {
    return commitNanosMax.get();
  }

  @Override
  public SortedMap<Integer, Long> errorsByCode() {
    SortedMap<Integer, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  @Override
  public String renderPrometheus() {
    StringBuilder sb = new StringBuilder(2048);
    counter(sb, "tributary_connections_opened_total", "WebSocket connections accepted.", connectionsOpened());
    gauge(sb, "tributary_connections_open", "WebSocket connections open now.", connectionsOpen());
    counter(sb, "tributary_sessions_bound_total", "Sessions bound to a client file (IDENT).", sessionsBound());
    gauge(sb, "tributary_sessions_active", "Sessions open now.", sessionsActive());
    counter(sb, "tributary_client_files_allocated_total", "Client file idents allocated.", clientFilesAllocated());
    counter(sb, "tributary_uploads_total", "UPLOAD messages received.", uploads());
    counter(sb, "tributary_upload_bytes_total", "UPLOAD message bytes received (as on the wire).", uploadBytes.sum());
    counter(sb, "tributary_changesets_integrated_total", "Changesets integrated.", changesetsIntegrated());
    counter(sb, "tributary_changesets_skipped_total", "Changesets skipped as re-sends.", changesetsSkipped());
    counter(sb, "tributary_objects_ingested_total", "Objects stored.", objectsIngested());
    counter(sb, "tributary_duplicates_discarded_total", "Objects discarded: (class, primary key) already stored.",
        duplicatesDiscarded());
    counter(sb, "tributary_commit_failures_total", "Sink commits that failed.", commitFailures());
    sb.append("# HELP tributary_commit_seconds Sink commit latency.\n# TYPE tributary_commit_seconds histogram\n");
    long cumulative = 0;
    for (int i = 0; i < commitBuckets.length; i++) {
      cumulative += commitBuckets[i].sum();
      String le = i < BUCKETS_MS.length ? Double.toString(BUCKETS_MS[i] / 1000.0) : "+Inf";
      sb.append("tributary_commit_seconds_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
    }
    sb.append("tributary_commit_seconds_sum ").append(commitNanosTotal() / 1e9).append('\n');
    sb.append("tributary_commit_seconds_count ").append(commits()).append('\n');
    sb.append("# HELP tributary_errors_sent_total Protocol errors sent, by code.\n# TYPE tributary_errors_sent_total counter\n");
    errorsByCode().forEach((code, n) ->
        sb.append("tributary_errors_sent_total{code=\"").append(code).append("\"} ").append(n).append('\n'));
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, String help, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
        .append(" counter\n").append(name).append(' ').append(v).append('\n');
  }

  private static void gauge(StringBuilder sb, String name, String help, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
        .append(" gauge\n").append(name).append(' ').append(v).append('\n');
  }
}
