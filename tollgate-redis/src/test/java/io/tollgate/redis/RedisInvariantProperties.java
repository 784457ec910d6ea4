package io.tollgate.redis;

import io.tollgate.core.InvariantProperties;
import io.tollgate.core.RateLimiter;
import java.io.IOException;
import java.io.UncheckedIOException;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * The engine's invariants (fixed and sliding windows never over their limit, the token bucket
 * within burst plus rate, concurrency never over n, a refusal moving no counter) for random
 * sequences of requests and time, decided by Redis: one store on a real redis-server, on the
 * limiters' clock ({@code clock: local}, as the properties move a fake one), emptied before each try,
 * with no refusal cache (it would carry a refusal from one try's fake time into the next).
 */
class RedisInvariantProperties extends InvariantProperties {

  private static RedisServer redis;
  private static RedisStore store;

  @BeforeContainer
  static void start() {
    try {
      redis = RedisServer.shared();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    store = RedisStore.connect(RedisStoreOptions.builder(redis.uri()).clock(RedisStoreOptions.ClockSource.LOCAL)
        .refusalCacheSize(0).timeout(java.time.Duration.ofSeconds(2)).keyPrefix("invariants").build());
  }

  @AfterContainer
  static void stop() {
    store.close();
  }

  @BeforeTry
  void empty() {
    redis.command("FLUSHALL");
  }

  @Override
  protected RateLimiter.Builder onStore(RateLimiter.Builder b) {
    return b.store(store);
  }
}
