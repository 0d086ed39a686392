package io.tributary.protocol.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The realm-core wire captures and message vectors on the test classpath (see {@code
 * src/test/resources/vectors/README.md}); shipped in the protocol test-jar for other modules'
 * replay tests.
 *
 * <pre>{@code
 * for (String scenario : Captures.scenarios()) {
 *   for (Captures.Message m : Captures.messages(scenario)) {
 *     if (m.fromClient()) server.receive(m.buffer());
 *   }
 * }
 * }</pre>
 */
public final class Captures {
  /** Classpath folder of the captures. */
  public static final String CAPTURES = "vectors/captures/";

  /** Classpath folder of the single-message vectors. */
  public static final String MESSAGES = "vectors/messages/";

  private static final JsonFactory JSON = new JsonFactory();

  private Captures() {}

  /** The 18 scenario names in order, e.g. {@code 02_ingest_3_objects}. */
  public static List<String> scenarios() {
    String text = new String(resource(CAPTURES + "scenarios.txt"), StandardCharsets.UTF_8);
    List<String> names = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        names.add(line.strip());
      }
    }
    return names;
  }

  /**
   * One sync message of a capture (a WebSocket binary message payload).
   *
   * @param scenario the scenario name
   * @param seq the sequence number in the scenario (1-based, both directions)
   * @param fromClient true for client-to-server
   * @param type the message type word as recorded, e.g. {@code upload}
   * @param file the file name in the scenario folder
   * @param event the event of {@code session.json} (parsed JSON: maps, lists, strings, longs,
   *     booleans)
   */
  public record Message(
      String scenario,
      int seq,
      boolean fromClient,
      String type,
      String file,
      Map<String, Object> event) {
    /** The message bytes (a fresh copy). */
    public byte[] bytes() {
      return resource(CAPTURES + scenario + "/" + file);
    }

    /** The message as a heap buffer, position 0. */
    public ByteBuffer buffer() {
      return ByteBuffer.wrap(bytes());
    }

    @Override
    public String toString() {
      return scenario + "/" + file;
    }
  }

  /**
   * Every sync message of a scenario in order, both directions. WebSocket close frames (only
   * recorded as frames) and HTTP exchanges are not included.
   */
  public static List<Message> messages(String scenario) {
    @SuppressWarnings("unchecked")
    List<Object> events = (List<Object>) session(scenario).get("events");
    List<Message> out = new ArrayList<>();
    for (Object o : events) {
      @SuppressWarnings("unchecked")
      Map<String, Object> e = (Map<String, Object>) o;
      Object seq = e.get("seq");
      Object dir = e.get("dir");
      Object file = e.get("file");
      if (seq == null || file == null || !(dir.equals("c2s") || dir.equals("s2c"))) {
        continue;
      }
      String name = (String) file;
      if (!name.endsWith(".bin") || name.endsWith(".frame.bin") || name.contains("-http-")) {
        continue;
      }
      out.add(new Message(scenario, ((Long) seq).intValue(), dir.equals("c2s"),
          (String) e.get("type"), name, e));
    }
    return out;
  }

  /** The client-to-server messages of a scenario, in order. */
  public static List<Message> clientMessages(String scenario) {
    return messages(scenario).stream().filter(Message::fromClient).toList();
  }

  /** The server-to-client messages of a scenario, in order. */
  public static List<Message> serverMessages(String scenario) {
    return messages(scenario).stream().filter(m -> !m.fromClient()).toList();
  }

  /** All messages of all scenarios, in order. */
  public static List<Message> allMessages() {
    List<Message> all = new ArrayList<>();
    for (String s : scenarios()) {
      all.addAll(messages(s));
    }
    return all;
  }

  /** A scenario's {@code session.json}, parsed. */
  public static Map<String, Object> session(String scenario) {
    return parseObject(resource(CAPTURES + scenario + "/session.json"));
  }

  /** A file of a scenario folder, e.g. {@code 007-c2s-upload.decoded.txt}. */
  public static byte[] scenarioFile(String scenario, String file) {
    return resource(CAPTURES + scenario + "/" + file);
  }

  /** A single-message vector, e.g. {@code msg_bind_flx.bin} or {@code pk_int.upload.bin}. */
  public static byte[] message(String file) {
    return resource(MESSAGES + file);
  }

  /** A classpath resource's bytes. */
  public static byte[] resource(String path) {
    try (InputStream in = Captures.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a JSON object into maps, lists, strings, longs, doubles, booleans and nulls. */
  public static Map<String, Object> parseObject(byte[] json) {
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) value(p);
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          m.put(key, value(p));
        }
        return m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(value(p));
        }
        return l;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected token " + t);
    }
  }
}
