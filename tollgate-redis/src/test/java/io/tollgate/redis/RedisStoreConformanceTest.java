package io.tollgate.redis;

import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.CounterStoreConformance;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The memory store's conformance suite, unchanged, against a real redis-server. */
class RedisStoreConformanceTest extends CounterStoreConformance {

  private static RedisServer redis;
  private static final AtomicInteger stores = new AtomicInteger();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected CounterStore newStore() {
    // The suite's clock is a fake one, so the store takes the batch's time; a key prefix of its own
    // per store keeps tests apart on one server.
    return RedisStore.connect(RedisStoreOptions.builder(redis.uri()).clock(RedisStoreOptions.ClockSource.LOCAL)
        .timeout(java.time.Duration.ofSeconds(2)).keyPrefix("t" + stores.incrementAndGet()).build());
  }
}
