package io.tollgate.redis;

import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.CounterStoreConformance;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;

/** The memory store's conformance suite, unchanged, against a real redis-server. */
class RedisStoreConformanceTest extends CounterStoreConformance {

  private static final AtomicInteger stores = new AtomicInteger();
  private static RedisServer redis;

  @BeforeAll
  static void redis() throws Exception {
    redis = RedisServer.shared();
  }

  @Override
  protected CounterStore newStore() {
    // The suite's clock is a fake one, so the store takes the batch's time; a key prefix of its own
    // per store keeps tests apart on one server.
    return RedisStore.connect(RedisStoreOptions.builder(redis.uri()).clock(RedisStoreOptions.ClockSource.LOCAL)
        .timeout(java.time.Duration.ofSeconds(2)).keyPrefix("t" + stores.incrementAndGet()).build());
  }
}
