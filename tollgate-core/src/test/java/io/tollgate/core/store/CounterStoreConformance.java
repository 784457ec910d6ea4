package io.tollgate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tollgate.core.Algorithm;
import io.tollgate.core.Decision;
import io.tollgate.core.FakeClock;
import io.tollgate.core.Limit;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.Mode;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CounterStore} must do, run unchanged against each implementation (Bucket4j's
 * {@code AbstractDistributedBucketTest} idea): a store's test extends this and says how to make a
 * store. Decisions go through a real limiter with a fake clock; a store that keeps its own time must
 * use the batch's, or say so ({@link #followsTheLimitersClock}): then the tests that move the clock
 * or compare times are skipped, and the others run on the store's time.
 */
public abstract class CounterStoreConformance {

  /** A new, empty store. Each test closes what it made. */
  protected abstract CounterStore newStore();

  /** Whether the store decides by the batch's time (the limiter's fake clock here). */
  protected boolean followsTheLimitersClock() {
    return true;
  }

  /** Before each test: a store on a clock of its own waits here until no window edge is near. */
  protected void beforeEachTest() {}

  @org.junit.jupiter.api.BeforeEach
  void beforeEach() {
    beforeEachTest();
  }

  private void requireTheLimitersClock() {
    org.junit.jupiter.api.Assumptions.assumeTrue(followsTheLimitersClock(), "moves or reads the limiter's clock");
  }

  private final FakeClock clock = FakeClock.atWholeDay();
  private CounterStore store;

  private RateLimiter limiter(Limit... limits) {
    Policy.Builder p = Policy.builder();
    for (Limit l : limits) {
      p.limit(l);
    }
    if (store == null) {
      store = newStore();
    }
    return RateLimiter.builder(p.build()).clock(clock).store(store).build();
  }

