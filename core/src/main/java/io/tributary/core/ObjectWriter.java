package io.tributary.core;

import io.tributary.protocol.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Writes the properties of one new object (asymmetric or embedded) of a {@link Transaction}. Each
 * call appends one instruction to the transaction's changeset (spec changeset.md §9.2) and returns
 * this writer, so calls chain:
 *
 * <pre>{@code
 * tx.create("Reading", id)
 *     .set("sensor", "t1")
 *     .set("value", 21.5)
 *     .embedded("location", loc -> loc.set("lat", 52.1).set("lon", 4.3))
 *     .set("ts", Instant.now());
 * }</pre>
 *
 * <h2>Types</h2>
 *
 * Each typed setter accepts the property types listed on it, and every setter also works on a
 * {@link PropertyType#MIXED} property (the value keeps its Java type). There are no conversions:
 * {@code set("f", 1.5)} on a {@code float} property fails, {@code set("f", 1.5f)} works. An {@code
 * int} argument is taken as {@code long}. Setting a property twice writes two instructions (the
 * last one wins, as in Realm).
 *
 * <h2>Errors</h2>
 *
 * Mistakes throw at the call that made them and write nothing: an unknown property, a wrong value
 * type or a collection property used as a single value ({@link IllegalArgumentException} naming
 * class, property, the expected and the given type), null for a required property ({@link
 * IllegalArgumentException}), the primary key ({@link IllegalArgumentException}: it is given to
 * {@link Transaction#create}), a writer used after its transaction ended or from another thread
 * ({@link IllegalStateException}).
 *
 * <p>Lifetime and threads as for {@link Transaction}: valid only inside the transaction body, on
 * its thread. Null arguments throw {@link NullPointerException} unless a parameter says otherwise.
 */
public interface ObjectWriter {

  /** The class of the object. */
  String className();

  /**
   * Sets an {@code int} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value any 64-bit value
   * @return this writer
   */
  ObjectWriter set(String property, long value);

  /**
   * Sets a {@code double} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value any value, NaN and infinities included (raw bits are kept)
   * @return this writer
   */
  ObjectWriter set(String property, double value);

  /**
   * Sets a {@code float} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value any value (raw bits are kept)
   * @return this writer
   */
  ObjectWriter set(String property, float value);

  /**
   * Sets a {@code bool} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value the value
   * @return this writer
   */
  ObjectWriter set(String property, boolean value);

  /**
   * Sets a {@code string} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value at most 16 777 199 UTF-8 bytes, valid UTF-16; {@code null} for a nullable
   *     property
   * @return this writer
   * @throws IllegalArgumentException also if the value is too long or has an unpaired surrogate
   */
  ObjectWriter set(String property, String value);

  /**
   * Sets a {@code data} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value the bytes, copied into the changeset before the call returns; {@code null} for a
   *     nullable property
   * @return this writer
   */
  ObjectWriter set(String property, byte[] value);

  /**
   * Sets a {@code date} (or mixed) property, with nanosecond precision.
   *
   * @param property a property of this object's class
   * @param value the instant; {@code null} for a nullable property
   * @return this writer
   */
  ObjectWriter set(String property, Instant value);

  /**
   * Sets a {@code decimal128} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value at most 34 significant digits, exponent -6176 to 6111; {@code null} for a
   *     nullable property
   * @return this writer
   * @throws IllegalArgumentException also if the value does not fit decimal128
   */
  ObjectWriter set(String property, BigDecimal value);

  /**
   * Sets an {@code objectId} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value the id; {@code null} for a nullable property
   * @return this writer
   */
  ObjectWriter set(String property, ObjectId value);

  /**
   * Sets a {@code uuid} (or mixed) property.
   *
   * @param property a property of this object's class
   * @param value the UUID; {@code null} for a nullable property
   * @return this writer
   */
  ObjectWriter set(String property, UUID value);

  /**
   * Sets a nullable, mixed or embedded-object property to null (for an embedded object: removes
   * it).
   *
   * @param property a property of this object's class
   * @return this writer
   * @throws IllegalArgumentException if the property is required or a collection
   */
  ObjectWriter setNull(String property);

  /**
   * Sets a property from a value whose type is known only at run time (this boxes; prefer the
   * typed setters on hot paths): {@link Long}, {@link Integer}, {@link Short}, {@link Byte}, {@link
   * Double}, {@link Float}, {@link Boolean}, {@link String}, {@code byte[]}, {@link Instant},
   * {@link BigDecimal}, {@link ObjectId}, {@link UUID}, or {@code null}.
   *
   * @param property a property of this object's class
   * @param value the value, may be null
   * @return this writer
   * @throws IllegalArgumentException if the value's Java type is none of the above or does not fit
   *     the property
   */
  ObjectWriter setMixed(String property, Object value);

  /**
   * Creates the embedded object of a single embedded-object property (replacing any earlier one)
   * and returns its writer. Continue with this object through the embedded writer's {@link
   * #parent()}, or use {@link #embedded(String, Consumer)}.
   *
   * @param property an embedded-object property of this object's class
   * @return the embedded object's writer
   */
  ObjectWriter embedded(String property);

  /**
   * Creates the embedded object of a single embedded-object property, lets {@code body} write it,
   * and returns this writer.
   *
   * @param property an embedded-object property of this object's class
   * @param body writes the embedded object; the writer it gets is valid as long as this one is
   * @return this writer
   */
  ObjectWriter embedded(String property, Consumer<? super ObjectWriter> body);

  /**
   * The list property {@code property} of this object, to append elements to. A new object's list
   * is empty; elements append in call order.
   *
   * @param property a list property of this object's class
   * @return the list's writer
   */
  ListWriter list(String property);

  /**
   * The set property {@code property} of this object, to add elements to.
   *
   * @param property a set property of this object's class
   * @return the set's writer
   */
  SetWriter set(String property);

  /**
   * The dictionary property {@code property} of this object, to put entries into.
   *
   * @param property a dictionary property of this object's class
   * @return the dictionary's writer
   */
  DictionaryWriter dictionary(String property);

  /**
   * Makes the mixed property {@code property} hold a new, empty list and returns its writer (spec
   * changeset.md §9.2: Update with a List payload, then Clear). Elements are scalars or null.
   *
   * @param property a single mixed property of this object's class
   * @return the list's writer
   */
  ListWriter mixedList(String property);

  /**
   * Makes the mixed property {@code property} hold a new, empty dictionary and returns its writer.
   * Values are scalars or null.
   *
   * @param property a single mixed property of this object's class
   * @return the dictionary's writer
   */
  DictionaryWriter mixedDictionary(String property);

  /**
   * The writer of the object that contains this embedded object.
   *
   * @return the parent's writer
   * @throws IllegalStateException if this is an asymmetric (top-level) object
   */
  ObjectWriter parent();
}
