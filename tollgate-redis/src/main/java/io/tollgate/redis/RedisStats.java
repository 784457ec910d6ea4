package io.tollgate.redis;

import java.util.concurrent.atomic.LongAdder;

/** What a {@link RedisStore} did since it was made, for metrics. Thread-safe; counts only grow. */
public final class RedisStats {
  final LongAdder calls = new LongAdder();
  final LongAdder roundTrips = new LongAdder();
  final LongAdder answered = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder skipped = new LongAdder();
  final LongAdder fallbacks = new LongAdder();
  final LongAdder breakerOpened = new LongAdder();
  final LongAdder cachedRefusals = new LongAdder();
  final LongAdder scriptLoads = new LongAdder();
  final LongAdder lostReleases = new LongAdder();
  volatile String lastError;

  /** The message of the last failed call, or {@code null}. */
  public String lastError() {
    return lastError;
  }

  /** Decisions, peeks and releases asked of Redis. */
  public long calls() {
    return calls.sum();
  }

  /**
   * Script calls on the wire: fewer than {@link #calls()} under load, when several that queued up
   * behind calls in flight went as one.
   */
  public long roundTrips() {
    return roundTrips.sum();
  }

  /** Calls Redis answered in time. */
  public long answered() {
    return answered.sum();
  }

  /** Calls that got no answer within the timeout. */
  public long timeouts() {
    return timeouts.sum();
  }

  /** Calls that failed otherwise (connection lost or refused, a Redis error). */
  public long errors() {
    return errors.sum();
  }

  /** Calls not made because the breaker was open. */
  public long skipped() {
    return skipped.sum();
  }

  /** Decisions made per on-failure instead of by Redis. */
  public long fallbacks() {
    return fallbacks.sum();
  }

  /** Times the breaker opened. */
  public long breakerOpened() {
    return breakerOpened.sum();
  }

  /** Decisions refused by the refusal cache without a Redis call. */
  public long cachedRefusals() {
    return cachedRefusals.sum();
  }

  /** Times the script was sent again (NOSCRIPT: a new or restarted Redis). */
  public long scriptLoads() {
    return scriptLoads.sum();
  }

  /** Releases Redis did not get (leases then expire after lease-ttl). */
  public long lostReleases() {
    return lostReleases.sum();
  }

  @Override
  public String toString() {
    return "calls " + calls() + " in " + roundTrips() + " round trips, answered " + answered() + ", timeouts " + timeouts() + ", errors " + errors() + ", skipped " + skipped()
        + ", fallbacks " + fallbacks() + ", breaker opened " + breakerOpened() + ", cached refusals "
        + cachedRefusals() + ", script loads " + scriptLoads() + ", lost releases " + lostReleases() + (lastError == null ? "" : ", last error: " + lastError);
  }
}
