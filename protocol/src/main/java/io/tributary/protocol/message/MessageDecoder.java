package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolError;
import io.tributary.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one sync protocol message (one WebSocket binary message) into its value type (spec
 * protocol.md §4, §5, §6).
 *
 * <p>A server calls {@link #decodeClientMessage}, a client {@link #decodeServerMessage}; each
 * refuses the other direction's types as unknown. For UPLOAD and DOWNLOAD on a hot path use
 * {@link UploadCursor} / {@link DownloadCursor} instead (no per-entry objects); {@link #peekType}
 * tells which one to use without allocating.
 *
 * <p>Every problem is a {@link ProtocolException} naming the field and its byte offset and
 * carrying the error a server answers with (§10.4):
 *
 * <table>
 *   <caption>Error codes</caption>
 *   <tr><th>code</th><th>when</th></tr>
 *   <tr><td>102 unknown_message</td><td>unknown type word, or a type the other side sends</td></tr>
 *   <tr><td>103 bad_syntax</td><td>header: no LF, too long, wrong field count, empty field,
 *       sign, non-digit, overflow, boolean not 0/1; body size not equal to the bytes present;
 *       trailing bytes; invalid UTF-8; malformed or mis-shaped JSON</td></tr>
 *   <tr><td>110 bad_decompression</td><td>compressed size not equal to the bytes present; corrupt,
 *       truncated or over-long zlib data; trailing bytes after the stream</td></tr>
 *   <tr><td>111 bad_changeset_header_syntax</td><td>an entry header in an UPLOAD/DOWNLOAD body</td></tr>
 *   <tr><td>112 bad_changeset_size</td><td>a changeset reaching beyond the body</td></tr>
 *   <tr><td>201 other_session_error / 101 other_error</td><td>a configured limit exceeded (201
 *       when the message's session ident is known, else 101); never 104, which crashes
 *       realm-core</td></tr>
 * </table>
 *
 * <p>Header syntax (§4.2): exactly one space between fields, LF at the end, unsigned decimal
 * numbers in 0..2^63-1 (no sign, no other character), booleans 0 or 1, at most {@link
 * CodecConfig#maxHeaderLength()} bytes. Leading zeros ({@code 03}) are accepted, as realm-core's
 * parser accepts them and the spec does not list them among what a reader must reject; writers
 * never emit them.
 *
 * <p>All sizes are checked against the bytes present and the {@link CodecConfig} limits before
 * anything is allocated; compressed bodies are inflated with a hard bound. The input buffer is
 * read from its position to its limit and never modified (position and limit included).
 * Decoded UPLOAD/DOWNLOAD entries are views: see {@link UploadMessage}.
 *
 * <p>Not thread safe: use one decoder per connection or thread. {@link #close()} frees the zlib
 * native memory.
 */
public final class MessageDecoder implements AutoCloseable {
  private static final String[] BIND = {
    "session_ident", "json_size", "token_size", "need_client_file_ident", "is_subserver"
  };
  private static final String[] CLIENT_IDENT = {
    "session_ident",
    "client_file_ident",
    "client_file_ident_salt",
    "download_server_version",
    "download_client_version",
    "latest_server_version",
    "latest_server_version_salt",
    "query_version",
    "query_size"
  };
  private static final String[] SERVER_IDENT = {
    "session_ident", "client_file_ident", "client_file_ident_salt"
  };
  private static final String[] QUERY = {"session_ident", "query_version", "query_size"};
  private static final String[] MARK = {"session_ident", "request_ident"};
  private static final String[] SESSION_ONLY = {"session_ident"};
  private static final String[] PING = {"timestamp", "rtt"};
  private static final String[] PONG = {"timestamp"};
  private static final String[] ERROR = {
    "error_code", "message_size", "try_again", "session_ident"
  };
  private static final String[] JSON_ERROR = {"error_code", "message_size", "session_ident"};
  private static final String[] QUERY_ERROR = {
    "error_code", "message_size", "session_ident", "query_version"
  };
  private static final String[] LOG_MESSAGE = {"session_ident", "message_size"};
  private static final String[] TEST_COMMAND = {"session_ident", "request_ident", "body_size"};

  private final CodecConfig config;
  private final HeaderParser header = new HeaderParser();
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private UploadCursor uploadCursor;
  private DownloadCursor downloadCursor;

  /**
   * A decoder with the protocol version and limits of {@code config}.
   *
   * @param config not null
   */
  public MessageDecoder(CodecConfig config) {
    this.config = java.util.Objects.requireNonNull(config, "config");
  }

  /** The configuration. */
  public CodecConfig config() {
    return config;
  }

  /**
   * The type of a message, after checking its size limit, that its header line ends with LF within
   * the limit and that the type word is known. Allocates nothing.
   *
   * @throws ProtocolException 101, 102 or 103 as for the decode methods
   */
  public MessageType peekType(ByteBuffer message) {
    checkMessageSize(message, config);
    return header.begin(message, config.maxHeaderLength());
  }

  /**
   * Decodes a message a client sent (server side).
   *
   * @param message one message from position to limit; read, never modified; UPLOAD entries view
   *     it
   * @return the message value
   * @throws ProtocolException if the message is malformed, of a server-only type, or beyond a
   *     limit
   */
  public ClientMessage decodeClientMessage(ByteBuffer message) {
    checkMessageSize(message, config);
    MessageType type = header.begin(message, config.maxHeaderLength());
    return switch (type) {
      case BIND -> bind(message);
      case IDENT -> clientIdent(message);
      case QUERY -> query(message);
      case UPLOAD -> upload().wrap(message).toMessage();
      case MARK -> mark();
      case UNBIND -> {
        header.expectFields("unbind", SESSION_ONLY);
        long session = session();
        header.requireNoBody();
        yield new UnbindMessage(session);
      }
      case PING -> {
        header.expectFields("ping", PING);
        long timestamp = header.signed("timestamp");
        long rtt = header.signed("rtt");
        header.requireNoBody();
        yield new PingMessage(timestamp, rtt);
      }
      case JSON_ERROR -> clientJsonError(message);
      case TEST_COMMAND -> testCommand(message);
      default -> throw wrongDirection(type, "bind, ident, query, upload, mark, unbind, ping,"
          + " json_error");
    };
  }

  /**
   * Decodes a message a server sent (client side). DOWNLOAD's {@code progress_estimate} is read
   * per {@link CodecConfig#protocolVersion()}.
   *
   * @param message one message from position to limit; read, never modified; DOWNLOAD entries
   *     view it
   * @return the message value
   * @throws ProtocolException if the message is malformed, of a client-only type, or beyond a
   *     limit
   */
  public ServerMessage decodeServerMessage(ByteBuffer message) {
    checkMessageSize(message, config);
    MessageType type = header.begin(message, config.maxHeaderLength());
    return switch (type) {
      case IDENT -> {
        header.expectFields("ident", SERVER_IDENT);
        long session = session();
        long ident = header.unsigned("client_file_ident");
        long salt = header.signed("client_file_ident_salt");
        header.requireNoBody();
        yield new ServerIdentMessage(session, ident, salt);
      }
      case DOWNLOAD -> download().wrap(message).toMessage();
      case MARK -> mark();
      case UNBOUND -> {
        header.expectFields("unbound", SESSION_ONLY);
        long session = session();
        header.requireNoBody();
        yield new UnboundMessage(session);
      }
      case PONG -> {
        header.expectFields("pong", PONG);
        long timestamp = header.signed("timestamp");
        header.requireNoBody();
        yield new PongMessage(timestamp);
      }
      case ERROR -> error(message);
      case JSON_ERROR -> jsonError(message);
      case QUERY_ERROR -> queryError(message);
      case LOG_MESSAGE -> logMessage(message);
      case TEST_COMMAND -> testCommand(message);
      default -> throw wrongDirection(type, "ident, download, mark, unbound, pong, error,"
          + " json_error, query_error, log_message");
    };
  }

  private UploadCursor upload() {
    if (uploadCursor == null) {
      uploadCursor = new UploadCursor(config);
    }
    return uploadCursor;
  }

  private DownloadCursor download() {
    if (downloadCursor == null) {
      downloadCursor = new DownloadCursor(config);
    }
    return downloadCursor;
  }

  private long session() {
    long session = header.unsigned("session_ident");
    header.sessionIdent(session);
    return session;
  }

  private MarkMessage mark() {
    header.expectFields("mark", MARK);
    long session = session();
    long request = header.unsigned("request_ident");
    header.requireNoBody();
    return new MarkMessage(session, request);
  }

  private BindMessage bind(ByteBuffer m) {
    header.expectFields("bind", BIND);
    long session = session();
    long jsonSize = header.unsigned("json_size");
    long jsonSizeOffset = header.lastTokenOffset();
    long tokenSize = header.unsigned("token_size");
    long tokenSizeOffset = header.lastTokenOffset();
    boolean needIdent = header.bool("need_client_file_ident");
    boolean subserver = header.bool("is_subserver");
    int present = header.bodyLength();
    if (jsonSize + tokenSize != present) {
      throw new ProtocolException(ProtocolError.BAD_SYNTAX, "bind.json_size", jsonSizeOffset,
          session, "json_size " + jsonSize + " + token_size " + tokenSize + " but " + present
              + " body bytes follow the header (expected: equal)");
    }
    if (jsonSize == 0) {
      throw new ProtocolException(ProtocolError.BAD_SYNTAX, "bind.json_size", jsonSizeOffset,
          session, "0 (expected: 1.." + BindMessage.MAX_JSON_SIZE + ", a JSON document)");
    }
    if (jsonSize > BindMessage.MAX_JSON_SIZE) {
      throw EntryScanner.limitExceeded("bind.json_size", jsonSizeOffset, session,
          jsonSize + " bytes (expected: at most " + BindMessage.MAX_JSON_SIZE + ")");
    }
    if (tokenSize > BindMessage.MAX_TOKEN_SIZE) {
      throw EntryScanner.limitExceeded("bind.token_size", tokenSizeOffset, session,
          tokenSize + " bytes (expected: at most " + BindMessage.MAX_TOKEN_SIZE + ")");
    }
    int start = header.bodyIndex();
    String json = utf8(m, start, (int) jsonSize, "bind.json");
    String token = utf8(m, start + (int) jsonSize, (int) tokenSize, "bind.token");
    BindParameters.parse(json, header.bodyOffset(), session); // must be a well-formed object
    return new BindMessage(session, json, token, needIdent, subserver);
  }

  private ClientIdentMessage clientIdent(ByteBuffer m) {
    header.expectFields("ident", CLIENT_IDENT);
    long session = session();
    long ident = header.unsigned("client_file_ident");
    long salt = header.signed("client_file_ident_salt");
    long downloadServer = header.unsigned("download_server_version");
    long downloadClient = header.unsigned("download_client_version");
    long latest = header.unsigned("latest_server_version");
    long latestSalt = header.signed("latest_server_version_salt");
    long queryVersion = header.signed("query_version");
    long size = header.unsigned("query_size");
    String query = text(m, "ident", "query_size", size, header.lastTokenOffset(), "ident.query");
    return new ClientIdentMessage(session, ident, salt, downloadServer, downloadClient, latest,
        latestSalt, queryVersion, query);
  }

  private QueryMessage query(ByteBuffer m) {
    header.expectFields("query", QUERY);
    long session = session();
    long queryVersion = header.signed("query_version");
    long size = header.unsigned("query_size");
    String query = text(m, "query", "query_size", size, header.lastTokenOffset(), "query.query");
    return new QueryMessage(session, queryVersion, query);
  }

  private ClientJsonErrorMessage clientJsonError(ByteBuffer m) {
    header.expectFields("json_error", JSON_ERROR);
    int code = errorCode();
    long size = header.unsigned("message_size");
    long sizeOffset = header.lastTokenOffset();
    long session = session();
    String json = text(m, "json_error", "message_size", size, sizeOffset, "json_error.body");
    String text = ClientJsonErrorMessage.parseMessage(json, header.bodyOffset(), session);
    return new ClientJsonErrorMessage(code, session, text);
  }

  private ErrorMessage error(ByteBuffer m) {
    header.expectFields("error", ERROR);
    int code = errorCode();
    long size = header.unsigned("message_size");
    long sizeOffset = header.lastTokenOffset();
    boolean tryAgain = header.bool("try_again");
    long session = session();
    String text = text(m, "error", "message_size", size, sizeOffset, "error.message");
    return new ErrorMessage(code, text, tryAgain, session);
  }

  private JsonErrorMessage jsonError(ByteBuffer m) {
    header.expectFields("json_error", JSON_ERROR);
    int code = errorCode();
    long size = header.unsigned("message_size");
    long sizeOffset = header.lastTokenOffset();
    long session = session();
    String json = text(m, "json_error", "message_size", size, sizeOffset, "json_error.body");
    JsonErrorBody body = JsonErrorBody.parse(json, header.bodyOffset(), session);
    return new JsonErrorMessage(code, session, body);
  }

  private QueryErrorMessage queryError(ByteBuffer m) {
    header.expectFields("query_error", QUERY_ERROR);
    int code = errorCode();
    long size = header.unsigned("message_size");
    long sizeOffset = header.lastTokenOffset();
    long session = session();
    long queryVersion = header.signed("query_version");
    String text = text(m, "query_error", "message_size", size, sizeOffset, "query_error.message");
    return new QueryErrorMessage(code, text, session, queryVersion);
  }

  private LogMessage logMessage(ByteBuffer m) {
    header.expectFields("log_message", LOG_MESSAGE);
    long session = session();
    long size = header.unsigned("message_size");
    String json =
        text(m, "log_message", "message_size", size, header.lastTokenOffset(), "log_message.body");
    return LogMessage.parse(session, json, header.bodyOffset());
  }

  private TestCommandMessage testCommand(ByteBuffer m) {
    header.expectFields("test_command", TEST_COMMAND);
    long session = session();
    long request = header.unsigned("request_ident");
    long size = header.unsigned("body_size");
    String body =
        text(m, "test_command", "body_size", size, header.lastTokenOffset(), "test_command.body");
    return new TestCommandMessage(session, request, body);
  }

  private int errorCode() {
    return (int) header.unsigned("error_code", Integer.MAX_VALUE);
  }

  /** The whole body as text: its declared size must equal the bytes present and the limit. */
  private String text(
      ByteBuffer m, String what, String sizeField, long size, long sizeOffset, String field) {
    int present = header.bodyLength();
    long session = header.sessionIdent();
    if (size != present) {
      throw new ProtocolException(ProtocolError.BAD_SYNTAX, what + "." + sizeField, sizeOffset,
          session, size + " but " + present + " body bytes follow the header (expected: equal)");
    }
    if (size > config.maxTextBodySize()) {
      throw EntryScanner.limitExceeded(what + "." + sizeField, sizeOffset, session,
          size + " bytes (expected: at most maxTextBodySize " + config.maxTextBodySize() + ")");
    }
    return utf8(m, header.bodyIndex(), (int) size, field);
  }

  /** Strict UTF-8 of {@code [start, start+length)}; the length was checked against the limits. */
  private String utf8(ByteBuffer m, int start, int length, String field) {
    if (length == 0) {
      return "";
    }
    ByteBuffer in = m.duplicate();
    in.limit(start + length).position(start);
    CharBuffer out = CharBuffer.allocate(length);
    utf8.reset();
    CoderResult result = utf8.decode(in, out, true);
    if (!result.isError()) {
      result = utf8.flush(out);
    }
    if (result.isError()) {
      throw new ProtocolException(ProtocolError.BAD_SYNTAX, field, header.offsetOf(in.position()),
          header.sessionIdent(), "invalid UTF-8: " + HeaderParser.quote(m, in.position(),
              Math.min(in.position() + 4, start + length)) + " (expected: UTF-8 text)");
    }
    return out.flip().toString();
  }

  private static ProtocolException wrongDirection(MessageType type, String expected) {
    return new ProtocolException(ProtocolError.UNKNOWN_MESSAGE, "header.message_type", 0, 0,
        "\"" + type.wireName() + "\" (expected: one of " + expected + ")");
  }

  /** Refuses a message above {@link CodecConfig#maxMessageSize()} before looking at it. */
  static void checkMessageSize(ByteBuffer message, CodecConfig config) {
    if (message.remaining() > config.maxMessageSize()) {
      throw EntryScanner.limitExceeded("message", 0, 0, message.remaining()
          + " bytes (expected: at most maxMessageSize " + config.maxMessageSize() + ")");
    }
  }

  /** Frees the zlib native memory of the internal cursors. */
  @Override
  public void close() {
    if (uploadCursor != null) {
      uploadCursor.close();
    }
    if (downloadCursor != null) {
      downloadCursor.close();
    }
  }
}
