package io.tollgate.client;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time for tests: a clock that moves only when the client waits (its {@link Sleeper} advances it,
 * blocking or not), so no test waits in real time. Starts at a whole second.
 */
final class FakeTime {

  final AtomicLong millis;
  final long start;

  FakeTime(Instant start) {
    this.start = start.toEpochMilli();
    this.millis = new AtomicLong(this.start);
  }

  FakeTime() {
    this(Instant.parse("2026-03-04T00:00:00Z"));
  }

  /** Milliseconds waited since the start. */
  long elapsed() {
    return millis.get() - start;
  }

  final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  };

  /** Waits by moving the clock, and completes at once. */
  final Sleeper sleeper = d -> {
    advance(d.toMillis());
    return CompletableFuture.completedFuture(null);
  };

  private void advance(long ms) {
    millis.addAndGet(Math.max(0, ms));
  }
}
