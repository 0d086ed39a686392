package io.tributary.server;

import com.google.protobuf.ByteString;
import io.tributary.server.internal.store.Keys;
import io.tributary.server.proto.ClientFileRecord;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.server.spi.CommitResult;
import io.tributary.server.spi.IngestBatch;
import io.tributary.server.spi.IngestRecord;
import io.tributary.server.spi.IngestSink;
import io.tributary.server.spi.SinkException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An {@link IngestSink} in memory, for tests and demos: nothing survives the process. Commits are
 * atomic (a failed commit changes nothing) and de-duplicate by (class, primary key) like every
 * sink.
 *
 * <p>A test double too: {@link #failNextCommits(int)} makes commits fail with {@link
 * SinkException}, to check that the server then acknowledges nothing.
 *
 * <p>Thread safe (one lock).
 */
public final class MemoryIngestSink implements IngestSink, IngestStore {
  private final Clock clock;
  private final TreeMap<Long, IngestedObject> objects = new TreeMap<>();
  private final Map<ByteString, Long> index = new HashMap<>();
  private final TreeMap<Long, ClientFileRecord> files = new TreeMap<>();
  private final TreeMap<String, Long> classCounts = new TreeMap<>();
  private final Map<String, String> settings = new HashMap<>();
  private long lastSequence;
  private long lastIdent;
  private int failures;
  private long commits;
  private boolean closed;

  /** An empty sink with the system clock (for {@link IngestedObject#getIngestedAtMs()}). */
  public MemoryIngestSink() {
    this(Clock.systemUTC());
  }

  /** An empty sink whose ingest timestamps come from {@code clock}. */
  public MemoryIngestSink(Clock clock) {
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
  }

  /**
   * Makes the next {@code count} commits fail with {@link SinkException} without storing anything.
   *
   * @param count how many; 0 to stop failing
   */
  public synchronized void failNextCommits(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count: " + count + " (expected: >= 0)");
    }
    failures = count;
  }

  /** The number of successful commits. */
  public synchronized long commits() {
    return commits;
  }

  @Override
  public synchronized CommitResult commit(IngestBatch batch) {
    checkOpen();
    if (failures > 0) {
      failures--;
      throw new SinkException("memory sink: injected commit failure", null);
    }
    // compute everything first, then apply: a commit is all or nothing
    List<IngestedObject> stored = new ArrayList<>();
    Map<ByteString, Long> newKeys = new HashMap<>();
    BitSet duplicates = new BitSet();
    long seq = lastSequence;
    long now = clock.millis();
    List<IngestRecord> list = batch.records(); // copies: this sink keeps parsed objects anyway
    for (int i = 0; i < list.size(); i++) {
      IngestRecord r = list.get(i);
      ByteString key = Keys.primaryKeyString(r.className(), r.primaryKey());
      if (index.containsKey(key) || newKeys.containsKey(key)) {
        duplicates.set(i);
        continue;
      }
      seq++;
      newKeys.put(key, seq);
      IngestedObject o;
      try {
        o = r.parse();
      } catch (IllegalStateException e) {
        throw new SinkException("memory sink: object " + i + " of the batch: " + e.getMessage(), e);
      }
      stored.add(o.toBuilder().setSequence(seq).setIngestedAtMs(now).build());
    }
    long first = stored.isEmpty() ? 0 : lastSequence + 1;
    for (IngestedObject o : stored) {
      objects.put(o.getSequence(), o);
      classCounts.merge(o.getClassName(), 1L, Long::sum);
    }
    index.putAll(newKeys);
    lastSequence = seq;
    for (ClientFileRecord f : batch.clientFiles()) {
      files.put(f.getIdent(), f);
    }
    lastIdent = Math.max(lastIdent, batch.lastClientFileIdent());
    settings.putAll(batch.settings());
    commits++;
    return new CommitResult(list.size(), duplicates, first, stored.isEmpty() ? 0 : seq);
  }

  @Override
  public synchronized Optional<ClientFileRecord> clientFile(long ident) {
    checkOpen();
    return Optional.ofNullable(files.get(ident));
  }

  @Override
  public synchronized long lastClientFileIdent() {
    checkOpen();
    return lastIdent;
  }

  @Override
  public synchronized Optional<String> setting(String key) {
    checkOpen();
    return Optional.ofNullable(settings.get(key));
  }

  @Override
  public synchronized long objectCount() {
    return objects.size();
  }

  @Override
  public synchronized SortedMap<String, Long> countByClass() {
    return new TreeMap<>(classCounts);
  }

  @Override
  public synchronized Optional<IngestedObject> find(String className, Value primaryKey) {
    Long seq = index.get(Keys.primaryKeyString(className, primaryKey));
    return seq == null ? Optional.empty() : Optional.of(objects.get(seq));
  }

  @Override
  public long scan(long afterSequence, Predicate<IngestedObject> visitor) {
    long last = afterSequence;
    while (true) {
      List<IngestedObject> page;
      synchronized (this) {
        page = new ArrayList<>(objects.tailMap(last, false).values());
      }
      if (page.isEmpty()) {
        return last;
      }
      for (IngestedObject o : page) {
        last = o.getSequence();
        if (!visitor.test(o)) {
          return last;
        }
      }
    }
  }

  @Override
  public synchronized List<ClientFileRecord> clientFiles() {
    return List.copyOf(files.values());
  }

  private void checkOpen() {
    if (closed) {
      throw new SinkException("memory sink: closed", null);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  @Override
  public synchronized String toString() {
    return "MemoryIngestSink{objects=" + objects.size() + ", clientFiles=" + files.size() + '}';
  }
}
