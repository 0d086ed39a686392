package io.tributary.core.internal;

import io.tributary.core.PropertyType;

/** What list, set and dictionary writers share: the owner, the element type and the checks. */
abstract class CollectionWriterBase {
  static final int POOL_CAP = TransactionImpl.POOL_CAP;

  final ObjectWriterImpl owner;
  final PropertyModel p;
  /** The element type: the property's, or MIXED for a mixed property holding a collection. */
  final PropertyType element;
  final boolean nullableElements;
  int gen = -1;
  long ownerStamp;
  /** Elements written since {@link #attach}. */
  int size;
  private ObjectWriterImpl[] embedded;

  CollectionWriterBase(ObjectWriterImpl owner, PropertyModel p, PropertyType element) {
    this.owner = owner;
    this.p = p;
    this.element = element;
    this.nullableElements = element == PropertyType.MIXED || p.nullable;
  }

  /** Binds to the owner's current object; a new object (or {@code fresh}) starts empty. */
  final void attach(boolean fresh) {
    gen = owner.gen;
    if (fresh || ownerStamp != owner.stamp) {
      ownerStamp = owner.stamp;
      size = 0;
    }
  }

  final void checkUsable() {
    TransactionImpl t = owner.tx;
    if (t.gen != gen || t.thread != Thread.currentThread()) {
      throw t.unusable("writer of " + p.qualified() + " of " + owner.describe());
    }
    if (ownerStamp != owner.stamp) {
      throw new IllegalStateException(
          p.qualified() + ": the object this collection belongs to was replaced (expected: a"
              + " writer obtained after the replacement)");
    }
  }

  /** Checks usability and that an element of type {@code given} fits. */
  final void check(PropertyType given) {
    checkUsable();
    if (element != given && element != PropertyType.MIXED) {
      throw Values.elementError(p, element, given);
    }
  }

  /** Checks that null elements are allowed (after {@link #check}). */
  final void checkNull() {
    if (!nullableElements) {
      throw Values.elementNullError(p);
    }
  }

  /** Checks usability and that this is a collection of embedded objects. */
  final void checkEmbedded() {
    checkUsable();
    if (element != PropertyType.OBJECT) {
      throw new IllegalArgumentException(
          p.qualified() + ": cannot add an embedded object to " + Values.collectionName(p, element)
              + " (expected: a collection of embedded objects)");
    }
  }

  /** The writer for the {@code ordinal}-th embedded element (pooled up to {@link #POOL_CAP}). */
  final ObjectWriterImpl embeddedWriter(int ordinal) {
    if (ordinal >= POOL_CAP) {
      return new ObjectWriterImpl(owner.tx);
    }
    ObjectWriterImpl[] e = embedded;
    if (e == null || e.length <= ordinal) {
      e = embedded = java.util.Arrays.copyOf(
          e == null ? new ObjectWriterImpl[0] : e, Math.min(POOL_CAP, Math.max(8, ordinal * 2)));
    }
    ObjectWriterImpl w = e[ordinal];
    if (w == null) {
      w = e[ordinal] = new ObjectWriterImpl(owner.tx);
    }
    return w;
  }
}
