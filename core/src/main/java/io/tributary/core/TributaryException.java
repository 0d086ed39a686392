package io.tributary.core;

/**
 * Base class of every exception Tributary's client engine throws on purpose.
 *
 * <p>Unchecked, so that transaction lambdas stay readable. Subclasses name what went wrong; their
 * messages name the class, property, version, offset or setting involved and what was expected.
 */
public class TributaryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TributaryException(String message) {
    super(message);
  }

  public TributaryException(String message, Throwable cause) {
    super(message, cause);
  }
}
