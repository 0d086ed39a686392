/**
 * The Realm sync changeset format (spec {@code changeset.md}): a zero-copy writer and a validating
 * reader, byte-compatible with realm-core 14.
 *
 * <h2>Contents</h2>
 *
 * <ul>
 *   <li>{@link io.tributary.protocol.changeset.ChangesetWriter}: writes schema (AddTable,
 *       AddColumn) and object (CreateObject, Update, ArrayInsert, SetInsert, ...) instructions
 *       straight into a {@link io.tributary.protocol.changeset.ByteSink}, interning names on first
 *       use as realm-core's client history does (§4, §9, §10); {@link
 *       io.tributary.protocol.changeset.Name} prepares a schema's names once for the hot path,
 *       and {@link io.tributary.protocol.changeset.FieldPath} a whole Update target (property, or
 *       property of an embedded object) so that an Update is one call, e.g. {@code
 *       w.doubleValue(path, v)}.
 *       Sinks: {@link
 *       io.tributary.protocol.changeset.ArrayByteSink} (growable heap array), {@link
 *       io.tributary.protocol.changeset.ByteBufferSink} (heap or direct buffer), or your own.
 *   <li>{@link io.tributary.protocol.changeset.ChangesetReader}: a cursor that validates every
 *       record (§2–§6, §13) and exposes its fields without allocation; errors are {@link
 *       io.tributary.protocol.changeset.ChangesetFormatException} with the field, byte offset and
 *       expectation.
 *   <li>The materialised form for tests, tools and the server: {@link
 *       io.tributary.protocol.changeset.Changeset}, {@link
 *       io.tributary.protocol.changeset.Instruction}, {@link
 *       io.tributary.protocol.changeset.Payload}, {@link
 *       io.tributary.protocol.changeset.PrimaryKey}, {@link
 *       io.tributary.protocol.changeset.PathElement}, whose {@code toString()} prints realm-core's
 *       {@code changeset-dump} lines; {@link io.tributary.protocol.changeset.EmbeddedOwners} finds
 *       the embedded class of a path in a schema.
 *   <li>The codes: {@link io.tributary.protocol.changeset.InstructionType}, {@link
 *       io.tributary.protocol.changeset.PayloadType} (§5.1), {@link
 *       io.tributary.protocol.changeset.ColumnType}, {@link
 *       io.tributary.protocol.changeset.TableType}, {@link
 *       io.tributary.protocol.changeset.CollectionType}, and {@link
 *       io.tributary.protocol.changeset.Varint} (§2.1, not LEB128).
 * </ul>
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li><b>Hot paths allocate nothing</b> once warmed up: encoding an object with the writer, and a
 *       validating pass of the reader ({@code next()} and the primitive accessors). Allocating
 *       accessors say so.
 *   <li><b>Buffers</b>: sinks and input buffers are <i>borrowed</i> by the writer/reader until its
 *       next {@code reset}; views returned by the reader are borrowed like its input; arrays passed
 *       to copy methods are borrowed for the call.
 *   <li><b>Bad input</b> is never trusted: every length and count is checked against the bytes left
 *       (and the 16 777 199-byte string limit) before it is used.
 *   <li><b>Threads</b>: writers and readers are not thread safe (one thread at a time); the
 *       materialised types, enums, {@link io.tributary.protocol.changeset.Name}, {@link
 *       io.tributary.protocol.changeset.FieldPath} and {@link
 *       io.tributary.protocol.changeset.EmbeddedOwners} are thread safe.
 *   <li><b>Nulls</b>: null arguments throw {@link java.lang.NullPointerException} unless a
 *       parameter's documentation says otherwise.
 * </ul>
 */
package io.tributary.protocol.changeset;