  @AfterEach
  void closeStore() throws Exception {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aLimitThatMeansTheSameKeepsItsCountsInANewLimiterWhereverItSits() {
    RateLimiter before = limiter(Limit.builder("a").limit(10).window("1m").key("client-ip").build(),
        Limit.builder("b").limit(5).window("1m").algorithm(Algorithm.TOKEN_BUCKET).build());
    assertThat(before.tryAcquire("a", "k", 3).allowed()).isTrue();
    assertThat(before.tryAcquire("b", "k", 5).allowed()).isTrue();
    // reloaded: a limit inserted first, the two swapped, a's limit raised from 10 to 20
    RateLimiter after = limiter(Limit.builder("new").limit(1).window("1m").algorithm(Algorithm.TOKEN_BUCKET).build(),
        Limit.builder("b").limit(5).window("1m").algorithm(Algorithm.TOKEN_BUCKET).build(),
        Limit.builder("a").limit(20).window("1m").key("client-ip").build());
    assertThat(after.tryAcquire("a", "k", 1).reported().remaining()).as("20 - 3 - 1").isEqualTo(16);
    assertThat(after.tryAcquire("b", "k", 1).allowed()).as("b's bucket is still empty").isFalse();
    assertThat(after.tryAcquire("new", "k", 1).allowed()).as("the new limit has counters of its own").isTrue();
  }

  @Test
  void aLimitWhoseWindowAlgorithmOrKeyChangedStartsAfresh() {
    RateLimiter before = limiter(Limit.builder("w").limit(2).window("1m").build(),
        Limit.builder("x").limit(2).window("1m").build(), Limit.builder("y").limit(2).window("1m").build());
    for (String name : List.of("w", "x", "y")) {
      assertThat(before.tryAcquire(name, "k", 2).allowed()).isTrue();
    }
    RateLimiter after = limiter(Limit.builder("w").limit(2).window("2m").build(),
        Limit.builder("x").limit(2).window("1m").algorithm(Algorithm.SLIDING_WINDOW).build(),
        Limit.builder("y").limit(2).window("1m").key("client-ip").build());
    for (String name : List.of("w", "x", "y")) {
      assertThat(after.tryAcquire(name, "k", 2).allowed()).as(name).isTrue();
    }
  }

  @Test
  void anExplanationReadsTheCountersAndMovesNone() {
    RateLimiter l = limiter(Limit.builder("w").limit(2).window("1m").key("client-ip").build());
    RequestInfo r = RequestInfo.builder().method("GET").path("/a").clientIp("203.0.113.7").build();
    assertThat(l.decide(r).allowed()).isTrue();
    for (int i = 0; i < 3; i++) {
      io.tollgate.core.Explanation x = l.explain(r);
      assertThat(x.decision().allowed()).isTrue();
      assertThat(x.decision().reported().remaining()).isEqualTo(1);
      assertThat(x.keys()).containsExactly("client-ip=203.0.113.7");
    }
    assertThat(l.decide(r).allowed()).isTrue();
    assertThat(l.explain(r).decision().allowed()).as("the next would be refused").isFalse();
    assertThat(l.decide(r).allowed()).isFalse();
  }

  @Test
  void aResetGivesTheCallerAFreshBudgetOnEveryAlgorithmAndNoOneElse() {
    RateLimiter l = limiter(Limit.builder("f").limit(2).window("1m").key("client-ip").build(),
        Limit.builder("s").limit(2).window("1m").algorithm(Algorithm.SLIDING_WINDOW).key("client-ip").build(),
        Limit.builder("t").limit(2).window("1m").algorithm(Algorithm.TOKEN_BUCKET).key("client-ip").build(),
        Limit.builder("c").concurrency(2).key("client-ip").build());
    RequestInfo me = RequestInfo.builder().method("GET").path("/a").clientIp("203.0.113.7").build();
    RequestInfo other = RequestInfo.builder().method("GET").path("/a").clientIp("198.51.100.1").build();
    for (int i = 0; i < 2; i++) {
      assertThat(l.decide(me).allowed()).isTrue();
      assertThat(l.decide(other).allowed()).isTrue();
    }
    assertThat(l.decide(me).allowed()).as("every limit is full").isFalse();
    assertThat(l.reset(me, null)).extracting(RateLimiter.ResetCounter::limit).containsExactly("f", "s", "t", "c");
    assertThat(l.reset(me, "t")).containsExactly(new RateLimiter.ResetCounter("t", "client-ip=203.0.113.7"));
    for (int i = 0; i < 2; i++) {
      assertThat(l.decide(me).allowed()).as("a fresh budget of 2 on every limit").isTrue();
    }
    assertThat(l.decide(me).allowed()).isFalse();
    assertThat(l.decide(other).allowed()).as("another caller keeps its counts").isFalse();
  }

  @Test
  void aLiftedBanLetsTheCallerInAgainAndForgetsItsRefusals() {
    requireTheLimitersClock();
    Policy.Builder p = Policy.builder().limit(Limit.builder("w").limit(1).window("1h").key("client-ip").build())
        .ban(new io.tollgate.core.Ban(List.of(List.of(io.tollgate.core.KeyPart.of(io.tollgate.core.KeyPart.Kind.CLIENT_IP))),
            2, "1m", "1h", 403, "application/json", io.tollgate.core.Ban.DEFAULT_BODY));
    if (store == null) {
      store = newStore();
    }
    RateLimiter l = RateLimiter.builder(p.build()).clock(clock).store(store).build();
    RequestInfo me = RequestInfo.builder().method("GET").path("/a").clientIp("203.0.113.7").build();
    assertThat(l.decide(me).allowed()).isTrue();
    assertThat(l.decide(me).outcome()).isEqualTo(Decision.Outcome.REFUSED);
    assertThat(l.decide(me).outcome()).isEqualTo(Decision.Outcome.REFUSED); // the second refusal bans
    assertThat(l.decide(me).outcome()).isEqualTo(Decision.Outcome.BANNED);
    assertThat(l.bans(10)).containsExactly(new RateLimiter.ActiveBan("client-ip=203.0.113.7",
        clock.epochMillis(), clock.epochMillis() + 3_600_000));
    assertThat(l.liftBan(me)).isTrue();
    assertThat(l.bans(10)).isEmpty();
    assertThat(l.liftBan(me)).as("lifted already").isFalse();
    assertThat(l.decide(me).outcome()).as("not banned; the limit itself still refuses").isEqualTo(Decision.Outcome.REFUSED);
    assertThat(l.decide(me).outcome()).as("its refusals were forgotten: one is not enough")
        .isEqualTo(Decision.Outcome.REFUSED);
  }

  @Test
  void fixedWindowCountsToTheLimitAndResetsAtTheWindowsEnd() {
    requireTheLimitersClock();
    RateLimiter l = limiter(Limit.builder("w").limit(2).window("1m").build());
    clock.advance(Duration.ofSeconds(30));
    assertThat(l.tryAcquire("w", "k", 1).reported().remaining()).isEqualTo(1);
    assertThat(l.tryAcquire("w", "k", 1).reported().remaining()).isZero();
    Decision refused = l.tryAcquire("w", "k", 1);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.reported().retryAfterMillis()).isEqualTo(30_000);
    assertThat(refused.reported().resetAtMillis()).isEqualTo(clock.epochMillis() + 30_000);
    clock.advance(Duration.ofSeconds(30));
    assertThat(l.tryAcquire("w", "k", 1).allowed()).isTrue();
  }

