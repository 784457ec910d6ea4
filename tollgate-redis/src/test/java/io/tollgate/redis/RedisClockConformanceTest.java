package io.tollgate.redis;

/**
 * The conformance suite against a real redis-server with {@code clock: redis}, the default: windows
 * are Redis's (TIME), not the limiter's. The tests that move the limiter's clock are skipped; each
 * of the others starts where no minute (so no hour or day) of Redis's time ends within 5 s.
 */
class RedisClockConformanceTest extends RedisStoreConformanceTest {

  @Override
  protected RedisStoreOptions.ClockSource clock() {
    return RedisStoreOptions.ClockSource.REDIS;
  }

  @Override
  protected boolean followsTheLimitersClock() {
    return false;
  }

  @Override
  protected void beforeEachTest() {
    RedisServer.await(() -> {
      try {
        long seconds = redis.epochSeconds();
        return seconds % 60 >= 1 && seconds % 60 < 55;
      } catch (Exception e) {
        return false;
      }
    }, "Redis's clock away from a minute's end");
  }
}
