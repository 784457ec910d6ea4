package io.tollgate.core;

/**
 * The time source of a limiter: wall-clock milliseconds since the Unix epoch.
 *
 * <p>Rate-limit windows are aligned to the epoch ("60 per minute" resets at each whole minute), and
 * several gateway nodes must agree on them, so a limiter reads wall time, not {@link System#nanoTime()}.
 * Tests pass a clock they advance by hand. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Clock {

  /** Milliseconds since 1970-01-01T00:00:00Z. */
  long epochMillis();

  /** The system's wall clock. */
  static Clock system() {
    return System::currentTimeMillis;
  }
}
