package io.tollgate.client;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Which bucket a request waits in: by the client's function (the host and port by default), or,
 * once learned, by the policy the server named for its route (IETF RateLimit fields). Makes each
 * bucket on first use with what was declared for it. Thread-safe.
 */
final class Buckets {

  private static final int LEARNED_ROUTES = 10_000;

  private final Function<HttpRequest, String> bucketOf;
  private final Map<String, String> learned; // route -> the server's policy's bucket; null: not learning
  private final Map<String, DeclaredLimit> declared;
  private final Map<String, Integer> caps;
  private final Bucket.Rules rules; // every bucket's, but for its declared limit and cap
  private final Clock clock;
  private final Sleeper sleeper;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  Buckets(Function<HttpRequest, String> bucketOf, boolean byServerPolicy, Map<String, DeclaredLimit> declared,
      Map<String, Integer> caps, Bucket.Rules rules, Clock clock, Sleeper sleeper) {
    this.bucketOf = bucketOf;
    this.learned = !byServerPolicy ? null : new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > LEARNED_ROUTES;
      }
    };
    this.declared = Map.copyOf(declared);
    this.caps = Map.copyOf(caps);
    this.rules = rules;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** The bucket {@code request} waits in. */
  Bucket of(HttpRequest request) {
    String name = bucketOf.apply(request);
    if (learned != null) {
      String policy;
      synchronized (learned) {
        policy = learned.get(route(request));
      }
      if (policy != null) {
        name = policy;
      }
    }
    return buckets.computeIfAbsent(name, k -> new Bucket(k, clock, sleeper, new Bucket.Rules(declared.get(k), caps.get(k),
        rules.queueLimit(), rules.spread(), rules.probeFirst(), rules.adaptive())));
  }

  /**
   * When bucketing by server policy and the response named one: remembers it for the request's
   * route and returns that policy's bucket; otherwise {@code current}.
   */
  Bucket learnPolicy(HttpRequest request, ServerLimit limit, Bucket current) {
    if (learned == null || limit.policy().isEmpty()) {
      return current;
    }
    String name = hostPort(request.uri()) + " " + limit.policy().get()
        + limit.partitionKey().map(pk -> ";pk=" + pk).orElse("");
    synchronized (learned) {
      learned.put(route(request), name);
    }
    return name.equals(current.name()) ? current : of(request);
  }

  /** Every bucket's state, by name. */
  Map<String, BucketState> snapshot() {
    Map<String, BucketState> out = new TreeMap<>();
    buckets.forEach((k, v) -> out.put(k, v.state()));
    return out;
  }

  private static String route(HttpRequest r) {
    return r.method() + " " + hostPort(r.uri()) + r.uri().getRawPath();
  }

  /** {@code host:port}, the scheme's port when the URI has none. */
  static String hostPort(URI uri) {
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return uri.getHost() + ":" + port;
  }
}
