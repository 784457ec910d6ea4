package io.tollgate.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;

/**
 * The opt-in validator cache the seeds ask for ("cache with ETags"): a GET's 200 that carries an
 * ETag or a Last-Modified is kept (its status, headers and body); the next GET of the same URI
 * sends If-None-Match / If-Modified-Since, and a 304 is answered from the cache, as a 200 whose
 * headers the 304's update (RFC 9111 section 4.3.4), so its rate-limit headers are the fresh ones.
 *
 * <p>Key: the URI, the Authorization header and the Accept header (one caller's copy is never
 * another's; Vary is not read otherwise). Not kept: responses with {@code Cache-Control: no-store}
 * (the request's or the response's), bodies larger than {@code maxBytes}, requests that bring
 * their own If-None-Match or If-Modified-Since. Bounded by entries and bytes, least recently used
 * out first.
 *
 * <p>Thread-safe (one lock around the map). Bodies are read whole into memory for cached GETs.
 */
final class ResponseCache {

  private static final class Entry {
    final int status;
    final Map<String, List<String>> headers;
    final byte[] body;
    final HttpClient.Version version;

    Entry(int status, Map<String, List<String>> headers, byte[] body, HttpClient.Version version) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.version = version;
    }
  }

  private final int maxEntries;
  private final long maxBytes;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  ResponseCache(int maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** Whether this request is one the cache takes part in. */
  static boolean applies(HttpRequest request) {
    HttpHeaders h = request.headers();
    return "GET".equals(request.method()) && h.firstValue("If-None-Match").isEmpty()
        && h.firstValue("If-Modified-Since").isEmpty() && !noStore(h);
  }

  /**
   * Sends {@code request} (conditionally, when a copy is kept) and answers with the user's body
   * type; {@code hit} is called when a 304 was answered from the cache.
   */
  <T> CompletableFuture<HttpResponse<T>> send(HttpClient http, HttpRequest request,
      HttpResponse.BodyHandler<T> handler, Runnable hit) {
    String key = key(request);
    Entry kept = get(key);
    HttpRequest sent = request;
    if (kept != null) {
      HttpRequest.Builder b = HttpRequest.newBuilder(request, (n, v) -> true);
      first(kept.headers, "ETag").ifPresent(v -> b.header("If-None-Match", v));
      first(kept.headers, "Last-Modified").ifPresent(v -> b.header("If-Modified-Since", v));
      sent = b.build();
    }
    return http.sendAsync(sent, HttpResponse.BodyHandlers.ofByteArray()).thenCompose(r -> {
      if (r.statusCode() == 304 && kept != null) {
        hit.run();
        Map<String, List<String>> merged = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        merged.putAll(kept.headers);
        r.headers().map().forEach((n, v) -> {
          if (!n.equalsIgnoreCase("content-length")) {
            merged.put(n, v);
          }
        });
        Entry fresh = new Entry(kept.status, merged, kept.body, kept.version);
        put(key, fresh);
        return replay(fresh, request, handler);
      }
      Entry entry = new Entry(r.statusCode(), r.headers().map(), r.body(), r.version());
      if (r.statusCode() == 200 && !noStore(r.headers())
          && (r.headers().firstValue("ETag").isPresent() || r.headers().firstValue("Last-Modified").isPresent())) {
        put(key, entry);
      }
      return replay(entry, request, handler);
    });
  }

  private synchronized Entry get(String key) {
    return entries.get(key);
  }

  private synchronized void put(String key, Entry e) {
    Entry old = entries.remove(key);
    if (old != null) {
      bytes -= old.body.length;
    }
    if (e.body.length > maxBytes) {
      return;
    }
    entries.put(key, e);
    bytes += e.body.length;
    Iterator<Entry> eldest = entries.values().iterator();
    while (entries.size() > maxEntries || bytes > maxBytes) {
      bytes -= eldest.next().body.length;
      eldest.remove();
    }
  }

  private static String key(HttpRequest r) {
    return r.uri() + "\n" + String.join(",", r.headers().allValues("Authorization")) + "\n"
        + String.join(",", r.headers().allValues("Accept"));
  }

  private static boolean noStore(HttpHeaders h) {
    return h.allValues("Cache-Control").stream().anyMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("no-store"));
  }

  private static Optional<String> first(Map<String, List<String>> headers, String name) {
    return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
        .map(e -> e.getValue().get(0)).findFirst();
  }

  /** Feeds a kept body to the user's handler, as the network would. */
  private static <T> CompletableFuture<HttpResponse<T>> replay(Entry e, HttpRequest request,
      HttpResponse.BodyHandler<T> handler) {
    HttpHeaders headers = HttpHeaders.of(e.headers, (n, v) -> true);
    HttpResponse.BodySubscriber<T> subscriber = handler.apply(new HttpResponse.ResponseInfo() {
      @Override
      public int statusCode() {
        return e.status;
      }

      @Override
      public HttpHeaders headers() {
        return headers;
      }

      @Override
      public HttpClient.Version version() {
        return e.version;
      }
    });
    AtomicBoolean delivered = new AtomicBoolean();
    subscriber.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {
        if (n > 0 && delivered.compareAndSet(false, true)) {
          if (e.body.length > 0) {
            subscriber.onNext(List.of(ByteBuffer.wrap(e.body).asReadOnlyBuffer()));
          }
          subscriber.onComplete();
        }
      }

      @Override
      public void cancel() {
        delivered.set(true);
      }
    });
    return subscriber.getBody().toCompletableFuture().thenApply(body -> new Replayed<>(e, headers, body, request));
  }

  /** A response answered (in part) from the cache. */
  private static final class Replayed<T> implements HttpResponse<T> {
    private final Entry e;
    private final HttpHeaders headers;
    private final T body;
    private final HttpRequest request;

    Replayed(Entry e, HttpHeaders headers, T body, HttpRequest request) {
      this.e = e;
      this.headers = headers;
      this.body = body;
      this.request = request;
    }

    @Override
    public int statusCode() {
      return e.status;
    }

    @Override
    public HttpRequest request() {
      return request;
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
      return headers;
    }

    @Override
    public T body() {
      return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return e.version;
    }
  }
}
