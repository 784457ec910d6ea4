package io.tollgate.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tollgate.core.Decision;
import io.tollgate.core.DecisionListener;
import io.tollgate.core.Mode;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.MemoryStore;
import io.tollgate.gateway.UpstreamListener;
import io.tollgate.redis.RedisStats;
import io.tollgate.redis.RedisStore;
import io.tollgate.redis.RedisStoreOptions;
import io.tollgate.server.Reload;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The process's metrics on Micrometer's Prometheus registry, under the names of docs/operations.md.
 * Labels carry route and limit names only, never a caller's key, address or API key. Meters are
 * looked up once per label set and kept, so recording a decision is a map read and an add.
 * Thread-safe.
 */
public final class Metrics implements DecisionListener, UpstreamListener, AutoCloseable {

  /** The route label of a request decided before it was routed (denied, banned). */
  static final String NO_ROUTE = "none";
  private static final Duration[] BUCKETS = {Duration.ofNanos(50_000), Duration.ofNanos(100_000),
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Timer decisionDuration;
  // Meters by name, then by a small index: no key is built per request, only a map read.
  private static final String[] DECISIONS = {"allowed", "refused", "banned", "denied", "unlimited"};
  private static final String[] OUTCOMES = {"allowed", "refused", "not_taken", "shadow_refused"};
  private static final String[] CODES = {"1xx", "2xx", "3xx", "4xx", "5xx", "502", "504", "aborted"};
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> limitDecisions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> upstreamResponses = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> upstreamDuration = new ConcurrentHashMap<>();
  private volatile Gauge policyInfo;
  private final BansCount redisBans; // null: not a Redis store

  /**
   * Registers the JVM's and the store's meters.
   *
   * @param limiter the limiter in effect (bans are counted in its store)
   */
  public Metrics(CounterStore store, java.util.function.Supplier<io.tollgate.core.RateLimiter> limiter) {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    String storeLabel = store instanceof RedisStore ? "redis" : "memory";
    this.decisionDuration = Timer.builder("tollgate.decision.duration").description("time to decide, store included")
        .tag("store", storeLabel).serviceLevelObjectives(BUCKETS).register(registry);
    if (store instanceof MemoryStore) {
      MemoryStore m = (MemoryStore) store;
      Gauge.builder("tollgate.store.counters", m, MemoryStore::size).description("live counters (memory store)")
          .register(registry);
      // Counted at each scrape by a pass over the counters: cheap in memory; on Redis it would be a
      // SCAN of the keyspace per scrape, so there GET /admin/bans lists them instead.
      Gauge.builder("tollgate.bans.active", () -> limiter.get().bans(BansCount.MAX).size())
          .description("callers banned now (memory store)").register(registry);
    }
    if (store instanceof RedisStore) {
      bindRedis((RedisStore) store);
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
    int decision;
    switch (d.outcome()) {
      case ALLOWED:
        decision = n == 0 ? 4 : 0;
        break;
      case REFUSED:
        decision = 1;
        break;
      case BANNED:
        decision = 2;
        break;
      default:
        decision = 3;
        break;
    }
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

  @Override
  public void answered(String route, int status, boolean madeHere, long nanos) {
    String r = route == null ? NO_ROUTE : route;
    int code = status == 0 ? 7 : madeHere && status == 502 ? 5 : madeHere && status == 504 ? 6
        : Math.max(0, Math.min(4, status / 100 - 1));
    counter(upstreamResponses, r, code, "tollgate.upstream.responses", "responses passed on from the upstream",
        "route", "code", CODES).increment();
    Timer t = upstreamDuration.get(r);
    if (t == null) {
      t = upstreamDuration.computeIfAbsent(r, k -> Timer.builder("tollgate.upstream.duration").tag("route", k)
          .serviceLevelObjectives(BUCKETS).register(registry));
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The counter of {@code name}'s label {@code firstTag=first} and {@code values[index]}, registered on first use. */
  private Counter counter(ConcurrentHashMap<String, AtomicReferenceArray<Counter>> byFirst, String first, int index, String name,
      String description, String firstTag, String secondTag, String[] values) {
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

  /** Counts a reload by its result, and names the policy in effect. */
  public void reloaded(Reload reload) {
    Counter.builder("tollgate.policy.reloads").tag("result", reload.result().text()).register(registry).increment();
    policy(reload.sha256());
  }

  /** {@code tollgate_policy_info{sha256=…} 1} for the policy in effect. */
  public synchronized void policy(String sha256) {
    Gauge old = policyInfo;
    if (old != null && old.getId().getTag("sha256").equals(sha256)) {
      return;
    }
    if (old != null) {
      registry.remove(old);
    }
    policyInfo = Gauge.builder("tollgate.policy.info", () -> 1).description("1 for the policy in effect")
        .tag("sha256", sha256).register(registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** The registry, for meters of other parts. */
  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    if (redisBans != null) {
      redisBans.close();
    }
    gc.close();
    registry.close();
  }
}