  @Test
  void slidingWindowWeighsThePreviousWindow() {
    requireTheLimitersClock();
    RateLimiter l = limiter(Limit.builder("s").limit(4).window("1s").algorithm(Algorithm.SLIDING_WINDOW).build());
    assertThat(l.tryAcquire("s", "k", 4).allowed()).isTrue();
    clock.advanceMillis(1_500); // half of the previous window's 4 still weighs: 2
    assertThat(l.tryAcquire("s", "k", 2).allowed()).isTrue();
    assertThat(l.tryAcquire("s", "k", 1).allowed()).isFalse();
  }

  @Test
  void tokenBucketAllowsTheBurstAndRefillsAtTheRate() {
    requireTheLimitersClock();
    RateLimiter l = limiter(Limit.builder("b").limit(10).window("1s").algorithm(Algorithm.TOKEN_BUCKET).burst(3).build());
    assertThat(l.tryAcquire("b", "k", 3).allowed()).isTrue();
    Decision refused = l.tryAcquire("b", "k", 1);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.reported().retryAfterMillis()).isEqualTo(100);
    clock.advanceMillis(100);
    assertThat(l.tryAcquire("b", "k", 1).allowed()).isTrue();
  }

  @Test
  void concurrencySlotsAreReleasedOnce() {
    RateLimiter l = limiter(Limit.builder("c").concurrency(1).build());
    Decision a = l.tryAcquire("c", "k", 1);
    assertThat(l.tryAcquire("c", "k", 1).allowed()).isFalse();
    a.settle(200);
    a.abort();
    Decision b = l.tryAcquire("c", "k", 1);
    assertThat(b.allowed()).isTrue();
    assertThat(l.tryAcquire("c", "k", 1).allowed()).isFalse();
  }

  @Test
  void aRefusalByOneLimitTakesNothingFromTheOthers() {
    RateLimiter l = limiter(
        Limit.builder("loose").limit(10).window("1m").build(),
        Limit.builder("tight").limit(1).window("1m").algorithm(Algorithm.TOKEN_BUCKET).build());
    RequestInfo r = RequestInfo.builder().path("/").clientIp("192.0.2.1").build();
    assertThat(l.decide(r).allowed()).isTrue();
    for (int i = 0; i < 5; i++) {
      assertThat(l.decide(r).allowed()).isFalse();
    }
    List<LimitStatus> status = l.status(r);
    assertThat(status.get(0).remaining()).isEqualTo(9);
  }

  @Test
  void aRefusalByOneFixedWindowTakesNothingFromAnotherAndBothAreReported() {
    requireTheLimitersClock();
    RateLimiter l = limiter(
        Limit.builder("loose").limit(10).window("1m").build(),
        Limit.builder("tight").limit(1).window("1m").build());
    clock.advance(Duration.ofSeconds(20));
    RequestInfo r = RequestInfo.builder().path("/").clientIp("192.0.2.2").build();
    assertThat(l.decide(r).allowed()).isTrue();
    Decision refused = l.decide(r);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.applied()).extracting(LimitStatus::name, LimitStatus::remaining, LimitStatus::fits,
            LimitStatus::retryAfterMillis)
        .containsExactly(tuple("loose", 9L, true, 0L), tuple("tight", 0L, false, 40_000L));
    for (int i = 0; i < 5; i++) { // a store may answer these from a refusal cache: the refusing limit is what counts
      Decision again = l.decide(r);
      assertThat(again.allowed()).isFalse();
      assertThat(again.reported()).extracting(LimitStatus::name, LimitStatus::remaining, LimitStatus::retryAfterMillis)
          .containsExactly("tight", 0L, 40_000L);
    }
    assertThat(l.status(r)).extracting(LimitStatus::remaining).containsExactly(9L, 0L);
  }

  @Test
  void aShadowLimitOverItsLimitStillCountsAndNeverRefuses() {
    RateLimiter l = limiter(
        Limit.builder("enforced").limit(10).window("1m").build(),
        Limit.builder("trial").limit(2).window("1m").mode(Mode.SHADOW).build());
    RequestInfo r = RequestInfo.builder().path("/").clientIp("192.0.2.3").build();
    for (int i = 0; i < 4; i++) {
      assertThat(l.decide(r).allowed()).isTrue();
    }
    Decision d = l.decide(r);
    assertThat(d.allowed()).isTrue();
    assertThat(d.applied()).extracting(LimitStatus::name, LimitStatus::remaining, LimitStatus::fits)
        .containsExactly(tuple("enforced", 5L, true), tuple("trial", 0L, false));
  }

  @Test
  void uncountedStatusesGiveUnitsBack() {
    RateLimiter l = limiter(Limit.builder("w").limit(1).window("1m").uncountedStatuses("304").build());
    l.tryAcquire("w", "k", 1).settle(304);
    assertThat(l.tryAcquire("w", "k", 1).allowed()).isTrue();
    assertThat(l.tryAcquire("w", "k", 1).allowed()).isFalse();
  }

  @Test
  void peekMovesNothingAndCreatesNothing() {
    RateLimiter l = limiter(Limit.builder("w").key("client-ip").limit(3).window("1m").build());
    RequestInfo r = RequestInfo.builder().path("/").clientIp("192.0.2.9").build();
    for (int i = 0; i < 5; i++) {
      assertThat(l.status(r).get(0).remaining()).isEqualTo(3);
    }
    l.decide(r);
    assertThat(l.status(r).get(0).remaining()).isEqualTo(2);
  }

  @Test
  void keysAreDistinctCounters() {
    RateLimiter l = limiter(Limit.builder("w").limit(1).window("1m").build());
    assertThat(l.tryAcquire("w", "a", 1).allowed()).isTrue();
    assertThat(l.tryAcquire("w", "b", 1).allowed()).isTrue();
    assertThat(l.tryAcquire("w", "ab", 1).allowed()).isTrue();
    assertThat(l.tryAcquire("w", "a", 1).allowed()).isFalse();
  }

  @Test
  void threeLimitersOnOneStoreAdmitExactlyTheLimit() throws Exception {
    // Three limiters stand for three gateway nodes sharing the store.
    Limit limit = Limit.builder("hot").limit(2_000).window("1h").build();
    RateLimiter[] nodes = {limiter(limit), limiter(limit), limiter(limit)};
    ExecutorService pool = Executors.newFixedThreadPool(6);
    AtomicInteger admitted = new AtomicInteger();
    Future<?>[] done = new Future<?>[6];
    for (int t = 0; t < done.length; t++) {
      RateLimiter node = nodes[t % 3];
      done[t] = pool.submit(() -> {
        for (int i = 0; i < 1_000; i++) {
          if (node.tryAcquire("hot", "one-key", 1).allowed()) {
            admitted.incrementAndGet();
          }
        }
      });
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(admitted.get()).isEqualTo(2_000);
  }
}
