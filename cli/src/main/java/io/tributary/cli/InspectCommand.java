package io.tributary.cli;

import io.tributary.core.ObjectSchema;
import io.tributary.core.Schema;
import io.tributary.core.internal.SchemaCodec;
import io.tributary.core.spi.LogMetadata;
import io.tributary.core.spi.LogStats;
import io.tributary.core.spi.SyncProgress;
import io.tributary.core.spi.UploadLog;
import io.tributary.protocol.changeset.Changeset;
import io.tributary.protocol.changeset.ChangesetFormatException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tributary inspect LOG-DIR}: what a client's LMDB upload log holds: its accounting
 * (entries, sizes, versions, dropped counters), its metadata (client file ident and salt, sync
 * progress, the stored schema decoded), a listing of entries, and one entry's changeset decoded
 * into realm-core's {@code changeset-dump} form.
 *
 * <p>The log must not be open in another process that writes to it at the same time as this
 * command opens it (LMDB allows it, but the listing is a snapshot that may already be stale).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Show what a client upload log (LMDB directory) holds: entries, sizes, versions,"
        + " client file, sync progress, schema; decode one entry's changeset."})
final class InspectCommand implements Callable<Integer> {
  /** Milliseconds from the Unix epoch to 2015-01-01T00:00:00Z, the protocol's timestamp origin. */
  static final long REALM_EPOCH_MS = 1_420_070_400_000L;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "LOG-DIR", description = "The upload log's directory (holds data.mdb).")
  Path logDir;

  @Option(names = "--entries", defaultValue = "10", paramLabel = "N",
      description = "List the oldest N entries (0: none). Default: ${DEFAULT-VALUE}.")
  int entries;

  @Option(names = "--decode", paramLabel = "VERSION",
      description = "Print the changeset of the entry with this client version, one instruction per line.")
  Long decode;

  @Override
  public Integer call() {
    if (entries < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--entries " + entries + " (expected: >= 0)");
    }
    if (decode != null && decode < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--decode " + decode + " (expected: a version >= 1)");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (UploadLog log = LogFiles.openExisting(logDir)) {
      LogStats s = log.stats();
      LogMetadata m = log.metadata();
      printSummary(out, s, m);
      if (entries > 0) {
        printEntries(out, log, s);
      }
      out.flush();
      if (decode != null) {
        return printDecoded(out, log, s);
      }
    }
    return 0;
  }

  private void printSummary(PrintWriter out, LogStats s, LogMetadata m) {
    long fileBytes = size(logDir.resolve(LogFiles.DATA_FILE));
    out.printf(Locale.ROOT, "Upload log %s (LMDB, %s on disk)%n", logDir, bytes(fileBytes));
    out.printf(Locale.ROOT, "  entries             %,d unacknowledged%s%n", s.entryCount(),
        s.entryCount() == 0 ? "" : String.format(Locale.ROOT, " (versions %d..%d)", s.firstVersion(), s.lastVersion()));
    out.printf(Locale.ROOT, "  size                %s (changesets + %d bytes per entry)%n", bytes(s.sizeBytes()),
        ENTRY_OVERHEAD_BYTES);
    out.printf(Locale.ROOT, "  pending objects     %,d%n", s.pendingObjects());
    out.printf(Locale.ROOT, "  versions            first %d, last %d, last assigned %d%n", s.firstVersion(),
        s.lastVersion(), s.lastAssignedVersion());
    out.printf(Locale.ROOT, "  dropped             %,d entries, %,d objects (overflow policy DROP_OLDEST)%n",
        s.droppedEntries(), s.droppedObjects());
    out.printf(Locale.ROOT, "  client file         %s%n", m.hasClientFileIdent()
        ? "ident " + m.clientFileIdent() + ", salt " + m.clientFileSalt() : "none yet (never bound to a server)");
    byte[] identity = m.identity();
    // the record holds a refresh token: say that it is there, never what it says
    out.printf(Locale.ROOT, "  identity            %s%n", identity == null
        ? "none stored (only anonymous logins are kept)"
        : "anonymous login stored (" + identity.length + " bytes, holds a refresh token: not shown)");
    SyncProgress p = m.progress();
    out.printf(Locale.ROOT, "  upload progress     client version %d acknowledged (server version %d)%n",
        p.uploadClientVersion(), p.uploadServerVersion());
    out.printf(Locale.ROOT, "  download progress   server version %d, client version %d; latest server version %d"
        + " (salt %d)%n", p.downloadServerVersion(), p.downloadClientVersion(), p.latestServerVersion(),
        p.latestServerVersionSalt());
    byte[] schema = m.schema();
    if (schema == null || schema.length == 0) {
      out.println("  schema              none stored");
    } else {
      try {
        Schema decoded = SchemaCodec.decode(schema);
        out.printf(Locale.ROOT, "  schema              %d classes (%,d bytes stored)%n", decoded.classes().size(),
            schema.length);
        for (ObjectSchema c : decoded.classes()) {
          out.println("    " + c);
        }
      } catch (RuntimeException e) {
        out.println("  schema              " + schema.length + " bytes, cannot be decoded: " + Tributary.describe(e));
      }
    }
  }

  /** LmdbStorage's fixed per-entry overhead in the size accounting (LmdbStorage class comment). */
  private static final int ENTRY_OVERHEAD_BYTES = 32;

  private record EntryLine(long version, int bytes, int objects, long originTimestamp, long serverVersion) {}

  private void printEntries(PrintWriter out, UploadLog log, LogStats s) {
    List<EntryLine> lines = new ArrayList<>();
    if (s.entryCount() > 0) {
      log.read(0, Long.MAX_VALUE, e -> {
        lines.add(new EntryLine(e.version(), e.changeset().remaining(), e.objectCount(), e.originTimestamp(),
            e.lastIntegratedServerVersion()));
        return lines.size() < entries;
      });
    }
    out.println();
    out.printf(Locale.ROOT, "Entries (%s):%n", lines.size() == s.entryCount()
        ? "all " + lines.size() : String.format(Locale.ROOT, "oldest %,d of %,d", lines.size(), s.entryCount()));
    if (lines.isEmpty()) {
      out.println("  (none: everything written was acknowledged by the server)");
      return;
    }
    out.printf(Locale.ROOT, "  %10s %12s %9s  %-24s  %s%n", "version", "bytes", "objects", "origin time (UTC)",
        "last integrated server version");
    for (EntryLine l : lines) {
      out.printf(Locale.ROOT, "  %10d %,12d %,9d  %-24s  %d%n", l.version(), l.bytes(), l.objects(),
          Instant.ofEpochMilli(REALM_EPOCH_MS + l.originTimestamp()), l.serverVersion());
    }
  }

  private int printDecoded(PrintWriter out, UploadLog log, LogStats s) {
    byte[][] found = new byte[1][];
    long[] version = new long[1];
    if (s.entryCount() > 0) {
      log.read(decode - 1, Long.MAX_VALUE, e -> {
        version[0] = e.version();
        ByteBuffer b = e.changeset();
        found[0] = new byte[b.remaining()];
        b.get(found[0]);
        return false;
      });
    }
    PrintWriter err = spec.commandLine().getErr();
    if (found[0] == null || version[0] != decode) {
      err.println(spec.qualifiedName() + ": --decode " + decode + ": no such entry (expected: "
          + (s.entryCount() == 0 ? "none, the log is empty" : "a version in " + s.firstVersion() + ".." + s.lastVersion())
          + "; acknowledged entries are deleted)");
      err.flush();
      return 1;
    }
    out.println();
    out.printf(Locale.ROOT, "Changeset of version %d (%,d bytes):%n", decode, found[0].length);
    try {
      Changeset c = Changeset.parse(found[0]);
      for (String line : c.dump()) {
        out.println("  " + line);
      }
      out.flush();
      return 0;
    } catch (ChangesetFormatException e) {
      out.flush();
      err.println(spec.qualifiedName() + ": version " + decode + ": malformed changeset: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  static String bytes(long n) {
    if (n < 0) {
      return "unknown size";
    }
    if (n < 1024) {
      return n + " bytes";
    }
    if (n < 1 << 20) {
      return String.format(Locale.ROOT, "%.1f KiB (%,d bytes)", n / 1024.0, n);
    }
    return String.format(Locale.ROOT, "%.1f MiB (%,d bytes)", n / 1048576.0, n);
  }
}
