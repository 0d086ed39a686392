package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.changeset.Payload;
import io.tributary.protocol.testing.Captures;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import io.tributary.server.testing.CaptureReplay;
import io.tributary.server.testing.CaptureReplay.ExpectedObject;
import io.tributary.server.testing.EmulatedClientFile;
import io.tributary.server.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client side of every realm-core capture, replayed over a real WebSocket against a server on
 * a real LMDB sink: the replies pass realm-core's checks and the sink holds exactly the objects the
 * uploads created, once, with the values the client set.
 */
class CaptureReplayTest {
  @TempDir Path dir;

  /** Every scenario with a client session, except the refusals (10, 11), the abort (13) and 07. */
  static Stream<String> scenarios() {
    return Captures.scenarios().stream()
        .filter(s -> !s.startsWith("07") && !s.startsWith("10") && !s.startsWith("11") && !s.startsWith("13"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void shouldIngestEveryObjectOfTheCapture(String scenario) throws Exception {
    try (TestServer server = TestServer.lmdb(dir)) {
      List<ExpectedObject> created =
          CaptureReplay.run(server, scenario, new EmulatedClientFile(), false, "user-" + scenario);
      assertStoredExactly(server.store(), created);
      assertThat(server.server.metrics().errorsByCode()).isEmpty();
    }
  }

  @Test
  void resumeScenarioShouldStoreEachObjectOnceAcrossThreeConnections() throws Exception {
    try (TestServer server = TestServer.lmdb(dir)) {
      EmulatedClientFile file = new EmulatedClientFile();
      List<ExpectedObject> all = new ArrayList<>();
      // run 1: the mock never acknowledged, so the client stored no acknowledgement
      all.addAll(CaptureReplay.run(server, "07a_resume_no_ack", file, true, "resume-user"));
      long ident = file.ident;
      // run 2: same file; re-sends run 1's changesets (skipped) plus a new one
      all.addAll(CaptureReplay.run(server, "07b_resume_reconnect", file, false, "resume-user"));
      // run 3: only the new changeset
      all.addAll(CaptureReplay.run(server, "07c_resume_next", file, false, "resume-user"));
      assertThat(file.ident).isEqualTo(ident);
      List<ExpectedObject> distinct = distinct(all);
      assertThat(distinct).hasSize(6);
      assertStoredExactly(server.store(), distinct);
      assertThat(server.server.metrics().changesetsSkipped()).as("run 1's changesets re-sent in run 2").isEqualTo(2);
      assertThat(server.store().clientFiles()).hasSize(1);
    }
  }

  @Test
  void replayingTwiceOnTheSameFileStoresNothingTwice() throws Exception {
    try (TestServer server = TestServer.lmdb(dir)) {
      EmulatedClientFile file = new EmulatedClientFile();
      List<ExpectedObject> first = CaptureReplay.run(server, "04_ingest_100_in_10_transactions", file, true, "u");
      assertThat(server.store().objectCount()).isEqualTo(100);
      // a reconnect of the same file that re-sends everything (its acknowledgements were lost)
      List<ExpectedObject> second = CaptureReplay.run(server, "04_ingest_100_in_10_transactions", file, false, "u");
      assertThat(second).isEqualTo(first);
      assertStoredExactly(server.store(), first);
      assertThat(server.server.metrics().changesetsSkipped()).isEqualTo(11);
      // and once more with the acknowledgements stored: nothing is sent back, nothing stored
      CaptureReplay.run(server, "04_ingest_100_in_10_transactions", file, false, "u");
      assertStoredExactly(server.store(), first);
    }
  }

  @Test
  void restartOnTheSameDirectoryKeepsObjectsAndProgressInAgreement() throws Exception {
    EmulatedClientFile file = new EmulatedClientFile();
    List<ExpectedObject> first;
    try (TestServer server = TestServer.lmdb(dir)) {
      first = CaptureReplay.run(server, "02_ingest_3_objects", file, false, "restart-user");
    }
    try (TestServer server = TestServer.lmdb(dir)) {
      assertStoredExactly(server.store(), first);
      // the restarted server knows the file and its progress: the same changesets are skipped
      CaptureReplay.run(server, "02_ingest_3_objects", file, false, "restart-user");
      assertStoredExactly(server.store(), first);
      assertThat(server.store().clientFiles()).singleElement()
          .satisfies(f -> assertThat(f.getIntegratedClientVersion()).isEqualTo(file.downloadClientVersion));
    }
  }

  static List<ExpectedObject> distinct(List<ExpectedObject> all) {
    Set<Object> seen = new HashSet<>();
    List<ExpectedObject> out = new ArrayList<>();
    for (ExpectedObject o : all) {
      if (seen.add(o.id())) {
        out.add(o);
      }
    }
    return out;
  }

  /** The store holds these Reading objects, each once, with the uploaded values. */
  static void assertStoredExactly(IngestStore store, List<ExpectedObject> expected) {
    assertThat(distinct(expected)).hasSameSizeAs(expected);
    assertThat(store.countByClass()).isEqualTo(expected.isEmpty() ? Map.of() : Map.of("Reading", (long) expected.size()));
    assertThat(store.objectCount()).isEqualTo(expected.size());
    for (ExpectedObject e : expected) {
      IngestedObject o = store.find("Reading", Values.objectId(e.id())).orElseThrow(
          () -> new AssertionError("not stored: " + e.id()));
      assertThat(o.getPrimaryKey()).isEqualTo(Values.objectId(e.id()));
      assertThat(o.getFieldsOrThrow("sensor").getStringValue())
          .isEqualTo(((Payload.StringValue) e.fields().get("sensor")).value());
      assertThat(Double.doubleToRawLongBits(o.getFieldsOrThrow("value").getDoubleValue()))
          .isEqualTo(((Payload.DoubleValue) e.fields().get("value")).bits());
      Payload.TimestampValue ts = (Payload.TimestampValue) e.fields().get("ts");
      assertThat(o.getFieldsOrThrow("ts").getTimestampValue().getSeconds()).isEqualTo(ts.seconds());
      assertThat(o.getFieldsOrThrow("ts").getTimestampValue().getNanos()).isEqualTo(ts.nanos());
      Value location = o.getFieldsOrThrow("location");
      if (e.location().isEmpty()) {
        assertThat(location).isEqualTo(Values.nullValue());
      } else {
        Map<String, Value> loc = location.getObjectValue().getFieldsMap();
        assertThat(location.getObjectValue().getClassName()).isEqualTo("Location");
        assertThat(loc.get("lat").getDoubleValue()).isEqualTo(((Payload.DoubleValue) e.location().get("lat")).value());
        assertThat(loc.get("lon").getDoubleValue()).isEqualTo(((Payload.DoubleValue) e.location().get("lon")).value());
      }
      assertThat(o.getOriginFileIdent()).isGreaterThanOrEqualTo(2);
      assertThat(o.getSequence()).isPositive();
    }
    List<Long> sequences = new ArrayList<>();
    store.scan(0, o -> sequences.add(o.getSequence()));
    assertThat(sequences).hasSize(expected.size()).isSorted().doesNotHaveDuplicates();
  }
}
