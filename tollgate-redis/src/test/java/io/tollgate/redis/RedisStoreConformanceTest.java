package io.tollgate.redis;

import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.CounterStoreConformance;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;

/** The memory store's conformance suite, unchanged, against a real redis-server. */
class RedisStoreConformanceTest extends CounterStoreConformance {

  private static final AtomicInteger stores = new AtomicInteger();
  static RedisServer redis;

  @BeforeAll
  static void redis() throws Exception {
    redis = RedisServer.shared();
  }

  /** The suite's clock is a fake one, so here the store takes the batch's time ({@code clock: local}). */
  protected RedisStoreOptions.ClockSource clock() {
    return RedisStoreOptions.ClockSource.LOCAL;
  }

  @Override
  protected CounterStore newStore() {
    // a key prefix of its own per store keeps tests apart on one server
    return RedisStore.connect(RedisStoreOptions.builder(redis.uri()).clock(clock())
        .timeout(java.time.Duration.ofSeconds(2)).keyPrefix("t" + stores.incrementAndGet()).build());
  }
}
