package io.tributary.core;

import io.tributary.core.internal.Committer;
import io.tributary.core.internal.SchemaChanges;
import io.tributary.core.internal.SchemaCodec;
import io.tributary.core.internal.SchemaModel;
import io.tributary.core.internal.WriteEngine;
import io.tributary.core.spi.UploadLog;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.ChangesetWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An ingest realm: a schema of asymmetric classes and a durable upload log; apps create objects
 * in write transactions and the objects are streamed to the server.
 *
 * <pre>{@code
 * try (IngestRealm realm = IngestRealm.open(config)) {
 *   long version = realm.write(tx ->
 *       tx.create("Reading", ObjectId.get())
 *           .set("sensor", "t1")
 *           .set("value", 21.5)
 *           .set("ts", Instant.now())
 *           .embedded("location").set("lat", 52.1).set("lon", 4.3));
 * }
 * }</pre>
 *
 * <h2>Opening</h2>
 *
 * {@link #open} refuses schemas with top-level classes, opens the log and compares the schema
 * with the one stored in the log (its metadata): none stored → the schema changeset (AddTable /
 * AddColumn, spec changeset.md §9.1) is appended as the first entry (with 0 objects) and the
 * schema is stored; equal → nothing; only new classes or properties → a changeset with just the
 * additions is appended, as realm-core's additive mode does, and the new schema is stored;
 * anything removed or changed → {@link SchemaException} listing every difference, and the log is
 * left as it was. The schema changeset is appended before the schema is stored: a crash in between
 * appends it once more at the next open, which the server accepts (identical AddTable/AddColumn
 * are allowed, spec changeset.md §11.1).
 *
 * <h2>Writing</h2>
 *
 * {@link #write} runs a {@link Transaction} on the calling thread and commits it as one changeset
 * under the next client version; see {@link Transaction} for what the changeset contains. Any
 * number of threads may write at once: each encodes into its own buffer and the log serializes the
 * appends (concurrent commits may share one sync). When {@code write} returns, the changeset is as
 * durable as the log's {@link io.tributary.core.spi.Durability} says.
 *
 * <h2>Reading</h2>
 *
 * Asymmetric objects cannot be read, queried or deleted once written, as in every Realm SDK:
 * {@link #objects}, {@link #find} and {@link Transaction#delete} exist so that the mistake gets
 * Realm's message ({@link AsymmetricObjectException}).
 *
 * <p>Thread safe. Null arguments throw {@link NullPointerException}.
 */
public final class IngestRealm implements AutoCloseable {
  private final IngestConfig config;
  private final UploadLog log;
  private final Committer committer;
  private final WriteEngine engine;
  private final SchemaModel model;
  private final AtomicBoolean closed = new AtomicBoolean();

  private IngestRealm(IngestConfig config, UploadLog log, Committer committer, SchemaModel model) {
    this.config = config;
    this.log = log;
    this.committer = committer;
    this.model = model;
    this.engine = new WriteEngine(model, committer, config.maxChangesetBytes());
  }

  /**
   * Opens the realm: checks the schema, opens the upload log and brings the log's schema up to
   * date (see the class comment).
   *
   * @param config what to open
   * @return the open realm; close it
   * @throws SchemaException if the schema has a top-level class, or is not an additive change of
   *     the schema stored in the log
   * @throws io.tributary.core.spi.UploadLogException if the log cannot be opened or written (for
   *     example {@code LogCorruptException} for a damaged stored schema)
   */
  public static IngestRealm open(IngestConfig config) {
    Objects.requireNonNull(config, "config");
    Schema schema = config.schema();
    for (ObjectSchema c : schema.classes()) {
      if (c.kind() == ObjectSchema.Kind.TOP_LEVEL) {
        throw new SchemaException(
            c.name() + ": top-level class in an ingest realm, which holds asymmetric classes and"
                + " the embedded classes they use only (expected: open the top-level classes in a"
                + " separate realm)");
      }
    }
    SchemaModel model = new SchemaModel(schema);
    UploadLog log = config.storage().open(config.logOptions());
    try {
      Committer committer = new Committer(log, config.clock());
      updateStoredSchema(log, committer, schema);
      return new IngestRealm(config, log, committer, model);
    } catch (RuntimeException | Error e) {
      try {
        log.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static void updateStoredSchema(UploadLog log, Committer committer, Schema schema) {
    byte[] stored = log.metadata().schema();
    Schema old = stored == null || stored.length == 0 ? null : SchemaCodec.decode(stored);
    if (old != null) {
      List<String> problems = SchemaChanges.incompatibilities(old, schema);
      if (!problems.isEmpty()) {
        throw new SchemaException(
            "schema: does not match the schema this log was created with: "
                + String.join("; ", problems) + " (expected: the stored schema plus new classes"
                + " and properties only; write changed classes to a new log)");
      }
    }
    if (old == null || SchemaChanges.hasAdditions(old, schema)) {
      ArrayByteSink sink = new ArrayByteSink();
      ChangesetWriter w = new ChangesetWriter(sink);
      SchemaChanges.write(w, schema, old);
      w.finish();
      committer.commit(sink.asByteBuffer(), 0);
    }
    byte[] encoded = SchemaCodec.encode(schema);
    if (!Arrays.equals(stored, encoded)) {
      log.storeSchema(ByteBuffer.wrap(encoded));
    }
  }

  /**
   * Runs {@code body} as one write transaction on the calling thread and commits what it created
   * as one changeset. If {@code body} throws, nothing is written and the exception propagates.
   *
   * @param body creates objects through the {@link Transaction}; the transaction and its writers
   *     are valid only until it returns
   * @return the client version the log assigned to the changeset, or 0 if {@code body} created no
   *     object (then nothing is appended)
   * @throws IllegalStateException if the realm is closed, or this thread is already inside a
   *     {@code write} of this realm
   * @throws ChangesetTooLargeException if the changeset exceeds {@link
   *     IngestConfig#maxChangesetBytes()}
   * @throws io.tributary.core.spi.UploadLogException if the log refused the append (full, closed,
   *     timed out, failed)
   */
  public long write(Consumer<? super Transaction> body) {
    checkOpen("write");
    return engine.write(body);
  }

  /** The realm's schema. */
  public Schema schema() {
    return config.schema();
  }

  /** The configuration the realm was opened with. */
  public IngestConfig config() {
    return config;
  }

  /**
   * Always fails: asymmetric objects cannot be queried.
   *
   * @param className a class of the schema
   * @return never returns normally
   * @throws AsymmetricObjectException always ({@code "Queries on asymmetric objects are not
   *     allowed: Reading"})
   * @throws IllegalArgumentException if the class is not in the schema
   * @throws IllegalStateException if the realm is closed
   */
  public Iterable<Object> objects(String className) {
    throw queryError(className);
  }

  /**
   * Always fails: asymmetric objects cannot be looked up by primary key.
   *
   * @param className a class of the schema
   * @param primaryKey the key (may be null)
   * @return never returns normally
   * @throws AsymmetricObjectException always
   * @throws IllegalArgumentException if the class is not in the schema
   * @throws IllegalStateException if the realm is closed
   */
  public Object find(String className, Object primaryKey) {
    throw queryError(className);
  }

  private RuntimeException queryError(String className) {
    Objects.requireNonNull(className, "className");
    checkOpen("query");
    ObjectSchema c = schema().get(className);
    if (c == null) {
      return new IllegalArgumentException(
          "Unknown class '" + className + "' (expected a class of the schema)");
    }
    return new AsymmetricObjectException(
        c.kind() == ObjectSchema.Kind.EMBEDDED
            ? "Embedded objects cannot be queried directly: " + className
            : "Queries on asymmetric objects are not allowed: " + className);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes the realm and its upload log. Idempotent. Later calls to {@link #write} throw {@link
   * IllegalStateException}; a transaction committing concurrently either completes or fails with
   * an exception (nothing half-written).
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      engine.close();
      log.close();
    }
  }

  private void checkOpen(String method) {
    if (closed.get()) {
      throw new IllegalStateException(
          method + ": the IngestRealm is closed (expected: an open realm)");
    }
  }

  /** The upload log: the seam through which the sync session (issue 8) reads and acknowledges. */
  UploadLog log() {
    return log;
  }

  /** The committer: the sync session registers its {@code CommitListener} here (issue 8). */
  Committer committer() {
    return committer;
  }

  SchemaModel model() {
    return model;
  }

  WriteEngine engine() {
    return engine;
  }

  @Override
  public String toString() {
    return "IngestRealm{" + (closed.get() ? "closed" : "open") + ", " + config + "}";
  }
}
