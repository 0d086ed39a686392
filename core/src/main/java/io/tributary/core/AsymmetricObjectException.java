package io.tributary.core;

/**
 * An operation that Realm does not allow on asymmetric objects: reading, querying or deleting
 * them. Asymmetric objects are written once and uploaded; they cannot be seen again on the device.
 * Messages are those of Realm's SDKs, e.g. {@code "Queries on asymmetric objects are not allowed:
 * Reading"}.
 */
public class AsymmetricObjectException extends UnsupportedOperationException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message says what is not allowed and names the class
   */
  public AsymmetricObjectException(String message) {
    super(message);
  }
}
