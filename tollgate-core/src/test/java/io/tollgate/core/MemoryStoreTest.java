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
    // A busy caller, then one-off callers two seconds apart: each one-off's counter is idle (its 1s
    // window over) by the time the next comes, while the busy caller's still holds a unit of its hour.
    // A least-recently-used policy alone would drop the busy counter first: it is the oldest.
    l.tryAcquire("per-ip-hour", "busy", 1);
    clock.advance(Duration.ofSeconds(5));
    for (int i = 0; i < 1_000; i++) {
      l.tryAcquire("per-ip", "one-off-" + i, 1);
      clock.advance(Duration.ofSeconds(2));
    }
    assertThat(store.size()).isLessThanOrEqualTo(100);
    assertThat(l.tryAcquire("per-ip-hour", "busy", 5).allowed()).as("1 of 5 still counted").isFalse();
    assertThat(l.tryAcquire("per-ip-hour", "busy", 4).allowed()).isTrue();
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
    // max-keys 1: a new key drops the other. A unit given back by a decision made on the dropped
    // counter must not land in the counter that replaced it (which never held that unit).
    MemoryStore store = MemoryStore.create(1);
    RateLimiter l = RateLimiter.builder(Policy.builder()
        .limit(Limit.builder("w").limit(2).window("1m").uncountedStatuses("304").build()).build())
        .clock(clock).store(store).build();
    Decision onDropped = l.tryAcquire("w", "a", 1);
    assertThat(onDropped.allowed()).isTrue();
    clock.advance(Duration.ofSeconds(2)); // not touched this second: may be dropped
    assertThat(l.tryAcquire("w", "b", 1).allowed()).isTrue();
    assertThat(store.size()).isEqualTo(1);
    assertThat(l.tryAcquire("w", "a", 1).allowed()).as("a's counter was dropped: a fresh one").isTrue();
    onDropped.settle(304); // its unit belonged to the dropped counter: nothing to give back now
    assertThat(l.tryAcquire("w", "a", 1).allowed()).isTrue();
    assertThat(l.tryAcquire("w", "a", 1).allowed()).as("2 of 2 taken in the new counter").isFalse();
  }
}
