package io.tributary.server.internal.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tributary.server.spi.IngestSink;
import java.util.Collection;
import java.util.Optional;

/**
 * Committed client-file states: a Caffeine cache in front of the sink's records, and the ident
 * allocation counter (idents from 2; 1 is the server's own, spec protocol.md §5.2). Only states the
 * sink committed enter the cache. Ingest thread only.
 */
final class ClientFileRegistry {
  /** The first ident handed to a client. */
  static final long FIRST_CLIENT_IDENT = 2;

  private final IngestSink sink;
  private final Cache<Long, FileState> cache;
  private long lastIdent;

  ClientFileRegistry(IngestSink sink, int cacheSize) {
    this.sink = sink;
    this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
    this.lastIdent = Math.max(FIRST_CLIENT_IDENT - 1, sink.lastClientFileIdent());
  }

  /**
   * The committed state of a file, or empty if unknown.
   *
   * @throws io.tributary.server.spi.SinkException if the sink cannot be read
   */
  Optional<FileState> get(long ident) {
    FileState s = cache.getIfPresent(ident);
    if (s == null) {
      s = sink.clientFile(ident).map(FileState::of).orElse(null);
      if (s != null) {
        cache.put(ident, s);
      }
    }
    return Optional.ofNullable(s);
  }

  /** The committed state of a file if cached, else null (never reads the sink). */
  FileState cached(long ident) {
    return cache.getIfPresent(ident);
  }

  /** The highest ident allocated and committed. */
  long lastIdent() {
    return lastIdent;
  }

  /** Records states and the counter a successful commit stored. */
  void committed(Collection<FileState> states, long allocatedUpTo) {
    for (FileState s : states) {
      cache.put(s.ident(), s);
    }
    lastIdent = Math.max(lastIdent, allocatedUpTo);
  }

  /** Forgets cached states (after a failed commit whose outcome may be unknown). */
  void invalidate(Collection<Long> idents) {
    cache.invalidateAll(idents);
  }
}
