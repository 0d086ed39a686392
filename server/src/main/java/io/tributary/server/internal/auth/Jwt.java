package io.tributary.server.internal.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * JSON Web Tokens with the JDK: HS256 signing and verification ({@code javax.crypto.Mac}), RS256
 * verification ({@code java.security.Signature}); compact form {@code header.payload.signature},
 * base64url without padding (RFC 7519, RFC 7515). Thread safe (stateless).
 */
public final class Jwt {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final String HS256_HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
  /** Longest token accepted, in characters. */
  static final int MAX_LENGTH = 8192;

  private Jwt() {}

  /** A parsed, not yet verified token. */
  record Parsed(String algorithm, ObjectNode claims, byte[] signingInput, byte[] signature) {}

  /** Signs {@code claims} with HS256. */
  public static String signHs256(ObjectNode claims, byte[] key) {
    String payload;
    try {
      payload = B64.encodeToString(JSON.writeValueAsBytes(claims));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("claims to JSON", e);
    }
    String input = HS256_HEADER + "." + payload;
    return input + "." + B64.encodeToString(hmac(key, input.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * Splits and decodes a token; accepts the standard base64 alphabet too (realm-core does).
   *
   * @throws TokenException (MALFORMED) with what was wrong
   */
  static Parsed parse(String token) throws TokenException {
    if (token.length() > MAX_LENGTH) {
      throw new TokenException(TokenException.Kind.MALFORMED,
          "token: " + token.length() + " characters (expected: at most " + MAX_LENGTH + ")");
    }
    int a = token.indexOf('.');
    int b = a < 0 ? -1 : token.indexOf('.', a + 1);
    if (a <= 0 || b <= a + 1 || b == token.length() - 1 || token.indexOf('.', b + 1) >= 0) {
      throw new TokenException(TokenException.Kind.MALFORMED, "token: not a JWT (expected: header.payload.signature)");
    }
    JsonNode header = json(decode(token.substring(0, a), "header"), "header");
    JsonNode claims = json(decode(token.substring(a + 1, b), "payload"), "payload");
    if (!(claims instanceof ObjectNode)) {
      throw new TokenException(TokenException.Kind.MALFORMED, "token payload: not a JSON object");
    }
    JsonNode alg = header.get("alg");
    if (alg == null || !alg.isTextual()) {
      throw new TokenException(TokenException.Kind.MALFORMED, "token header: no alg (expected: HS256 or RS256)");
    }
    return new Parsed(alg.asText(), (ObjectNode) claims,
        token.substring(0, b).getBytes(StandardCharsets.US_ASCII), decode(token.substring(b + 1), "signature"));
  }

  /** Whether {@code p} is an HS256 token signed with {@code key}. */
  static boolean verifyHs256(Parsed p, byte[] key) {
    return "HS256".equals(p.algorithm())
        && MessageDigest.isEqual(hmac(key, p.signingInput()), p.signature());
  }

  /** Whether {@code p} is an RS256 token signed with the private half of {@code key}. */
  static boolean verifyRs256(Parsed p, PublicKey key) {
    if (!"RS256".equals(p.algorithm())) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initVerify(key);
      s.update(p.signingInput());
      return s.verify(p.signature());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }

  private static byte[] decode(String part, String what) throws TokenException {
    try {
      return Base64.getUrlDecoder().decode(part.replace('+', '-').replace('/', '_').replace("=", ""));
    } catch (IllegalArgumentException e) {
      throw new TokenException(TokenException.Kind.MALFORMED, "token " + what + ": not base64url");
    }
  }

  private static JsonNode json(byte[] bytes, String what) throws TokenException {
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new TokenException(TokenException.Kind.MALFORMED, "token " + what + ": not a JSON object");
      }
      return n;
    } catch (java.io.IOException e) {
      throw new TokenException(TokenException.Kind.MALFORMED, "token " + what + ": not JSON");
    }
  }
}
