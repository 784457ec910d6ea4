package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The invariants, for random sequences of requests and time, on the memory store; a store's own
 * test runs them on it by extending this class and giving {@link #onStore} (tollgate-redis does).
 */
public class InvariantProperties {

  /** The builder of each property's limiter, given the store to run on; the memory store here. */
  protected RateLimiter.Builder onStore(RateLimiter.Builder b) {
    return b;
  }

  /** One step: wait {@code gapMillis}, then ask for {@code cost} units. */
  public record Step(int gapMillis, int cost) {}

  @Provide
  public Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.just(0)),
            net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, 300)),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(300, 5000))),
        Arbitraries.integers().between(1, 4)).as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(300);
  }

  private RateLimiter limiter(FakeClock clock, Limit limit) {
    return onStore(RateLimiter.builder(Policy.builder().limit(limit).build()).clock(clock)).build();
  }

  @Property(tries = 200)
  public void fixedWindowNeverAdmitsMoreThanItsLimitInAWindow(@ForAll("steps") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 20) int limit, @ForAll @IntRange(min = 1, max = 3000) int windowMillis) {
    FakeClock clock = FakeClock.atWholeDay();
    RateLimiter l = limiter(clock, Limit.builder("w").limit(limit).window(windowMillis + "ms").build());
    Map<Long, Long> admittedPerWindow = new HashMap<>();
    for (Step s : steps) {
      clock.advanceMillis(s.gapMillis());
      if (l.tryAcquire("w", "k", s.cost()).allowed()) {
        long window = Math.floorDiv(clock.epochMillis(), windowMillis);
        admittedPerWindow.merge(window, (long) s.cost(), Long::sum);
      }
    }
    assertThat(admittedPerWindow.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limit));
  }

  @Property(tries = 200)
  public void slidingWindowNeverAdmitsMoreThanItsLimitInAnAlignedWindow(@ForAll("steps") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 20) int limit, @ForAll @IntRange(min = 1, max = 3000) int windowMillis) {
    FakeClock clock = FakeClock.atWholeDay();
    RateLimiter l = limiter(clock, Limit.builder("s").limit(limit).window(windowMillis + "ms")
        .algorithm(Algorithm.SLIDING_WINDOW).build());
    Map<Long, Long> admittedPerWindow = new HashMap<>();
    for (Step s : steps) {
      clock.advanceMillis(s.gapMillis());
      if (l.tryAcquire("s", "k", s.cost()).allowed()) {
        admittedPerWindow.merge(Math.floorDiv(clock.epochMillis(), windowMillis), (long) s.cost(), Long::sum);
      }
    }
    assertThat(admittedPerWindow.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limit));
  }

  @Property(tries = 200)
  public void tokenBucketAdmitsAtMostBurstPlusRateTimesTheSpan(@ForAll("steps") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 20) int limit, @ForAll @IntRange(min = 1, max = 3000) int windowMillis,
      @ForAll @IntRange(min = 1, max = 30) int burst) {
    FakeClock clock = FakeClock.atWholeDay();
    RateLimiter l = limiter(clock, Limit.builder("b").limit(limit).window(windowMillis + "ms")
        .algorithm(Algorithm.TOKEN_BUCKET).burst(burst).build());
    List<long[]> admitted = new ArrayList<>(); // {time, cost}
    for (Step s : steps) {
      clock.advanceMillis(s.gapMillis());
      if (l.tryAcquire("b", "k", s.cost()).allowed()) {
        admitted.add(new long[] {clock.epochMillis(), s.cost()});
      }
    }
    for (int i = 0; i < admitted.size(); i++) {
      long units = 0;
      for (int j = i; j < admitted.size(); j++) {
        units += admitted.get(j)[1];
        long span = admitted.get(j)[0] - admitted.get(i)[0];
        // admitted <= burst + rate * span, rate = limit / window
        assertThat(units * windowMillis).isLessThanOrEqualTo((long) burst * windowMillis + (long) limit * span);
      }
    }
  }

  @Property(tries = 200)
  public void concurrencyNeverHasMoreThanNInFlight(@ForAll("steps") List<Step> steps, @ForAll @IntRange(min = 1, max = 5) int n) {
    FakeClock clock = FakeClock.atWholeDay();
    RateLimiter l = limiter(clock, Limit.builder("c").concurrency(n).build());
    Deque<Decision> inFlight = new ArrayDeque<>();
    for (Step s : steps) {
      if (s.gapMillis() > 200 && !inFlight.isEmpty()) { // some requests complete
        inFlight.poll().settle(200);
      }
      Decision d = l.tryAcquire("c", "k", 1);
      if (d.allowed()) {
        inFlight.add(d);
      }
      assertThat(inFlight).hasSizeLessThanOrEqualTo(n);
      assertThat(d.allowed()).isEqualTo(inFlight.size() <= n && d.reported().fits());
    }
  }

  @Property(tries = 150)
  public void aRefusedRequestMovesNoCounter(@ForAll("steps") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 10) int small, @ForAll @IntRange(min = 1, max = 30) int big) {
    FakeClock clock = FakeClock.atWholeDay();
    Policy p = Policy.builder()
        .limit(Limit.builder("tight").limit(small).window("1s").build())
        .limit(Limit.builder("loose").limit(big).window("1m").algorithm(Algorithm.TOKEN_BUCKET).build())
        .limit(Limit.builder("smooth").limit(big).window("10s").algorithm(Algorithm.SLIDING_WINDOW).build())
        .build();
    RateLimiter l = onStore(RateLimiter.builder(p).clock(clock)).build();
    RequestInfo req = RequestInfo.builder().path("/x").clientIp("192.0.2.1").build();
    for (Step s : steps) {
      clock.advanceMillis(s.gapMillis());
      List<LimitStatus> before = l.status(req);
      Decision d = l.decide(req);
      if (!d.allowed()) {
        List<LimitStatus> after = l.status(req);
        for (int i = 0; i < before.size(); i++) {
          assertThat(after.get(i).remaining()).as(after.get(i).name()).isEqualTo(before.get(i).remaining());
        }
      }
    }
  }
}
