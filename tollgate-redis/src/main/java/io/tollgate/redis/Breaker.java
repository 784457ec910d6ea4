package io.tollgate.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Stops waiting on a Redis that does not answer: after {@code threshold} failures in a row it opens,
 * and calls fail at once for {@code openNanos}; then one call is let through as a probe, and its
 * success closes the breaker (decisions come from Redis again) while its failure opens it again.
 * Time is read from the ticker it is given (nanoseconds, as {@link System#nanoTime}). Thread-safe.
 */
final class Breaker {

  private final int threshold;
  private final long openNanos;
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicBoolean probing = new AtomicBoolean();
  private final LongSupplier ticker;
  private volatile long openUntil; // ticker time; meaningful only while open
  private volatile boolean open;

  Breaker(int threshold, long openNanos, LongSupplier ticker) {
    this.threshold = threshold;
    this.openNanos = openNanos;
    this.ticker = ticker;
  }

  /** Whether a call may go to Redis now: always when closed; one probe at a time once the open time is over. */
  boolean allow() {
    if (!open) {
      return true;
    }
    return ticker.getAsLong() - openUntil >= 0 && probing.compareAndSet(false, true);
  }

  /** @return whether this success closed an open breaker */
  boolean success() {
    if (open || failures.get() != 0) {
      boolean closed = open;
      failures.set(0);
      open = false;
      probing.set(false);
      return closed;
    }
    return false;
  }

  /** @return whether this failure opened the breaker */
  boolean failure() {
    boolean probe = probing.get();
    if (failures.incrementAndGet() >= threshold || probe) {
      openUntil = ticker.getAsLong() + openNanos;
      boolean opened = !open;
      open = true;
      probing.set(false);
      return opened;
    }
    return false;
  }

  boolean isOpen() {
    return open;
  }
}
