package io.tollgate.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test says so. */
public final class FakeClock implements Clock {

  private final AtomicLong millis;

  public FakeClock(long epochMillis) {
    this.millis = new AtomicLong(epochMillis);
  }

  /** A clock at 2026-03-04T00:00:00Z, a whole day: every window of the tests starts here. */
  public static FakeClock atWholeDay() {
    return new FakeClock(1_772_582_400_000L);
  }

  @Override
  public long epochMillis() {
    return millis.get();
  }

  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  public void advanceMillis(long ms) {
    millis.addAndGet(ms);
  }

  public void set(long epochMillis) {
    millis.set(epochMillis);
  }
}
