package io.tributary.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExactlyOnceTest {
  @Test
  void passesWhenEveryCountAgrees() {
    ExactlyOnce c = new ExactlyOnce(1000, 1000, 1000, 1000, 0);
    assertThat(c.passed()).isTrue();
    assertThat(c.problems()).isEmpty();
  }

  @Test
  void namesEachDisagreement() {
    assertThat(new ExactlyOnce(1000, 999, 999, 999, 0).problems())
        .containsExactly("acknowledged objects: 999 (expected: 1000 written)");
    assertThat(new ExactlyOnce(1000, 1000, 998, 998, 0).problems())
        .containsExactly("stored objects: 998 (expected: 1000 acknowledged)");
    assertThat(new ExactlyOnce(1000, 1000, 1000, 1001, 0).problems())
        .containsExactly("server objectsIngested: 1001 (expected: 1000 stored)");
    assertThat(new ExactlyOnce(1000, 1000, 1000, 1000, 2).problems())
        .containsExactly("server duplicatesDiscarded: 2 (expected: 0)");
    assertThat(new ExactlyOnce(10, 9, 8, 7, 1).passed()).isFalse();
  }
}
