package io.tollgate.client;

/**
 * A client-side rate for servers that say nothing of their limit (nginx's {@code limit_req}, a bare
 * 503 or 429): off until the first refusal, then a pace that backs off multiplicatively on each
 * refusal and grows back along a cubic curve while requests succeed, as the AWS SDKs' adaptive
 * retry mode does (CUBIC, RFC 8312: {@code β} 0.7, {@code C} 0.4). After a refusal at rate
 * {@code W} the rate drops to {@code 0.7 W}, climbs quickly back towards {@code W}, stays near it
 * for a while, and only then probes above it; so a steady workload spends most of its time just
 * under the server's rate, refused once per cycle instead of in bursts.
 *
 * <p>One cut per refusal event: a refusal of a request sent before the last cut says nothing new
 * (it was sent at the old rate), so a burst of refusals cuts the rate once, as TCP reacts once per
 * round trip. The rate is kept by a token bucket of one token: sends are at least {@code 1/rate} apart (no
 * burst after an idle spell, which a server counting requests per 100 ms would refuse). The rate
 * never exceeds twice the rate answers were measured at (a rate far above what is being sent
 * teaches nothing), nor falls below 0.5 per second. Times are epoch milliseconds.
 *
 * <p>Not thread-safe: its {@link Bucket} guards it.
 */
final class AdaptiveRate {

  static final double BETA = 0.7;
  static final double SCALE = 0.4;
  static final double MIN_RATE = 0.5;
  private static final double SMOOTHING = 0.8;
  private static final long MEASURE_MS = 500;

  private boolean enabled;
  private long sends;
  private long cutAfter; // the sends made when the rate was last cut
  private double rate; // per second; meaningful once enabled
  private double tokens;
  private long refilledAt;
  private double lastMaxRate;
  private long lastRefusal;
  private double measured; // answers per second, smoothed over half-second steps
  private long measureStart = -1;
  private boolean stepped; // a whole half second has been measured
  private int counted;

  /** The earliest the next request may go. */
  long readyAt(long now) {
    if (!enabled) {
      return now;
    }
    refill(now);
    return tokens >= 1 ? now : now + (long) Math.ceil((1 - tokens) / rate * 1000);
  }

  /** A request went at {@code now}. */
  void sent(long now) {
    sends++;
    if (enabled) {
      refill(now);
      tokens = Math.max(0, tokens - 1);
    }
  }

  /**
   * An answer came at {@code now} to send number {@code sendNumber} (counted by {@link #sent},
   * from 1; {@link Bucket#UNKNOWN_SEND} when not known): {@code refused} when the server turned the
   * request away.
   */
  void answered(boolean refused, long now, long sendNumber) {
    measure(now);
    double next;
    if (refused && enabled && sendNumber != Bucket.UNKNOWN_SEND && sendNumber <= cutAfter) {
      return; // sent before the last cut: the same event
    }
    if (refused) {
      cutAfter = sends;
      double base = enabled ? Math.min(measured, rate) : measured;
      lastMaxRate = base;
      lastRefusal = now;
      next = base * BETA;
      if (!enabled) {
        enabled = true;
        refilledAt = now;
        tokens = 0;
      }
    } else {
      if (!enabled) {
        return;
      }
      double t = (now - lastRefusal) / 1000.0;
      double window = Math.cbrt(lastMaxRate * (1 - BETA) / SCALE); // when the curve is back at lastMaxRate
      next = SCALE * Math.pow(t - window, 3) + lastMaxRate;
    }
    refill(now);
    rate = Math.max(MIN_RATE, Math.min(next, 2 * measured));
  }

  /** The pace requests go at, per second; 0 before the first refusal (no pacing). */
  double rate() {
    return enabled ? rate : 0;
  }

  /** Whether a refusal has been heard: the pace is on. */
  boolean started() {
    return enabled;
  }

  private void refill(long now) {
    if (now > refilledAt) {
      tokens = Math.min(1, tokens + (now - refilledAt) / 1000.0 * rate);
      refilledAt = now;
    }
  }

  /**
   * Answers per second, smoothed: each half second's count weighs 0.8 against what came before.
   * Before the first half second is over, the count so far over the time so far.
   */
  private void measure(long now) {
    if (measureStart < 0) {
      measureStart = now;
    }
    counted++;
    long elapsed = now - measureStart;
    if (elapsed >= MEASURE_MS) {
      double current = counted * 1000.0 / elapsed;
      measured = stepped ? current * SMOOTHING + measured * (1 - SMOOTHING) : current;
      stepped = true;
      counted = 0;
      measureStart = now;
    } else if (!stepped) {
      measured = counted * 1000.0 / Math.max(elapsed, 50);
    }
  }
}
