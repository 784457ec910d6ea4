package io.tollgate.core.store;

import io.tollgate.core.Algorithm;

/**
 * The four algorithms as steps on one {@link Counter}'s state, run under the counter's lock: bring
 * the state to {@code now}, test whether a cost fits, take it, report, give it back. A decision over
 * several counters tests all of them before it takes from any, which makes it all-or-nothing.
 *
 * <p>State per algorithm:
 * <ul>
 *   <li>fixed window: {@code window} = start of the window (epoch ms, aligned to the epoch),
 *       {@code count} = units taken in it.
 *   <li>sliding window: {@code window} = start of the current aligned window, {@code count} = the
 *       current window's units in the low 32 bits and the previous window's in the high 32 bits. The
 *       estimate is {@code current + floor(previous * (w - elapsed) / w)}, the weighted sliding-window
 *       counter (Cloudflare, "How we built rate limiting capable of scaling to millions of domains", 2017).
 *   <li>token bucket: GCRA (ATM Forum TM 4.0; Brandur Leach's "Rate limiting, cells, and GCRA"):
 *       {@code count} = the theoretical arrival time (TAT) in epoch microseconds. A cost {@code c}
 *       fits when {@code max(TAT, now) + c*T - now <= burst*T}, T = window / limit.
 *   <li>concurrency: {@code count} = requests in flight.
 * </ul>
 * Times in and out are epoch milliseconds.
 */
final class CounterMath {

  private CounterMath() {}

  /** Brings a window counter to the window containing {@code now}. */
  static void roll(Counter c, LimitSpec s, long now) {
    long w = s.windowMillis();
    switch (s.algorithm()) {
      case FIXED_WINDOW: {
        if (now >= c.window && now - c.window < w) {
          break; // still the same window: no division on the hot path
        }
        c.window = now - Math.floorMod(now, w);
        c.count = 0;
        break;
      }
      case SLIDING_WINDOW: {
        if (now >= c.window && now - c.window < w) {
          break;
        }
        long start = now - Math.floorMod(now, w);
        long previous = c.window == start - w ? (c.count & 0xFFFF_FFFFL) : 0;
        c.window = start;
        c.count = previous << 32;
        break;
      }
      default:
        break;
    }
  }

  /** Whether {@code cost} fits now; the counter has been {@link #roll rolled} to {@code now}. */
  static boolean fits(Counter c, LimitSpec s, long now, long cost) {
    switch (s.algorithm()) {
      case FIXED_WINDOW:
      case CONCURRENCY:
        return c.count + cost <= s.limit();
      case SLIDING_WINDOW:
        return slidingEstimate(c, s, now) + cost <= s.limit();
      default: {
        long nowMicros = now * 1000;
        long t = s.intervalMicros();
        return Math.max(c.count, nowMicros) + cost * t - nowMicros <= s.burst() * t;
      }
    }
  }

  /** Takes {@code cost}; shadow limits take it even when it does not fit. */
  static void take(Counter c, LimitSpec s, long now, long cost) {
    switch (s.algorithm()) {
      case FIXED_WINDOW:
      case CONCURRENCY:
        c.count += cost;
        break;
      case SLIDING_WINDOW: {
        long current = Math.min(Integer.MAX_VALUE, (c.count & 0xFFFF_FFFFL) + cost);
        c.count = (c.count & 0xFFFF_FFFF_0000_0000L) | current;
        break;
      }
      default:
        c.count = Math.max(c.count, now * 1000) + cost * s.intervalMicros();
        break;
    }
    c.expires = ceilTicks(freshAt(c, s, now));
  }

