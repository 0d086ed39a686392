package io.tributary.protocol.message;

/**
 * One sync protocol message as an immutable value (spec protocol.md §5). Client-to-server
 * messages implement {@link ClientMessage}, server-to-client ones {@link ServerMessage}; {@link
 * MarkMessage} and {@link TestCommandMessage} are both.
 *
 * <p>Encode with {@link MessageEncoder}, decode with {@link MessageDecoder}. For the UPLOAD and
 * DOWNLOAD hot paths use {@link UploadBuilder}, {@link UploadCursor} and {@link DownloadCursor},
 * which do not materialise entries.
 */
public sealed interface Message permits ClientMessage, ServerMessage {
  /** The message type (the first word of the header line). */
  MessageType type();
}
