package io.tollgate.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongUnaryOperator;

/**
 * How long to wait before attempt {@code n + 1} after attempt {@code n} was refused or failed.
 *
 * <p>Exponential with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * a uniformly random wait between 0 and {@code min(cap, base * 2^(n-1))}; or Guzzle's retry
 * middleware's fixed {@code 2^(n-1)} seconds ({@link #guzzle()}), which the seeds' documentation
 * shows. A wait the server gave (Retry-After, a reset) always wins over the backoff, and jitter
 * only ever adds to it: at most {@code serverJitter} more, so that callers refused together do not
 * all come back in the same millisecond, and none comes back early.
 *
 * <p>Immutable and thread-safe. The randomness is injected so that tests are exact.
 */
public final class Backoff {

  private final Duration base;
  private final Duration cap;
  private final boolean jitter;
  private final Duration serverJitter;
  private final LongUnaryOperator random;

  private Backoff(Duration base, Duration cap, boolean jitter, Duration serverJitter, LongUnaryOperator random) {
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("base must be > 0 (was " + base + ")");
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("cap must be >= base (was " + cap + " < " + base + ")");
    }
    this.base = base;
    this.cap = cap;
    this.jitter = jitter;
    this.serverJitter = Objects.requireNonNull(serverJitter, "serverJitter");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Full jitter between 0 and {@code min(cap, base * 2^(n-1))}; up to 1 s added to a server's wait. */
  public static Backoff exponential(Duration base, Duration cap) {
    return new Backoff(base, cap, true, Duration.ofSeconds(1), Backoff::uniform);
  }

  /** Guzzle's default: {@code 2^(n-1)} seconds, no jitter (1 s, 2 s, 4 s, ...), capped at 60 s. */
  public static Backoff guzzle() {
    return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), false, Duration.ZERO, Backoff::uniform);
  }

  /** The same backoff drawing its randomness from {@code random} ({@code bound -> a value in [0, bound]}). */
  public Backoff withRandom(LongUnaryOperator random) {
    return new Backoff(base, cap, jitter, serverJitter, random);
  }

  /** The same backoff adding at most {@code serverJitter} to a wait the server gave. */
  public Backoff withServerJitter(Duration serverJitter) {
    return new Backoff(base, cap, jitter, serverJitter, random);
  }

  /**
   * The wait after attempt {@code attempt} (1 for the first), given what the server asked for.
   *
   * @param serverWait how long the server said to wait, if it said
   */
  public Duration delay(int attempt, Optional<Duration> serverWait) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt starts at 1 (was " + attempt + ")");
    }
    if (serverWait.isPresent()) {
      long extra = serverJitter.isZero() ? 0 : random.applyAsLong(serverJitter.toMillis());
      return serverWait.get().plusMillis(extra);
    }
    long ceiling = ceilingMillis(attempt);
    return Duration.ofMillis(jitter ? random.applyAsLong(ceiling) : ceiling);
  }

  private long ceilingMillis(int attempt) {
    long baseMillis = base.toMillis();
    int shift = Math.min(attempt - 1, 62 - (64 - Long.numberOfLeadingZeros(baseMillis)));
    long exp = shift < 0 ? Long.MAX_VALUE : baseMillis << shift;
    return Math.min(cap.toMillis(), exp);
  }

  private static long uniform(long bound) {
    return bound <= 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(bound + 1);
  }

  @Override
  public String toString() {
    return jitter ? "exponential(base " + base.toMillis() + "ms, cap " + cap.toMillis() + "ms, full jitter)"
        : "2^(n-1) x " + base.toMillis() + "ms, cap " + cap.toMillis() + "ms";
  }
}
