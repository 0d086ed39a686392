package io.tributary.core;

/**
 * A schema breaks one of Realm's rules, or does not fit the schema an existing log was created
 * with. The message names the class and property ({@code "Reading.value: ..."}), what is wrong and
 * what was expected.
 */
public class SchemaException extends TributaryException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message names the class and property, what is wrong and what was expected
   */
  public SchemaException(String message) {
    super(message);
  }
}
