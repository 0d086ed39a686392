package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.IngestConfig;
import io.tributary.core.IngestRealm;
import io.tributary.protocol.ObjectId;
import io.tributary.storage.lmdb.LmdbStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tributary inspect} on an LMDB upload log written by an offline realm in the test. */
class InspectCommandTest {
  @TempDir Path dir;
  private Path log;
  private final ObjectId first = ObjectId.of(0x65000000, 0x0102030405060708L);
  private final Instant ts = Instant.parse("2026-03-04T05:06:07.089Z");

  /** Versions: 1 the schema changeset (0 objects), 2 two readings, 3 three, 4 one. */
  @BeforeEach
  void writeLog() {
    log = dir.resolve("log");
    try (IngestRealm realm = IngestRealm.open(IngestConfig.builder(SensorSchema.CLIENT)
        .storage(LmdbStorage.at(log)).build())) {
      int[] sizes = {2, 3, 1};
      int n = 0;
      for (int size : sizes) {
        int base = n;
        realm.write(tx -> {
          for (int i = 0; i < size; i++) {
            ObjectId id = base + i == 0 ? first : ObjectId.of(0x65000000, base + i);
            tx.create("Reading", id).set("sensor", "t" + (base + i)).set("value", 21.5).set("ts", ts)
                .embedded("location").set("lat", 52.25).set("lon", 4.5);
          }
        });
        n += size;
      }
    }
  }

  @Test
  void summaryShowsAccountingMetadataAndTheDecodedSchema() {
    Cli cli = new Cli();
    assertThat(cli.run("inspect", log.toString())).as(cli.err()).isZero();
    String out = cli.out();
    assertThat(out)
        .startsWith("Upload log " + log + " (LMDB, ")
        .contains("  entries             4 unacknowledged (versions 1..4)\n")
        .contains("  pending objects     6\n")
        .contains("  versions            first 1, last 4, last assigned 4\n")
        .contains("  dropped             0 entries, 0 objects")
        .contains("  client file         none yet (never bound to a server)\n")
        .contains("  identity            none stored (only anonymous logins are kept)\n")
        .contains("  upload progress     client version 0 acknowledged (server version 0)\n")
        .contains("  schema              2 classes")
        .contains("    asymmetric Reading {_id: objectId (primary key), sensor: string, value: double, ts: date,"
            + " location: Location?}\n")
        .contains("    embedded Location {lat: double, lon: double}\n")
        .contains("Entries (all 4):");
    // one row per entry: version, bytes, objects, origin time
    String[] rows = out.substring(out.indexOf("Entries (all 4):")).split("\n");
    assertThat(rows).hasSize(6);
    assertThat(rows[2].trim()).matches("1 +[0-9,]+ +0  \\d{4}-\\d\\d-\\d\\dT.*Z +0");
    assertThat(rows[3].trim()).matches("2 +[0-9,]+ +2  .*");
    assertThat(rows[4].trim()).matches("3 +[0-9,]+ +3  .*");
    assertThat(rows[5].trim()).matches("4 +[0-9,]+ +1  .*");
    // the size line agrees with the listed changeset sizes plus the 32-byte header per entry
    long listed = 0;
    for (int i = 2; i < 6; i++) {
      listed += Long.parseLong(rows[i].trim().split(" +")[1].replace(",", ""));
    }
    assertThat(out).contains(String.format(java.util.Locale.ROOT, "  size                %s (changesets + 32 bytes per entry)",
        InspectCommand.bytes(listed + 4 * 32)));
  }

  @Test
  void entriesLimitsTheListing() {
    Cli cli = new Cli();
    assertThat(cli.run("inspect", log.toString(), "--entries", "2")).isZero();
    assertThat(cli.out()).contains("Entries (oldest 2 of 4):");
    assertThat(cli.out().substring(cli.out().indexOf("Entries (")).split("\n")).hasSize(4);
    Cli none = new Cli();
    assertThat(none.run("inspect", log.toString(), "--entries", "0")).isZero();
    assertThat(none.out()).doesNotContain("Entries (");
  }

