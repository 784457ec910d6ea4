package io.tollgate.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** What the client knows of one bucket. Immutable. */
public final class BucketState {
  private final Instant pausedUntil;
  private final ServerLimit last;
  private final int waiting;
  private final int inFlight;
  private final Duration spacing;
  private final long allowance;
  private final double rate;

  BucketState(Instant pausedUntil, ServerLimit last, int waiting, int inFlight, Duration spacing, long allowance,
      double rate) {
    this.pausedUntil = pausedUntil;
    this.last = last;
    this.waiting = waiting;
    this.inFlight = inFlight;
    this.spacing = spacing;
    this.allowance = allowance;
    this.rate = rate;
  }

  /** Requests of this bucket wait until then (in the past: they go at once). */
  public Instant pausedUntil() {
    return pausedUntil;
  }

  /** What the bucket's last response said of the limit. */
  public Optional<ServerLimit> last() {
    return Optional.ofNullable(last);
  }

  /** Requests waiting for their turn. */
  public int waiting() {
    return waiting;
  }

  /** Requests sent and not yet answered. */
  public int inFlight() {
    return inFlight;
  }

  /** With even spreading, the time kept between two sends (zero: none). */
  public Duration spacing() {
    return spacing;
  }

  /**
   * How many more may be sent before the server is heard from again ({@link OptionalLong#empty()}:
   * no bound); see {@link TollgateClient.Builder#probeFirst}.
   */
  public OptionalLong allowance() {
    return allowance == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(allowance);
  }

  /** With adaptive pacing, the pace in requests per second (empty before the first refusal). */
  public OptionalDouble pacedRate() {
    return rate > 0 ? OptionalDouble.of(rate) : OptionalDouble.empty();
  }

  @Override
  public String toString() {
    return "paused until " + pausedUntil + ", " + waiting + " waiting, " + inFlight + " in flight"
        + (allowance == Long.MAX_VALUE ? "" : ", " + allowance + " allowed before the next answer")
        + (spacing.isZero() ? "" : ", spaced " + spacing.toMillis() + " ms")
        + (rate > 0 ? String.format(Locale.ROOT, ", paced at %.2f/s", rate) : "")
        + (last == null ? "" : ", " + last);
  }
}
