package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.store.MemoryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Threads hammering shared counters with a frozen clock: the admitted count must be exact. These fail
 * if a decision's check and take are not atomic, or if several counters are not taken together.
 */
class ConcurrencyTest {

  private static final int THREADS = 8;
  private static final int ATTEMPTS_PER_THREAD = 20_000;

  private static int hammer(int threads, int attempts, java.util.function.IntPredicate attempt) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger admitted = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < attempts; i++) {
          if (attempt.test(thread)) {
            admitted.incrementAndGet();
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    return admitted.get();
  }

  @Test
  void eightThreadsOnOneKeyAdmitExactlyTheLimit() throws Exception {
    for (Algorithm a : new Algorithm[] {Algorithm.FIXED_WINDOW, Algorithm.SLIDING_WINDOW, Algorithm.TOKEN_BUCKET}) {
      FakeClock frozen = FakeClock.atWholeDay();
      RateLimiter l = RateLimiter.builder(Policy.builder()
          .limit(Limit.builder("hot").limit(5_000).window("1h").algorithm(a).build()).build()).clock(frozen).build();
      int admitted = hammer(THREADS, ATTEMPTS_PER_THREAD, t -> l.tryAcquire("hot", "one-key", 1).allowed());
      assertThat(admitted).as(a.text()).isEqualTo(5_000);
    }
  }

  @Test
  void requestsUnderTwoSharedLimitsAdmitExactlyTheSmallerOne() throws Exception {
    // Every request needs both counters; half the threads also hit a third. A decision that took from
    // one counter and then was refused by the other would leave fewer than 3,000 admitted.
    FakeClock frozen = FakeClock.atWholeDay();
    Policy p = Policy.builder()
        .route(Route.of("a", "/a/**"))
        .limit(Limit.builder("global").limit(3_000).window("1h").build())
        .limit(Limit.builder("per-route").limit(4_000).window("1h").algorithm(Algorithm.TOKEN_BUCKET).key("route").build())
        .build();
    RateLimiter l = RateLimiter.builder(p).clock(frozen).store(MemoryStore.create(100)).build();
    RequestInfo onA = RequestInfo.builder().path("/a/1").clientIp("192.0.2.1").build();
    RequestInfo other = RequestInfo.builder().path("/b").clientIp("192.0.2.2").build();
    int admitted = hammer(THREADS, ATTEMPTS_PER_THREAD, t -> l.decide(t % 2 == 0 ? onA : other).allowed());
    assertThat(admitted).isEqualTo(3_000);
  }

  @Test
  void concurrencySlotsAreNeverOverbooked() throws Exception {
    FakeClock frozen = FakeClock.atWholeDay();
    RateLimiter l = RateLimiter.builder(Policy.builder().limit(Limit.builder("jobs").concurrency(3).build()).build())
        .clock(frozen).build();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    hammer(THREADS, 5_000, t -> {
      Decision d = l.tryAcquire("jobs", "k", 1);
      if (!d.allowed()) {
        return false;
      }
      // Counted as held from just after the take to just before the give-back, so the count never
      // exceeds the slots truly held; and held a while (yielding) so that holders overlap and an
      // overbooking would show as a fourth.
      maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      for (int i = 0; i < 5; i++) {
        Thread.yield();
      }
      maxSeen.accumulateAndGet(inFlight.get(), Math::max);
      inFlight.decrementAndGet();
      d.settle(200);
      return true;
    });
    assertThat(maxSeen.get()).as("holders overlapped, never more than 3").isBetween(2, 3);
    assertThat(l.tryAcquire("jobs", "k", 3).allowed()).as("every slot given back").isTrue();
  }
}
