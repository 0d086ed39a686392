package io.tributary.server.internal.session;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Salts of server versions, derived instead of stored (spec protocol.md §7.4): {@code salt(F, 0) =
 * 0}; for {@code v > 0}, the first 8 bytes of HMAC-SHA256(server secret, F ‖ v) as a big-endian
 * number with the sign bit cleared, 0 mapped to 1 — so in 1..2^63−1, stable across restarts and
 * restores as long as the secret is kept. Not thread safe (one {@link Mac}).
 */
final class VersionSalts {
  private final Mac mac;
  private final ByteBuffer input = ByteBuffer.allocate(16);

  VersionSalts(byte[] secret) {
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }

  long salt(long fileIdent, long version) {
    if (version == 0) {
      return 0;
    }
    input.clear();
    input.putLong(fileIdent).putLong(version);
    byte[] h = mac.doFinal(input.array());
    long s = ByteBuffer.wrap(h).getLong() & Long.MAX_VALUE;
    return s == 0 ? 1 : s;
  }
}
