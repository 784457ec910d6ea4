package io.tollgate.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Waits: {@link Thread#sleep} in production, a fake clock's advance in tests. */
@FunctionalInterface
public interface Sleeper {

  /** Blocks for {@code d}. */
  void sleep(Duration d) throws InterruptedException;

  /**
   * Completes after {@code d}, holding no thread meanwhile. The default schedules on
   * {@link CompletableFuture#delayedExecutor}; a test's fake sleeper advances its clock and
   * completes at once.
   */
  default CompletableFuture<Void> after(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(d.toNanos(), TimeUnit.NANOSECONDS));
  }

  /** The real one. */
  static Sleeper system() {
    return d -> {
      if (!d.isNegative() && !d.isZero()) {
        Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
      }
    };
  }
}
