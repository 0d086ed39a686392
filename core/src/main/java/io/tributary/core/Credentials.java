package io.tributary.core;

import io.tributary.core.spi.CredentialsProvider;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a realm's sync session obtains its access token. Immutable and thread safe.
 *
 * <ul>
 *   <li>{@link #anonymous()}, {@link #customJwt(String)} and {@link #apiKey(String)} log in over
 *       the App Services HTTP routes of the server's base URL (spec protocol.md §2: location,
 *       login, profile) and refresh the access token with the refresh token when it expires within
 *       5 s or the server refuses it; a refused refresh token logs in again.
 *   <li>{@link #accessToken(Supplier)} takes the access token from the application (no login; the
 *       location is still fetched): the supplier is asked again whenever a fresh token is needed.
 *   <li>{@link #provider(CredentialsProvider)} hands the whole job to an SDK's own provider.
 * </ul>
 *
 * <p>Tokens and refresh tokens live in memory only: they are not persisted, so every time a realm
 * is opened the session logs in again. With {@link #anonymous()} that makes a new anonymous user
 * per open; a server that binds each client file to the user that created it (Tributary's
 * default) then refuses the reopened realm's file with error 223 (user mismatch). Use {@link
 * #apiKey(String)} or {@link #customJwt(String)} (a stable identity) for realms that outlive the
 * process.
 */
public final class Credentials {
  /** The kinds of credentials. */
  public enum Kind {
    /** App Services provider {@code anon-user}. */
    ANONYMOUS("anon-user"),
    /** App Services provider {@code custom-token}: a JWT signed by the application's issuer. */
    CUSTOM_JWT("custom-token"),
    /** App Services provider {@code api-key}. */
    API_KEY("api-key"),
    /** An access token supplied by the application; no login. */
    ACCESS_TOKEN(null),
    /** A {@link CredentialsProvider} of the application. */
    PROVIDER(null);

    private final String providerName;

    Kind(String providerName) {
      this.providerName = providerName;
    }

    /**
     * The App Services login provider name, e.g. {@code anon-user}.
     *
     * @return the name, or {@code null} for kinds that do not log in
     */
    public String providerName() {
      return providerName;
    }
  }

  private static final Credentials ANONYMOUS = new Credentials(Kind.ANONYMOUS, null, null, null);

  private final Kind kind;
  private final String secret;
  private final Supplier<String> tokenSupplier;
  private final CredentialsProvider provider;

  private Credentials(
      Kind kind, String secret, Supplier<String> tokenSupplier, CredentialsProvider provider) {
    this.kind = kind;
    this.secret = secret;
    this.tokenSupplier = tokenSupplier;
    this.provider = provider;
  }

  /**
   * Anonymous login ({@code anon-user}).
   *
   * @return the credentials
   */
  public static Credentials anonymous() {
    return ANONYMOUS;
  }

  /**
   * Login with a custom JWT ({@code custom-token}, body field {@code token}).
   *
   * @param jwt the token the application's issuer signed; not empty
   * @return the credentials
   * @throws IllegalArgumentException if {@code jwt} is empty
   */
  public static Credentials customJwt(String jwt) {
    return new Credentials(Kind.CUSTOM_JWT, requireText(jwt, "jwt"), null, null);
  }

  /**
   * Login with an API key ({@code api-key}, body field {@code key}).
   *
   * @param key the key; not empty
   * @return the credentials
   * @throws IllegalArgumentException if {@code key} is empty
   */
  public static Credentials apiKey(String key) {
    return new Credentials(Kind.API_KEY, requireText(key, "key"), null, null);
  }

  /**
   * An access token the application obtains itself. The supplier is called on a background thread
   * of the realm when the session first connects, and again whenever the server refuses the token
   * or it expires within 5 s (when it is a JWT with an {@code exp} claim). A supplier that throws or
   * returns an empty token stops the session with a fatal {@link SyncException}.
   *
   * @param supplier gives the current access token; must be thread safe
   * @return the credentials
   */
  public static Credentials accessToken(Supplier<String> supplier) {
    return new Credentials(
        Kind.ACCESS_TOKEN, null, Objects.requireNonNull(supplier, "supplier"), null);
  }

  /**
   * Credentials an SDK implements itself. The realm calls the provider from its session and does
   * <em>not</em> close it (the caller owns it).
   *
   * @param provider the provider
   * @return the credentials
   */
  public static Credentials provider(CredentialsProvider provider) {
    return new Credentials(Kind.PROVIDER, null, null, Objects.requireNonNull(provider, "provider"));
  }

  /** The kind of credentials. */
  public Kind kind() {
    return kind;
  }

  /** The JWT or API key; null for other kinds. */
  String secret() {
    return secret;
  }

  /** The application's token supplier; null for other kinds. */
  Supplier<String> tokenSupplier() {
    return tokenSupplier;
  }

  /** The application's provider; null for other kinds. */
  CredentialsProvider provider() {
    return provider;
  }

  private static String requireText(String s, String name) {
    Objects.requireNonNull(s, name);
    if (s.isEmpty()) {
      throw new IllegalArgumentException(name + ": empty (expected: a non-empty string)");
    }
    return s;
  }

  /** Never prints a secret. */
  @Override
  public String toString() {
    return "Credentials{" + kind + (secret != null ? ", <" + secret.length() + " chars>" : "")
        + '}';
  }
}
