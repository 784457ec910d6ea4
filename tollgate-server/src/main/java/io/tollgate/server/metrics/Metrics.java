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
import io.tollgate.core.LimitStatus;
import io.tollgate.core.Mode;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.MemoryStore;
import io.tollgate.gateway.UpstreamListener;
import io.tollgate.redis.RedisStore;
import io.tollgate.redis.RedisStoreOptions;
import io.tollgate.server.Reload;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

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
  private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> limitDecisions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> upstreamResponses = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> upstreamDuration = new ConcurrentHashMap<>();
  private volatile Gauge policyInfo;

  /** Registers the JVM's and the store's meters; {@code storeLabel} is {@code memory} or {@code redis}. */
  public Metrics(CounterStore store) {
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
    }
    if (store instanceof RedisStore) {
      bindRedis((RedisStore) store);
    }
  }

  private void bindRedis(RedisStore r) {
    RedisStore.Stats stats = r.stats();
    FunctionCounter.builder("tollgate.store.calls", stats, RedisStore.Stats::answered).tag("result", "ok")
        .description("calls to Redis").register(registry);
    FunctionCounter.builder("tollgate.store.calls", stats, RedisStore.Stats::timeouts).tag("result", "timeout")
        .register(registry);
    FunctionCounter.builder("tollgate.store.calls", stats, RedisStore.Stats::errors).tag("result", "error")
        .register(registry);
    RedisStoreOptions.OnFailure onFailure = r.options().onFailure();
    FunctionCounter.builder("tollgate.store.fallback.decisions", stats, RedisStore.Stats::fallbacks)
        .tag("on_failure", onFailure.name().toLowerCase(Locale.ROOT))
        .description("decisions made by on-failure").register(registry);
    Gauge.builder("tollgate.store.breaker.open", r, s -> s.degraded() ? 1 : 0)
        .description("1 while decisions are made by on-failure (breaker open, or never connected)").register(registry);
  }

  @Override
  public void decided(Decision d, long nanos) {
    decisionDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    String route = d.route() == null ? NO_ROUTE : d.route();
    String decision;
    switch (d.outcome()) {
      case ALLOWED:
        decision = d.appliedCount() == 0 ? "unlimited" : "allowed";
        break;
      case REFUSED:
        decision = "refused";
        break;
      case BANNED:
        decision = "banned";
        break;
      default:
        decision = "denied";
        break;
    }
    requests.computeIfAbsent(route + '\0' + decision, k -> Counter.builder("tollgate.requests")
        .description("requests decided").tag("route", route).tag("decision", decision).register(registry)).increment();
    if (d.appliedCount() == 0 || d.outcome() == Decision.Outcome.BANNED) {
      return;
    }
    for (LimitStatus s : d.applied()) {
      String outcome;
      if (s.definition().mode() == Mode.SHADOW) {
        outcome = s.fits() ? "allowed" : "shadow_refused";
      } else if (d.allowed()) {
        outcome = "allowed";
      } else {
        outcome = s.fits() ? "not_taken" : "refused";
      }
      String limit = s.name();
      limitDecisions.computeIfAbsent(limit + '\0' + outcome, k -> Counter.builder("tollgate.limit.decisions")
          .description("per limit that applied").tag("limit", limit).tag("outcome", outcome).register(registry))
          .increment();
    }
  }

  @Override
  public void answered(String route, String code, long nanos) {
    String r = route == null ? NO_ROUTE : route;
    upstreamResponses.computeIfAbsent(r + '\0' + code, k -> Counter.builder("tollgate.upstream.responses")
        .description("responses passed on from the upstream").tag("route", r).tag("code", code).register(registry))
        .increment();
    upstreamDuration.computeIfAbsent(r, k -> Timer.builder("tollgate.upstream.duration").tag("route", r)
        .serviceLevelObjectives(BUCKETS).register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
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
    gc.close();
    registry.close();
  }
}
