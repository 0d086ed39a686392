package io.tributary.server.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VersionSaltsTest {
  @Test
  void saltsAreStableInRangeAndDependOnFileVersionAndSecret() {
    VersionSalts a = new VersionSalts("secret-one-0123456789".getBytes(StandardCharsets.UTF_8));
    VersionSalts a2 = new VersionSalts("secret-one-0123456789".getBytes(StandardCharsets.UTF_8));
    VersionSalts b = new VersionSalts("secret-two-0123456789".getBytes(StandardCharsets.UTF_8));
    assertThat(a.salt(2, 0)).as("salt(0) = 0").isZero();
    Set<Long> seen = new HashSet<>();
    for (long f = 2; f < 20; f++) {
      for (long v = 1; v < 50; v++) {
        long s = a.salt(f, v);
        assertThat(s).isBetween(1L, Long.MAX_VALUE);
        assertThat(a2.salt(f, v)).isEqualTo(s);
        assertThat(b.salt(f, v)).isNotEqualTo(s);
        seen.add(s);
      }
    }
    assertThat(seen).hasSize(18 * 49);
  }
}
