package io.tollgate.spring;

import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.config.StoreSettings;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.CounterStore;
import io.tollgate.redis.Stores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.core.io.Resource;

/**
 * The policy file {@code tollgate.policy} names, read and checked, with the store it (or
 * {@code tollgate.store}) names opened and the engine built over it. Closing it closes the store.
 */
public final class TollgatePolicy implements AutoCloseable {

  private final PolicyFile file;
  private final CounterStore store;
  private final RateLimiter limiter;

  private TollgatePolicy(PolicyFile file, CounterStore store, RateLimiter limiter) {
    this.file = file;
    this.store = store;
    this.limiter = limiter;
  }

  /**
   * Reads {@code resource}: a file is read as the server reads it (relative paths from its
   * directory), a class path resource as text.
   *
   * @param storeOverride {@code tollgate.store}, or {@code null}
   * @throws PolicyException with every error at its file, line and column
   */
  static TollgatePolicy load(Resource resource, String storeOverride) throws PolicyException {
    PolicyFile file;
    try {
      file = resource.isFile() ? PolicyLoader.load(resource.getFile().toPath())
          : PolicyLoader.parse(resource.getContentAsString(StandardCharsets.UTF_8), describe(resource), System.getenv());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the policy " + describe(resource) + ": " + e.getMessage(), e);
    }
    StoreSettings settings = storeOverride == null || storeOverride.isBlank() ? file.settings().store()
        : override(storeOverride.trim(), file.settings().store());
    CounterStore store = Stores.open(settings);
    return new TollgatePolicy(file, store, RateLimiter.builder(file.policy()).store(store).build());
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

  /** The engine over the store. */
  public RateLimiter limiter() {
    return limiter;
  }

  /** The store the counters live in. */
  public CounterStore store() {
    return store;
  }

  @Override
  public void close() {
    store.close();
  }
}
