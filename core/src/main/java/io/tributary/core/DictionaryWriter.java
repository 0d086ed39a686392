package io.tributary.core;

import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * Puts entries into a dictionary property of a new object (each put is an Update of the key, spec
 * changeset.md §9.2; putting a key again replaces its value). Value types follow the rules of
 * {@link ObjectWriter}'s setters.
 *
 * <p>Keys: at most 16 777 199 UTF-8 bytes, valid UTF-16, and, as realm-core requires, they neither
 * contain {@code '.'} nor start with {@code '$'}; a bad key throws {@link
 * IllegalArgumentException}. Lifetime and threads as for {@link Transaction}.
 */
public interface DictionaryWriter {

  /**
   * Puts an {@code int}.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, long value);

  /**
   * Puts a {@code double}.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, double value);

  /**
   * Puts a {@code float}.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, float value);

  /**
   * Puts a {@code bool}.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, boolean value);

  /**
   * Puts a {@code string}; null only if values are nullable.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, String value);

  /**
   * Puts {@code data} (copied); null only if values are nullable.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, byte[] value);

  /**
   * Puts a {@code date}; null only if values are nullable.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, Instant value);

  /**
   * Puts a {@code decimal128}; null only if values are nullable.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, BigDecimal value);

  /**
   * Puts an {@code objectId}; null only if values are nullable.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, ObjectId value);

  /**
   * Puts a {@code uuid}; null only if values are nullable.
   *
   * @param key the key
   * @param value the value
   * @return this writer
   */
  DictionaryWriter put(String key, UUID value);

  /**
   * Puts null.
   *
   * @param key the key
   * @return this writer
   * @throws IllegalArgumentException if the values are not nullable
   */
  DictionaryWriter putNull(String key);

  /**
   * Puts a value whose type is known only at run time (see {@link ObjectWriter#setMixed}).
   *
   * @param key the key
   * @param value the value, may be null
   * @return this writer
   */
  DictionaryWriter putMixed(String key, Object value);

  /**
   * Puts a new embedded object under {@code key} of a dictionary of embedded objects and returns
   * its writer.
   *
   * @param key the key
   * @return the new value's writer
   * @throws IllegalArgumentException if this is not a dictionary of embedded objects
   */
  ObjectWriter putEmbedded(String key);

  /** The writer of the object that owns this dictionary. */
  ObjectWriter parent();
}
