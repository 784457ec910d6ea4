package io.tollgate.client;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Time for tests: a clock that moves only when the client waits (its {@link Sleeper} advances it,
 * blocking or not), so no test waits in real time. Starts at a whole second.
 *
 * <p>{@link #sleeper} moves the clock as soon as anything waits, which is right when one request
 * is out at a time. With many in flight, {@link #queued} is the faithful one: its waits end only
 * when {@link #runUntil} moves the clock to them, which it does when nothing is in flight, as real
 * time would pass while the client is idle.
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

  private record Timer(long at, long seq, CompletableFuture<Void> due) {}

  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(Comparator.comparingLong(Timer::at).thenComparingLong(Timer::seq));
  private long timerSeq;

  /** Waits that end when {@link #runUntil} gets the clock to them. */
  final Sleeper queued = d -> {
    if (d.isNegative() || d.isZero()) {
      return CompletableFuture.completedFuture(null);
    }
    synchronized (timers) {
      CompletableFuture<Void> due = new CompletableFuture<>();
      timers.add(new Timer(now() + d.toMillis(), timerSeq++, due));
      timers.notifyAll();
      return due;
    }
  };

  /**
   * Until {@code done}: whenever {@code idle} (nothing in flight), moves the clock to the earliest
   * wait of {@link #queued} and ends it. Fails when neither happens for 30 s of real time.
   */
  void runUntil(BooleanSupplier done, BooleanSupplier idle) throws InterruptedException, TimeoutException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean()) {
      Timer next = null;
      synchronized (timers) {
        if (!timers.isEmpty() && idle.getAsBoolean()) {
          next = timers.poll();
        } else {
          timers.wait(1); // an answer on its way: real time passes, the fake clock does not
        }
      }
      if (next != null) {
        millis.accumulateAndGet(next.at, Math::max);
        next.due.complete(null);
        giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      } else if (System.nanoTime() > giveUp) {
        throw new TimeoutException("neither done nor idle with a wait due for 30 s");
      }
    }
  }

  private long now() {
    return millis.get();
  }

  private void advance(long ms) {
    millis.addAndGet(Math.max(0, ms));
  }
}
