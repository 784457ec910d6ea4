package io.tollgate.client;

/**
 * A test server's limit: {@code limit} requests per whole second of the fake clock, a fixed
 * window. Thread-safe.
 */
final class PerSecond {

  /** One request's fate: admitted or not, what remains, and when the window ends (epoch ms). */
  record Taken(boolean ok, long remaining, long resetAt, long now) {

    /** Seconds to the reset, rounded up, as the IETF {@code t} and Retry-After say it. */
    long resetSeconds() {
      return (resetAt - now + 999) / 1000;
    }
  }

  private final int limit;
  private long windowStart = -1;
  private int used;

  PerSecond(int limit) {
    this.limit = limit;
  }

  synchronized Taken take(long now) {
    long start = now - Math.floorMod(now, 1000);
    if (start != windowStart) {
      windowStart = start;
      used = 0;
    }
    boolean ok = used < limit;
    if (ok) {
      used++;
    }
    return new Taken(ok, limit - used, start + 1000, now);
  }
}