  /** Writes entry {@code i}'s result, after the cost was taken ({@code taken}) or not. */
  static void report(Counter c, LimitSpec s, long now, long cost, boolean fits, Batch b, int i) {
    long limit = s.limit();
    switch (s.algorithm()) {
      case FIXED_WINDOW: {
        long reset = c.window + s.windowMillis();
        b.result(i, fits, limit - c.count, reset, fits ? 0 : reset - now);
        break;
      }
      case CONCURRENCY:
        b.result(i, fits, limit - c.count, fits ? now : now + 1000, fits ? 0 : 1000);
        break;
      case SLIDING_WINDOW: {
        long reset = c.window + s.windowMillis();
        b.result(i, fits, limit - slidingEstimate(c, s, now), reset, fits ? 0 : slidingWait(c, s, now, cost));
        break;
      }
      default: {
        long nowMicros = now * 1000;
        long t = s.intervalMicros();
        long tat = Math.max(c.count, nowMicros);
        long remaining = Math.floorDiv(s.burst() * t - (tat - nowMicros), t);
        long wait = fits ? 0 : ceilDiv(tat + cost * t - nowMicros - s.burst() * t, 1000);
        b.result(i, fits, remaining, ceilDiv(tat, 1000), wait);
        break;
      }
    }
  }

  /** Gives back {@code cost} taken by a decision at {@code decidedAt}. */
  static void giveBack(Counter c, LimitSpec s, long decidedAt, long cost) {
    long w = s.windowMillis();
    switch (s.algorithm()) {
      case FIXED_WINDOW:
        if (c.window == decidedAt - Math.floorMod(decidedAt, w)) {
          c.count = Math.max(0, c.count - cost);
        }
        break;
      case CONCURRENCY:
        c.count = Math.max(0, c.count - cost);
        break;
      case SLIDING_WINDOW: {
        long start = decidedAt - Math.floorMod(decidedAt, w);
        long current = c.count & 0xFFFF_FFFFL;
        long previous = c.count >>> 32;
        if (c.window == start) {
          current = Math.max(0, current - cost);
        } else if (c.window == start + w) {
          previous = Math.max(0, previous - cost);
        }
        c.count = (previous << 32) | current;
        break;
      }
      default:
        c.count -= cost * s.intervalMicros();
        break;
    }
  }

  /** The instant from which the counter's state is the same as a fresh one's, epoch ms. */
  static long freshAt(Counter c, LimitSpec s, long now) {
    switch (s.algorithm()) {
      case FIXED_WINDOW:
        return c.window + s.windowMillis();
      case SLIDING_WINDOW:
        return c.window + 2 * s.windowMillis();
      case CONCURRENCY:
        return now;
      default:
        return ceilDiv(c.count, 1000);
    }
  }

  /**
   * Whether the counter holds nothing a fresh counter would not, at {@code nowTicks}. A counter
   * touched in the current tick is never idle: a decision may have just found it and be about to lock it.
   */
  static boolean idle(Counter c, int nowTicks) {
    if (nowTicks - c.touched < 1) {
      return false;
    }
    if (c.algorithm() == Algorithm.CONCURRENCY.ordinal()) {
      return c.count == 0;
    }
    return nowTicks - c.expires >= 0;
  }

  /**
   * Coarse time for expiry and recency: epoch milliseconds in ticks of 1,024 ms, as a wrapping int
   * (compare by subtraction). A shift, not a division, on the hot path.
   */
  static int ticks(long millis) {
    return (int) (millis >> 10);
  }

  /** {@link #ticks}, rounded up. */
  static int ceilTicks(long millis) {
    return (int) ((millis + 1023) >> 10);
  }

  private static long slidingEstimate(Counter c, LimitSpec s, long now) {
    long w = s.windowMillis();
    long elapsed = now - c.window;
    long previous = c.count >>> 32;
    return (c.count & 0xFFFF_FFFFL) + previous * (w - elapsed) / w;
  }

  /** Milliseconds until {@code cost} fits, if nothing else is taken meanwhile. */
  private static long slidingWait(Counter c, LimitSpec s, long now, long cost) {
    long w = s.windowMillis();
    long limit = s.limit();
    long elapsed = now - c.window;
    long current = c.count & 0xFFFF_FFFFL;
    long previous = c.count >>> 32;
    if (current + cost <= limit) {
      // Within this window, once floor(previous * (w - e) / w) <= limit - cost - current.
      long room = limit - cost - current;
      long at = w - ((room + 1) * w - 1) / previous;
      return Math.max(1, at - elapsed);
    }
    if (cost > limit) {
      return w - elapsed; // never fits: say when the window ends
    }
    // In the next window, where this window's count becomes the weighted previous one.
    long at = w - ((limit - cost + 1) * w - 1) / current;
    return (w - elapsed) + Math.max(0, at);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
