package io.tollgate.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Waits without holding a thread: real time in production, a fake clock's advance in tests (which
 * complete at once, so no test waits in real time).
 */
@FunctionalInterface
public interface Sleeper {

  /** Completes after {@code d} (at once when it is zero or negative). */
  CompletableFuture<Void> after(Duration d);

  /** The real one: {@link CompletableFuture#delayedExecutor}. */
  static Sleeper system() {
    return d -> d.isNegative() || d.isZero() ? CompletableFuture.completedFuture(null)
        : CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(d.toNanos(), TimeUnit.NANOSECONDS));
  }
}
