package io.tollgate.server;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.config.PolicyWatcher;
import io.tollgate.config.Settings;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.CounterStore;
import io.tollgate.envoy.RlsLimits;
import io.tollgate.envoy.RlsServer;
import io.tollgate.gateway.CheckServer;
import io.tollgate.gateway.GatewayServer;
import io.tollgate.redis.RedisStore;
import io.tollgate.redis.Stores;
import io.tollgate.server.accesslog.AccessLogWriter;
import io.tollgate.server.admin.AdminServer;
import io.tollgate.server.metrics.Metrics;
import io.tollgate.server.metrics.TopKeys;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process, assembled: one policy file's store and limiter, and the front doors that decide with
 * them (the gateway, when the file names an upstream; the check endpoint, when it has a {@code check:}
 * block; Envoy's Rate Limit Service, when it has {@code envoy-rls:}, on a limiter of its own over the
 * same store). Start opens the store, builds the limiter and opens the doors; a reload
 * builds a new limiter over the same store and swaps it into the doors; close drains the doors
 * (requests in flight finish, up to 10 s), then closes the store.
 */
public final class TollgateServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  private final Path path; // null: not reloadable (the built-in quick start, a policy given as text)
  private final Clock clock;
  private final CounterStore store;
  private final Metrics metrics; // null: admin.listen off (nothing could read them)
  private final TopKeys top; // null: admin.listen off
  private final AdminServer admin; // null: admin.listen off
  private volatile AccessLogWriter accessLog; // null: off
  private GatewayServer gateway; // null: no upstream
  private CheckServer check; // null: no check:
  private RlsServer rls; // null: no envoy-rls:
  private PolicyWatcher watcher;
  private volatile PolicyFile file; // what is in effect: the policy, and the settings applied
  private volatile Instant loadedAt;
  private volatile RateLimiter limiter;
  private volatile String state = "starting";

  private TollgateServer(Path path, Clock clock, CounterStore store, PolicyFile file) {
    this.path = path;
    this.clock = clock;
    this.store = store;
    this.file = file;
    this.loadedAt = Instant.now();
    Settings.Listen adminListen = file.settings().admin().listen();
    this.metrics = adminListen == null ? null : new Metrics(store, () -> this.limiter);
    this.top = adminListen == null ? null : new TopKeys(System::currentTimeMillis);
    if (metrics != null) {
      metrics.policy(file.sha256());
    }
    try {
      this.admin = adminListen == null ? null
          : AdminServer.start(adminListen, () -> this.file.settings().admin().token(), new Admin(), metrics);
    } catch (RuntimeException e) {
      if (metrics != null) {
        metrics.close();
      }
      throw e;
    }
  }

  /** Starts what {@code file} describes, with the system clock; no reload. */
  public static TollgateServer start(PolicyFile file) {
    return start(null, file, Clock.system());
  }

  /** Starts what {@code file} describes, deciding by {@code clock}; no reload. */
  public static TollgateServer start(PolicyFile file, Clock clock) {
    return start(null, file, clock);
  }

  /**
   * Starts what {@code file}, read from {@code path}, describes, deciding by {@code clock}; it is
   * reloaded from {@code path} when asked (and when it changes, with {@code reload: watch}).
   *
   * @param path where {@code file} was read, {@code null} for none
   * @throws IllegalArgumentException when the file names no upstream or a Redis URI cannot be read
   * @throws GatewayServer.GatewayStartException when the listener cannot be opened
   */
  public static TollgateServer start(Path path, PolicyFile file, Clock clock) {
    CounterStore store = Stores.open(file.settings().store());
    TollgateServer server = null;
    try {
      server = new TollgateServer(path, clock, store, file);
      server.limiter = server.limiterFor(file);
      server.accessLog = AccessLogWriter.open(file.settings().accessLog());
      if (file.settings().upstream() != null) {
        server.gateway = GatewayServer.start(file.settings(), server.limiter, clock, server.metrics, server.accessLog);
      }
      if (file.settings().check() != null) {
        server.check = CheckServer.start(file.settings(), server.limiter, clock);
        ServeChecks.warnUncountedStatuses(file);
      }
      if (file.settings().envoyRls() != null) {
        RlsLimits limits = EnvoyRls.limits(file, file.settings());
        server.rls = RlsServer.start(file.settings(), limits, server.limiterFor(limits.policy()), clock);
        EnvoyRls.warnIgnoredKeys(file);
      }
      server.watcher = path != null && file.settings().reload() == Settings.Reload.WATCH
          ? PolicyWatcher.start(EnvoyRls.watched(path, file), server::reload) : null;
      server.state = "ready";
      log.info(server.describe());
      return server;
    } catch (RuntimeException e) {
      if (server != null) {
        server.closeDoors();
        server.closeAdmin();
        server.closeAccessLog(server.accessLog);
      }
      closeStore(store);
      throw e;
    }
  }

  private RateLimiter limiterFor(PolicyFile f) {
    return limiterFor(f.policy());
  }

  /** An engine over the process's store, clock and metrics. */
  private RateLimiter limiterFor(io.tollgate.core.Policy policy) {
    RateLimiter.Builder b = RateLimiter.builder(policy).clock(clock).store(store)
        .banListener((key, until) -> log.info("banned {} until {}", key, Instant.ofEpochMilli(until)));
    return (metrics == null ? b : b.listener(metrics).usageListener(top)).build();
  }

  /** What the admin port reads and asks. */
  private final class Admin implements AdminServer.Process {
    @Override
    public PolicyFile policy() {
      return file;
    }

    @Override
    public Instant loadedAt() {
      return loadedAt;
    }

    @Override
    public String state() {
      return state;
    }

    @Override
    public String store() {
      return store instanceof RedisStore && ((RedisStore) store).degraded() ? "degraded" : "ok";
    }

    @Override
    public Reload reload() {
      return TollgateServer.this.reload();
    }

    @Override
    public RateLimiter limiter() {
      return limiter;
    }

    @Override
    public TopKeys top() {
      return top;
    }
  }

  /**
   * Reads the file again and, when it is valid and different, swaps its policy in between requests:
   * counters of limits that mean the same carry over, bans stay, requests in flight finish as they
   * began. A file with any error changes nothing. Settings that need a restart are kept as they were
   * and named in the result. Logged; thread-safe (one reload at a time).
   */
  public synchronized Reload reload() {
    Reload r = read();
    if (metrics != null) {
      metrics.reloaded(r);
    }
    return r;
  }

  private Reload read() {
    PolicyFile now = file;
    if (path == null) {
      log.info("nothing to reload: {} is not read from a file", now.source());
      return new Reload(Reload.Result.UNCHANGED, now.sha256(), List.of(), List.of());
    }
    PolicyFile next;
    try {
      next = PolicyLoader.load(path);
    } catch (PolicyException e) {
      return rejected(now, e.errors());
    }
    List<PolicyError> problems = ServeChecks.problems(next);
    if (!problems.isEmpty()) {
      return rejected(now, problems);
    }
    if (next.version().equals(now.version())) {
      log.debug("{} unchanged (sha256 {})", path, now.version());
      rereadTls(now, true);
      return new Reload(Reload.Result.UNCHANGED, now.sha256(), List.of(), List.of());
    }
    Settings old = now.settings();
    Settings read = next.settings();
    RestartSettings r = RestartSettings.of(old, read);
    Settings applied = r.applied();
    List<String> restart = r.restart();
    RateLimiter nextLimiter = limiterFor(next);
    RlsLimits nextRls = rls == null || next.rls() == null ? null : EnvoyRls.limits(next, applied);
    AccessLogWriter oldLog = accessLog;
    AccessLogWriter nextLog = oldLog;
    if (!java.util.Objects.equals(old.accessLog(), read.accessLog())) {
      try {
        nextLog = AccessLogWriter.open(read.accessLog());
      } catch (java.io.UncheckedIOException e) {
        return rejected(now, List.of(new PolicyError(next.source(), 1, 1, e.getMessage())));
      }
    }
    try {
      if (gateway != null) {
        gateway.update(applied, nextLimiter, nextLog);
      }
      if (check != null) {
        check.update(applied, nextLimiter);
        ServeChecks.warnUncountedStatuses(next);
      }
      if (nextRls != null) {
        rls.update(nextRls, limiterFor(nextRls.policy()));
        EnvoyRls.warnIgnoredKeys(next);
      }
    } catch (GatewayServer.GatewayStartException e) {
      if (nextLog != oldLog) {
        closeAccessLog(nextLog);
      }
      return rejected(now, List.of(new PolicyError(next.source(), 1, 1, e.getMessage())));
    }
    if (nextLog != oldLog) {
      accessLog = nextLog;
      closeAccessLog(oldLog);
    }
    file = new PolicyFile(next.source(), next.sha256(), next.policy(), applied, nextRls == null ? now.rls() : next.rls());
    loadedAt = Instant.now();
    limiter = nextLimiter;
    log.info("reloaded {} (sha256 {}): {} routes, {} limits{}", path, next.sha256(), next.policy().routes().size(),
        next.policy().limits().size(), nextRls == null ? "" : ", " + EnvoyRls.describe(nextRls.config()));
    rereadTls(file, false); // the gateway re-read its own in update
    if (!restart.isEmpty()) {
      log.warn("restart needed: {} changed in {} and applies at the next start; the rest is applied",
          String.join(", ", restart), path);
    }
    return new Reload(Reload.Result.RELOADED, next.sha256(), List.of(), restart);
  }

  /** Reads the TLS files again for the doors serving TLS (the gateway too unless it just did). */
  private void rereadTls(PolicyFile now, boolean gatewayToo) {
    List<Certificates.Door> doors = new ArrayList<>();
    if (gateway != null && gatewayToo) {
      doors.add(gateway::reloadTls);
    }
    if (rls != null) {
      doors.add(rls::reloadTls);
    }
    Certificates.reread(now.settings().tls(), doors);
  }

  private Reload rejected(PolicyFile now, List<PolicyError> errors) {
    log.warn("reload of {} rejected, the policy in effect stays (sha256 {}): {} error{}", path, now.sha256(),
        errors.size(), errors.size() == 1 ? "" : "s");
    for (PolicyError e : errors) {
      log.warn("  {}", e);
    }
    return new Reload(Reload.Result.REJECTED, now.sha256(), errors, List.of());
  }

  /** The admin port, or -1 when it is off. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  /** The port the gateway listens on, or -1 when there is none (no upstream). */
  public int port() {
    return gateway == null ? -1 : gateway.port();
  }

  /** The port the check endpoint listens on, or -1 when there is none (no {@code check:}). */
  public int checkPort() {
    return check == null ? -1 : check.port();
  }

  /** The port Envoy's Rate Limit Service answers gRPC on, or -1 when there is none (no {@code envoy-rls:}). */
  public int rlsPort() {
    return rls == null ? -1 : rls.port();
  }

  /** The {@code envoy-rls.http-listen} port, or -1. */
  public int rlsHttpPort() {
    return rls == null ? -1 : rls.httpPort();
  }

  /** The limiter the front doors decide with now. */
  public RateLimiter limiter() {
    return limiter;
  }

  /** The policy file in effect (its settings as applied: those that need a restart as at start). */
  public PolicyFile file() {
    return file;
  }

  /** The start line: where it listens, the policy, its routes and limits, the upstream, the store. */
  public String describe() {
    PolicyFile f = file;
    List<String> doors = new ArrayList<>();
    if (gateway != null) {
      doors.add("listening on " + gateway.address());
    }
    if (check != null) {
      doors.add("check endpoint on " + check.address());
    }
    if (rls != null) {
      doors.add("Envoy rate limit service on " + rls.address());
    }
    return String.join(", ", doors) + ", policy " + f.source() + " (" + f.policy().routes().size() + " routes, "
        + f.policy().limits().size() + " limits" + (rls == null ? "" : "; " + f.settings().envoyRls().config() + ": "
        + EnvoyRls.describe(f.rls())) + ")"
        + (f.settings().upstream() == null ? "" : ", upstream " + f.settings().upstream().url())
        + ", store " + f.settings().store().describe();
  }

  /**
   * Stops watching, says draining on {@code /readyz}, stops taking requests, lets those in flight
   * finish (up to 10 s), then closes the admin port and the store.
   */
  @Override
  public void close() {
    state = "draining";
    if (watcher != null) {
      watcher.close();
    }
    try {
      closeDoors();
    } finally {
      closeAdmin();
      closeAccessLog(accessLog);
      closeStore(store);
    }
  }

  /** Stops every door at once: each lets its requests in flight finish, and waits out its event loop's quiet period. */
  private void closeDoors() {
    List<java.util.concurrent.CompletableFuture<Void>> closing = new ArrayList<>();
    for (AutoCloseable door : new AutoCloseable[] {rls, check, gateway}) {
      if (door != null) {
        closing.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
          try {
            door.close();
          } catch (Exception e) {
            log.warn("closing {} failed: {}", door.getClass().getSimpleName(), e.toString());
          }
        }));
      }
    }
    java.util.concurrent.CompletableFuture.allOf(closing.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
  }

  private void closeAdmin() {
    if (admin != null) {
      admin.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  private static void closeAccessLog(AccessLogWriter w) {
    if (w != null) {
      w.close();
    }
  }

  private static void closeStore(CounterStore store) {
    try {
      store.close();
    } catch (RuntimeException e) {
      log.warn("closing the store failed: {}", e.toString());
    }
  }
}
