package io.tributary.core;

import io.tributary.protocol.ObjectId;
import java.util.UUID;

/**
 * A write transaction of an {@link IngestRealm}: creates asymmetric objects, each written straight
 * into the transaction's changeset. Passed to the body of {@link IngestRealm#write}.
 *
 * <h2>Instructions, in call order</h2>
 *
 * Every call appends its instruction to the changeset at once (no object graph is built), so the
 * changeset lists instructions in the order the app made the calls, exactly as realm-core does
 * (spec changeset.md §9.2). When the app creates an object and then sets its properties in schema
 * order, as Realm's SDKs do, the changeset is byte for byte what a Realm SDK would upload.
 * Properties that are never set produce nothing; the server stores the type's zero value for a
 * required property that was never set (spec changeset.md §11.2), as realm-core allows.
 *
 * <h2>Lifetime and threads</h2>
 *
 * A transaction and every writer obtained from it may be used only inside the body of {@code
 * write}, on the thread that called {@code write}. A call after the body returned or threw, or
 * from another thread, throws {@link IllegalStateException}. Writer objects are reused by later
 * transactions on the same thread: never keep one after the body returns.
 *
 * <p>Null arguments throw {@link NullPointerException} unless a parameter says otherwise.
 */
public interface Transaction {

  /**
   * Creates an object of an asymmetric class with an objectId primary key.
   *
   * @param className an asymmetric class of the realm's schema
   * @param primaryKey the key; {@code null} only if the class's key is nullable
   * @return the new object's writer (valid until the body returns)
   * @throws IllegalArgumentException if the class is unknown or embedded, its key is not an
   *     objectId, or the key is null but not nullable ("missing primary key")
   * @throws DuplicatePrimaryKeyException if this transaction already created an object of the class
   *     with this key
   * @throws IllegalStateException if the transaction has ended or is used from another thread
   */
  ObjectWriter create(String className, ObjectId primaryKey);

  /**
   * Creates an object of an asymmetric class with an int primary key.
   *
   * @param className an asymmetric class of the realm's schema
   * @param primaryKey the key
   * @return the new object's writer
   * @throws IllegalArgumentException if the class is unknown or embedded, or its key is not an int
   * @throws DuplicatePrimaryKeyException if this transaction already created that object
   * @throws IllegalStateException if the transaction has ended or is used from another thread
   */
  ObjectWriter create(String className, long primaryKey);

  /**
   * Creates an object of an asymmetric class with a string primary key.
   *
   * @param className an asymmetric class of the realm's schema
   * @param primaryKey the key, at most 16 777 199 UTF-8 bytes; {@code null} only if the class's key
   *     is nullable
   * @return the new object's writer
   * @throws IllegalArgumentException if the class is unknown or embedded, its key is not a string,
   *     the key is null but not nullable, or it is not valid UTF-16
   * @throws DuplicatePrimaryKeyException if this transaction already created that object
   * @throws IllegalStateException if the transaction has ended or is used from another thread
   */
  ObjectWriter create(String className, String primaryKey);

  /**
   * Creates an object of an asymmetric class with a uuid primary key.
   *
   * @param className an asymmetric class of the realm's schema
   * @param primaryKey the key; {@code null} only if the class's key is nullable
   * @return the new object's writer
   * @throws IllegalArgumentException if the class is unknown or embedded, its key is not a uuid,
   *     or the key is null but not nullable
   * @throws DuplicatePrimaryKeyException if this transaction already created that object
   * @throws IllegalStateException if the transaction has ended or is used from another thread
   */
  ObjectWriter create(String className, UUID primaryKey);

  /**
   * Creates the object of an asymmetric class whose (nullable) primary key is null; works for
   * every primary-key type.
   *
   * @param className an asymmetric class whose primary key is nullable
   * @return the new object's writer
   * @throws IllegalArgumentException if the class is unknown or embedded, or its key is not
   *     nullable
   * @throws DuplicatePrimaryKeyException if this transaction already created that object
   * @throws IllegalStateException if the transaction has ended or is used from another thread
   */
  ObjectWriter createWithNullKey(String className);

  /** The number of objects this transaction created so far. */
  int objectCount();

  /**
   * Always fails: asymmetric objects cannot be deleted, as in every Realm SDK.
   *
   * @param className the class
   * @param primaryKey the key (may be null)
   * @throws AsymmetricObjectException always ("Asymmetric Realm objects cannot be deleted
   *     manually: Reading")
   * @throws IllegalArgumentException if the class is not in the schema
   */
  void delete(String className, Object primaryKey);
}
