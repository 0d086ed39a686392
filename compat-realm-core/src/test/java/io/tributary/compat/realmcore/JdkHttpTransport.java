package io.tributary.compat.realmcore;

import io.realm.kotlin.internal.interop.sync.NetworkTransport;
import io.realm.kotlin.internal.interop.sync.Response;
import io.realm.kotlin.internal.interop.sync.ResponseCallback;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The HTTP transport an SDK hands to realm-core's App client: realm-core builds every App
 * Services request (location, login, profile, session refresh) and this class only carries it,
 * with {@link HttpClient}. It records every exchange so a test can show what the real client
 * asked for.
 *
 * <p>Thread safe: realm-core calls {@link #sendRequest} from its own threads; the response
 * callback runs on the HttpClient's executor.
 */
final class JdkHttpTransport implements NetworkTransport {
  /** Headers HttpClient sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

  /** Custom response code realm-core reads as "the request did not complete" (any non-zero). */
  private static final int TRANSPORT_FAILURE = 1000;

  /** One request realm-core made and the answer it got. */
  record Exchange(String method, String url, Map<String, String> requestHeaders, String requestBody, int status,
      String responseBody) {}

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  /** Every exchange in the order the responses arrived. */
  final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

  @Override
  public String getAuthorizationHeaderName() {
    return "Authorization";
  }

  @Override
  public Map<String, String> getCustomHeaders() {
    return Map.of();
  }

  @Override
  public void sendRequest(String method, String url, Map<String, String> headers, String body,
      ResponseCallback callback) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    headers.forEach((name, value) -> {
      if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
        request.header(name, value);
      }
    });
    String verb = method.toUpperCase(Locale.ROOT);
    boolean hasBody = body != null && !body.isEmpty() && !verb.equals("GET");
    request.method(verb, hasBody ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
    client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
      if (failure != null) {
        exchanges.add(new Exchange(verb, url, Map.copyOf(headers), body, -1, String.valueOf(failure)));
        callback.response(new Response(0, TRANSPORT_FAILURE, Map.of(), String.valueOf(failure)));
        return;
      }
      Map<String, String> responseHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      response.headers().map().forEach((name, values) -> responseHeaders.put(name, String.join(", ", values)));
      exchanges.add(new Exchange(verb, url, Map.copyOf(headers), body, response.statusCode(), response.body()));
      callback.response(new Response(response.statusCode(), 0, responseHeaders, response.body()));
    });
  }

  @Override
  public void close() {
    // HttpClient holds no resources that need closing on Java 17
  }
}
