package io.tributary.cli;

import io.tributary.protocol.ObjectId;
import io.tributary.server.IngestStore;
import io.tributary.server.proto.IngestedObject;
import io.tributary.server.proto.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * The demo's proof: reads the server's store back and compares it with what the devices wrote.
 * Passes only if every written key is stored exactly once, nothing else was stored since the run
 * began, every object came from its device's client file with its device's data, the store's
 * per-class count agrees with the scan, and every device's upload log is empty.
 *
 * <p>The written set is not kept as keys: the keys of a run ({@link SensorSchema}) name device and
 * sequence number, so each device's writes are the sequence numbers {@code 0..written-1} and the
 * comparison needs one bit per written object. Stateless; {@link #verify} is thread safe if the
 * store is.
 */
final class ExactlyOnceCheck {
  private static final int MAX_PROBLEM_EXAMPLES = 3;

  private ExactlyOnceCheck() {}

  /**
   * What a device wrote and what its upload log holds after the run.
   *
   * @param name e.g. {@code device-1}
   * @param logDir the log's directory
   * @param written objects the device committed, 0..2^31-1
   * @param clientFileIdent the client file ident stored in the log (0: none)
   * @param logEntries entries still in the log (unacknowledged)
   * @param logPendingObjects objects in those entries
   */
  record DeviceLog(String name, Path logDir, long written, long clientFileIdent, long logEntries,
      long logPendingObjects) {}

  /**
   * The outcome.
   *
   * @param written objects the devices wrote
   * @param scanned objects the store holds after the run's start sequence (any class)
   * @param storedByDevice per device, its distinct written keys found
   * @param exactlyOnce written keys found exactly once
   * @param missing written keys not found
   * @param duplicates objects whose key was already seen in the scan
   * @param extras objects in the scan that no device of this run wrote
   * @param wrongOrigin objects stored under another client file than their device's
   * @param wrongContent objects whose sensor name is not their device's
   * @param countDelta growth of the store's count of the sensor class during the run
   * @param indexMisses written keys the store's primary-key lookup did not find (the first and last
   *     key of each device are looked up)
   * @param logEntries unacknowledged entries left in the device logs
   * @param problems one line per kind of failure, with examples; empty if the check passed
   */
  record Result(long written, long scanned, long[] storedByDevice, long exactlyOnce, long missing,
      long duplicates, long extras, long wrongOrigin, long wrongContent, long countDelta, long indexMisses,
      long logEntries, List<String> problems) {

    /** Whether everything arrived exactly once and nothing else did. */
    boolean passed() {
      return problems.isEmpty();
    }
  }

  /**
   * Compares the store with the devices' writes.
   *
   * @param store the server's store
   * @param afterSequence the store's last sequence number before the run (objects after it are
   *     the run's)
   * @param countBefore the store's count of {@link SensorSchema#READING} before the run
   * @param keys the run's keys
   * @param devices per device index, what it wrote and its log's state
   */
  static Result verify(IngestStore store, long afterSequence, long countBefore, SensorSchema keys,
      List<DeviceLog> devices) {
    int n = devices.size();
    BitSet[] seen = new BitSet[n];
    long written = 0;
    for (int d = 0; d < n; d++) {
      long w = devices.get(d).written();
      if (w < 0 || w > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(devices.get(d).name() + ": written " + w + " (expected: 0..2^31-1)");
      }
      seen[d] = new BitSet((int) w);
      written += w;
    }
    long[] storedByDevice = new long[n];
    long[] counts = new long[5]; // scanned, duplicates, extras, wrongOrigin, wrongContent
    List<String> extraExamples = new ArrayList<>();
    List<String> duplicateExamples = new ArrayList<>();
    List<String> originExamples = new ArrayList<>();
    store.scan(afterSequence, o -> {
      counts[0]++;
      ObjectId id = objectId(o);
      if (!o.getClassName().equals(SensorSchema.READING) || id == null || !keys.isOfRun(id)) {
        counts[2]++;
        example(extraExamples, describe(o));
        return true;
      }
      int d = SensorSchema.device(id);
      long seq = SensorSchema.sequence(id);
      if (d >= n || seq >= devices.get(d).written()) {
        counts[2]++;
        example(extraExamples, describe(o) + " (device-" + (d + 1) + " write #" + seq + ": never written)");
        return true;
      }
      if (seen[d].get((int) seq)) {
        counts[1]++;
        example(duplicateExamples, describe(o));
        return true;
      }
      seen[d].set((int) seq);
      storedByDevice[d]++;
      if (o.getOriginFileIdent() != devices.get(d).clientFileIdent()) {
        counts[3]++;
        example(originExamples, describe(o) + " from client file " + o.getOriginFileIdent() + " (expected: "
            + devices.get(d).clientFileIdent() + ", " + devices.get(d).name() + ")");
      }
      Value sensor = o.getFieldsMap().get("sensor");
      if (sensor == null || !sensor.getStringValue().equals(SensorSchema.sensorName(d))) {
        counts[4]++;
      }
      return true;
    });

    List<String> problems = new ArrayList<>();
    long exactlyOnce = 0;
    long missing = 0;
    long indexMisses = 0;
    long logEntries = 0;
    for (int d = 0; d < n; d++) {
      DeviceLog dev = devices.get(d);
      exactlyOnce += storedByDevice[d];
      long m = dev.written() - storedByDevice[d];
      missing += m;
      if (m > 0) {
        int first = seen[d].nextClearBit(0);
        problems.add(String.format(Locale.ROOT, "%s: %,d of %,d written objects missing (first: write #%d, _id %s)",
            dev.name(), m, dev.written(), first, keys.key(d, first).toHexString()));
      }
      if (dev.written() > 0) {
        for (long seq : new long[] {0, dev.written() - 1}) {
          Value pk = Value.newBuilder().setObjectIdValue(keys.key(d, seq).toHexString()).build();
          if (store.find(SensorSchema.READING, pk).isEmpty()) {
            indexMisses++;
            problems.add(dev.name() + ": the store's primary-key lookup does not find _id "
                + keys.key(d, seq).toHexString() + " (write #" + seq + ")");
          }
        }
      }
      logEntries += dev.logEntries();
      if (dev.logEntries() > 0) {
        problems.add(String.format(Locale.ROOT,
            "%s: upload log %s still holds %,d unacknowledged entries (%,d objects) (expected: empty)",
            dev.name(), dev.logDir(), dev.logEntries(), dev.logPendingObjects()));
      }
    }
    if (counts[1] > 0) {
      problems.add(String.format(Locale.ROOT, "%,d objects stored more than once (first: %s)",
          counts[1], String.join("; ", duplicateExamples)));
    }
    if (counts[2] > 0) {
      problems.add(String.format(Locale.ROOT, "%,d objects stored that this run never wrote (first: %s)",
          counts[2], String.join("; ", extraExamples)));
    }
    if (counts[3] > 0) {
      problems.add(String.format(Locale.ROOT, "%,d objects stored under another client file than their device's"
          + " (first: %s)", counts[3], String.join("; ", originExamples)));
    }
    if (counts[4] > 0) {
      problems.add(String.format(Locale.ROOT, "%,d objects carry another device's sensor name", counts[4]));
    }
    long countDelta = store.countByClass().getOrDefault(SensorSchema.READING, 0L) - countBefore;
    long readingsScanned = exactlyOnce + counts[1] + counts[2];
    if (countDelta != written && problems.isEmpty()) {
      problems.add(String.format(Locale.ROOT,
          "the store counts %,d new %s objects, the scan found %,d and the devices wrote %,d",
          countDelta, SensorSchema.READING, readingsScanned, written));
    }
    return new Result(written, counts[0], storedByDevice, exactlyOnce, missing, counts[1], counts[2], counts[3],
        counts[4], countDelta, indexMisses, logEntries, List.copyOf(problems));
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < MAX_PROBLEM_EXAMPLES) {
      examples.add(text);
    }
  }

  private static ObjectId objectId(IngestedObject o) {
    if (o.getPrimaryKey().getKindCase() != Value.KindCase.OBJECT_ID_VALUE) {
      return null;
    }
    try {
      return ObjectId.fromHex(o.getPrimaryKey().getObjectIdValue());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String describe(IngestedObject o) {
    return o.getClassName() + " _id " + (o.getPrimaryKey().getKindCase() == Value.KindCase.OBJECT_ID_VALUE
        ? o.getPrimaryKey().getObjectIdValue() : o.getPrimaryKey().toString().trim())
        + " (store sequence " + o.getSequence() + ")";
  }
}
