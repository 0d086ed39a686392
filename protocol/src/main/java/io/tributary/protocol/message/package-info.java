/**
 * The FLX sync protocol messages and their codec (spec protocol.md §3.2, §4–§6).
 *
 * <ul>
 *   <li>Values: {@link io.tributary.protocol.message.Message} and its records, one per message
 *       type and direction ({@link io.tributary.protocol.message.ClientMessage}, {@link
 *       io.tributary.protocol.message.ServerMessage}).
 *   <li>Codec: {@link io.tributary.protocol.message.MessageEncoder} into a reusable {@link
 *       io.tributary.protocol.message.MessageBuffer}; {@link
 *       io.tributary.protocol.message.MessageDecoder} from a {@link java.nio.ByteBuffer}.
 *   <li>Hot paths without per-entry objects: {@link io.tributary.protocol.message.UploadBuilder}
 *       (client), {@link io.tributary.protocol.message.UploadCursor} (server), {@link
 *       io.tributary.protocol.message.DownloadCursor} (client).
 *   <li>Limits, version and compression settings: {@link
 *       io.tributary.protocol.message.CodecConfig}.
 *   <li>Version negotiation: {@link io.tributary.protocol.message.Subprotocols}.
 * </ul>
 *
 * <p>Errors: decoders throw {@link io.tributary.protocol.ProtocolException} for any bad input and
 * nothing else; it carries the protocol error a server answers with, the field and the byte
 * offset. Encoders and constructors throw {@link java.lang.IllegalArgumentException} for values
 * the wire cannot carry (negative numbers).
 *
 * <p>Null policy: unless a method says otherwise, passing {@code null} to any method or
 * constructor of a type in this package throws {@link java.lang.NullPointerException}.
 *
 * <p>Buffer ownership: input buffers are <em>borrowed</em> and never modified (position and limit
 * included). Changesets of decoded UPLOAD/DOWNLOAD entries are <em>views</em> of the input (or of
 * an inflated copy), not copies. Buffers returned by encoders, builders and cursors are borrowed
 * until the next call on the same object.
 *
 * <p>Threads: message records and {@code CodecConfig} are immutable and thread safe; encoders,
 * decoders, builders, cursors and buffers are not (use one per connection or thread).
 */
package io.tributary.protocol.message;
