package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Optional<Duration> NONE = Optional.empty();

  @Test
  void guzzleWaitsTwoToTheAttemptMinusOneSeconds() {
    Backoff g = Backoff.guzzle();
    assertThat(g.delay(1, NONE)).isEqualTo(Duration.ofSeconds(1));
    assertThat(g.delay(2, NONE)).isEqualTo(Duration.ofSeconds(2));
    assertThat(g.delay(3, NONE)).isEqualTo(Duration.ofSeconds(4));
    assertThat(g.delay(7, NONE)).as("capped").isEqualTo(Duration.ofSeconds(60));
    assertThat(g.delay(500, NONE)).as("no overflow").isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void fullJitterDrawsBetweenZeroAndTheExponentialCeiling() {
    Backoff top = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)).withRandom(bound -> bound);
    assertThat(top.delay(1, NONE)).isEqualTo(Duration.ofMillis(100));
    assertThat(top.delay(4, NONE)).isEqualTo(Duration.ofMillis(800));
    assertThat(top.delay(10, NONE)).isEqualTo(Duration.ofSeconds(5));
    Backoff bottom = top.withRandom(bound -> 0);
    assertThat(bottom.delay(4, NONE)).isZero();
    Backoff real = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));
    for (int i = 0; i < 1_000; i++) {
      assertThat(real.delay(3, NONE)).isBetween(Duration.ZERO, Duration.ofMillis(400));
    }
  }

  @Test
  void aWaitTheServerGaveWinsAndJitterOnlyAddsToIt() {
    Backoff b = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));
    for (int i = 0; i < 1_000; i++) {
      assertThat(b.delay(1, Optional.of(Duration.ofSeconds(30))))
          .isBetween(Duration.ofSeconds(30), Duration.ofSeconds(31));
    }
    assertThat(b.withServerJitter(Duration.ZERO).delay(9, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
    assertThat(Backoff.guzzle().delay(1, Optional.of(Duration.ofSeconds(7)))).as("even above Guzzle's own")
        .isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void badArgumentsAreRefusedAtOnce() {
    assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1))).hasMessageContaining("base must be > 0");
    assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("cap");
    assertThatThrownBy(() -> Backoff.guzzle().delay(0, NONE)).hasMessageContaining("attempt starts at 1");
  }
}