  @Test
  void decodePrintsTheChangesetInstructions() {
    Cli cli = new Cli();
    assertThat(cli.run("inspect", log.toString(), "--entries", "0", "--decode", "2")).as(cli.err()).isZero();
    String out = cli.out();
    assertThat(out).contains("Changeset of version 2 (");
    String dump = out.substring(out.indexOf("Changeset of version 2"));
    String[] lines = dump.split("\n");
    // two objects: CreateObject and six Updates each (sensor, value, ts, location, location.lat, location.lon)
    assertThat(lines).hasSize(1 + 14);
    assertThat(lines[1]).isEqualTo("  CreateObject table=\"Reading\" pk=ObjectId(" + first.toHexString() + ")");
    assertThat(lines[2]).isEqualTo("  Update table=\"Reading\" pk=ObjectId(" + first.toHexString()
        + ") field=\"sensor\" path=[] value=String(\"t0\") is_default=false");
    assertThat(lines[4]).contains("field=\"ts\"").contains("2026-03-04T05:06:07.089000000Z");
    assertThat(lines[6]).contains("field=\"location\" path=[\"lat\"] value=Double(52.25 ");
    assertThat(dump).contains("value=String(\"t1\")").doesNotContain("\"t2\"");

    Cli schema = new Cli();
    assertThat(schema.run("inspect", log.toString(), "--entries", "0", "--decode", "1")).isZero();
    assertThat(schema.out()).contains("AddTable").contains("AddColumn").doesNotContain("CreateObject");
  }

  @Test
  void decodeOfAMissingVersionFailsWithOneLine() {
    Cli cli = new Cli();
    assertThat(cli.run("inspect", log.toString(), "--entries", "0", "--decode", "9")).isEqualTo(1);
    assertThat(cli.err()).isEqualTo(
        "tributary inspect: --decode 9: no such entry (expected: a version in 1..4; acknowledged entries are deleted)\n");
  }

  @Test
  void aDirectoryThatIsNoLogIsRefusedWithoutCreatingOne() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Cli cli = new Cli();
    assertThat(cli.run("inspect", empty.toString())).isEqualTo(1);
    assertThat(cli.err()).isEqualTo("tributary inspect: " + empty + ": no data.mdb (expected: a client upload log"
        + " directory, written by an IngestRealm with LmdbStorage)\n");
    try (var files = Files.list(empty)) {
      assertThat(files).isEmpty();
    }
    Cli missing = new Cli();
    assertThat(missing.run("inspect", dir.resolve("nope").toString())).isEqualTo(1);
    assertThat(missing.err()).contains("nope: not a directory");
    assertThat(Files.exists(dir.resolve("nope"))).isFalse();

    Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.write(foreign.resolve("data.mdb"), new byte[8192]);
    Cli corrupt = new Cli();
    assertThat(corrupt.run("inspect", foreign.toString())).isEqualTo(1);
    assertThat(corrupt.err()).startsWith("tributary inspect: ").contains(foreign.toString());
    assertThat(corrupt.err().lines()).hasSize(1);

    Cli verbose = new Cli();
    assertThat(verbose.run("inspect", "--verbose", empty.toString())).isEqualTo(1);
    assertThat(verbose.err()).contains("no data.mdb").contains("\tat io.tributary.cli.LogFiles.openExisting");
  }

  @Test
  void usageErrors() {
    Cli cli = new Cli();
    assertThat(cli.run("inspect")).isEqualTo(2);
    assertThat(cli.err()).startsWith("tributary inspect: Missing required parameter: 'LOG-DIR'\n");
    Cli neg = new Cli();
    assertThat(neg.run("inspect", log.toString(), "--entries", "-1")).isEqualTo(2);
    assertThat(neg.err()).startsWith("tributary inspect: --entries -1 (expected: >= 0)\n");
  }
}
