package io.tributary.transport.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

class HttpRouterTest {
  @Test
  void tokenQueryParameterKeepsPlusAndDecodesPercentEscapes() {
    assertThat(HttpRouter.queryParameter("/p?baas_at=a.b+c/d=", "baas_at")).contains("a.b+c/d=");
    assertThat(HttpRouter.queryParameter("/p?x=1&baas_at=a%2Eb%20c&y", "baas_at")).contains("a.b c");
    assertThat(HttpRouter.queryParameter("/p?baas_at=", "baas_at")).isEmpty();
    assertThat(HttpRouter.queryParameter("/p?baas_at=%zz", "baas_at")).isEmpty();
    assertThat(HttpRouter.queryParameter("/p", "baas_at")).isEmpty();
    assertThat(HttpRouter.queryParameter("/p?baas_atx=1", "baas_at")).isEmpty();
  }

  @Test
  void bearerTokensAreCaseInsensitiveOnTheScheme() {
    assertThat(HttpRouter.bearer(new DefaultHttpHeaders().set("Authorization", "bearer abc"))).contains("abc");
    assertThat(HttpRouter.bearer(new DefaultHttpHeaders().set("Authorization", "Basic abc"))).isEmpty();
    assertThat(HttpRouter.bearer(new DefaultHttpHeaders().set("Authorization", "Bearer "))).isEmpty();
    assertThat(HttpRouter.bearer(new DefaultHttpHeaders())).isEmpty();
  }

  @Test
  void offeredSubprotocolsAreSplitAcrossHeadersAndTrimmed() {
    DefaultHttpHeaders h = new DefaultHttpHeaders();
    h.add("Sec-WebSocket-Protocol", "a, b,,c");
    h.add("Sec-WebSocket-Protocol", "d");
    assertThat(HttpRouter.offeredSubprotocols(h)).containsExactly("a", "b", "c", "d");
  }
}
