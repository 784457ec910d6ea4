package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.core.RateLimiter.Acquire;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RateLimiter#tryAcquire(List)}: counters the caller names (Envoy's descriptors), taken all or
 * nothing, one applied limit per acquire in order.
 */
class AcquireAllTest {

  private final FakeClock clock = FakeClock.atWholeDay();
  private final RateLimiter limiter = RateLimiter.builder(Policy.builder()
      .limit(Limit.builder("a").limit(2).window("1h").build())
      .limit(Limit.builder("b").limit(5).window("1h").build())
      .limit(Limit.builder("watch").limit(1).window("1h").mode(Mode.SHADOW).build())
      .build()).clock(clock).build();

  @Test
  void allOrNothingAcrossCountersWithEachOnesStatusInOrder() throws Exception {
    List<Acquire> both = List.of(new Acquire("a", "x", 1), new Acquire("b", "y", 1));
    assertThat(limiter.tryAcquire(both).allowed()).isTrue();
    Decision second = limiter.tryAcquireAsync(both).get();
    assertThat(second.allowed()).isTrue();
    assertThat(second.applied()).extracting(LimitStatus::name, LimitStatus::remaining)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 0L), org.assertj.core.groups.Tuple.tuple("b", 3L));
    Decision third = limiter.tryAcquire(both);
    assertThat(third.allowed()).isFalse();
    assertThat(third.fits(0)).isFalse();
    assertThat(third.fits(1)).isTrue();
    assertThat(limiter.tryAcquire(List.of(new Acquire("b", "y", 3))).allowed())
        .as("b was not taken from by the refused decision: 3 remain").isTrue();
    assertThat(limiter.tryAcquire(List.of(new Acquire("a", "other", 1))).allowed()).as("another key").isTrue();
  }

  @Test
  void aShadowCounterCountsAndNeverRefuses() {
    List<Acquire> two = List.of(new Acquire("watch", "x", 1), new Acquire("b", "x", 1));
    assertThat(limiter.tryAcquire(two).allowed()).isTrue();
    Decision over = limiter.tryAcquire(two);
    assertThat(over.allowed()).isTrue();
    assertThat(over.fits(0)).as("over, and only reported").isFalse();
    assertThat(over.applied().get(0).shadow()).isTrue();
  }

  @Test
  void moreCountersThanThePolicyHasLimits() {
    List<Acquire> many = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      many.add(new Acquire("b", "key-" + i, 5));
    }
    assertThat(limiter.tryAcquire(many).appliedCount()).isEqualTo(7);
    assertThat(limiter.tryAcquire(many).allowed()).isFalse();
  }

  @Test
  void mistakesAreRefusedBeforeAnythingIsTaken() {
    assertThatThrownBy(() -> limiter.tryAcquire(List.of())).hasMessageContaining("nothing to acquire");
    assertThatThrownBy(() -> limiter.tryAcquire(List.of(new Acquire("a", "x", 1), new Acquire("nope", "x", 1))))
        .hasMessageContaining("no limit named 'nope'");
    assertThatThrownBy(() -> limiter.tryAcquire(List.of(new Acquire("a", "x", -1)))).hasMessageContaining("cost must be >= 0");
    assertThatThrownBy(() -> limiter.tryAcquire(List.of(new Acquire("a", "x", 1, -5))))
        .hasMessageContaining("overriding limit must be > 0");
    assertThatThrownBy(() -> limiter.tryAcquire(List.of(new Acquire("a", "x", 1), new Acquire("a", "x", 1))))
        .hasMessageContaining("named twice");
    assertThat(limiter.tryAcquire(List.of(new Acquire("a", "x", 2))).allowed()).as("nothing was taken").isTrue();
  }

  @Test
  void aCostOfZeroReadsTheCounterAndTakesNothing() {
    limiter.tryAcquire(List.of(new Acquire("b", "x", 2)));
    Decision read = limiter.tryAcquire(List.of(new Acquire("b", "x", 0)));
    assertThat(read.allowed()).isTrue();
    assertThat(read.applied().get(0).remaining()).isEqualTo(3);
    assertThat(read.applied().get(0).resetAtMillis()).isEqualTo(clock.epochMillis() + 3_600_000);
    assertThat(limiter.tryAcquire(List.of(new Acquire("b", "x", 0))).applied().get(0).remaining())
        .as("the read took nothing").isEqualTo(3);
    limiter.tryAcquire(List.of(new Acquire("b", "x", 3)));
    Decision spent = limiter.tryAcquire(List.of(new Acquire("b", "x", 0), new Acquire("a", "x", 1)));
    assertThat(spent.allowed()).as("a read never refuses").isTrue();
    assertThat(spent.applied().get(0).remaining()).isZero();
  }

  @Test
  void anOverridingNumberHoldsTheSameCounterToAnotherLimit() {
    assertThat(limiter.tryAcquire(List.of(new Acquire("b", "x", 3))).allowed()).isTrue();
    Decision held = limiter.tryAcquire(List.of(new Acquire("b", "x", 1, 10)));
    assertThat(held.allowed()).isTrue();
    assertThat(held.applied().get(0).limit()).isEqualTo(10);
    assertThat(held.applied().get(0).remaining()).as("the 3 taken under the limit's own number count").isEqualTo(6);
    assertThat(limiter.tryAcquire(List.of(new Acquire("b", "x", 2, 4))).allowed()).as("4 taken of 4").isFalse();
    assertThat(limiter.tryAcquire(List.of(new Acquire("b", "x", 1))).allowed()).as("4 of its own 5").isTrue();
    assertThat(limiter.tryAcquire(List.of(new Acquire("b", "x", 1))).allowed()).isFalse();
    for (long n = 1; n <= 300; n++) { // more numbers than are kept: each still counts the one counter
      assertThat(limiter.tryAcquire(List.of(new Acquire("b", "x", 0, 1000 + n))).applied().get(0).remaining())
          .isEqualTo(1000 + n - 5);
    }
  }
}
