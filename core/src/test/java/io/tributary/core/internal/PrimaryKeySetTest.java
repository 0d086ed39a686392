package io.tributary.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link PrimaryKeySet} against a {@link HashSet} of the same keys. */
class PrimaryKeySetTest {
  /** One key: class index, two longs and a reference (null, a String or the null-key marker). */
  record Key(int cls, long a, long b, Object ref) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.cls == cls && k.a == a && k.b == b && Objects.equals(k.ref, ref);
    }

    @Override
    public int hashCode() {
      return Objects.hash(cls, a, b, ref);
    }
  }

  /** add (with a key), clear, or undo the last add. */
  record Op(int kind, Key key) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    // small domains so that duplicates are frequent; strings are fresh instances (equals, not ==)
    Arbitrary<Object> ref = Arbitraries.oneOf(
        Arbitraries.just(null),
        Arbitraries.just(PrimaryKeySet.NULL_KEY),
        Arbitraries.integers().between(0, 20).map(i -> new String(("k" + i).toCharArray())));
    Arbitrary<Key> key = Combinators.combine(
            Arbitraries.integers().between(0, 3),
            Arbitraries.longs().between(-5, 300),
            Arbitraries.longs().between(0, 2),
            ref)
        .as(Key::new);
    Arbitrary<Op> op = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(40, key.map(k -> new Op(0, k))),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new Op(1, null))),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(new Op(2, null))));
    return op.list().ofMaxSize(2000);
  }

  /**
   * Mostly increasing keys, as apps' generators make them, so that the set keeps them in its log
   * for long runs: steps of 0 (a duplicate of the last key), small steps up, now and then a step
   * back, another class or a reference; clears and undos in between.
   */
  @Provide
  Arbitrary<List<Op>> runs() {
    Arbitrary<int[]> step = Combinators.combine(
            Arbitraries.integers().between(-3, 40), // the step of a; <= 0 goes back or repeats
            Arbitraries.integers().between(0, 30), // class: mostly 0
            Arbitraries.integers().between(0, 60), // reference: mostly none
            Arbitraries.integers().between(0, 100)) // op: mostly add
        .as((d, c, r, o) -> new int[] {d, c, r, o});
    return step.list().ofMaxSize(600).map(steps -> {
      List<Op> ops = new ArrayList<>();
      long a = 0;
      for (int[] st : steps) {
        if (st[3] == 0) {
          ops.add(new Op(1, null));
          continue;
        }
        if (st[3] <= 3) {
          ops.add(new Op(2, null));
          continue;
        }
        a += st[0] > 30 ? 1 : st[0] / 10; // mostly +1, sometimes +2, 0 or back
        int cls = st[1] == 0 ? 1 : 0;
        Object ref = st[2] == 0 ? new String("r".toCharArray()) : null;
        ops.add(new Op(0, new Key(cls, a, st[0] & 1, ref)));
      }
      return ops;
    });
  }

  @Property(tries = 300)
  void behavesLikeAHashSetWithMostlyIncreasingKeys(@ForAll("runs") List<Op> ops) {
    behavesLikeAHashSet(ops);
  }

  @Test
  void increasingKeysThenAnUndoThenAKeyOutOfOrder() {
    PrimaryKeySet set = new PrimaryKeySet();
    for (int k = 0; k < 100; k++) { // beyond the initial log and table sizes
      assertThat(set.add(0, 7, k, null)).isTrue();
    }
    set.undoLastAdd(); // removes (7, 99); (7, 98) is the last key again
    assertThat(set.size()).isEqualTo(99);
    assertThat(set.add(0, 7, 99, null)).as("undone, so new (and in order)").isTrue();
    set.undoLastAdd();
    set.undoLastAdd(); // nothing to undo twice
    assertThat(set.size()).isEqualTo(99);
    assertThat(set.add(0, 7, 98, null)).as("a duplicate of the last key").isFalse();
    assertThat(set.add(0, 7, 50, null)).as("a duplicate out of order").isFalse();
    assertThat(set.add(0, 7, 99, null)).as("undone before the table took the keys").isTrue();
    set.undoLastAdd(); // now in the table
    assertThat(set.add(0, 7, 99, null)).isTrue();
    assertThat(set.add(0, 6, 1000, null)).as("new, out of order").isTrue();
    for (int k = 0; k < 100; k++) {
      assertThat(set.add(0, 7, k, null)).as("still present: %s", k).isFalse();
    }
    assertThat(set.size()).isEqualTo(101);
    set.clear();
    assertThat(set.add(0, 7, 5, null)).as("forgotten after clear").isTrue();
    assertThat(set.add(0, 7, 5, null)).isFalse();
  }

  @Test
  void undoAfterADuplicateThatGrewTheTableRemovesTheLastSuccessfulAdd() {
    PrimaryKeySet set = new PrimaryKeySet();
    for (int k = 0; k < 32; k++) { // 32 keys fill the initial 64 slots to the growth threshold
      assertThat(set.add(0, k, 0, null)).isTrue();
    }
    assertThat(set.add(0, 0, 0, null)).as("a duplicate, added after the table grew").isFalse();
    set.undoLastAdd();
    assertThat(set.size()).isEqualTo(31);
    assertThat(set.add(0, 31, 0, null)).as("the last successful add was undone").isTrue();
    for (int k = 0; k < 31; k++) {
      assertThat(set.add(0, k, 0, null)).as("still present: %s", k).isFalse();
    }
  }

  @Property(tries = 200)
  void behavesLikeAHashSet(@ForAll("ops") List<Op> ops) {
    PrimaryKeySet set = new PrimaryKeySet();
    Set<Key> model = new HashSet<>();
    Key lastAdded = null;
    for (Op op : ops) {
      switch (op.kind()) {
        case 0 -> {
          Key k = op.key();
          boolean added = set.add(k.cls(), k.a(), k.b(), k.ref());
          assertThat(added).as("add %s", k).isEqualTo(model.add(k));
          if (added) {
            lastAdded = k; // undo removes the last *successful* add, as the write path uses it
          }
        }
        case 1 -> {
          set.clear();
          model.clear();
          lastAdded = null;
        }
        default -> {
          set.undoLastAdd();
          if (lastAdded != null) {
            model.remove(lastAdded);
          }
          lastAdded = null;
        }
      }
      assertThat(set.size()).isEqualTo(model.size());
    }
    for (Key k : model) {
      assertThat(set.add(k.cls(), k.a(), k.b(), k.ref())).as("still present: %s", k).isFalse();
    }
  }

  @Test
  void growsPastTheRetainedSizeAndStartsSmallAgainAfterClear() {
    PrimaryKeySet set = new PrimaryKeySet();
    for (int round = 0; round < 3; round++) {
      List<Long> keys = new ArrayList<>();
      for (long i = 0; i < 40_000; i++) {
        keys.add(i * 7919);
      }
      for (long k : keys) {
        assertThat(set.add(1, k, round, null)).isTrue();
      }
      assertThat(set.size()).isEqualTo(40_000);
      for (long k : keys) {
        assertThat(set.add(1, k, round, null)).isFalse();
      }
      assertThat(set.add(2, keys.get(0), round, null)).as("another class").isTrue();
      assertThat(set.add(1, keys.get(0), round, "ref")).as("with a reference").isTrue();
      set.clear();
      assertThat(set.size()).isZero();
      assertThat(set.add(1, keys.get(0), round, null)).as("forgotten after clear").isTrue();
      set.clear();
    }
  }

  @Test
  void manyClearsKeepOldKeysForgotten() {
    PrimaryKeySet set = new PrimaryKeySet();
    for (int i = 0; i < 100_000; i++) {
      assertThat(set.add(0, 42, 0, null)).isTrue();
      assertThat(set.add(0, 42, 0, null)).isFalse();
      set.clear();
    }
  }
}
