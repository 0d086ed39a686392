package io.tributary.protocol.message;

import io.tributary.protocol.ProtocolVersion;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes message values into a caller-supplied {@link MessageBuffer} (spec protocol.md §4, §5,
 * §6), exactly as realm-core writes them: canonical decimal, single spaces, LF, then the body.
 *
 * <p>UPLOAD and DOWNLOAD bodies are compressed by realm-core's rule ({@link CodecConfig}: longer
 * than the threshold and strictly smaller with zlib level 1). Two details follow {@link
 * CodecConfig#protocolVersion()}: DOWNLOAD's {@code progress_estimate} is written as the integer
 * {@code 0} below 12 (else {@code 0}, {@code 1} or a plain decimal with at most 20 decimals), and
 * LOG_MESSAGE is refused below 10.
 *
 * <p>Values are written as given: the encoder checks only what the wire cannot represent (see
 * {@code @throws}); protocol rules that need session state are the caller's. Not thread safe; one
 * encoder per connection or thread. {@link #close()} frees the zlib native memory.
 */
public final class MessageEncoder implements AutoCloseable {
  /** "download", 12 integer fields of at most 19 digits, spaces, LF; plus the estimate. */
  private static final int DOWNLOAD_RESERVE_BASE = 8 + 12 * 20 + 2;

  private final CodecConfig config;
  private final UploadBuilder uploads;
  private final BodyFramer framer;

  /**
   * An encoder with the protocol version and compression settings of {@code config}.
   *
   * @param config not null
   */
  public MessageEncoder(CodecConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.uploads = new UploadBuilder(config, false);
    this.framer = new BodyFramer(config);
  }

  /** The configuration. */
  public CodecConfig config() {
    return config;
  }

  /**
   * Writes {@code message} into {@code out}, replacing its content.
   *
   * @param message the value; not null
   * @param out the buffer; grows as needed
   * @return the message: {@code out.byteBuffer()} (borrowed until {@code out} is written again;
   *     its position may be non-zero)
   * @throws IllegalArgumentException if a DOWNLOAD's progress estimate is above 1 (protocol ≥ 12),
   *     or a text has no UTF-8 form (an unpaired surrogate)
   * @throws IllegalStateException if a LOG_MESSAGE is encoded for a protocol version below 10
   */
  public ByteBuffer encode(Message message, MessageBuffer out) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(out, "out");
    if (message instanceof UploadMessage m) {
      return upload(m, out);
    }
    if (message instanceof DownloadMessage m) {
      return download(m, out);
    }
    out.clear();
    if (message instanceof BindMessage m) {
      byte[] json = utf8(m.json(), "bind.json");
      byte[] token = utf8(m.token(), "bind.token");
      header(out, MessageType.BIND);
      field(out, m.sessionIdent());
      field(out, json.length);
      field(out, token.length);
      field(out, m.needClientFileIdent() ? 1 : 0);
      field(out, m.isSubserver() ? 1 : 0);
      out.writeByte('\n');
      out.writeAscii(json);
      out.writeAscii(token);
    } else if (message instanceof ClientIdentMessage m) {
      byte[] query = utf8(m.query(), "ident.query");
      header(out, MessageType.IDENT);
      field(out, m.sessionIdent());
      field(out, m.clientFileIdent());
      field(out, m.clientFileIdentSalt());
      field(out, m.downloadServerVersion());
      field(out, m.downloadClientVersion());
      field(out, m.latestServerVersion());
      field(out, m.latestServerVersionSalt());
      field(out, m.queryVersion());
      field(out, query.length);
      out.writeByte('\n');
      out.writeAscii(query);
    } else if (message instanceof ServerIdentMessage m) {
      header(out, MessageType.IDENT);
      field(out, m.sessionIdent());
      field(out, m.clientFileIdent());
      field(out, m.clientFileIdentSalt());
      out.writeByte('\n');
    } else if (message instanceof QueryMessage m) {
      byte[] query = utf8(m.query(), "query");
      header(out, MessageType.QUERY);
      field(out, m.sessionIdent());
      field(out, m.queryVersion());
      field(out, query.length);
      out.writeByte('\n');
      out.writeAscii(query);
    } else if (message instanceof MarkMessage m) {
      header(out, MessageType.MARK);
      field(out, m.sessionIdent());
      field(out, m.requestIdent());
      out.writeByte('\n');
    } else if (message instanceof UnbindMessage m) {
      header(out, MessageType.UNBIND);
      field(out, m.sessionIdent());
      out.writeByte('\n');
    } else if (message instanceof UnboundMessage m) {
      header(out, MessageType.UNBOUND);
      field(out, m.sessionIdent());
      out.writeByte('\n');
    } else if (message instanceof PingMessage m) {
      header(out, MessageType.PING);
      field(out, m.timestampMs());
      field(out, m.rttMs());
      out.writeByte('\n');
    } else if (message instanceof PongMessage m) {
      header(out, MessageType.PONG);
      field(out, m.timestampMs());
      out.writeByte('\n');
    } else if (message instanceof ErrorMessage m) {
      byte[] text = utf8(m.message(), "error.message");
      header(out, MessageType.ERROR);
      field(out, m.errorCode());
      field(out, text.length);
      field(out, m.tryAgain() ? 1 : 0);
      field(out, m.sessionIdent());
      out.writeByte('\n');
      out.writeAscii(text);
    } else if (message instanceof JsonErrorMessage m) {
      jsonError(out, m.errorCode(), m.sessionIdent(), utf8(m.body().toJson(), "json_error.body"));
    } else if (message instanceof ClientJsonErrorMessage m) {
      jsonError(out, m.errorCode(), m.sessionIdent(), utf8(m.bodyJson(), "json_error.body"));
    } else if (message instanceof QueryErrorMessage m) {
      byte[] text = utf8(m.message(), "query_error.message");
      header(out, MessageType.QUERY_ERROR);
      field(out, m.errorCode());
      field(out, text.length);
      field(out, m.sessionIdent());
      field(out, m.queryVersion());
      out.writeByte('\n');
      out.writeAscii(text);
    } else if (message instanceof LogMessage m) {
      if (!ProtocolVersion.supportsLogMessage(config.protocolVersion())) {
        throw new IllegalStateException("log_message with protocol version "
            + config.protocolVersion() + " (expected: 10 or later)");
      }
      byte[] json = utf8(m.bodyJson(), "log_message.body");
      header(out, MessageType.LOG_MESSAGE);
      field(out, m.sessionIdent());
      field(out, json.length);
      out.writeByte('\n');
      out.writeAscii(json);
    } else if (message instanceof TestCommandMessage m) {
      byte[] body = utf8(m.body(), "test_command.body");
      header(out, MessageType.TEST_COMMAND);
      field(out, m.sessionIdent());
      field(out, m.requestIdent());
      field(out, body.length);
      out.writeByte('\n');
      out.writeAscii(body);
    } else {
      // unreachable: Message is sealed and every permitted type is handled above
      throw new IllegalArgumentException("message type: " + message.getClass().getName());
    }
    return out.byteBuffer();
  }

  private ByteBuffer upload(UploadMessage m, MessageBuffer out) {
    uploads.begin(out);
    for (UploadMessage.Entry e : m.entries()) {
      uploads.addEntry(e.clientVersion(), e.lastIntegratedServerVersion(), e.originTimestamp(),
          e.originFileIdent(), e.changeset());
    }
    return uploads.finish(m.sessionIdent(), m.progressClientVersion(), m.progressServerVersion(),
        m.lockedServerVersion());
  }

  private ByteBuffer download(DownloadMessage m, MessageBuffer out) {
    byte[] estimate = estimate(m.progressEstimate());
    framer.begin(out, DOWNLOAD_RESERVE_BASE + estimate.length);
    for (DownloadMessage.Entry e : m.entries()) {
      out.writeDecimal(e.serverVersion());
      out.writeByte(' ');
      out.writeDecimal(e.clientVersion());
      out.writeByte(' ');
      out.writeDecimal(e.originTimestamp());
      out.writeByte(' ');
      out.writeDecimal(e.originFileIdent());
      out.writeByte(' ');
      out.writeDecimal(e.originalChangesetSize());
      out.writeByte(' ');
      ByteBuffer changeset = e.changeset();
      out.writeDecimal(changeset.remaining());
      out.writeByte(' ');
      out.writeBytes(changeset);
    }
    framer.finishBody();
    long compressed = framer.compressed() ? 1 : 0;
    long uncompressedSize = framer.uncompressedSize();
    long compressedSize = framer.compressedSize();
    byte[] word = MessageType.DOWNLOAD.wireBytes();
    int length = word.length
        + 1 + MessageBuffer.decimalLength(m.sessionIdent())
        + 1 + MessageBuffer.decimalLength(m.downloadServerVersion())
        + 1 + MessageBuffer.decimalLength(m.downloadClientVersion())
        + 1 + MessageBuffer.decimalLength(m.latestServerVersion())
        + 1 + MessageBuffer.decimalLength(m.latestServerVersionSalt())
        + 1 + MessageBuffer.decimalLength(m.uploadClientVersion())
        + 1 + MessageBuffer.decimalLength(m.uploadServerVersion())
        + 1 + MessageBuffer.decimalLength(m.queryVersion())
        + 2 // batch state
        + 1 + estimate.length
        + 2 // is_body_compressed
        + 1 + MessageBuffer.decimalLength(uncompressedSize)
        + 1 + MessageBuffer.decimalLength(compressedSize)
        + 1; // LF
    byte[] a = out.array();
    int i = framer.headerAt(length);
    i = MessageBuffer.putAscii(a, i, word);
    i = MessageBuffer.putField(a, i, m.sessionIdent());
    i = MessageBuffer.putField(a, i, m.downloadServerVersion());
    i = MessageBuffer.putField(a, i, m.downloadClientVersion());
    i = MessageBuffer.putField(a, i, m.latestServerVersion());
    i = MessageBuffer.putField(a, i, m.latestServerVersionSalt());
    i = MessageBuffer.putField(a, i, m.uploadClientVersion());
    i = MessageBuffer.putField(a, i, m.uploadServerVersion());
    i = MessageBuffer.putField(a, i, m.queryVersion());
    i = MessageBuffer.putField(a, i, m.batchState().wireValue());
    a[i++] = ' ';
    i = MessageBuffer.putAscii(a, i, estimate);
    i = MessageBuffer.putField(a, i, compressed);
    i = MessageBuffer.putField(a, i, uncompressedSize);
    i = MessageBuffer.putField(a, i, compressedSize);
    a[i] = '\n';
    return out.byteBuffer();
  }

  private static final byte[] ZERO = {'0'};
  private static final byte[] ONE = {'1'};

  /** The progress_estimate field text for the configured protocol version. */
  private byte[] estimate(double value) {
    if (!ProtocolVersion.hasProgressEstimate(config.protocolVersion())) {
      return ZERO; // old integer field downloadable_bytes (spec §1)
    }
    if (value > 1.0) {
      throw new IllegalArgumentException(
          "progress_estimate: " + value + " (expected: 0..1 with protocol version >= 12)");
    }
    if (value == 0.0) {
      return ZERO;
    }
    if (value == 1.0) {
      return ONE;
    }
    BigDecimal d = BigDecimal.valueOf(value);
    if (d.scale() > 20) {
      d = d.setScale(20, RoundingMode.HALF_EVEN);
    }
    String text = d.stripTrailingZeros().toPlainString();
    return text.equals("0") || text.equals("0.0") ? ZERO : text.getBytes(StandardCharsets.US_ASCII);
  }

  private static void jsonError(MessageBuffer out, int code, long session, byte[] json) {
    header(out, MessageType.JSON_ERROR);
    field(out, code);
    field(out, json.length);
    field(out, session);
    out.writeByte('\n');
    out.writeAscii(json);
  }

  private static void header(MessageBuffer out, MessageType type) {
    out.writeAscii(type.wireBytes());
  }

  private static void field(MessageBuffer out, long value) {
    out.writeByte(' ');
    out.writeDecimal(value);
  }

  /** Strict UTF-8: a string with an unpaired surrogate has no UTF-8 form. */
  private static byte[] utf8(String s, String field) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          throw new IllegalArgumentException(field + ": not valid Unicode, unpaired surrogate at"
              + " index " + i + " (expected: text that has a UTF-8 form)");
        }
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Frees the zlib native memory. */
  @Override
  public void close() {
    uploads.close();
    framer.close();
  }
}
