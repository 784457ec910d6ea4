package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The CUBIC pace on its own, on given times (epoch ms from 0): what each answer does to it. */
class AdaptiveRateTest {

  /** Sends and answers {@code n} requests {@code gap} ms apart from {@code from}; returns the time after. */
  private static long steady(AdaptiveRate a, long from, int n, long gap) {
    long t = from;
    for (int i = 0; i < n; i++) {
      a.sent(t);
      a.answered(false, t, 0);
      t += gap;
    }
    return t;
  }

  @Test
  void nothingIsPacedBeforeTheFirstRefusal() {
    AdaptiveRate a = new AdaptiveRate();
    long t = steady(a, 0, 100, 1);
    assertThat(a.started()).isFalse();
    assertThat(a.rate()).isZero();
    assertThat(a.readyAt(t)).isEqualTo(t);
  }

  @Test
  void aRefusalCutsTheMeasuredRateToSevenTenthsAndSpacesTheSends() {
    AdaptiveRate a = new AdaptiveRate();
    long t = steady(a, 0, 40, 50); // 20 answers a second for two seconds
    a.sent(t);
    a.answered(true, t, 41);
    assertThat(a.rate()).isCloseTo(20 * AdaptiveRate.BETA, within(1.0));
    long next = a.readyAt(t);
    assertThat(next - t).as("one token, refilled at the new rate").isCloseTo((long) (1000 / a.rate()), within(2L));
    a.sent(next);
    assertThat(a.readyAt(next) - next).isCloseTo((long) (1000 / a.rate()), within(2L));
  }

  @Test
  void itGrowsBackToTheRateThatWasRefusedAfterTheCubicWindowAndThenProbesAbove() {
    AdaptiveRate a = new AdaptiveRate();
    long t = steady(a, 0, 40, 100); // 10 a second
    a.sent(t);
    a.answered(true, t, 41);
    double refusedAt = a.rate() / AdaptiveRate.BETA;
    double k = Math.cbrt(refusedAt * (1 - AdaptiveRate.BETA) / AdaptiveRate.SCALE); // seconds back to it
    long gap = 100;
    long back = t + (long) (k * 1000);
    long s = steady(a, t + gap, (int) ((back - t) / gap) - 1, gap);
    assertThat(a.rate()).as("just under the refused rate at K").isLessThan(refusedAt).isGreaterThan(refusedAt * 0.9);
    steady(a, s, 30, gap);
    assertThat(a.rate()).as("past K, above it").isGreaterThan(refusedAt);
  }

  @Test
  void refusalsOfRequestsSentBeforeTheCutCutOnlyOnce() {
    AdaptiveRate a = new AdaptiveRate();
    long t = steady(a, 0, 40, 50); // sends 1..40
    for (int i = 0; i < 5; i++) {
      a.sent(t); // sends 41..45, all in flight when the first refusal comes
    }
    a.answered(true, t, 41);
    double once = a.rate();
    for (int send = 42; send <= 45; send++) {
      a.answered(true, t, send);
    }
    assertThat(a.rate()).as("the same event").isEqualTo(once);
    a.sent(t + 200); // send 46, at the new pace
    a.answered(true, t + 200, 46);
    assertThat(a.rate()).as("a new event").isLessThan(once);
  }

  @Test
  void theRateStaysWithinTwiceWhatWasMeasuredAndAboveHalfARequestASecond() {
    AdaptiveRate a = new AdaptiveRate();
    long t = steady(a, 0, 10, 100);
    for (int send = 11; send < 40; send++) { // refused on and on: each a new event
      a.sent(t);
      a.answered(true, t, send);
      t += 3_000;
    }
    assertThat(a.rate()).isEqualTo(AdaptiveRate.MIN_RATE);
    t = steady(a, t, 5, 2_000); // half a request a second answered
    assertThat(a.rate()).isLessThanOrEqualTo(2 * 0.5 + 1e-9);
  }
}
