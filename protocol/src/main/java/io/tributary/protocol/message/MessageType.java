package io.tributary.protocol.message;

import java.nio.charset.StandardCharsets;

/**
 * The message types of the FLX sync protocol, by the word that starts their header line (spec
 * protocol.md §4.3). Obsolete types of realm-core's old protocol document ({@code alloc}, {@code
 * transact}, {@code state_request}, ...) are not listed: they are unknown messages.
 */
public enum MessageType {
  /** {@code bind}: client to server. */
  BIND("bind", true, false),
  /** {@code ident}: both directions, with different layouts. */
  IDENT("ident", true, true),
  /** {@code query}: client to server. */
  QUERY("query", true, false),
  /** {@code upload}: client to server. */
  UPLOAD("upload", true, false),
  /** {@code download}: server to client. */
  DOWNLOAD("download", false, true),
  /** {@code mark}: both directions. */
  MARK("mark", true, true),
  /** {@code unbind}: client to server. */
  UNBIND("unbind", true, false),
  /** {@code unbound}: server to client. */
  UNBOUND("unbound", false, true),
  /** {@code ping}: client to server. */
  PING("ping", true, false),
  /** {@code pong}: server to client. */
  PONG("pong", false, true),
  /** {@code error}: server to client. */
  ERROR("error", false, true),
  /** {@code json_error}: both directions (different bodies). */
  JSON_ERROR("json_error", true, true),
  /** {@code query_error}: server to client. */
  QUERY_ERROR("query_error", false, true),
  /** {@code log_message}: server to client, protocol 10 and later. */
  LOG_MESSAGE("log_message", false, true),
  /** {@code test_command}: a testing hook, both directions; recognised so that it can be refused. */
  TEST_COMMAND("test_command", true, true);

  private static final MessageType[] ALL = values();

  private final String wireName;
  private final byte[] wireBytes;
  private final boolean sentByClient;
  private final boolean sentByServer;

  MessageType(String wireName, boolean sentByClient, boolean sentByServer) {
    this.wireName = wireName;
    this.wireBytes = wireName.getBytes(StandardCharsets.US_ASCII);
    this.sentByClient = sentByClient;
    this.sentByServer = sentByServer;
  }

  /** The word that starts the header line, e.g. {@code "json_error"}. */
  public String wireName() {
    return wireName;
  }

  /** Whether a client sends this type. */
  public boolean sentByClient() {
    return sentByClient;
  }

  /** Whether a server sends this type. */
  public boolean sentByServer() {
    return sentByServer;
  }

  byte[] wireBytes() {
    return wireBytes;
  }

  /**
   * The type whose wire name is the bytes {@code [from, to)} of {@code buf} (absolute indices), or
   * null. Allocates nothing.
   */
  static MessageType match(java.nio.ByteBuffer buf, int from, int to) {
    int len = to - from;
    for (MessageType t : ALL) {
      byte[] w = t.wireBytes;
      if (w.length != len) {
        continue;
      }
      int i = 0;
      while (i < len && buf.get(from + i) == w[i]) {
        i++;
      }
      if (i == len) {
        return t;
      }
    }
    return null;
  }
}
