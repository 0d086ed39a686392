package io.tributary.core;

/**
 * A transaction created two objects of the same class with the same primary key (realm-core:
 * "existing primary key"). The second {@link Transaction#create} throws; nothing of it was
 * written.
 */
public class DuplicatePrimaryKeyException extends TributaryException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message names the class and the key
   */
  public DuplicatePrimaryKeyException(String message) {
    super(message);
  }
}
