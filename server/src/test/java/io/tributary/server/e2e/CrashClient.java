package io.tributary.server.e2e;

import io.tributary.core.IngestRealm;
import io.tributary.protocol.ObjectId;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link ClientCrashTest}: opens a realm on an LMDB log and uploads to a
 * server while writing transactions of 20 Readings as fast as it can, forever. After each {@code
 * write} returned it appends one line per committed key, {@code K <hex> .} (the final dot tells a
 * complete line from one cut by the kill), to a report file in one {@code write} call: a file, not
 * stdout, so what was reported before the kill is in the page cache whatever the pipe and the
 * parent's reader thread were doing. The parent kills it with SIGKILL.
 *
 * <p>Arguments: client log directory, server base URL, writer number, first key index, report
 * file.
 */
public final class CrashClient {
  private CrashClient() {}

  public static void main(String[] args) throws java.io.IOException {
    Path dir = Path.of(args[0]);
    String baseUrl = args[1];
    int writer = Integer.parseInt(args[2]);
    int next = Integer.parseInt(args[3]);
    java.io.FileOutputStream out = new java.io.FileOutputStream(args[4], true);
    IngestRealm realm = IngestRealm.open(E2e.realm(dir, baseUrl).build());
    while (true) {
      List<ObjectId> keys = E2e.keys(writer, next, next + 20);
      E2e.write(realm, keys);
      StringBuilder sb = new StringBuilder(keys.size() * 30);
      for (ObjectId id : keys) {
        sb.append("K ").append(id.toHexString()).append(" .\n");
      }
      out.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      next += 20;
    }
  }
}
