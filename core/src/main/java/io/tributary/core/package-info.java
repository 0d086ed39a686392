/**
 * The client engine's API: describe the schema, open an ingest realm, write insert-only objects.
 *
 * <ul>
 *   <li>Schema: {@link io.tributary.core.Schema} of {@link io.tributary.core.ObjectSchema}s
 *       (asymmetric, embedded; top-level only to be rejected), each of {@link
 *       io.tributary.core.Property properties} with a {@link io.tributary.core.PropertyType} and a
 *       {@link io.tributary.core.CollectionType}. Rule violations throw {@link
 *       io.tributary.core.SchemaException} naming the class and property.
 *   <li>Realm: {@link io.tributary.core.IngestConfig} (schema, storage, log options, limits) and
 *       {@link io.tributary.core.IngestRealm}.
 *   <li>Writing: {@link io.tributary.core.IngestRealm#write} runs a {@link
 *       io.tributary.core.Transaction}; {@link io.tributary.core.ObjectWriter}, {@link
 *       io.tributary.core.ListWriter}, {@link io.tributary.core.SetWriter} and {@link
 *       io.tributary.core.DictionaryWriter} write straight into the transaction's changeset.
 * </ul>
 *
 * <h2>Exceptions</h2>
 *
 * Misuse throws at the call that made the mistake: {@link java.lang.IllegalArgumentException} for
 * a bad value (unknown class or property, wrong type, null for a required property, ...), {@link
 * java.lang.IllegalStateException} for a bad moment (writer used after its transaction, realm
 * closed, nested write). Domain failures are {@link io.tributary.core.TributaryException}s:
 * {@link io.tributary.core.SchemaException}, {@link
 * io.tributary.core.DuplicatePrimaryKeyException}, {@link
 * io.tributary.core.ChangesetTooLargeException}, and the log's {@link
 * io.tributary.core.spi.UploadLogException}s. Reading, querying or deleting asymmetric objects
 * throws {@link io.tributary.core.AsymmetricObjectException}.
 *
 * <h2>Threads</h2>
 *
 * Schemas and configurations are immutable; {@link io.tributary.core.IngestRealm} is thread safe.
 * A transaction and its writers are confined to the thread that runs it, and valid only while its
 * body runs.
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method of a type in
 * this package throws {@link java.lang.NullPointerException}.
 */
package io.tributary.core;
