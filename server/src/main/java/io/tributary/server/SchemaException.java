package io.tributary.server;

/**
 * An app schema (a JSON schema file, or classes built in code) is malformed or breaks a schema
 * rule. The message names the place, e.g. {@code classes[0] (Reading).properties.value: type
 * 'dbl' (expected: one of int, bool, string, ...)}.
 */
public final class SchemaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message where and what, shaped {@code "<place>: <actual> (expected: <rule>)"}
   */
  public SchemaException(String message) {
    super(message);
  }

  /**
   * @param message where and what
   * @param cause the underlying failure (e.g. a JSON syntax error)
   */
  public SchemaException(String message, Throwable cause) {
    super(message, cause);
  }
}
