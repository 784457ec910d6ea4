package io.tollgate.core.store;

import io.tollgate.core.Algorithm;
import java.util.Objects;

/**
 * What a store needs to know of one limit to count it: what its counters mean, the algorithm and
 * its numbers. A limit with tenant overrides has one spec per tenant with overrides, each with its
 * own counters.
 *
 * <p>{@link #counter()} names what the counters mean (the limit's name, algorithm, window and key,
 * and the tenant of an override): two specs with the same meaning share their counters in a store,
 * whatever their numbers, so a policy reloaded with a new {@code limit}, {@code burst} or
 * {@code cost} applies to the counts already there, and a limit whose window, algorithm or key
 * changed starts afresh. Where the limit sits in the file does not matter.
 *
 * <p>Immutable and thread-safe. Built by the limiter; stores only read it.
 */
public final class LimitSpec {

  private final int id;
  private final String counter;
  private final String name;
  private final Algorithm algorithm;
  private final long limit;
  private final long windowMillis;
  private final long burst;
  private final boolean shadow;
  private final long intervalMicros;

  /**
   * @param counter what the counters mean, e.g. {@code per-ip/fixed-window/60000ms/client-ip}: the
   *     same text for every node and every reload of the same limit (Redis keys start with it)
   * @param name the limit's name (for messages)
   * @param limit units per window, or the concurrency for {@link Algorithm#CONCURRENCY}
   * @param windowMillis the window; ignored for concurrency
   * @param burst the bucket size for {@link Algorithm#TOKEN_BUCKET}; ignored otherwise
   * @param shadow counts and reports, never refuses
   */
  public LimitSpec(String counter, String name, Algorithm algorithm, long limit, long windowMillis, long burst,
      boolean shadow) {
    this.counter = Objects.requireNonNull(counter, "counter");
    this.id = CounterIds.of(counter);
    this.name = Objects.requireNonNull(name, "name");
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0 (was " + limit + ")");
    }
    if (algorithm == Algorithm.SLIDING_WINDOW && limit > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a sliding-window limit must be at most " + Integer.MAX_VALUE + " (was " + limit + ")");
    }
    if (algorithm != Algorithm.CONCURRENCY && windowMillis < 1) {
      throw new IllegalArgumentException("window must be at least 1ms (was " + windowMillis + "ms)");
    }
    this.limit = limit;
    this.windowMillis = windowMillis;
    this.burst = algorithm == Algorithm.TOKEN_BUCKET ? burst : limit;
    if (this.burst <= 0) {
      throw new IllegalArgumentException("burst must be > 0 (was " + burst + ")");
    }
    this.shadow = shadow;
    if (algorithm == Algorithm.TOKEN_BUCKET) {
      // Rounded up: the bucket refills a hair slower than declared, never faster.
      long interval = Math.max(1, ceilDiv(Math.multiplyExact(windowMillis, 1000L), limit));
      try {
        Math.multiplyExact(interval, this.burst);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("burst " + this.burst + " over a window of " + windowMillis
            + "ms is too large to count", e);
      }
      this.intervalMicros = interval;
    } else {
      this.intervalMicros = 0;
    }
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /** This JVM's number for {@link #counter()}: in-process keys start with it. */
  public int id() {
    return id;
  }

  /** What the counters mean, stable across processes and reloads: shared keys start with it. */
  public String counter() {
    return counter;
  }

  public String name() {
    return name;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  /** Units per window; for concurrency, requests in flight. */
  public long limit() {
    return limit;
  }

  public long windowMillis() {
    return windowMillis;
  }

  /** The token bucket's size; equal to {@link #limit()} for other algorithms. */
  public long burst() {
    return burst;
  }

  public boolean shadow() {
    return shadow;
  }

  /** GCRA's emission interval in microseconds (window / limit, rounded up); 0 for other algorithms. */
  public long intervalMicros() {
    return intervalMicros;
  }

  @Override
  public String toString() {
    return counter + "{" + algorithm.text() + " " + limit + "/" + windowMillis + "ms"
        + (algorithm == Algorithm.TOKEN_BUCKET ? " burst " + burst : "") + (shadow ? " shadow" : "") + "}";
  }
}
