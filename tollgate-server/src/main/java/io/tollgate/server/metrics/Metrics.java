package io.tollgate.server.metrics;

import io.micrometer.core.instrument.Counter;
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
import io.tollgate.core.store.CounterStore;
import io.tollgate.gateway.UpstreamListener;
import io.tollgate.metrics.DecisionMetrics;
import io.tollgate.server.Reload;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The process's metrics on Micrometer's Prometheus registry, under the names of docs/operations.md:
 * the engine's and the store's ({@link DecisionMetrics}, shared with applications embedding the
 * engine), the upstream's, the policy's and reloads, and the JVM's. Labels carry route and limit
 * names only, never a caller's key, address or API key. Thread-safe.
 */
public final class Metrics implements DecisionListener, UpstreamListener, AutoCloseable {

  private static final String[] CODES = {"1xx", "2xx", "3xx", "4xx", "5xx", "502", "504", "aborted"};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final DecisionMetrics decisions;
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> upstreamResponses = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> upstreamDuration = new ConcurrentHashMap<>();
  private volatile Gauge policyInfo;

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
    this.decisions = new DecisionMetrics(registry, store, limiter);
  }

  @Override
  public void decided(Decision d, long nanos) {
    decisions.decided(d, nanos);
  }

  @Override
  public void answered(String route, int status, boolean madeHere, long nanos) {
    String r = route == null ? DecisionMetrics.NO_ROUTE : route;
    int code = status == 0 ? 7 : madeHere && status == 502 ? 5 : madeHere && status == 504 ? 6
        : Math.max(0, Math.min(4, status / 100 - 1));
    DecisionMetrics.counter(registry, upstreamResponses, r, code, "tollgate.upstream.responses",
        "responses passed on from the upstream", "route", "code", CODES).increment();
    Timer t = upstreamDuration.get(r);
    if (t == null) {
      t = upstreamDuration.computeIfAbsent(r, k -> Timer.builder("tollgate.upstream.duration").tag("route", k)
          .serviceLevelObjectives(DecisionMetrics.BUCKETS).register(registry));
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
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
    decisions.close();
    gc.close();
    registry.close();
  }
}
