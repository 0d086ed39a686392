package io.tributary.transport.netty.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tributary.transport.netty.server.AppServicesBackend;
import io.tributary.transport.netty.server.AppServicesException;
import io.tributary.transport.netty.server.EdgeConfig;
import io.tributary.transport.netty.server.EdgeHandler;
import io.tributary.transport.netty.server.LoginRequest;
import io.tributary.transport.netty.server.LoginResult;
import io.tributary.transport.netty.server.SubprotocolSelector;
import io.tributary.transport.netty.server.UpgradeDecision;
import io.tributary.transport.netty.server.UpgradeRequest;
import io.tributary.transport.netty.server.UserProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The HTTP side of an edge connection: routes each request to the App Services handlers (spec
 * protocol.md §2) or to the WebSocket upgrade of the sync endpoint (§2.7, §3.1–§3.3), one request
 * at a time, each within {@link EdgeConfig#handshakeTimeout()}.
 *
 * <p>While a request is being answered the channel reads nothing more (requests a client
 * pipelined anyway are queued, at most {@value #MAX_PIPELINED}), so answers leave in request order
 * even though backends answer asynchronously. Event loop only.
 */
public final class HttpRouter extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(HttpRouter.class.getName());
  static final int MAX_PIPELINED = 8;
  private static final String API = "/api/client/v2.0/";
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:_]{1,255}");

  private final EdgeConfig config;
  private final boolean tls;
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean busy;
  private FullHttpRequest pendingUpgrade;
  private boolean closeAfterThisRequest;
  private ScheduledFuture<?> timer;

  HttpRouter(EdgeConfig config, boolean tls) {
    this.config = config;
    this.tls = tls;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    armTimer();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    FullHttpRequest request = (FullHttpRequest) msg;
    if (busy) {
      if (waiting.size() >= MAX_PIPELINED) {
        request.release();
        ctx.close();
      } else {
        waiting.add(request);
      }
      return;
    }
    handle(request);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cleanUp();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cleanUp();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      LOG.log(System.Logger.Level.DEBUG, "HTTP connection error; closing", cause);
    }
    ctx.close();
  }

  private void cleanUp() {
    cancelTimer();
    FullHttpRequest r;
    while ((r = waiting.poll()) != null) {
      r.release();
    }
    if (pendingUpgrade != null) {
      pendingUpgrade.release();
      pendingUpgrade = null;
    }
  }

  private void armTimer() {
    cancelTimer();
    timer =
        ctx.executor()
            .schedule(() -> ctx.close(), config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  // --- dispatch ---

  private void handle(FullHttpRequest request) {
    busy = true;
    closeAfterThisRequest = !HttpUtil.isKeepAlive(request);
    ctx.channel().config().setAutoRead(false);
    try {
      route(request);
    } catch (RuntimeException e) {
      FullHttpResponse r = errorResponse(e);
      respond(r, r.status().code() >= 500);
    } finally {
      request.release();
    }
  }

  private void route(FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      respond(
          HttpResponses.error(
              ctx.alloc(), 400, "malformed HTTP request: " + request.decoderResult().cause(), "BadRequest"),
          true);
      return;
    }
    String path = pathOf(request);
    String prefix = config.pathPrefix();
    HttpMethod method = request.method();
    if (path.equals("/health") || path.equals(prefix + "/health")) {
      if (allow(method, HttpMethod.GET)) {
        health();
      }
      return;
    }
    if (path.equals("/metrics") || path.equals(prefix + "/metrics")) {
      if (allow(method, HttpMethod.GET)) {
        metrics();
      }
      return;
    }
    if (!path.startsWith(prefix + API)) {
      notFound(path);
      return;
    }
    String[] seg = path.substring(prefix.length() + API.length()).split("/", -1);
    if (seg.length == 3 && seg[0].equals("app") && !seg[1].isEmpty()) {
      String app = seg[1];
      if (seg[2].equals("realm-sync")) {
        if (allow(method, HttpMethod.GET)) {
          upgrade(request, app, path);
        }
        return;
      }
      if (seg[2].equals("location")) {
        if (allow(method, HttpMethod.GET)) {
          location(request, app);
        }
        return;
      }
    }
    if (seg.length == 6
        && seg[0].equals("app")
        && !seg[1].isEmpty()
        && seg[2].equals("auth")
        && seg[3].equals("providers")
        && !seg[4].isEmpty()) {
      if (seg[5].equals("login")) {
        if (allow(method, HttpMethod.POST)) {
          login(request, seg[1], seg[4]);
        }
        return;
      }
      if (seg[5].equals("register") && seg[4].equals("local-userpass")) {
        if (allow(method, HttpMethod.POST)) {
          register(request, seg[1]);
        }
        return;
      }
    }
    if (seg.length == 2 && seg[0].equals("auth")) {
      switch (seg[1]) {
        case "profile":
          if (allow(method, HttpMethod.GET)) {
            withBearer(request, token -> answer(backend().profile(token), HttpRouter::profileJson, 200));
          }
          return;
        case "session":
          if (method.equals(HttpMethod.POST)) {
            withBearer(request, token -> answer(backend().refreshAccessToken(token), t -> Map.of("access_token", t), 201));
          } else if (allow(method, HttpMethod.POST, HttpMethod.DELETE)) {
            withBearer(request, token -> answerEmpty(backend().logout(token)));
          }
          return;
        case "delete":
          if (allow(method, HttpMethod.DELETE)) {
            withBearer(request, token -> answerEmpty(backend().deleteUser(token)));
          }
          return;
        default:
          break;
      }
    }
    notFound(path);
  }

  private static String pathOf(FullHttpRequest request) {
    return new QueryStringDecoder(request.uri()).path();
  }

  private boolean allow(HttpMethod method, HttpMethod... allowed) {
    for (HttpMethod m : allowed) {
      if (m.equals(method)) {
        return true;
      }
    }
    List<String> names = new ArrayList<>();
    for (HttpMethod m : allowed) {
      names.add(m.name());
    }
    FullHttpResponse r =
        HttpResponses.error(
            ctx.alloc(), 405, "method " + method + " (expected: " + String.join(", ", names) + ")", "MethodNotAllowed");
    r.headers().set(HttpHeaderNames.ALLOW, String.join(", ", names));
    respond(r, false);
    return false;
  }

  private void notFound(String path) {
    respond(HttpResponses.error(ctx.alloc(), 404, "no route for " + path, "NotFound"), false);
  }

  private AppServicesBackend backend() {
    AppServicesBackend b = config.appServicesBackend();
    if (b == null) {
      throw new AppServicesException(404, "NotFound", "App Services routes are not enabled on this server");
    }
    return b;
  }

  // --- App Services routes (spec protocol.md §2) ---

  private void location(FullHttpRequest request, String app) {
    String base = publicBase(request);
    if (base == null) {
      respond(HttpResponses.error(ctx.alloc(), 400, "Host header: missing or malformed", "BadRequest"), false);
      return;
    }
    String wsBase = (base.regionMatches(true, 0, "https:", 0, 6) ? "wss" : "ws") + base.substring(base.indexOf(':'));
    answer(
        callBackend(() -> backend().checkApp(app)),
        v -> {
          Map<String, Object> body = new LinkedHashMap<>();
          // the real service sends these two; realm-core ignores them (spec §2.2)
          body.put("deployment_model", "GLOBAL");
          body.put("location", "US-VA");
          body.put("hostname", base);
          body.put("ws_hostname", wsBase);
          return body;
        },
        200);
  }

  private String publicBase(FullHttpRequest request) {
    if (config.publicBaseUrl() != null) {
      String s = config.publicBaseUrl().toString();
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      return s;
    }
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (host == null) {
      InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
      host = local.getAddress().getHostAddress() + ":" + local.getPort();
      if (host.indexOf(':') != host.lastIndexOf(':')) {
        host = "[" + local.getAddress().getHostAddress() + "]:" + local.getPort();
      }
    }
    if (!HOST.matcher(host).matches()) {
      return null;
    }
    return (tls ? "https://" : "http://") + host + config.pathPrefix();
  }

  private void login(FullHttpRequest request, String app, String provider) {
    JsonNode body = jsonObject(request);
    if (body == null) {
      return;
    }
    boolean link =
        new QueryStringDecoder(request.uri()).parameters().getOrDefault("link", List.of()).contains("true");
    LoginRequest login =
        new LoginRequest(app, provider, body, link, bearer(request.headers()), remote());
    answer(callBackend(() -> backend().login(login)), HttpRouter::loginJson, 200);
  }

  private void register(FullHttpRequest request, String app) {
    JsonNode body = jsonObject(request);
    if (body == null) {
      return;
    }
    JsonNode email = body.get("email");
    JsonNode password = body.get("password");
    if (email == null || !email.isTextual() || password == null || !password.isTextual()) {
      respond(
          HttpResponses.error(ctx.alloc(), 400, "request body: email and password (expected: strings)", "BadRequest"),
          false);
      return;
    }
    answer(callBackend(() -> backend().register(app, email.asText(), password.asText())), v -> Map.of(), 201);
  }

  private JsonNode jsonObject(FullHttpRequest request) {
    JsonNode node = null;
    String problem;
    if (!request.content().isReadable()) {
      problem = "request body: empty (expected: a JSON object)";
    } else {
      try (InputStream in = new ByteBufInputStream(request.content().duplicate())) {
        node = HttpResponses.JSON.readTree(in);
        problem = node != null && node.isObject() ? null : "request body: not a JSON object";
      } catch (IOException e) {
        problem = "request body: invalid JSON: " + e.getMessage().lines().findFirst().orElse("");
      }
    }
    if (problem != null) {
      respond(HttpResponses.error(ctx.alloc(), 400, problem, "BadRequest"), false);
      return null;
    }
    return node;
  }

  private void withBearer(FullHttpRequest request, Consumer<String> action) {
    Optional<String> token = bearer(request.headers());
    if (token.isEmpty()) {
      respond(
          HttpResponses.error(
              ctx.alloc(), 401, "Authorization: missing (expected: Bearer <token>)", "InvalidSession"),
          false);
      return;
    }
    action.accept(token.get());
  }

  static Optional<String> bearer(HttpHeaders headers) {
    String value = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (value == null || value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = value.substring(7).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  private static Object loginJson(LoginResult r) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", r.accessToken());
    body.put("refresh_token", r.refreshToken());
    body.put("user_id", r.userId());
    body.put("device_id", r.deviceId());
    return body;
  }

  private static Object profileJson(UserProfile p) {
    List<Map<String, Object>> identities = new ArrayList<>();
    for (UserProfile.Identity i : p.identities()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", i.id());
      m.put("provider_type", i.providerType());
      identities.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user_id", p.userId());
    body.put("identities", identities);
    body.put("data", p.data());
    body.put("type", "normal");
    return body;
  }

  private void health() {
    AppServicesBackend b = config.appServicesBackend();
    CompletionStage<Boolean> stage =
        b == null ? CompletableFuture.completedFuture(true) : callBackend(b::healthy);
    onLoop(
        stage,
        (ok, e) -> {
          boolean healthy = e == null && Boolean.TRUE.equals(ok);
          respond(
              HttpResponses.json(ctx.alloc(), healthy ? 200 : 503, Map.of("status", healthy ? "ok" : "unavailable")),
              false);
        });
  }

  private void metrics() {
    onLoop(
        callBackend(() -> backend().metrics()),
        (text, e) -> {
          if (e != null) {
            respond(errorResponse(e), false);
          } else {
            respond(
                HttpResponses.bytes(
                    ctx.alloc(), 200, "text/plain; version=0.0.4; charset=utf-8", text.getBytes(StandardCharsets.UTF_8)),
                false);
          }
        });
  }

  private <T> void answer(CompletionStage<T> stage, Function<T, Object> toJson, int status) {
    onLoop(
        stage,
        (value, e) -> {
          if (e != null) {
            respond(errorResponse(e), false);
            return;
          }
          FullHttpResponse r;
          try {
            r = HttpResponses.json(ctx.alloc(), status, toJson.apply(value));
          } catch (RuntimeException ex) {
            r = errorResponse(ex);
          }
          respond(r, false);
        });
  }

  private void answerEmpty(CompletionStage<Void> stage) {
    onLoop(stage, (v, e) -> respond(e != null ? errorResponse(e) : HttpResponses.empty(204), false));
  }

  private static <T> CompletionStage<T> callBackend(Supplier<CompletionStage<T>> call) {
    try {
      CompletionStage<T> stage = call.get();
      return stage != null
          ? stage
          : CompletableFuture.failedFuture(new NullPointerException("backend returned a null stage"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private FullHttpResponse errorResponse(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof AppServicesException) {
      AppServicesException a = (AppServicesException) t;
      return HttpResponses.error(ctx.alloc(), a.httpStatus(), String.valueOf(a.getMessage()), a.errorCode());
    }
    LOG.log(System.Logger.Level.WARNING, "App Services backend failed", t);
    return HttpResponses.error(ctx.alloc(), 500, "internal server error", "InternalServerError");
  }

  /** Runs {@code then} on this connection's event loop once {@code stage} completes. */
  private <T> void onLoop(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
    stage.whenComplete(
        (v, e) -> {
          try {
            ctx.executor().execute(() -> then.accept(v, e));
          } catch (RejectedExecutionException ignored) {
            // shutting down: the connection is being closed anyway
          }
        });
  }

  private void respond(FullHttpResponse response, boolean close) {
    if (!ctx.channel().isActive()) {
      response.release();
      return;
    }
    boolean keepAlive = !close && !closeAfterThisRequest;
    response.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!keepAlive || !f.isSuccess()) {
                    f.channel().close();
                    return;
                  }
                  busy = false;
                  armTimer();
                  FullHttpRequest next = waiting.poll();
                  if (next != null) {
                    handle(next);
                  } else {
                    ctx.channel().config().setAutoRead(true);
                  }
                });
  }

  // --- the sync endpoint (spec protocol.md §2.7, §3.1-§3.3) ---

  private void upgrade(FullHttpRequest request, String app, String path) {
    HttpHeaders h = request.headers();
    if (!h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        || !h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
      respond(
          HttpResponses.text(ctx.alloc(), 400, "expected a WebSocket upgrade (Upgrade: websocket, Connection: Upgrade)\n"),
          true);
      return;
    }
    String version = h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
    if (version == null || !version.trim().equals("13")) {
      FullHttpResponse r =
          HttpResponses.text(ctx.alloc(), 426, "Sec-WebSocket-Version: " + version + " (expected: 13)\n");
      r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
      respond(r, true);
      return;
    }
    String key = h.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    if (key == null || key.isBlank()) {
      respond(HttpResponses.text(ctx.alloc(), 400, "Sec-WebSocket-Key: missing\n"), true);
      return;
    }
    Optional<String> token = queryParameter(request.uri(), "baas_at");
    if (token.isEmpty()) {
      token = bearer(h);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : h) {
      headers.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }
    UpgradeRequest upgrade = new UpgradeRequest(app, token, path, remote(), headers);
    pendingUpgrade = request.retain();
    CompletionStage<UpgradeDecision> stage =
        callBackend(() -> config.upgradeAuthorizer().authorize(upgrade));
    onLoop(stage, (decision, e) -> decided(request, upgrade, decision, e));
  }

  private void decided(FullHttpRequest request, UpgradeRequest upgrade, UpgradeDecision decision, Throwable e) {
    if (pendingUpgrade != request) {
      return; // the connection went away and released it
    }
    pendingUpgrade = null;
    try {
      if (e != null || decision == null) {
        LOG.log(System.Logger.Level.WARNING, "upgrade authorizer failed for " + upgrade, e);
        respond(HttpResponses.error(ctx.alloc(), 500, "internal server error", "InternalServerError"), true);
        return;
      }
      if (!decision.isAccepted()) {
        respond(HttpResponses.error(ctx.alloc(), decision.httpStatus(), decision.error(), decision.errorCode()), true);
        return;
      }
      List<String> offered = offeredSubprotocols(request.headers());
      Optional<SubprotocolSelector.Selection> selection = config.subprotocolSelector().select(offered);
      if (selection.isEmpty()) {
        respond(
            HttpResponses.text(
                ctx.alloc(),
                400,
                "Sec-WebSocket-Protocol: no supported subprotocol in " + offered
                    + " (expected: e.g. " + SubprotocolSelector.FLX_PREFIX + "14)\n"),
            true);
        return;
      }
      EdgeHandler handler = config.handlerFactory().newHandler();
      handshake(request, upgrade, decision.principal(), selection.get(), handler);
    } catch (RuntimeException ex) {
      LOG.log(System.Logger.Level.WARNING, "upgrade failed for " + upgrade, ex);
      respond(HttpResponses.error(ctx.alloc(), 500, "internal server error", "InternalServerError"), true);
    } finally {
      request.release();
    }
  }

  private void handshake(
      FullHttpRequest request,
      UpgradeRequest upgrade,
      Object principal,
      SubprotocolSelector.Selection selection,
      EdgeHandler handler) {
    WebSocketServerHandshaker13 handshaker =
        new ServerHandshaker(
            (tls ? "wss://" : "ws://") + request.headers().get(HttpHeaderNames.HOST, "") + upgrade.path(),
            config.maxMessageBytes());
    // our own token, exactly one (spec §3.2); the handshaker itself has no subprotocols to add
    HttpHeaders extra = new DefaultHttpHeaders().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, selection.subprotocol());
    EdgeFrameHandler frames =
        new EdgeFrameHandler(config, handler, upgrade.appId(), principal, selection, upgrade.remoteAddress(), System::nanoTime);
    ChannelPipeline pipeline = ctx.pipeline();
    pipeline.addLast("edge-ws", frames);
    ChannelPromise done = ctx.newPromise();
    done.addListener(
        f -> {
          if (f.isSuccess()) {
            cancelTimer();
            pipeline.remove(this);
            frames.open();
          } else {
            ctx.close();
          }
        });
    handshaker.handshake(ctx.channel(), request, extra, done);
  }

  /** Netty's RFC 6455 server handshake with Tributary's {@link FrameDecoder}. */
  private static final class ServerHandshaker extends WebSocketServerHandshaker13 {
    private final int maxMessageBytes;

    ServerHandshaker(String url, int maxMessageBytes) {
      super(
          url,
          null,
          WebSocketDecoderConfig.newBuilder()
              .maxFramePayloadLength(maxMessageBytes)
              .allowExtensions(false)
              .build());
      this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    protected WebSocketFrameDecoder newWebsocketDecoder() {
      return new FrameDecoder(true, maxMessageBytes);
    }
  }

  private InetSocketAddress remote() {
    return (InetSocketAddress) ctx.channel().remoteAddress();
  }

  /** Tokens of every Sec-WebSocket-Protocol header, split on commas, trimmed, empties dropped. */
  static List<String> offeredSubprotocols(HttpHeaders headers) {
    List<String> tokens = new ArrayList<>();
    for (String value : headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
      for (String t : value.split(",")) {
        String token = t.trim();
        if (!token.isEmpty()) {
          tokens.add(token);
        }
      }
    }
    return tokens;
  }

  /**
   * The first value of a query parameter, percent-decoded but with {@code +} kept as is: tokens
   * are sent without encoding (spec §3.1), and a standard-alphabet token may contain {@code +}.
   */
  static Optional<String> queryParameter(String uri, String name) {
    int q = uri.indexOf('?');
    if (q < 0) {
      return Optional.empty();
    }
    int hash = uri.indexOf('#', q);
    String query = uri.substring(q + 1, hash < 0 ? uri.length() : hash);
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1));
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
      }
    }
    return Optional.empty();
  }

  /** Decodes %XX escapes as UTF-8; returns null for a malformed escape. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
