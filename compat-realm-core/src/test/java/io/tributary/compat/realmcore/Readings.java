package io.tributary.compat.realmcore;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.RealmTimestamp;
import io.tributary.server.proto.Value;
import io.tributary.server.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The test model's data: {@code Reading} objects (asymmetric, with an embedded {@code Location}),
 * how the tests make them and how they check that the server stored exactly them. Shared by the
 * realm-core 13 driver's tests and, compiled into compat-realm-core-14 from this directory, the
 * realm-core 14 ones.
 */
final class Readings {
  private Readings() {}

  /** One Reading as a test writes it. */
  record Reading(byte[] id, String sensor, double value, Instant ts, double lat, double lon) {}

  /** {@code n} readings with distinct object ids and values from {@code seed}. */
  static List<Reading> readings(int n, long seed) {
    Random random = new Random(seed);
    List<Reading> out = new ArrayList<>(n);
    Instant start = Instant.parse("2026-11-23T12:00:00.123456789Z");
    for (int i = 0; i < n; i++) {
      byte[] id = new byte[12];
      random.nextBytes(id);
      id[0] = (byte) (seed >>> 8);
      id[1] = (byte) seed;
      id[10] = (byte) (i >>> 8);
      id[11] = (byte) i;
      out.add(new Reading(id, "sensor-" + (i % 17), random.nextDouble() * 100 - 50, start.plusMillis(i * 1001L),
          random.nextDouble() * 180 - 90, random.nextDouble() * 360 - 180));
    }
    return out;
  }

  /**
   * The server's store holds exactly {@code readings} (no other Reading, no duplicate), each under
   * {@code userId} and with every field as written.
   */
  static void assertStoreHoldsExactly(TestServer server, List<Reading> readings, String userId) {
    assertThat(server.store().countByClass()).containsExactly(Map.entry("Reading", (long) readings.size()));
    for (Reading r : readings) {
      String id = HexFormat.of().formatHex(r.id());
      IngestedObject o = server.store().find("Reading", Value.newBuilder().setObjectIdValue(id).build())
          .orElseThrow(() -> new AssertionError("Reading " + id + " not stored"));
      assertThat(o.getUserId()).isEqualTo(userId);
      Map<String, Value> f = o.getFieldsMap();
      assertThat(f.get("sensor").getStringValue()).isEqualTo(r.sensor());
      assertThat(f.get("value").getDoubleValue()).isEqualTo(r.value());
      assertThat(f.get("ts").getTimestampValue())
          .isEqualTo(RealmTimestamp.newBuilder().setSeconds(r.ts().getEpochSecond()).setNanos(r.ts().getNano()).build());
      Value location = f.get("location");
      assertThat(location.getObjectValue().getClassName()).isEqualTo("Location");
      assertThat(location.getObjectValue().getFieldsMap().get("lat").getDoubleValue()).isEqualTo(r.lat());
      assertThat(location.getObjectValue().getFieldsMap().get("lon").getDoubleValue()).isEqualTo(r.lon());
    }
  }

  /** The path of {@code url}. */
  static String path(String url) {
    return java.net.URI.create(url).getPath();
  }
}
