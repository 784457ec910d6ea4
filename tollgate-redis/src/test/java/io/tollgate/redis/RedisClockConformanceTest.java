package io.tollgate.redis;

import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.CounterStoreConformance;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite against a real redis-server with {@code clock: redis}, the default: windows
 * are Redis's (TIME), not the limiter's. The tests that move the limiter's clock are skipped; each
 * of the others starts where no minute (so no hour or day) of Redis's time ends within 5 s.
 */
class RedisClockConformanceTest extends CounterStoreConformance {

  private static final AtomicInteger stores = new AtomicInteger();
  private static RedisServer redis;

  @BeforeAll
  static void redis() throws Exception {
    redis = RedisServer.shared();
  }

  @Override
  protected CounterStore newStore() {
    return RedisStore.connect(RedisStoreOptions.builder(redis.uri()).clock(RedisStoreOptions.ClockSource.REDIS)
        .timeout(java.time.Duration.ofSeconds(2)).keyPrefix("rc" + stores.incrementAndGet()).build());
  }

  @Override
  protected boolean followsTheLimitersClock() {
    return false;
  }

  @Override
  protected void beforeEachTest() {
    RedisServer.await(() -> {
      try {
        long seconds = Long.parseLong(redis.cli("TIME").lines().findFirst().orElseThrow().trim());
        return seconds % 60 >= 1 && seconds % 60 < 55;
      } catch (Exception e) {
        return false;
      }
    }, "Redis's clock away from a minute's end");
  }
}
