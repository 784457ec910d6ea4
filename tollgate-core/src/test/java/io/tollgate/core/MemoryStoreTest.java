package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.store.MemoryStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The memory store's bounds: max-keys, idle-first eviction, expiry sweeping. */
class MemoryStoreTest {

  private final FakeClock clock = FakeClock.atWholeDay();

  @Test
  void staysWithinMaxKeysDroppingIdleCountersFirst() {
    MemoryStore store = MemoryStore.create(100);
    RateLimiter l = RateLimiter.builder(Policy.builder()
        .limit(Limit.builder("per-ip").key("client-ip").limit(1).window("1s").build())
        .limit(Limit.builder("per-ip-hour").key("client-ip").limit(5).window("1h").build())
        .build()).clock(clock).store(store).build();
    // A busy caller, then many one-off callers a few seconds later.
    l.tryAcquire("per-ip-hour", "busy", 1);
    clock.advance(Duration.ofSeconds(5));
    for (int i = 0; i < 1_000; i++) {
      l.tryAcquire("per-ip", "one-off-" + i, 1);
      if (i % 100 == 0) {
        clock.advance(Duration.ofSeconds(2));
      }
    }
    assertThat(store.size()).isLessThanOrEqualTo(100);
  }

  @Test
  void expiredCountersAreSweptAsNewOnesArrive() {
    MemoryStore store = MemoryStore.create(1_000_000);
    RateLimiter l = RateLimiter.builder(Policy.builder()
        .limit(Limit.builder("per-ip").key("client-ip").limit(1).window("1s").build()).build())
        .clock(clock).store(store).build();
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 500; i++) {
        l.tryAcquire("per-ip", round + "-" + i, 1);
      }
      clock.advance(Duration.ofSeconds(3));
    }
    // 10,000 counters were made; only about the live round's stay (each insert sweeps two old ones)
    assertThat(store.size()).isLessThan(2_000);
  }

  @Test
  void aDroppedCounterIsNeverCountedIntoSilently() {
    // max-keys 1: every new key drops the other; the limit still holds for each key in turn
    MemoryStore store = MemoryStore.create(1);
    RateLimiter l = RateLimiter.builder(Policy.builder()
        .limit(Limit.builder("w").limit(2).window("1m").build()).build()).clock(clock).store(store).build();
    assertThat(l.tryAcquire("w", "a", 2).allowed()).isTrue();
    assertThat(l.tryAcquire("w", "a", 1).allowed()).isFalse();
  }
}
