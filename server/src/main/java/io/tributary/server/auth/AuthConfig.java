package io.tributary.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How the server authenticates users (spec protocol.md §2): the secret its HS256 tokens are signed
 * with, token lifetimes, and the enabled login providers. Immutable; build with {@link
 * #newBuilder()} (a builder is not thread safe; unset options take the defaults below).
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>{@link #tokenSecret()}</td><td>32 random bytes: tokens stop working when the server
 *       restarts; configure a secret in production</td></tr>
 *   <tr><td>{@link #accessTokenTtl()}</td><td>30 min</td></tr>
 *   <tr><td>{@link #refreshTokenTtl()}</td><td>60 days</td></tr>
 *   <tr><td>{@link #anonymousEnabled()}</td><td>true ({@code anon-user}: a new user per login)</td></tr>
 *   <tr><td>{@link #apiKeys()}</td><td>none ({@code api-key}: the user is the key's name)</td></tr>
 *   <tr><td>{@link #customJwtHmacSecret()}, {@link #customJwtPublicKey()}</td><td>none: {@code
 *       custom-token} disabled; with either, a JWT signed HS256 or RS256 by the app's own
 *       authority logs in the user named by its {@code sub}</td></tr>
 *   <tr><td>{@link #customJwtAudience()}</td><td>none (the {@code aud} claim is not checked)</td></tr>
 *   <tr><td>{@link #tokenCacheSize()}</td><td>100 000 verified access tokens</td></tr>
 *   <tr><td>{@link #clock()}</td><td>the system clock (UTC)</td></tr>
 * </table>
 */
public final class AuthConfig {
  /** Default lifetime of an access token: 30 minutes. */
  public static final Duration ACCESS_TOKEN_TTL_DEFAULT = Duration.ofMinutes(30);
  /** Default lifetime of a refresh token: 60 days. */
  public static final Duration REFRESH_TOKEN_TTL_DEFAULT = Duration.ofDays(60);
  /** Default size of the verified-token cache. */
  public static final int TOKEN_CACHE_SIZE_DEFAULT = 100_000;
  /** Shortest accepted token secret, in bytes (HS256 wants at least 32; 16 is the floor). */
  public static final int MIN_SECRET_BYTES = 16;

  private final byte[] tokenSecret;
  private final boolean generatedSecret;
  private final Duration accessTokenTtl;
  private final Duration refreshTokenTtl;
  private final boolean anonymousEnabled;
  private final Map<String, String> apiKeys;
  private final byte[] customJwtHmacSecret;
  private final PublicKey customJwtPublicKey;
  private final String customJwtAudience;
  private final int tokenCacheSize;
  private final Clock clock;

  private AuthConfig(Builder b) {
    this.generatedSecret = b.tokenSecret == null;
    if (generatedSecret) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      this.tokenSecret = random;
    } else {
      this.tokenSecret = b.tokenSecret.clone();
    }
    this.accessTokenTtl = b.accessTokenTtl;
    this.refreshTokenTtl = b.refreshTokenTtl;
    this.anonymousEnabled = b.anonymousEnabled;
    this.apiKeys = Map.copyOf(b.apiKeys);
    this.customJwtHmacSecret = b.customJwtHmacSecret == null ? null : b.customJwtHmacSecret.clone();
    this.customJwtPublicKey = b.customJwtPublicKey;
    this.customJwtAudience = b.customJwtAudience;
    this.tokenCacheSize = b.tokenCacheSize;
    this.clock = b.clock;
  }

  /** A builder with the defaults. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The HS256 key of the server's own access and refresh tokens (a copy). */
  public byte[] tokenSecret() {
    return tokenSecret.clone();
  }

  /** Whether {@link #tokenSecret()} was generated because none was configured. */
  public boolean generatedSecret() {
    return generatedSecret;
  }

  /** Lifetime of access tokens. */
  public Duration accessTokenTtl() {
    return accessTokenTtl;
  }

  /** Lifetime of refresh tokens. */
  public Duration refreshTokenTtl() {
    return refreshTokenTtl;
  }

  /** Whether the {@code anon-user} provider is enabled. */
  public boolean anonymousEnabled() {
    return anonymousEnabled;
  }

  /** The {@code api-key} provider's keys: name → key. */
  public Map<String, String> apiKeys() {
    return apiKeys;
  }

  /** The HS256 key custom JWTs are verified with (a copy), or {@code null}. */
  public byte[] customJwtHmacSecret() {
    return customJwtHmacSecret == null ? null : customJwtHmacSecret.clone();
  }

  /** The RSA key RS256 custom JWTs are verified with, or {@code null}. */
  public PublicKey customJwtPublicKey() {
    return customJwtPublicKey;
  }

  /** The {@code aud} a custom JWT must carry, or {@code null} for no check. */
  public String customJwtAudience() {
    return customJwtAudience;
  }

  /** Whether {@code custom-token} logins are enabled. */
  public boolean customJwtEnabled() {
    return customJwtHmacSecret != null || customJwtPublicKey != null;
  }

  /** Entries of the verified-token cache. */
  public int tokenCacheSize() {
    return tokenCacheSize;
  }

  /** The clock tokens are issued and checked with. */
  public Clock clock() {
    return clock;
  }

  /**
   * Parses an RSA public key in PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509
   * SubjectPublicKeyInfo) form.
   *
   * @throws IllegalArgumentException if the text is not such a key
   */
  public static PublicKey rsaPublicKeyFromPem(String pem) {
    String body =
        pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (IllegalArgumentException | InvalidKeySpecException e) {
      throw new IllegalArgumentException("public key: not an RSA key in PEM form (expected: -----BEGIN PUBLIC KEY-----)", e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("RSA is required by every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "AuthConfig{secret=" + (generatedSecret ? "generated" : "configured")
        + ", accessTokenTtl=" + accessTokenTtl + ", refreshTokenTtl=" + refreshTokenTtl
        + ", anonymous=" + anonymousEnabled + ", apiKeys=" + apiKeys.keySet()
        + ", customJwt=" + (customJwtHmacSecret != null ? "HS256 " : "") + (customJwtPublicKey != null ? "RS256" : "")
        + '}';
  }

  /** Builder of {@link AuthConfig}. Not thread safe; unset options take the documented defaults. */
  public static final class Builder {
    private byte[] tokenSecret;
    private Duration accessTokenTtl = ACCESS_TOKEN_TTL_DEFAULT;
    private Duration refreshTokenTtl = REFRESH_TOKEN_TTL_DEFAULT;
    private boolean anonymousEnabled = true;
    private final Map<String, String> apiKeys = new LinkedHashMap<>();
    private byte[] customJwtHmacSecret;
    private PublicKey customJwtPublicKey;
    private String customJwtAudience;
    private int tokenCacheSize = TOKEN_CACHE_SIZE_DEFAULT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * @param secret the HS256 key of the server's tokens, at least {@value #MIN_SECRET_BYTES} bytes
     *     (copied)
     * @throws IllegalArgumentException if shorter
     */
    public Builder tokenSecret(byte[] secret) {
      this.tokenSecret = checkSecret("tokenSecret", secret);
      return this;
    }

    /** {@link #tokenSecret(byte[])} with the UTF-8 bytes of {@code secret}. */
    public Builder tokenSecret(String secret) {
      return tokenSecret(secret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param ttl access token lifetime, at least 10 s (realm-core refreshes tokens that expire within
     *     5 s); default 30 min
     * @throws IllegalArgumentException if shorter
     */
    public Builder accessTokenTtl(Duration ttl) {
      this.accessTokenTtl = atLeast("accessTokenTtl", ttl, Duration.ofSeconds(10));
      return this;
    }

    /**
     * @param ttl refresh token lifetime, at least 1 min; default 60 days
     * @throws IllegalArgumentException if shorter
     */
    public Builder refreshTokenTtl(Duration ttl) {
      this.refreshTokenTtl = atLeast("refreshTokenTtl", ttl, Duration.ofMinutes(1));
      return this;
    }

    /** @param enabled whether {@code anon-user} logins are allowed; default true */
    public Builder anonymousEnabled(boolean enabled) {
      this.anonymousEnabled = enabled;
      return this;
    }

    /**
     * Adds an API key.
     *
     * @param name the key's name (the user's identity), non-blank
     * @param key the secret key, at least 8 characters
     * @throws IllegalArgumentException if blank, too short, or the name is already used
     */
    public Builder apiKey(String name, String key) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(key, "key");
      if (name.isBlank()) {
        throw new IllegalArgumentException("apiKey name: blank (expected: a name)");
      }
      if (key.length() < 8) {
        throw new IllegalArgumentException("apiKey " + name + ": " + key.length() + " characters (expected: at least 8)");
      }
      if (apiKeys.putIfAbsent(name, key) != null) {
        throw new IllegalArgumentException("apiKey " + name + ": already configured (expected: unique names)");
      }
      return this;
    }

    /**
     * @param secret the HS256 key custom JWTs are signed with, at least {@value #MIN_SECRET_BYTES}
     *     bytes (copied)
     * @throws IllegalArgumentException if shorter
     */
    public Builder customJwtHmacSecret(byte[] secret) {
      this.customJwtHmacSecret = checkSecret("customJwtHmacSecret", secret);
      return this;
    }

    /** @param key the RSA key RS256 custom JWTs are verified with */
    public Builder customJwtPublicKey(PublicKey key) {
      if (!"RSA".equals(key.getAlgorithm())) {
        throw new IllegalArgumentException("customJwtPublicKey: " + key.getAlgorithm() + " (expected: RSA)");
      }
      this.customJwtPublicKey = key;
      return this;
    }

    /** @param audience the {@code aud} a custom JWT must carry, or {@code null} for no check */
    public Builder customJwtAudience(String audience) {
      this.customJwtAudience = audience;
      return this;
    }

    /**
     * @param size entries of the verified-token cache, at least 1; default 100 000
     * @throws IllegalArgumentException if below 1
     */
    public Builder tokenCacheSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("tokenCacheSize: " + size + " (expected: >= 1)");
      }
      this.tokenCacheSize = size;
      return this;
    }

    /** @param clock the clock tokens are issued and checked with (tests); default system UTC */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The configuration. */
    public AuthConfig build() {
      return new AuthConfig(this);
    }

    private static byte[] checkSecret(String what, byte[] secret) {
      if (secret.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            what + ": " + secret.length + " bytes (expected: at least " + MIN_SECRET_BYTES + ")");
      }
      return secret.clone();
    }

    private static Duration atLeast(String what, Duration d, Duration min) {
      Objects.requireNonNull(d, what);
      if (d.compareTo(min) < 0) {
        throw new IllegalArgumentException(what + ": " + d + " (expected: at least " + min + ")");
      }
      return d;
    }
  }
}
