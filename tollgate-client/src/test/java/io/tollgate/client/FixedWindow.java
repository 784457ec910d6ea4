package io.tollgate.client;

/**
 * A test server's limit: {@code limit} requests per fixed window of {@code windowMillis} of the fake
 * clock (windows start at multiples of it). Thread-safe.
 */
final class FixedWindow {

  /** One request's fate: admitted or not, what remains, when the window ends (epoch ms), and the limit. */
  record Taken(boolean ok, long remaining, long resetAt, long now, int limit, long windowMillis) {

    /** Seconds to the reset, rounded up, as the IETF {@code t} and Retry-After say it. */
    long resetSeconds() {
      return (resetAt - now + 999) / 1000;
    }

    /** The window in whole seconds, as the IETF {@code w} says it. */
    long windowSeconds() {
      return windowMillis / 1000;
    }
  }

  private final int limit;
  private final long windowMillis;
  private long windowStart = -1;
  private int used;

  FixedWindow(int limit, long windowMillis) {
    this.limit = limit;
    this.windowMillis = windowMillis;
  }

  /** {@code limit} per whole second. */
  FixedWindow(int limit) {
    this(limit, 1000);
  }

  synchronized Taken take(long now) {
    long start = now - Math.floorMod(now, windowMillis);
    if (start != windowStart) {
      windowStart = start;
      used = 0;
    }
    boolean ok = used < limit;
    if (ok) {
      used++;
    }
    return new Taken(ok, limit - used, start + windowMillis, now, limit, windowMillis);
  }

  /** Spends what is left of the window {@code now} falls in, as another client would. */
  synchronized void spend(long now) {
    take(now);
    used = limit;
  }
}
