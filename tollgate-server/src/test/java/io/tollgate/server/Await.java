package io.tollgate.server;

import static org.assertj.core.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Waits for what a test cannot drive with a fake clock (a file watch, a writer thread, the garbage
 * collector): the condition is checked every few milliseconds, and the test fails when it is not
 * true within 20 s.
 */
final class Await {

  private Await() {}

  /** The first value of {@code value} that {@code done} accepts, asked every 20 ms. */
  static <T> T until(String what, Supplier<T> value, java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    T v;
    while (!done.test(v = value.get())) {
      if (System.nanoTime() > deadline) {
        fail("not within 20 s: " + what + " (last: " + v + ")");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return v;
  }
}
