package io.tollgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker on a ticker the test moves (was: it read System.nanoTime, so only real waits could test it). */
class BreakerTest {

  private final AtomicLong now = new AtomicLong(123_456_789L);
  private final Breaker breaker = new Breaker(3, TimeUnit.MILLISECONDS.toNanos(500), now::get);

  private void advanceMillis(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void opensAfterThreeFailuresInARowThenLetsOneProbeThroughOnceTheOpenTimeIsOver() {
    assertThat(breaker.failure()).isFalse();
    assertThat(breaker.success()).isFalse(); // a success in between: the count starts again
    assertThat(breaker.failure()).isFalse();
    assertThat(breaker.failure()).isFalse();
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.failure()).as("the third in a row opens it").isTrue();
    assertThat(breaker.allow()).isFalse();
    advanceMillis(499);
    assertThat(breaker.allow()).isFalse();
    advanceMillis(1);
    assertThat(breaker.allow()).as("the probe").isTrue();
    assertThat(breaker.allow()).as("one probe at a time").isFalse();
    assertThat(breaker.failure()).as("a failed probe opens it again").isFalse();
    assertThat(breaker.isOpen()).isTrue();
    advanceMillis(499);
    assertThat(breaker.allow()).isFalse();
    advanceMillis(1);
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.success()).as("a good probe closes it").isTrue();
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.allow()).isTrue();
  }
}
