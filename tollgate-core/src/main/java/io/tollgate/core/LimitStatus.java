package io.tollgate.core;

/**
 * One limit's state as one decision saw it: what the response headers and the status endpoint
 * report. Immutable and thread-safe.
 */
public final class LimitStatus {

  private final Limit limit;
  private final String route;
  private final String pattern;
  private final long remaining;
  private final long resetAtMillis;
  private final long retryAfterMillis;
  private final boolean fits;

  /**
   * Made by the limiter.
   *
   * @param limit the limit with the numbers that applied (a tenant's own, if it has some)
   */
  LimitStatus(Limit limit, String route, String pattern, long remaining, long resetAtMillis,
      long retryAfterMillis, boolean fits) {
    this.limit = limit;
    this.route = route;
    this.pattern = pattern;
    this.remaining = remaining;
    this.resetAtMillis = resetAtMillis;
    this.retryAfterMillis = retryAfterMillis;
    this.fits = fits;
  }

  /** The limit's name (the IETF policy name). */
  public String name() {
    return limit.name();
  }

  /** The limit, with the numbers that applied to this request. */
  public Limit definition() {
    return limit;
  }

  /** The route the request belonged to, or the status entry is for. */
  public String route() {
    return route;
  }

  /** A pattern of that route, for the status endpoint ({@code /**} when the limit spans every route). */
  public String pattern() {
    return pattern;
  }

  public Algorithm algorithm() {
    return limit.algorithm();
  }

  /** Units per window (the quota); for concurrency, requests in flight. */
  public long limit() {
    return limit.limit();
  }

  /** Units left after this decision, at least 0. */
  public long remaining() {
    return remaining;
  }

  /** When the counter resets (the window's end; a full bucket), epoch milliseconds. */
  public long resetAtMillis() {
    return resetAtMillis;
  }

  /** How long until this request's cost would fit, in milliseconds; 0 when it fits. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  /** The window in milliseconds; 0 for concurrency. */
  public long windowMillis() {
    return limit.window() == null ? 0 : limit.window().toMillis();
  }

  /** The window as written ({@code 15m}); {@code null} for concurrency. */
  public String windowText() {
    return limit.windowText();
  }

  /** Whether the request's cost fitted this limit (for a shadow limit: would have). */
  public boolean fits() {
    return fits;
  }

  /** Whether the limit is in shadow mode: counted and reported here, never refusing, not in headers. */
  public boolean shadow() {
    return limit.mode() == Mode.SHADOW;
  }

  @Override
  public String toString() {
    return name() + "{" + remaining + "/" + limit() + (windowText() == null ? "" : " per " + windowText())
        + ", reset " + resetAtMillis + (fits ? "" : ", retry in " + retryAfterMillis + "ms") + (shadow() ? ", shadow" : "") + "}";
  }
}
