package io.tollgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tollgate.core.Decision;
import io.tollgate.core.DecisionListener;
import io.tollgate.core.Mode;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.MemoryStore;
import io.tollgate.redis.RedisStats;
import io.tollgate.redis.RedisStore;
import io.tollgate.redis.RedisStoreOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The engine's and the store's meters on a Micrometer registry, under docs/operations.md's names:
 * {@code tollgate.decision.duration}, {@code tollgate.requests{route,decision}},
 * {@code tollgate.limit.decisions{limit,outcome}}, the store's counters, calls and breaker, and the
 * bans in effect. Labels carry route and limit names only, never a caller's key. Meters are looked up
 * once per label set and kept, so recording a decision is a map read and an add. Give it to the
 * limiter's builder as its {@link DecisionListener}. Thread-safe.
 */
public final class DecisionMetrics implements DecisionListener, AutoCloseable {

  /** The route label of a request decided before it was routed (denied, banned). */
  public static final String NO_ROUTE = "none";
  /** The buckets of every duration Tollgate records, 50 µs to 30 s. */
  public static final Duration[] BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000),
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};
  private static final String[] DECISIONS = {"allowed", "refused", "banned", "denied", "unlimited"};
  private static final String[] OUTCOMES = {"allowed", "refused", "not_taken", "shadow_refused"};

  private final MeterRegistry registry;
  private final Timer decisionDuration;
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> limitDecisions = new ConcurrentHashMap<>();
  private final BansCount redisBans; // null: not a Redis store

  /**
   * Registers the store's meters on {@code registry}.
   *
   * @param limiter the limiter in effect (bans are counted in its store)
   */
  public DecisionMetrics(MeterRegistry registry, CounterStore store, Supplier<RateLimiter> limiter) {
    this.registry = registry;
    String storeLabel = store instanceof RedisStore ? "redis" : "memory";
    this.decisionDuration = Timer.builder("tollgate.decision.duration").description("time to decide, store included")
        .tag("store", storeLabel).serviceLevelObjectives(BUCKETS).register(registry);
    if (store instanceof MemoryStore m) {
      Gauge.builder("tollgate.store.counters", m, MemoryStore::size).description("live counters (memory store)")
          .register(registry);
      // Counted at each scrape by a pass over the counters: cheap in memory; on Redis it would be a
      // SCAN of the keyspace per scrape, so there BansCount counts at most once a second.
      Gauge.builder("tollgate.bans.active", () -> limiter.get().bans(BansCount.MAX).size())
          .description("callers banned now (memory store)").register(registry);
    }
    if (store instanceof RedisStore r) {
      bindRedis(r);
      redisBans = new BansCount(limiter);
      Gauge.builder("tollgate.bans.active", redisBans, BansCount::value)
          .description("callers banned now (Redis store: counted by a SCAN at most once a second)").register(registry);
    } else {
      redisBans = null;
    }
  }

  private void bindRedis(RedisStore r) {
    RedisStats stats = r.stats();
    FunctionCounter.builder("tollgate.store.calls", stats, RedisStats::answered).tag("result", "ok")
        .description("calls to Redis").register(registry);
    FunctionCounter.builder("tollgate.store.calls", stats, RedisStats::timeouts).tag("result", "timeout")
        .register(registry);
    FunctionCounter.builder("tollgate.store.calls", stats, RedisStats::errors).tag("result", "error")
        .register(registry);
    RedisStoreOptions.OnFailure onFailure = r.options().onFailure();
    FunctionCounter.builder("tollgate.store.fallback.decisions", stats, RedisStats::fallbacks)
        .tag("on_failure", onFailure.name().toLowerCase(Locale.ROOT))
        .description("decisions made by on-failure").register(registry);
    Gauge.builder("tollgate.store.breaker.open", r, s -> s.degraded() ? 1 : 0)
        .description("1 while decisions are made by on-failure (breaker open, or never connected)").register(registry);
  }

  @Override
  public void decided(Decision d, long nanos) {
    decisionDuration.record(nanos, TimeUnit.NANOSECONDS);
    String route = d.route() == null ? NO_ROUTE : d.route();
    int n = d.appliedCount();
    int decision = switch (d.outcome()) {
      case ALLOWED -> n == 0 ? 4 : 0;
      case REFUSED -> 1;
      case BANNED -> 2;
      default -> 3;
    };
    counter(requests, route, decision, "tollgate.requests", "requests decided", "route", "decision", DECISIONS)
        .increment();
    if (n == 0 || d.outcome() == Decision.Outcome.BANNED) {
      return;
    }
    boolean allowed = d.allowed();
    for (int i = 0; i < n; i++) {
      boolean fits = d.fits(i);
      int outcome;
      if (d.appliedLimit(i).mode() == Mode.SHADOW) {
        outcome = fits ? 0 : 3;
      } else if (allowed) {
        outcome = 0;
      } else {
        outcome = fits ? 2 : 1;
      }
      counter(limitDecisions, d.appliedLimit(i).name(), outcome, "tollgate.limit.decisions", "per limit that applied",
          "limit", "outcome", OUTCOMES).increment();
    }
  }

  /**
   * The counter of {@code name}'s label {@code firstTag=first} and {@code values[index]} on
   * {@code registry}, registered on first use and kept in {@code byFirst}.
   */
  public static Counter counter(MeterRegistry registry, ConcurrentHashMap<String, AtomicReferenceArray<Counter>> byFirst,
      String first, int index, String name, String description, String firstTag, String secondTag, String[] values) {
    AtomicReferenceArray<Counter> row = byFirst.get(first);
    if (row == null) {
      row = byFirst.computeIfAbsent(first, k -> new AtomicReferenceArray<>(values.length));
    }
    Counter c = row.get(index);
    if (c == null) {
      c = Counter.builder(name).description(description).tag(firstTag, first).tag(secondTag, values[index])
          .register(registry); // registering again returns the same counter: two threads racing agree
      row.set(index, c);
    }
    return c;
  }

  private Counter counter(ConcurrentHashMap<String, AtomicReferenceArray<Counter>> byFirst, String first, int index,
      String name, String description, String firstTag, String secondTag, String[] values) {
    return counter(registry, byFirst, first, index, name, description, firstTag, secondTag, values);
  }

  @Override
  public void close() {
    if (redisBans != null) {
      redisBans.close();
    }
  }
}
