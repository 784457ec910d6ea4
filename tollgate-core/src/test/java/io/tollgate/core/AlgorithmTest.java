package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each algorithm against its definition, on a fake clock. */
class AlgorithmTest {

  private final FakeClock clock = FakeClock.atWholeDay();

  private RateLimiter limiter(Limit limit) {
    return RateLimiter.builder(Policy.builder().limit(limit).build()).clock(clock).build();
  }

  private static Decision take(RateLimiter l, long cost) {
    return l.tryAcquire(l.policy().limits().get(0).name(), "k", cost);
  }

  @Test
  void fixedWindowAdmitsTheLimitThenRefusesUntilTheWindowEnds() {
    RateLimiter l = limiter(Limit.builder("w").limit(3).window("1m").build());
    long windowEnd = clock.epochMillis() + 60_000;
    clock.advance(Duration.ofSeconds(20));
    for (int i = 2; i >= 0; i--) {
      Decision d = take(l, 1);
      assertThat(d.allowed()).isTrue();
      assertThat(d.reported().remaining()).isEqualTo(i);
      assertThat(d.reported().resetAtMillis()).isEqualTo(windowEnd);
      assertThat(d.reported().retryAfterMillis()).isZero();
    }
    Decision refused = take(l, 1);
    assertThat(refused.outcome()).isEqualTo(Decision.Outcome.REFUSED);
    assertThat(refused.reported().remaining()).isZero();
    assertThat(refused.reported().retryAfterMillis()).isEqualTo(40_000);

    clock.set(windowEnd - 1);
    assertThat(take(l, 1).allowed()).isFalse();
    clock.set(windowEnd); // a new window at the whole minute
    Decision next = take(l, 1);
    assertThat(next.allowed()).isTrue();
    assertThat(next.reported().remaining()).isEqualTo(2);
    assertThat(next.reported().resetAtMillis()).isEqualTo(windowEnd + 60_000);
  }

  @Test
  void fixedWindowCostTakesSeveralUnitsAllOrNothing() {
    RateLimiter l = limiter(Limit.builder("w").limit(5).window("1s").build());
    assertThat(take(l, 3).allowed()).isTrue();
    Decision tooMuch = take(l, 3);
    assertThat(tooMuch.allowed()).isFalse();
    assertThat(tooMuch.reported().remaining()).isEqualTo(2); // the refusal took nothing
    assertThat(take(l, 2).allowed()).isTrue();
    assertThat(take(l, 1).allowed()).isFalse();
  }

  @Test
  void slidingWindowWeighsThePreviousWindow() {
    RateLimiter l = limiter(Limit.builder("s").limit(10).window("1m").algorithm(Algorithm.SLIDING_WINDOW).build());
    clock.advance(Duration.ofSeconds(50));
    for (int i = 0; i < 10; i++) {
      assertThat(take(l, 1).allowed()).isTrue();
    }
    assertThat(take(l, 1).allowed()).isFalse();
    // 15 s into the next window, the previous 10 weigh 10 * 45/60 = 7.5 -> 7: 3 more fit.
    clock.advance(Duration.ofSeconds(25));
    for (int i = 0; i < 3; i++) {
      assertThat(take(l, 1).allowed()).as("request %d", i).isTrue();
    }
    Decision refused = take(l, 1);
    assertThat(refused.allowed()).isFalse();
    // The next unit fits once floor(10 * (60 - e) / 60) <= 10 - 1 - 3 = 6, i.e. 60 - e < 42: e >= 18.001 s.
    long wait = refused.reported().retryAfterMillis();
    assertThat(wait).isEqualTo(3_001);
    clock.advanceMillis(wait - 1);
    assertThat(take(l, 1).allowed()).isFalse();
    clock.advanceMillis(1);
    assertThat(take(l, 1).allowed()).isTrue();
  }

  @Test
  void slidingWindowDropsWindowsOlderThanThePreviousOne() {
    RateLimiter l = limiter(Limit.builder("s").limit(2).window("1s").algorithm(Algorithm.SLIDING_WINDOW).build());
    assertThat(take(l, 2).allowed()).isTrue();
    clock.advance(Duration.ofSeconds(2));
    assertThat(take(l, 2).allowed()).isTrue();
  }

  @Test
  void tokenBucketAllowsTheBurstThenRefillsAtTheRate() {
    // 60 per minute = one per second, bucket of 5.
    RateLimiter l = limiter(Limit.builder("b").limit(60).window("1m").algorithm(Algorithm.TOKEN_BUCKET).burst(5).build());
    for (int i = 4; i >= 0; i--) {
      Decision d = take(l, 1);
      assertThat(d.allowed()).isTrue();
      assertThat(d.reported().remaining()).isEqualTo(i);
    }
    Decision refused = take(l, 1);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.reported().retryAfterMillis()).isEqualTo(1000);
    assertThat(refused.reported().resetAtMillis()).isEqualTo(clock.epochMillis() + 5000); // full again
    clock.advanceMillis(999);
    assertThat(take(l, 1).allowed()).isFalse();
    clock.advanceMillis(1);
    assertThat(take(l, 1).allowed()).isTrue();
    clock.advance(Duration.ofSeconds(60));
    assertThat(take(l, 5).allowed()).isTrue(); // never more than the burst at once
    clock.advance(Duration.ofSeconds(60));
    assertThat(take(l, 6).allowed()).isFalse();
  }

  @Test
  void tokenBucketRetryAfterForACostIsWhenAllItsUnitsAreBack() {
    RateLimiter l = limiter(Limit.builder("b").limit(10).window("1s").algorithm(Algorithm.TOKEN_BUCKET).build());
    assertThat(take(l, 10).allowed()).isTrue();
    Decision refused = take(l, 4);
    assertThat(refused.reported().retryAfterMillis()).isEqualTo(400);
  }

  @Test
  void concurrencyCountsInFlightAndReleasesOnSettleOrAbortOnce() {
    RateLimiter l = limiter(Limit.builder("jobs").concurrency(2).build());
    Decision a = take(l, 1);
    Decision b = take(l, 1);
    assertThat(a.allowed()).isTrue();
    assertThat(b.allowed()).isTrue();
    Decision c = take(l, 1);
    assertThat(c.allowed()).isFalse();
    assertThat(c.reported().retryAfterMillis()).isEqualTo(1000);
    a.settle(200);
    a.settle(200); // only the first settle counts
    a.abort();
    assertThat(take(l, 1).allowed()).isTrue();
    assertThat(take(l, 1).allowed()).isFalse();
    b.abort();
    assertThat(take(l, 1).allowed()).isTrue();
  }

  @Test
  void uncountedStatusesGiveTheUnitsBack() {
    RateLimiter l = limiter(Limit.builder("w").limit(2).window("1m").uncountedStatuses("304", "5xx").build());
    take(l, 1).settle(304);
    take(l, 1).settle(503);
    take(l, 1).settle(200);
    Decision d = take(l, 1);
    assertThat(d.allowed()).isTrue();
    assertThat(d.reported().remaining()).isZero();
    d.abort(); // no response: the unit stays counted
    assertThat(take(l, 1).allowed()).isFalse();
  }

  @Test
  void unitsOfAnEndedWindowAreNotGivenBack() {
    RateLimiter l = limiter(Limit.builder("w").limit(1).window("1s").uncountedStatuses("304").build());
    Decision old = take(l, 1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(take(l, 1).allowed()).isTrue();
    old.settle(304);
    assertThat(take(l, 1).allowed()).isFalse();
  }
}
