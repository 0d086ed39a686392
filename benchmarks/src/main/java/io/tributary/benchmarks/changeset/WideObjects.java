package io.tributary.benchmarks.changeset;

import io.tributary.protocol.ObjectId;
import io.tributary.protocol.changeset.ChangesetWriter;
import io.tributary.protocol.changeset.Name;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A wide asymmetric object with one property of every value type a changeset payload carries:
 * {@code Wide {_id: objectId, i: int, b: bool, s: string, bin: data, ts: date, f: float, d: double,
 * dec: decimal128, oid: objectId, u: uuid, n: string? (null), m: mixed (int)}} — 12 Updates after
 * the CreateObject. Seeded inputs; the benchmark never mutates them.
 */
final class WideObjects {
  static final Name N_CLASS = Name.of("Wide");
  static final Name N_I = Name.of("i");
  static final Name N_B = Name.of("b");
  static final Name N_S = Name.of("s");
  static final Name N_BIN = Name.of("bin");
  static final Name N_TS = Name.of("ts");
  static final Name N_F = Name.of("f");
  static final Name N_D = Name.of("d");
  static final Name N_DEC = Name.of("dec");
  static final Name N_OID = Name.of("oid");
  static final Name N_U = Name.of("u");
  static final Name N_N = Name.of("n");
  static final Name N_M = Name.of("m");

  final ObjectId[] ids;
  final long[] ints;
  final String[] strings;
  final byte[][] binaries;
  final long[] seconds;
  final int[] nanos;
  final double[] doubles;
  final long[] decimals;
  final ObjectId[] oids;
  final UUID[] uuids;

  WideObjects(int n) {
    SplittableRandom random = new SplittableRandom(1);
    ids = new ObjectId[n];
    ints = new long[n];
    strings = new String[n];
    binaries = new byte[n][];
    seconds = new long[n];
    nanos = new int[n];
    doubles = new double[n];
    decimals = new long[n];
    oids = new ObjectId[n];
    uuids = new UUID[n];
    for (int i = 0; i < n; i++) {
      ids[i] = ObjectId.of(1_709_296_496 + i, random.nextLong());
      ints[i] = random.nextLong(-1_000_000, 1_000_000);
      strings[i] = "device-" + random.nextInt(10_000) + " firmware 2.4.1";
      binaries[i] = new byte[16];
      for (int j = 0; j < 16; j++) {
        binaries[i][j] = (byte) random.nextInt();
      }
      seconds[i] = 1_709_296_496L + i;
      nanos[i] = random.nextInt(1_000_000_000);
      doubles[i] = random.nextDouble() * 1000;
      decimals[i] = random.nextLong(1, 10_000_000);
      oids[i] = ObjectId.of(1_709_000_000 + i, random.nextLong());
      uuids[i] = new UUID(random.nextLong(), random.nextLong());
    }
  }

  /** Writes object {@code i}: CreateObject and 12 Updates, one per value type. */
  void write(ChangesetWriter w, int i) {
    w.createObject(N_CLASS, ids[i]);
    w.update(N_I).intValue(ints[i]);
    w.update(N_B).boolValue((i & 1) == 0);
    w.update(N_S).stringValue(strings[i]);
    w.update(N_BIN).binaryValue(binaries[i]);
    w.update(N_TS).timestampValue(seconds[i], nanos[i]);
    w.update(N_F).floatValue((float) doubles[i]);
    w.update(N_D).doubleValue(doubles[i]);
    // decimals[i] × 10^-2 (coefficient, exponent, sign: the allocation-free form)
    w.update(N_DEC).decimalValue(0, decimals[i], -2, false);
    w.update(N_OID).objectIdValue(oids[i]);
    w.update(N_U).uuidValue(uuids[i]);
    w.update(N_N).nullValue();
    w.update(N_M).intValue(ints[i] >> 3);
  }
}
