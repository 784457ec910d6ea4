package io.tollgate.core;

import java.time.Duration;

/**
 * A tenant's own numbers for one limit (a custom arrangement); a {@code null} field keeps the
 * limit's. Immutable and thread-safe.
 */
public final class LimitOverride {

  private final Long limit;
  private final Duration window;
  private final String windowText;
  private final Long burst;
  private final Integer concurrency;
  private final Long cost;

  private LimitOverride(Long limit, Duration window, String windowText, Long burst, Integer concurrency, Long cost) {
    this.limit = limit;
    this.window = window;
    this.windowText = windowText;
    this.burst = burst;
    this.concurrency = concurrency;
    this.cost = cost;
  }

  /** Overrides nothing yet. */
  public static LimitOverride none() {
    return new LimitOverride(null, null, null, null, null, null);
  }

  public LimitOverride withLimit(long limit) {
    Limit.requirePositive("limit", limit);
    return new LimitOverride(limit, window, windowText, burst, concurrency, cost);
  }

  public LimitOverride withWindow(String text) {
    Duration d = Limit.checkWindow(Durations.parse(text));
    return new LimitOverride(limit, d, text, burst, concurrency, cost);
  }

  public LimitOverride withBurst(long burst) {
    Limit.requirePositive("burst", burst);
    return new LimitOverride(limit, window, windowText, burst, concurrency, cost);
  }

  public LimitOverride withConcurrency(int concurrency) {
    Limit.requirePositive("concurrency", concurrency);
    return new LimitOverride(limit, window, windowText, burst, concurrency, cost);
  }

  public LimitOverride withCost(long cost) {
    Limit.requirePositive("cost", cost);
    return new LimitOverride(limit, window, windowText, burst, concurrency, cost);
  }

  public Long limit() {
    return limit;
  }

  public Duration window() {
    return window;
  }

  public String windowText() {
    return windowText;
  }

  public Long burst() {
    return burst;
  }

  public Integer concurrency() {
    return concurrency;
  }

  public Long cost() {
    return cost;
  }
}
