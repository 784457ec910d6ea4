package io.tollgate.core;

import io.tollgate.core.internal.DefaultRateLimiter;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.MemoryStore;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The engine: decides requests against a {@link Policy}, counting in a {@link CounterStore}.
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.builder(policy).build();
 * Decision d = limiter.decide(RequestInfo.builder().method("GET").path("/v1/items").clientIp(ip).build());
 * if (d.allowed()) { int status = callTheApi(); d.settle(status); } else { refuse(d.reported()); }
 * }</pre>
 *
 * <p>Decisions are all-or-nothing: every limit that applies is checked together, and a refused
 * request takes nothing from any counter. Thread-safe.
 */
public interface RateLimiter extends AutoCloseable {

  /** Decides a request: deny list, ban, allow list, then every applicable limit together. */
  Decision decide(RequestInfo request);

  /**
   * {@link #decide}, without holding the calling thread for the store's round trip: with a remote
   * store (Redis), many decisions can be in flight from few threads. The deny list and the ban are
   * still read on the calling thread. With the memory store the future is already complete.
   */
  CompletableFuture<Decision> decideAsync(RequestInfo request);

  /**
   * Only the first step of {@link #decide}: the deny list and the ban. {@link Decision.Outcome#DENIED},
   * {@link Decision.Outcome#BANNED}, or an allowed decision with no limit applied; counts nothing.
   * For requests that limits never apply to, such as the status endpoint.
   */
  Decision screen(RequestInfo request);

  /**
   * For code that is not HTTP: takes {@code cost} units from the counter of limit {@code limitName}
   * for {@code key}, ignoring the limit's filters and key parts.
   *
   * @throws IllegalArgumentException if the policy has no such limit
   */
  Decision tryAcquire(String limitName, String key, long cost);

  /** {@link #tryAcquire}, without holding the calling thread for the store's round trip. */
  CompletableFuture<Decision> tryAcquireAsync(String limitName, String key, long cost);

  /**
   * For callers that name their counters themselves (Envoy's rate limit descriptors): takes each
   * acquire's cost from the counter of its limit for its key, all or nothing, ignoring the limits'
   * filters and key parts. The decision lists one applied limit per acquire, in their order
   * ({@link Decision#fits(int)} says which would have refused); shadow limits count and never refuse.
   *
   * @throws IllegalArgumentException if {@code acquires} is empty, names a limit the policy lacks,
   *     has a cost below 0, an override on a concurrency limit, or names one limit and key twice
   *     (add their costs instead)
   */
  Decision tryAcquire(List<Acquire> acquires);

  /** {@link #tryAcquire(List)}, without holding the calling thread for the store's round trip. */
  CompletableFuture<Decision> tryAcquireAsync(List<Acquire> acquires);

  /**
   * One counter to take from in {@link #tryAcquire(List)}: limit {@code limitName}'s counter for
   * {@code key}, {@code cost} units; a cost of 0 reads the counter (what remains, when it resets)
   * and takes nothing. {@code limit}, when above 0, counts that counter against this number instead
   * of the limit's own (Envoy's per-request limit override): the counter is the same, only the number
   * it is held to differs.
   */
  record Acquire(String limitName, String key, long cost, long limit) {

    public Acquire {
      java.util.Objects.requireNonNull(limitName, "limitName");
      java.util.Objects.requireNonNull(key, "key");
    }

    /** {@code cost} units of limit {@code limitName}'s counter for {@code key}, held to the limit's own number. */
    public Acquire(String limitName, String key, long cost) {
      this(limitName, key, cost, 0);
    }
  }

  /**
   * What the status endpoint shows the caller of {@code request}: one entry per limit and route,
   * with the caller's own counters. Moves no counter.
   */
  List<LimitStatus> status(RequestInfo request);

  /**
   * What {@link #decide} would answer for {@code request} now, read from the store without moving
   * a counter (deny list, ban, route, allow list, every limit that applies and its key). Blocking,
   * like {@link #status}.
   */
  Explanation explain(RequestInfo request);

  /**
   * Gives the caller of {@code request} a fresh budget: forgets the counters, for its key, of every
   * limit that applies to it (or only {@code limitName}'s), resolved as {@link #decide} resolves them.
   * Blocking.
   *
   * @param limitName one limit, or {@code null} for every one that applies
   * @return what was reset, limit by limit
   * @throws IllegalArgumentException when the policy has no limit {@code limitName}
   */
  List<ResetCounter> reset(RequestInfo request, String limitName);

  /**
   * Lifts the ban of the caller of {@code request} (and forgets the refusals that counted toward
   * it). Blocking.
   *
   * @return whether the caller was banned
   */
  boolean liftBan(RequestInfo request);

  /**
   * The bans in effect, at most {@code max}, read from the store (every counter of the ban rule may
   * be read: for an operator). Empty without a ban rule.
   */
  List<ActiveBan> bans(int max);

  /**
   * The text of a key {@link UsageListener} was given ({@code client-ip=203.0.113.7}), read with the
   * key of {@code limitName} as this limiter's policy defines it.
   *
   * @throws IllegalArgumentException when the policy has no limit {@code limitName}
   */
  String keyText(String limitName, byte[] keyParts);

  /** A caller banned: its ban key as text ({@code client-ip=203.0.113.7}), since when and until when (epoch ms). */
  record ActiveBan(String key, long sinceMillis, long untilMillis) {}

  /** One counter {@link #reset} forgot: the limit, and the key as text ({@code client-ip=203.0.113.7}). */
  record ResetCounter(String limit, String key) {}

  Policy policy();

  /**
   * Closes the store if the builder made it (no {@link Builder#store} given); a store that was
   * handed in is its owner's to close, so that limiters built over it one after another (a
   * reloaded policy) share it.
   */
  @Override
  void close();

  static Builder builder(Policy policy) {
    return new Builder(policy);
  }

  /** Builds a {@link RateLimiter}. Not thread-safe. */
  final class Builder {
    private final Policy policy;
    private Clock clock = Clock.system();
    private CounterStore store;
    private DecisionListener listener;
    private BanListener banListener;
    private UsageListener usageListener;

    private Builder(Policy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The time source; default {@link Clock#system()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where counters live; default a {@link MemoryStore} of 1,000,000 counters, closed with the
     * limiter. A store given here is not closed by the limiter.
     */
    public Builder store(CounterStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Told of every decision (metrics); none by default. */
    public Builder listener(DecisionListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Told when a caller's ban starts (a log line); none by default. */
    public Builder banListener(BanListener banListener) {
      this.banListener = Objects.requireNonNull(banListener, "banListener");
      return this;
    }

    /** Told of the units each admitted decision took, per limit and key; none by default. */
    public Builder usageListener(UsageListener usageListener) {
      this.usageListener = Objects.requireNonNull(usageListener, "usageListener");
      return this;
    }

    public RateLimiter build() {
      return new DefaultRateLimiter(policy, clock, store != null ? store : MemoryStore.create(1_000_000), store == null,
          listener, banListener, usageListener);
    }
  }
}
