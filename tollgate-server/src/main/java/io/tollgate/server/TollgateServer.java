package io.tollgate.server;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.config.Settings;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.CounterStore;
import io.tollgate.gateway.CheckServer;
import io.tollgate.gateway.GatewayServer;
import io.tollgate.redis.RedisStore;
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
 * block). Start opens the store, builds the limiter and opens the doors; a reload
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
        warnUncountedStatuses(file);
      }
      server.watcher = path != null && file.settings().reload() == Settings.Reload.WATCH
          ? PolicyWatcher.start(path, server::reload) : null;
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
    RateLimiter.Builder b = RateLimiter.builder(f.policy()).clock(clock).store(store)
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
    if (next.sha256().equals(now.sha256())) {
      log.debug("{} unchanged (sha256 {})", path, now.sha256());
      rereadTls(now);
      return new Reload(Reload.Result.UNCHANGED, now.sha256(), List.of(), List.of());
    }
    Settings old = now.settings();
    Settings read = next.settings();
    List<String> restart = new ArrayList<>();
    if (!old.listen().equals(read.listen())) {
      restart.add("listen");
    }
    if (!old.store().equals(read.store())) {
      restart.add("store");
    }
    if ((old.tls() == null) != (read.tls() == null)) {
      restart.add("tls");
    }
    if (!java.util.Objects.equals(old.admin().listen(), read.admin().listen())) {
      restart.add("admin.listen");
    }
    if ((old.upstream() == null) != (read.upstream() == null)) {
      restart.add("upstream"); // the gateway opens or closes only at a start
    }
    if (!java.util.Objects.equals(old.check() == null ? null : old.check().listen(),
        read.check() == null ? null : read.check().listen())) {
      restart.add("check.listen");
    }
    Settings.Http http = new Settings.Http(read.http().encodedSlash(), old.http().requestHeaderTimeout(),
        old.http().idleTimeout(), old.http().maxConnections(), read.http().maxRequestBody());
    if (!old.http().requestHeaderTimeout().equals(read.http().requestHeaderTimeout())) {
      restart.add("request-header-timeout");
    }
    if (!old.http().idleTimeout().equals(read.http().idleTimeout())) {
      restart.add("idle-timeout");
    }
    if (old.http().maxConnections() != read.http().maxConnections()) {
      restart.add("max-connections");
    }
    Settings.Upstream upstream = old.upstream() == null || read.upstream() == null ? old.upstream() : read.upstream();
    Settings applied = new Settings(old.listen(), upstream, old.tls() == null ? null : read.tls(),
        read.trustedProxies(), old.store(), read.reload(), new Settings.Admin(old.admin().listen(), read.admin().token()),
        read.accessLog(), http, read.check() == null || old.check() == null ? old.check()
            : new Settings.Check(old.check().listen(), read.check().denyStatus()));
    RateLimiter nextLimiter = limiterFor(next);
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
        warnUncountedStatuses(next);
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
    file = new PolicyFile(next.source(), next.sha256(), next.policy(), applied);
    loadedAt = Instant.now();
    limiter = nextLimiter;
    log.info("reloaded {} (sha256 {}): {} routes, {} limits", path, next.sha256(), next.policy().routes().size(),
        next.policy().limits().size());
    if (!restart.isEmpty()) {
      log.warn("restart needed: {} changed in {} and applies at the next start; the rest is applied",
          String.join(", ", restart), path);
    }
    return new Reload(Reload.Result.RELOADED, next.sha256(), List.of(), restart);
  }

  /** The policy is the same, but its certificate may have been rotated in place. */
  private void rereadTls(PolicyFile now) {
    Settings.Tls tls = now.settings().tls();
    if (tls == null || gateway == null) {
      return;
    }
    try {
      if (gateway.reloadTls(tls)) {
        log.info("TLS certificate {} re-read: new connections get the new one", tls.cert());
      }
    } catch (GatewayServer.GatewayStartException e) {
      log.warn("{}; the certificate in use stays", e.getMessage());
    }
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

  private static void warnUncountedStatuses(PolicyFile f) {
    for (io.tollgate.core.Limit l : f.policy().limits()) {
      if (!l.uncountedStatuses().isEmpty()) {
        log.warn("limit '{}' has uncounted-statuses, which the check endpoint cannot apply (it never sees the "
            + "upstream's answer): every request it allows is counted", l.name());
      }
    }
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
    String doors = (gateway == null ? "" : "listening on " + gateway.address())
        + (gateway != null && check != null ? ", " : "") + (check == null ? "" : "check endpoint on " + check.address());
    return doors + ", policy " + f.source() + " (" + f.policy().routes().size() + " routes, "
        + f.policy().limits().size() + " limits)"
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

  private void closeDoors() {
    try {
      if (check != null) {
        check.close();
      }
    } finally {
      if (gateway != null) {
        gateway.close();
      }
    }
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
