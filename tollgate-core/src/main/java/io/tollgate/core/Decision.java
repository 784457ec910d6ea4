package io.tollgate.core;

import io.tollgate.core.internal.Results;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * What the limiter decided for one request: allowed or not, what to report, and a handle to settle
 * the request once its response is known. A refused request is a value, not an exception.
 *
 * <p>Settle every allowed decision exactly once, with {@link #settle(int)} when the response status
 * is known, or {@link #abort()} when there will be none (the client went away, the upstream failed
 * before answering): this gives back the units of uncounted statuses and releases concurrency slots.
 * Both are idempotent and thread-safe; only the first call counts.
 */
public final class Decision {

  /** The kinds of decision. */
  public enum Outcome {
    /** The request may go on; every applicable limit counted it. */
    ALLOWED,
    /** A limit refused it; nothing was counted. */
    REFUSED,
    /** The client address is on the deny list: 403. */
    DENIED,
    /** The caller is banned until {@link Decision#reported()}'s reset. */
    BANNED
  }

  private static final AtomicIntegerFieldUpdater<Decision> SETTLED =
      AtomicIntegerFieldUpdater.newUpdater(Decision.class, "settled");

  private static final Limit[] NO_LIMITS = new Limit[0];
  private static final long[] NO_VALUES = new long[0];

  static {
    Results.install(new Results.Factory() {
      @Override
      public Decision decision(Outcome outcome, String route, String pattern, Limit[] limits, long[] values,
          int reported, Refusal refusal, Settlement settlement) {
        return new Decision(outcome, route, pattern, limits, values, reported, refusal, settlement);
      }

      @Override
      public Decision unlimited(Outcome outcome, String route) {
        return new Decision(outcome, route, null, NO_LIMITS, NO_VALUES, -1, null, null);
      }

      @Override
      public LimitStatus status(Limit limit, String route, String pattern, long remaining, long resetAtMillis,
          long retryAfterMillis, boolean fits) {
        return new LimitStatus(limit, route, pattern, remaining, resetAtMillis, retryAfterMillis, fits);
      }
    });
  }

  private final Outcome outcome;
  private final String route;
  private final String pattern;
  private final Limit[] limits;
  private final long[] values; // per applied limit: remaining, reset at, retry after, fits (1/0)
  private final int reported;
  private final Refusal refusal;
  private final Settlement settlement;
  private volatile int settled;

  /**
   * Made by the limiter (through {@link Results}). The statuses are kept as numbers and made into {@link LimitStatus} values
   * only when asked for, so a decision costs one object and two small arrays.
   *
   * @param pattern the route pattern the request matched, or {@code null}
   * @param limits the limits that applied, with the numbers that applied (a tenant's own)
   * @param values four per limit: remaining, reset (epoch ms), retry after (ms), fits (1 or 0)
   * @param reported index into {@code limits} of the limit the headers describe, or -1
   * @param settlement what settling gives back, or {@code null} when there is nothing to give back
   */
  private Decision(Outcome outcome, String route, String pattern, Limit[] limits, long[] values, int reported,
      Refusal refusal, Settlement settlement) {
    this.outcome = outcome;
    this.route = route;
    this.pattern = pattern;
    this.limits = limits;
    this.values = values;
    this.reported = reported;
    this.refusal = refusal;
    this.settlement = settlement;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Whether the request may go on. */
  public boolean allowed() {
    return outcome == Outcome.ALLOWED;
  }

  /** The route the request belongs to; {@code null} for denied and banned requests. */
  public String route() {
    return route;
  }

  /** Every limit that applied, in policy order, shadow limits included. */
  public List<LimitStatus> applied() {
    LimitStatus[] out = new LimitStatus[limits.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = status(i);
    }
    return Collections.unmodifiableList(Arrays.asList(out));
  }

  /** The limits that applied (not a copy: callers in this package only read it). */
  Limit[] appliedLimits() {
    return limits;
  }

  /** How many limits applied. */
  public int appliedCount() {
    return limits.length;
  }

  /** The {@code i}th limit that applied, as in {@link #applied()}, without making its status. */
  public Limit appliedLimit(int i) {
    return limits[i];
  }

  /** Whether the {@code i}th limit that applied had room for the request, as in {@link #applied()}. */
  public boolean fits(int i) {
    return values[4 * i + 3] != 0;
  }

  private LimitStatus status(int i) {
    return new LimitStatus(limits[i], route, pattern, values[4 * i], values[4 * i + 1], values[4 * i + 2],
        values[4 * i + 3] != 0);
  }

  /**
   * The limit the response headers describe: on a refusal the one that refused; otherwise the
   * enforced limit with the fewest units remaining. For a ban, the ban ({@code resetAtMillis} = its
   * end). {@code null} when no enforced limit applied.
   */
  public LimitStatus reported() {
    return reported < 0 ? null : status(reported);
  }

  /**
   * For {@link Outcome#REFUSED}: the refusal block to answer with (the policy's, with the refusing
   * limit's fields over it). For {@link Outcome#BANNED}: the ban's status and body. For an allowed
   * request: the header sets of the reported limit (status and body unused). {@code null} for denied.
   */
  public Refusal refusal() {
    return refusal;
  }

  /**
   * Settles an allowed request whose response had {@code status}: a status the limit does not count
   * gives its units back; concurrency slots are released. Only the first settle or abort counts.
   */
  public void settle(int status) {
    if (settlement != null && SETTLED.compareAndSet(this, 0, 1)) {
      settlement.settle(status);
    }
  }

  /** Settles a request that got no response: releases concurrency slots, keeps the units counted. */
  public void abort() {
    settle(-1);
  }

  @Override
  public String toString() {
    return outcome + " " + (route == null ? "" : route + " ") + applied();
  }

  /** What settling a decision does; implemented by the limiter. */
  public interface Settlement {
    /** Gives back what {@code status} does not count (-1: no response) and releases slots. Called at most once. */
    void settle(int status);
  }
}
