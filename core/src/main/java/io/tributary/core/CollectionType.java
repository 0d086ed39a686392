package io.tributary.core;

/** Whether a property holds one value or a collection of values (spec changeset.md §6). */
public enum CollectionType {
  /** One value. */
  SINGLE,
  /** An ordered list; elements may repeat. */
  LIST,
  /** A set of distinct values. */
  SET,
  /** A dictionary from string keys to values. */
  DICTIONARY
}
