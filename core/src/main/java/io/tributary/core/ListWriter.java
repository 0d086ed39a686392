package io.tributary.core;

import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * Appends elements to a list property of a new object (each append is an ArrayInsert at the end,
 * spec changeset.md §9.2). Element types follow the rules of {@link ObjectWriter}'s setters; a
 * mixed list takes any of them. Lifetime and threads as for {@link Transaction}.
 */
public interface ListWriter {

  /**
   * Appends an {@code int}.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(long value);

  /**
   * Appends a {@code double}.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(double value);

  /**
   * Appends a {@code float}.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(float value);

  /**
   * Appends a {@code bool}.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(boolean value);

  /**
   * Appends a {@code string}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(String value);

  /**
   * Appends {@code data} (copied); null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(byte[] value);

  /**
   * Appends a {@code date}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(Instant value);

  /**
   * Appends a {@code decimal128}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(BigDecimal value);

  /**
   * Appends an {@code objectId}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(ObjectId value);

  /**
   * Appends a {@code uuid}; null only if elements are nullable.
   *
   * @param value the value
   * @return this writer
   */
  ListWriter add(UUID value);

  /**
   * Appends null.
   *
   * @return this writer
   * @throws IllegalArgumentException if the elements are not nullable
   */
  ListWriter addNull();

  /**
   * Appends a value whose type is known only at run time (see {@link ObjectWriter#setMixed}).
   *
   * @param value the value, may be null
   * @return this writer
   */
  ListWriter addMixed(Object value);

  /**
   * Appends a new embedded object to a list of embedded objects and returns its writer.
   *
   * @return the new element's writer
   * @throws IllegalArgumentException if this is not a list of embedded objects
   */
  ObjectWriter addEmbedded();

  /** The number of elements appended so far. */
  int size();

  /** The writer of the object that owns this list. */
  ObjectWriter parent();
}
