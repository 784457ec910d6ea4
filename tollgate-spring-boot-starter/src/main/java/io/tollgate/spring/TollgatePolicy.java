package io.tollgate.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.config.PolicyWatcher;
import io.tollgate.config.StoreSettings;
import io.tollgate.core.Admission;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.CounterStore;
import io.tollgate.metrics.DecisionMetrics;
import io.tollgate.redis.Stores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;

/**
 * The policy file {@code tollgate.policy} names, read and checked, with the store it (or
 * {@code tollgate.store}) names opened and the engine built over it; reloaded from its file (when
 * it is one) as the server reloads: all or nothing, the counters carried over, a bad file changing
 * nothing. Closing it stops the watch and closes the store. Thread-safe.
 */
public final class TollgatePolicy implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  private final Path path; // null: not a file (a class path resource in a jar): not reloadable
  private final CounterStore store;
  private final StoreSettings storeSettings; // the file's, or tollgate.store's
  private final boolean storeOverridden;
  private final List<Consumer<Admission>> onReload = new CopyOnWriteArrayList<>();
  private volatile PolicyFile file;
  private volatile RateLimiter limiter;
  private volatile Instant loadedAt = Instant.now();
  private PolicyWatcher watcher;
  private final DecisionMetrics metrics; // null: no MeterRegistry

  private TollgatePolicy(Path path, PolicyFile file, CounterStore store, StoreSettings storeSettings,
      boolean storeOverridden, MeterRegistry registry) {
    this.path = path;
    this.file = file;
    this.store = store;
    this.storeSettings = storeSettings;
    this.storeOverridden = storeOverridden;
    this.metrics = registry == null ? null : new DecisionMetrics(registry, store, () -> this.limiter);
    this.limiter = limiterFor(file);
  }

  private RateLimiter limiterFor(PolicyFile f) {
    RateLimiter.Builder b = RateLimiter.builder(f.policy()).store(store);
    return (metrics == null ? b : b.listener(metrics)).build();
  }

  /** What a reload did: {@code reloaded}, {@code unchanged} or {@code rejected} (with the errors). */
  public record Reload(String result, String sha256, List<String> errors) {}

  /**
   * Reads the file again and, when it is valid and different, swaps its policy in between requests
   * (the filter, the {@link RateLimiter} bean). A file with any error changes nothing. Only one at a time.
   */
  public synchronized Reload reload() {
    PolicyFile now = file;
    if (path == null) {
      return new Reload("unchanged", now.sha256(), List.of());
    }
    PolicyFile next;
    try {
      next = PolicyLoader.load(path);
    } catch (PolicyException e) {
      log.warn("tollgate: reload of {} rejected, the policy in effect stays: {}", path, e.getMessage());
      return new Reload("rejected", now.sha256(),
          e.errors().stream().map(PolicyError::toString).toList());
    }
    if (next.version().equals(now.version())) {
      return new Reload("unchanged", now.sha256(), List.of());
    }
    if (!next.settings().store().equals(now.settings().store()) && !storeOverridden) {
      log.warn("tollgate: the store of {} changed; it applies at the next start", path);
    }
    RateLimiter nextLimiter = limiterFor(next);
    file = next;
    limiter = nextLimiter;
    loadedAt = Instant.now();
    Admission steps = admission();
    onReload.forEach(listener -> listener.accept(steps));
    log.info("tollgate: reloaded {} (sha256 {}): {} routes, {} limits", path, next.sha256(),
        next.policy().routes().size(), next.policy().limits().size());
    return new Reload("reloaded", next.sha256(), List.of());
  }

  /** Reloads when the file changes (a no-op for a policy that is not a file). */
  void watch() {
    if (path != null && watcher == null) {
      watcher = PolicyWatcher.start(List.of(path), this::reload);
    }
  }

  /** Told of every reloaded policy's steps (the filter: its limiter, trusted proxies and paths). */
  void onReload(Consumer<Admission> listener) {
    onReload.add(listener);
  }

  /** When the policy in effect was read. */
  public Instant loadedAt() {
    return loadedAt;
  }

  /** Whether it is read from a file (and so reloadable). */
  public boolean reloadable() {
    return path != null;
  }

  /**
   * Reads {@code resource}: a file is read as the server reads it (relative paths from its
   * directory), a class path resource as text.
   *
   * @param storeOverride {@code tollgate.store}, or {@code null}
   * @param registry where the engine's and the store's meters go; {@code null} for none
   * @throws PolicyException with every error at its file, line and column
   */
  static TollgatePolicy load(Resource resource, String storeOverride, MeterRegistry registry)
      throws PolicyException {
    PolicyFile file;
    Path path = null;
    try {
      if (resource.isFile()) {
        path = resource.getFile().toPath();
      }
      file = path != null ? PolicyLoader.load(path)
          : PolicyLoader.parse(resource.getContentAsString(StandardCharsets.UTF_8), describe(resource), System.getenv());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the policy " + describe(resource) + ": " + e.getMessage(), e);
    }
    boolean overridden = storeOverride != null && !storeOverride.isBlank();
    StoreSettings settings = overridden ? override(storeOverride.trim(), file.settings().store()) : file.settings().store();
    return new TollgatePolicy(path, file, Stores.open(settings), settings, overridden, registry);
  }

  private static String describe(Resource r) {
    return r.getDescription().startsWith("class path resource [")
        ? "classpath:" + r.getDescription().substring(21, r.getDescription().length() - 1) : r.getDescription();
  }

  /** {@code tollgate.store}: {@code memory}, or a Redis URI keeping the file's {@code redis:} settings. */
  static StoreSettings override(String store, StoreSettings fromFile) {
    if (store.equals("memory")) {
      return new StoreSettings.Memory(fromFile.maxKeys());
    }
    if (!store.startsWith("redis://") && !store.startsWith("rediss://") && !store.startsWith("redis-cluster://")) {
      throw new IllegalArgumentException("tollgate.store must be memory, redis://…, rediss://… or redis-cluster://… (was '"
          + store + "')");
    }
    if (fromFile instanceof StoreSettings.Redis r) {
      return new StoreSettings.Redis(store, r.timeout(), r.onFailure(), r.clock(), r.leaseTtl(), r.keyPrefix(), r.maxKeys());
    }
    return new StoreSettings.Redis(store, Duration.ofMillis(50), StoreSettings.OnFailure.LOCAL,
        StoreSettings.Clock.REDIS, Duration.ofSeconds(60), "tollgate", fromFile.maxKeys());
  }

  /** The file read: its policy and settings. */
  public PolicyFile file() {
    return file;
  }

  /** The steps a filter takes with each request: the limiter in effect, the file's trusted proxies and paths. */
  public Admission admission() {
    return Admission.builder(limiter()).trustedProxies(file().settings().trustedProxies())
        .encodedSlash(file().settings().http().encodedSlash()).build();
  }

  /** The engine over the store, for the policy in effect. */
  public RateLimiter limiter() {
    return limiter;
  }

  /** Where the counters live: the file's {@code store}, or {@code tollgate.store} when set. */
  public StoreSettings storeSettings() {
    return storeSettings;
  }

  /** The store the counters live in. */
  public CounterStore store() {
    return store;
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    store.close();
  }
}
