package io.tollgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.Clock;
import io.tollgate.core.Limit;
import io.tollgate.core.RateLimiter;
import io.tollgate.redis.RedisStoreOptions.OnFailure;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Redis killed, then frozen, under load: every decision answers within the timeout and follows
 * on-failure; once Redis is back, decisions come from it again.
 */
class RedisFailureTest {

  /** Generous bound for "answers within the 50 ms timeout" on a busy 2-core machine: never a hang. */
  private static final long ANSWER_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);

  @ParameterizedTest
  @EnumSource(OnFailure.class)
  void noDecisionWaitsOnADeadOrHungRedis(OnFailure onFailure) throws Exception {
    try (RedisServer redis = RedisServer.start();
        RedisStore store = RedisStore.connect(RedisStoreOptions.builder(redis.uri()).onFailure(onFailure)
            .timeout(Duration.ofMillis(50)).keyPrefix("fail").build())) {
      // 3 allowed per key and minute; each caller uses keys of its own, so local decisions are predictable too
      RateLimiter limiter = RedisStoreTest.limiter(store, Clock.system(), Limit.builder("w").limit(3).window("1m").build());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong slowest = new AtomicLong();
      AtomicLong decisions = new AtomicLong();
      AtomicLong outageAllowed = new AtomicLong();
      AtomicLong outageRefused = new AtomicLong();
      AtomicBoolean outage = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      Future<?>[] callers = new Future<?>[4];
      for (int t = 0; t < callers.length; t++) {
        int caller = t;
        callers[t] = pool.submit(() -> {
          for (long i = 0; !stop.get(); i++) {
            long start = System.nanoTime();
            boolean allowed = limiter.tryAcquire("w", caller + ":" + i, 1).allowed(); // a fresh key: fits
            slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
            decisions.incrementAndGet();
            if (outage.get()) {
              (allowed ? outageAllowed : outageRefused).incrementAndGet();
            }
          }
        });
      }
      RedisServer.await(() -> store.stats().answered() > 100, "decisions from Redis before the outage");

      outage.set(true);
      redis.kill();
      long failuresBefore = store.stats().fallbacks();
      RedisServer.await(() -> store.stats().fallbacks() > failuresBefore + 200, "decisions while Redis is dead");
      outage.set(false);
      redis.restart(); // empty: the script is loaded again (NOSCRIPT, then EVAL)
      long answeredAt = store.stats().answered();
      RedisServer.await(() -> store.stats().answered() > answeredAt + 100, "decisions from Redis again after the restart");

      outage.set(true);
      redis.freeze(); // a hung Redis: the connection stays up, nothing answers; calls time out
      long timeoutsBefore = store.stats().timeouts();
      long fallbacksBefore = store.stats().fallbacks();
      RedisServer.await(() -> store.stats().fallbacks() > fallbacksBefore + 200, "decisions while Redis is frozen");
      outage.set(false);
      redis.thaw();
      long answeredAgain = store.stats().answered();
      RedisServer.await(() -> store.stats().answered() > answeredAgain + 100, "decisions from Redis again after the freeze");

      stop.set(true);
      for (Future<?> f : callers) {
        f.get(10, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(store.stats().timeouts()).as(store.stats().toString()).isGreaterThan(timeoutsBefore);
      assertThat(store.stats().breakerOpened()).as(store.stats().toString()).isGreaterThanOrEqualTo(2);
      assertThat(store.stats().scriptLoads()).as("the restarted Redis got the script again").isPositive();
      assertThat(slowest.get()).as("slowest decision, ns (" + decisions.get() + " decisions)").isLessThan(ANSWER_BOUND_NANOS);
      switch (onFailure) {
        case ALLOW:
        case LOCAL: // a fresh key fits the local store too
          assertThat(outageRefused.get()).isZero();
          break;
        default:
          assertThat(outageAllowed.get()).as("allowed by Redis around the outage's edges only")
              .isLessThan(outageRefused.get() / 10);
          break;
      }
    }
  }

  @Test
  void anAsynchronousDecisionOnAHungRedisCompletesAfterTheTimeout() throws Exception {
    try (RedisServer redis = RedisServer.start();
        RedisStore store = RedisStore.connect(RedisStoreOptions.builder(redis.uri()).onFailure(OnFailure.DENY)
            .timeout(Duration.ofMillis(50)).keyPrefix("fail-async").build())) {
      RateLimiter limiter = RedisStoreTest.limiter(store, Clock.system(), Limit.builder("w").limit(3).window("1m").build());
      assertThat(limiter.tryAcquireAsync("w", "k", 1).get(5, TimeUnit.SECONDS).allowed()).isTrue();
      redis.freeze();
      try {
        for (int i = 0; i < 5; i++) {
          long start = System.nanoTime();
          assertThat(limiter.tryAcquireAsync("w", "k", 1).get(5, TimeUnit.SECONDS).allowed()).as("deny").isFalse();
          assertThat(System.nanoTime() - start).isLessThan(ANSWER_BOUND_NANOS);
        }
        assertThat(store.stats().timeouts()).as(store.stats().toString()).isPositive();
      } finally {
        redis.thaw();
      }
    }
  }

  @Test
  void aDecisionAdmittedByOnFailureAllowSettlesWithoutTakingAnything() throws Exception {
    // was: the fallback's decision carried no tokens, and settling it threw a NullPointerException
    try (RedisServer redis = RedisServer.start();
        RedisStore store = RedisStore.connect(RedisStoreOptions.builder(redis.uri()).onFailure(OnFailure.ALLOW)
            .timeout(Duration.ofMillis(50)).keyPrefix("fail-allow").build())) {
      RateLimiter limiter = RateLimiter.builder(io.tollgate.core.Policy.builder()
          .limit(Limit.builder("jobs").concurrency(1).build())
          .limit(Limit.builder("w").limit(3).window("1m").uncountedStatuses("304").build()).build())
          .clock(Clock.system()).store(store).build();
      redis.kill();
      io.tollgate.core.RequestInfo req = io.tollgate.core.RequestInfo.builder().path("/x").clientIp("a").build();
      for (int i = 0; i < 5; i++) {
        io.tollgate.core.Decision d = limiter.decide(req);
        assertThat(d.allowed()).isTrue();
        if (i % 2 == 0) {
          d.settle(304); // gives back the window's unit and the concurrency slot: nothing was taken
        } else {
          d.abort();
        }
      }
      io.tollgate.core.Decision async = limiter.decideAsync(req).get(5, TimeUnit.SECONDS);
      assertThat(async.allowed()).isTrue();
      async.settle(200);
      assertThat(store.stats().fallbacks()).isPositive();
    }
  }
}
