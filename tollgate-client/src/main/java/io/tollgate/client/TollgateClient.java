package io.tollgate.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Sends requests the way the seeds ask their callers to. Every request waits its turn in its
 * bucket (by default the host and port; {@link Builder#bucketByPathPrefix}, {@link
 * Builder#bucketByServerPolicy} or any {@link Builder#bucketBy function}): when a response says
 * nothing remains, the bucket's next requests wait for the reset instead of being sent to be
 * refused; a refusal pauses the whole bucket; refused and failed requests are retried after the
 * server's wait or a backoff, at most {@code maxAttempts} times in all. A wait longer than
 * {@code maxWait} fails at once with a {@link RetryLaterException} that says when to try again, and
 * so does a wait that would end past the call's deadline.
 *
 * <p>Retried: 429, 509 and 503 (the response proves the request was not processed, so POST and
 * PATCH too), and whatever else {@link Builder#retryOn} adds (408, 249, other 5xx), for those only
 * idempotent requests or requests with an {@code Idempotency-Key}.
 *
 * <p>Many requests at once go no faster than the server allows: a bucket that has heard nothing
 * sends one request first and learns from its answer ({@link Builder#probeFirst}); it never sends
 * more than the server said remain, and when a pause or window ends it releases the last known
 * quota, not everything waiting. For servers that say nothing, {@link Builder#adaptive} paces by
 * a rate learned from refusals.
 *
 * <p>Per bucket, besides: limits declared up front ({@link Builder#declare}) for APIs that send no
 * headers; a cap on requests in flight ({@link Builder#concurrency}); optional even spreading of
 * what remains until the reset ({@link Builder#spread}); a queue ordered by priority, then arrival,
 * bounded by {@link Builder#queueLimit} ({@link QueueFullException} beyond). An opt-in ETag /
 * Last-Modified cache ({@link Builder#cache}). A {@link Listener} hears every wait, refusal, retry
 * and cache hit; {@link #snapshot()} shows every bucket.
 *
 * <p>{@code send} and {@code sendAsync}, as {@link HttpClient}'s (plus a priority); thread-safe.
 * {@code send} is {@code sendAsync} waited for: one path.
 */
public final class TollgateClient {

  private final HttpClient http;
  private final Retries retries;
  private final Duration maxWait;
  private final Duration deadline;
  private final Clock clock;
  private final Buckets buckets;
  private final ResponseCache cache; // null: off
  private final Listener listener;
  private final boolean adaptive;
  private final AtomicLong arrivals = new AtomicLong();

  private TollgateClient(Builder b) {
    this.http = b.http != null ? b.http : HttpClient.newHttpClient();
    this.retries = new Retries(b.maxAttempts, b.backoff, b.retryOn);
    this.maxWait = b.maxWait;
    this.deadline = b.deadline;
    this.clock = b.clock;
    this.adaptive = b.adaptive;
    this.buckets = new Buckets(b.bucketOf, b.byServerPolicy, b.declared, b.caps,
        new Bucket.Rules(null, null, b.queueLimit, b.spread, b.probeFirst, b.adaptive), b.clock, b.sleeper);
    this.cache = b.cacheEntries == 0 ? null : new ResponseCache(b.cacheEntries, b.cacheBytes);
    this.listener = b.listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every bucket's state, by name. */
  public Map<String, BucketState> snapshot() {
    return buckets.snapshot();
  }

  /** {@link #send(HttpRequest, HttpResponse.BodyHandler, int)} at priority 0. */
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return send(request, handler, 0);
  }

  /**
   * Sends {@code request} when its bucket lets it go, retrying as described above. Returns the last
   * response (a refusal when the attempts ran out).
   *
   * @param priority higher goes first among the bucket's waiting requests; 0 by default
   * @throws RetryLaterException when a wait would be longer than {@code maxWait} or end past the deadline
   * @throws QueueFullException when the bucket already has {@code queueLimit} requests waiting
   */
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, int priority)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<T>> response = sendAsync(request, handler, priority);
    try {
      return response.get();
    } catch (InterruptedException e) {
      response.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IOException(cause);
    }
  }

  /** {@link #sendAsync(HttpRequest, HttpResponse.BodyHandler, int)} at priority 0. */
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return sendAsync(request, handler, 0);
  }

  /**
   * {@link #send} without holding a thread: the request waits in its bucket's queue, and the
   * sends are {@link HttpClient#sendAsync}. Completes exceptionally with {@link RetryLaterException}
   * or {@link QueueFullException} where {@code send} would throw them. Cancelling the future takes a
   * waiting request out of its queue.
   */
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      int priority) {
    Call call = new Call(request, priority);
    CompletableFuture<HttpResponse<T>> response = attempt(call, handler, 1);
    response.whenComplete((r, e) -> {
      Bucket.Waiter w = call.waiting;
      if (response.isCancelled() && w != null) {
        w.turn.cancel(false); // leaves the queue; an exchange already under way ends by itself
      }
    });
    return response;
  }

  /** One call across its attempts: its place in line is kept from the first. */
  private final class Call {
    final HttpRequest request;
    final int priority;
    final long seq = arrivals.incrementAndGet();
    final long giveUpAt = deadline == null ? Long.MAX_VALUE : clock.millis() + deadline.toMillis(); // epoch ms
    volatile Bucket.Waiter waiting;

    Call(HttpRequest request, int priority) {
      this.request = request;
      this.priority = priority;
    }

    String what() {
      return request.method() + " " + request.uri();
    }
  }

  private <T> CompletableFuture<HttpResponse<T>> attempt(Call call, HttpResponse.BodyHandler<T> handler, int attempt) {
    Bucket bucket = buckets.of(call.request);
    Bucket.Waiter w;
    try {
      w = bucket.enter(call.priority, call.seq, attempt > 1, maxWait, call.giveUpAt, call.what());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    call.waiting = w;
    return w.turn.thenCompose(turn -> {
      if (w.sentAt > w.enteredAt) {
        listener.paced(call.request, Duration.ofMillis(w.sentAt - w.enteredAt));
      }
      if (w.sentAt > call.giveUpAt) {
        return CompletableFuture.<HttpResponse<T>>failedFuture(new RetryLaterException(call.what()
            + " waited its turn past the call's deadline", Instant.ofEpochMilli(w.sentAt)));
      }
      return exchange(call.request, handler);
    }).handle((response, failure) -> {
      try {
        if (failure != null) {
          return CompletableFuture.<HttpResponse<T>>failedFuture(
              failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
        }
        return again(call.request, response, bucket, w.sendNumber, attempt) ? attempt(call, handler, attempt + 1)
            : CompletableFuture.completedFuture(response);
      } finally {
        if (w.turn.isDone() && !w.turn.isCompletedExceptionally()) {
          bucket.done(); // after the bucket learned from the response, so the next waits if it must
        }
      }
    }).thenCompose(next -> next);
  }

  private <T> CompletableFuture<HttpResponse<T>> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    if (cache != null && ResponseCache.applies(request)) {
      return cache.send(http, request, handler, () -> listener.cacheHit(request));
    }
    return http.sendAsync(request, handler);
  }

  /** {@code host:port}, the scheme's port when the URI has none. */
  static String hostPort(URI uri) {
    return Buckets.hostPort(uri);
  }

  /**
   * Learns from the answer to send {@code sendNumber} of {@code bucket} (the bucket's state, a pause
   * until the reset when nothing remains, a pause after a refusal) and says whether to send the
   * request again.
   */
  private boolean again(HttpRequest request, HttpResponse<?> response, Bucket bucket, long sendNumber, int attempt) {
    Instant now = clock.instant();
    ServerLimit limit = RateLimitHeaders.read(response.headers(), now);
    boolean refused = retries.retryable(request, response.statusCode());
    Bucket learning = buckets.learnPolicy(request, limit, bucket); // what the response says applies to the policy's bucket
    learning.learn(limit, now, learning == bucket ? sendNumber : Bucket.UNKNOWN_SEND, refused);
    if (limit.remaining().isPresent() && limit.remaining().getAsLong() <= 0 && limit.resetAt().isPresent()) {
      learning.pauseUntilReset(limit.resetAt().get()); // the next request would be refused: wait for the reset
    }
    if (!refused) {
      return false;
    }
    listener.refused(request, response.statusCode());
    Optional<Duration> serverWait = limit.retryAfter().or(() -> limit.resetAt()
        .filter(t -> limit.remaining().orElse(0) <= 0).map(t -> Duration.between(now, t)));
    Duration wait = retries.delay(attempt, serverWait);
    if (!adaptive || serverWait.isPresent()) {
      learning.pauseUntil(now.plus(wait)); // one refusal pauses the whole bucket (adaptive: its pace is the backoff)
    }
    if (attempt >= retries.maxAttempts()) {
      return false;
    }
    listener.retryScheduled(request, attempt + 1, wait);
    return true;
  }

  /** Builds a {@link TollgateClient}. */
  public static final class Builder {
    private HttpClient http;
    private int maxAttempts = 5;
    private Backoff backoff = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(30));
    private Duration maxWait = Duration.ofMinutes(2);
    private Duration deadline;
    private Set<Integer> retryOn = Set.of();
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private Function<HttpRequest, String> bucketOf = r -> hostPort(r.uri());
    private boolean byServerPolicy;
    private final Map<String, DeclaredLimit> declared = new java.util.HashMap<>();
    private final Map<String, Integer> caps = new java.util.HashMap<>();
    private int queueLimit = 10_000;
    private boolean spread;
    private boolean probeFirst = true;
    private boolean adaptive;
    private int cacheEntries;
    private long cacheBytes;
    private Listener listener = new Listener() {};

    private Builder() {}

    /** The client that sends; default {@link HttpClient#newHttpClient()}. */
    public Builder httpClient(HttpClient http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    /** Attempts in all, the first included; default 5. */
    public Builder maxAttempts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1 (was " + n + ")");
      }
      this.maxAttempts = n;
      return this;
    }

    /** Default: full jitter from 200 ms, capped at 30 s. */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** The longest wait before one attempt; longer fails at once with {@link RetryLaterException}. Default 2 min. */
    public Builder maxWait(Duration maxWait) {
      this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
      return this;
    }

    /** The longest a whole call may take, waits and attempts included; none by default. */
    public Builder deadline(Duration deadline) {
      this.deadline = Objects.requireNonNull(deadline, "deadline");
      return this;
    }

    /** Statuses retried besides 429, 509 and 503 (408, 249, 500, 502, 504...): idempotent requests only. */
    public Builder retryOn(Set<Integer> statuses) {
      this.retryOn = Set.copyOf(statuses);
      return this;
    }

    /**
     * A limit the client keeps to by itself in {@code bucket}, for APIs that send no headers:
     * {@code "60/1m"}, {@code "5/1s"}, {@code "1/5m"} (a count, then a duration in ms, s, m, h or d).
     */
    public Builder declare(String bucket, String limit) {
      declared.put(Objects.requireNonNull(bucket, "bucket"), DeclaredLimit.parse(limit));
      return this;
    }

    /** At most {@code n} requests of {@code bucket} in flight; the others wait their turn, in order. */
    public Builder concurrency(String bucket, int n) {
      if (n < 1) {
        throw new IllegalArgumentException("a concurrency cap must be >= 1 (was " + n + ")");
      }
      caps.put(Objects.requireNonNull(bucket, "bucket"), n);
      return this;
    }

    /**
     * At most {@code n} requests wait in one bucket (default 10,000); one more fails at once with
     * {@link QueueFullException}, unsent. Retries of requests already accepted are not counted out.
     */
    public Builder queueLimit(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("queueLimit must be >= 0 (was " + n + ")");
      }
      this.queueLimit = n;
      return this;
    }

    /**
     * Spread what remains evenly until the reset: after a response saying {@code r} remain for
     * {@code t}, sends are {@code t / (r + 1)} apart, instead of going as fast as they come until none
     * remain. Smoother for the server; never slower to the reset. Off by default.
     */
    public Builder spread(boolean spread) {
      this.spread = spread;
      return this;
    }

    /**
     * Slow start (on by default): a bucket that has heard nothing from its server yet, or whose
     * last answer's reset has passed with no quota known, sends one request and holds the others
     * until its answer tells how many may go. Off, such a bucket sends everything waiting at once
     * (faster when the limit is far, refused when it is not). Either way, once a quota is known, a
     * pause or reset that ends releases only that many, the rest waiting for their answers.
     */
    public Builder probeFirst(boolean probeFirst) {
      this.probeFirst = probeFirst;
      return this;
    }

    /**
     * Adaptive pacing (off by default), for servers that say nothing of their limit: after the
     * first refusal, sends are paced at a rate that drops to 0.7 of itself on each refusal and grows
     * back while requests succeed (CUBIC, as the AWS SDKs' adaptive mode), so a steady workload
     * settles just under the server's rate. A refusal without a wait from the server then pauses
     * nothing but the pace (no backoff on top); one with Retry-After is waited for as always.
     */
    public Builder adaptive(boolean adaptive) {
      this.adaptive = adaptive;
      return this;
    }

    /**
     * Keeps up to {@code maxEntries} GET responses that carry an ETag or Last-Modified (at most
     * {@code maxBytes} of bodies in all) and revalidates them: a 304 is answered from the cache.
     * Off by default. Bodies of GETs are read whole into memory while it is on.
     */
    public Builder cache(int maxEntries, long maxBytes) {
      if (maxEntries < 1) {
        throw new IllegalArgumentException("maxEntries must be >= 1 (was " + maxEntries + ")");
      }
      if (maxBytes < 1) {
        throw new IllegalArgumentException("maxBytes must be >= 1 (was " + maxBytes + ")");
      }
      this.cacheEntries = maxEntries;
      this.cacheBytes = maxBytes;
      return this;
    }

    /**
     * Buckets by host, port and the first {@code segments} segments of the path:
     * {@code bucketByPathPrefix(1)} puts {@code /v1/items/3} and {@code /v1/orders} in
     * {@code api.example.com:443/v1}.
     */
    public Builder bucketByPathPrefix(int segments) {
      if (segments < 0) {
        throw new IllegalArgumentException("segments must be >= 0 (was " + segments + ")");
      }
      this.bucketOf = r -> {
        String path = r.uri().getRawPath() == null ? "" : r.uri().getRawPath();
        int end = 0;
        for (int i = 0; i < segments; i++) {
          int slash = path.indexOf('/', end + 1);
          if (slash < 0) {
            end = path.length();
            break;
          }
          end = slash;
        }
        String prefix = path.substring(0, end);
        return hostPort(r.uri()) + (prefix.equals("/") ? "" : prefix);
      };
      return this;
    }

    /**
     * Buckets by the policy the server names in its IETF RateLimit fields (and its partition key,
     * {@code pk}, when sent), learned per method and path from the responses: once {@code GET /a}
     * and {@code GET /b} have each been answered under policy {@code "reads"}, they share the bucket
     * {@code host:port "reads"}. Requests on a path not yet answered go by {@link #bucketBy} (the
     * host by default). Up to 10,000 routes are remembered, least recently used out first.
     */
    public Builder bucketByServerPolicy() {
      this.byServerPolicy = true;
      return this;
    }

    /** Told of every pacing wait, refusal, retry and cache hit. */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** What groups requests under one server limit; default the host and port. */
    public Builder bucketBy(Function<HttpRequest, String> bucketOf) {
      this.bucketOf = Objects.requireNonNull(bucketOf, "bucketOf");
      return this;
    }

    /** For tests: the clock the waits are measured on, and what waits. */
    public Builder time(Clock clock, Sleeper sleeper) {
      this.clock = Objects.requireNonNull(clock, "clock");
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    public TollgateClient build() {
      return new TollgateClient(this);
    }
  }
}
