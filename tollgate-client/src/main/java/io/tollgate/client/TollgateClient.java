package io.tollgate.client;

import java.io.IOException;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Sends requests the way the seeds ask their callers to: it reads every response's rate-limit
 * headers, and when a bucket (by default the host) has nothing remaining, its next requests wait
 * for the reset instead of being sent to be refused; a refusal pauses the whole bucket; refused and
 * failed requests are retried after the server's wait or a backoff, at most {@code maxAttempts}
 * times in all. A wait longer than {@code maxWait} fails at once with a {@link RetryLaterException}
 * that says when to try again, and so does a wait that would end past the call's deadline.
 *
 * <p>Retried: 429, 509 and 503 (the response proves the request was not processed, so POST and
 * PATCH too), and whatever else {@link Builder#retryOn} adds (408, 249, other 5xx), for those only
 * idempotent requests or requests with an {@code Idempotency-Key}.
 *
 * <p>{@code send} and {@code sendAsync}, as {@link HttpClient}'s; thread-safe. Limits declared up
 * front ({@link Builder#declare}) are kept to without the server's help; a bucket can be capped at
 * so many requests in flight ({@link Builder#concurrency}); a {@link Listener} is told of every
 * wait, refusal and retry. Not built yet (issue 5): even spreading, priorities, the ETag cache.
 */
public final class TollgateClient {

  private static final Set<Integer> NOT_PROCESSED = Set.of(429, 509, 503);
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  private final HttpClient http;
  private final int maxAttempts;
  private final Backoff backoff;
  private final Duration maxWait;
  private final Duration deadline;
  private final Set<Integer> retryOn;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Function<HttpRequest, String> bucketOf;
  private final Map<String, DeclaredLimit> declared;
  private final Map<String, Integer> caps;
  private final Listener listener;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private TollgateClient(Builder b) {
    this.http = b.http != null ? b.http : HttpClient.newHttpClient();
    this.maxAttempts = b.maxAttempts;
    this.backoff = b.backoff;
    this.maxWait = b.maxWait;
    this.deadline = b.deadline;
    this.retryOn = Set.copyOf(b.retryOn);
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.bucketOf = b.bucketOf;
    this.declared = Map.copyOf(b.declared);
    this.caps = Map.copyOf(b.caps);
    this.listener = b.listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What the client knows of one bucket: paused until when, and the server's last word. */
  public static final class BucketState {
    private final Instant pausedUntil;
    private final ServerLimit last;

    BucketState(Instant pausedUntil, ServerLimit last) {
      this.pausedUntil = pausedUntil;
      this.last = last;
    }

    /** Requests of this bucket wait until then (in the past: they go at once). */
    public Instant pausedUntil() {
      return pausedUntil;
    }

    /** What the bucket's last response said of the limit. */
    public Optional<ServerLimit> last() {
      return Optional.ofNullable(last);
    }

    @Override
    public String toString() {
      return "paused until " + pausedUntil + (last == null ? "" : ", " + last);
    }
  }

  private static final class Bucket {
    private Instant pausedUntil = Instant.EPOCH;
    private ServerLimit last;
    private final DeclaredLimit declared;
    private final Slots slots; // null: no cap
    private final long[] sent; // the last `count` send times, epoch ms, as a ring
    private int next;
    private int filled;

    Bucket(DeclaredLimit declared, Integer cap) {
      this.declared = declared;
      this.slots = cap == null ? null : new Slots(cap);
      this.sent = declared == null ? new long[0] : new long[(int) declared.count()];
    }

    /**
     * When a request may go under the declared limit, counting it as sent then: never more than
     * {@code count} in any {@code window} (a sliding log of the last {@code count} send times), so
     * that no window of the server's, wherever it starts, sees more.
     */
    synchronized Instant reserve(Instant now) {
      if (declared == null) {
        return now;
      }
      long at = now.toEpochMilli();
      if (filled == sent.length) {
        at = Math.max(at, sent[next] + declared.window().toMillis());
      }
      sent[next] = at;
      next = (next + 1) % sent.length;
      filled = Math.min(filled + 1, sent.length);
      return Instant.ofEpochMilli(at);
    }

    synchronized Instant pausedUntil() {
      return pausedUntil;
    }

    synchronized void pauseUntil(Instant t) {
      if (t.isAfter(pausedUntil)) {
        pausedUntil = t;
      }
    }

    synchronized void last(ServerLimit l) {
      last = l;
    }

    synchronized BucketState state() {
      return new BucketState(pausedUntil, last);
    }
  }

  /** Every bucket's state, by name. */
  public Map<String, BucketState> snapshot() {
    Map<String, BucketState> out = new TreeMap<>();
    buckets.forEach((k, v) -> out.put(k, v.state()));
    return out;
  }

  /**
   * Sends {@code request}, waiting first while its bucket is paused, and retrying as described
   * above. Returns the last response (a refusal when the attempts ran out).
   *
   * @throws RetryLaterException when a wait would be longer than {@code maxWait}
   */
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    Bucket bucket = bucketOf(request);
    Instant giveUpAt = giveUpAt();
    for (int attempt = 1; ; attempt++) {
      sleeper.sleep(waitBefore(bucket.pausedUntil(), giveUpAt, request));
      sleeper.sleep(waitBefore(bucket.reserve(clock.instant()), giveUpAt, request));
      HttpResponse<T> response;
      if (bucket.slots == null) {
        response = http.send(request, handler);
      } else {
        try {
          bucket.slots.take().get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException(e); // a slot's future never fails
        }
        try {
          response = http.send(request, handler);
        } finally {
          bucket.slots.give();
        }
      }
      if (!again(request, response, bucket, attempt)) {
        return response;
      }
    }
  }

  /**
   * {@link #send} without holding a thread: waits are scheduled ({@link Sleeper#after}), the sends
   * are {@link HttpClient#sendAsync}. Completes exceptionally with {@link RetryLaterException} where
   * {@code send} would throw it.
   */
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return attemptAsync(request, handler, bucketOf(request), giveUpAt(), 1);
  }

  private <T> CompletableFuture<HttpResponse<T>> attemptAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      Bucket bucket, Instant giveUpAt, int attempt) {
    CompletableFuture<Void> paused;
    try {
      paused = sleeper.after(waitBefore(bucket.pausedUntil(), giveUpAt, request));
    } catch (RetryLaterException e) {
      return CompletableFuture.failedFuture(e);
    }
    return paused
        .thenCompose(v -> {
          try {
            return sleeper.after(waitBefore(bucket.reserve(clock.instant()), giveUpAt, request));
          } catch (RetryLaterException e) {
            return CompletableFuture.failedFuture(e);
          }
        })
        .thenCompose(v -> bucket.slots == null ? http.sendAsync(request, handler) : bucket.slots.take()
            .thenCompose(slot -> http.sendAsync(request, handler).whenComplete((r, e) -> bucket.slots.give())))
        .thenCompose(response -> again(request, response, bucket, attempt)
            ? attemptAsync(request, handler, bucket, giveUpAt, attempt + 1)
            : CompletableFuture.completedFuture(response));
  }

  private Bucket bucketOf(HttpRequest request) {
    return buckets.computeIfAbsent(bucketOf.apply(request), k -> new Bucket(declared.get(k), caps.get(k)));
  }

  private Instant giveUpAt() {
    return deadline == null ? Instant.MAX : clock.instant().plus(deadline);
  }

  /**
   * Learns from a response (the bucket's state, a pause until the reset when nothing remains, a pause
   * after a refusal) and says whether to send the request again.
   */
  private boolean again(HttpRequest request, HttpResponse<?> response, Bucket bucket, int attempt) {
    Instant now = clock.instant();
    ServerLimit limit = RateLimitHeaders.read(response.headers(), now);
    bucket.last(limit);
    if (limit.remaining().isPresent() && limit.remaining().getAsLong() <= 0 && limit.resetAt().isPresent()) {
      bucket.pauseUntil(limit.resetAt().get()); // the next request would be refused: wait for the reset
    }
    if (!retryable(request, response.statusCode())) {
      return false;
    }
    listener.refused(request, response.statusCode());
    Optional<Duration> serverWait = limit.retryAfter().or(() -> limit.resetAt()
        .filter(t -> limit.remaining().orElse(0) <= 0).map(t -> Duration.between(now, t)));
    Duration wait = backoff.delay(attempt, serverWait);
    bucket.pauseUntil(now.plus(wait)); // one refusal pauses the whole bucket
    if (attempt >= maxAttempts) {
      return false;
    }
    listener.retryScheduled(request, attempt + 1, wait);
    return true;
  }

  /** How long to wait until {@code until}; fails when that is more than allowed. */
  private Duration waitBefore(Instant until, Instant giveUpAt, HttpRequest request) throws RetryLaterException {
    Duration wait = Duration.between(clock.instant(), until);
    if (wait.compareTo(maxWait) > 0) {
      throw new RetryLaterException(request.method() + " " + request.uri() + " would wait " + wait.toMillis()
          + " ms, more than the " + maxWait.toMillis() + " ms allowed", until);
    }
    if (until.isAfter(giveUpAt)) {
      throw new RetryLaterException(request.method() + " " + request.uri() + " would wait past the call's deadline", until);
    }
    if (wait.isNegative() || wait.isZero()) {
      return Duration.ZERO;
    }
    listener.paced(request, wait);
    return wait;
  }

  private boolean retryable(HttpRequest request, int status) {
    if (NOT_PROCESSED.contains(status)) {
      return true;
    }
    return retryOn.contains(status)
        && (IDEMPOTENT.contains(request.method()) || request.headers().firstValue("Idempotency-Key").isPresent());
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
    private Function<HttpRequest, String> bucketOf = r -> r.uri().getHost() + ":" + r.uri().getPort();
    private final Map<String, DeclaredLimit> declared = new java.util.HashMap<>();
    private final Map<String, Integer> caps = new java.util.HashMap<>();
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

    /** Told of every pacing wait, refusal and retry. */
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
