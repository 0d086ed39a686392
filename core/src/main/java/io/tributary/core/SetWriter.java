package io.tributary.core;

import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * Adds elements to a set property of a new object (each add is a SetInsert, spec changeset.md
 * §9.2; adding a value twice is harmless). Element types follow the rules of {@link
 * ObjectWriter}'s setters. Lifetime and threads as for {@link Transaction}.
 */
public interface SetWriter {

  /**
   * Adds an {@code int}.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(long value);

  /**
   * Adds a {@code double}.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(double value);

  /**
   * Adds a {@code float}.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(float value);

  /**
   * Adds a {@code bool}.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(boolean value);

  /**
   * Adds a {@code string}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(String value);

  /**
   * Adds {@code data} (copied); null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(byte[] value);

  /**
   * Adds a {@code date}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(Instant value);

  /**
   * Adds a {@code decimal128}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(BigDecimal value);

  /**
   * Adds an {@code objectId}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(ObjectId value);

  /**
   * Adds a {@code uuid}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  SetWriter add(UUID value);

  /**
   * Adds null.
   *
   * @return this writer
   * @throws IllegalArgumentException if the elements are not nullable
   */
  SetWriter addNull();

  /**
   * Adds a value whose type is known only at run time (see {@link ObjectWriter#setMixed}).
   *
   * @param value the value, may be null
   * @return this writer
   */
  SetWriter addMixed(Object value);

  /** The writer of the object that owns this set. */
  ObjectWriter parent();
}
