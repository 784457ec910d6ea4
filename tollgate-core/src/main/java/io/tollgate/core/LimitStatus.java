package io.tollgate.core;

/**
 * One limit's state as one decision saw it: what the response headers and the status endpoint
 * report. Immutable and thread-safe.
 */
public final class LimitStatus {

  private final String name;
  private final String route;
  private final String pattern;
  private final Algorithm algorithm;
  private final long limit;
  private final long remaining;
  private final long resetAtMillis;
  private final long retryAfterMillis;
  private final long windowMillis;
  private final String windowText;
  private final boolean fits;
  private final boolean shadow;

  /** Made by the limiter; public for stores' and gateways' tests. */
  public LimitStatus(String name, String route, String pattern, Algorithm algorithm, long limit, long remaining,
      long resetAtMillis, long retryAfterMillis, long windowMillis, String windowText, boolean fits, boolean shadow) {
    this.name = name;
    this.route = route;
    this.pattern = pattern;
    this.algorithm = algorithm;
    this.limit = limit;
    this.remaining = remaining;
    this.resetAtMillis = resetAtMillis;
    this.retryAfterMillis = retryAfterMillis;
    this.windowMillis = windowMillis;
    this.windowText = windowText;
    this.fits = fits;
    this.shadow = shadow;
  }

  /** The limit's name (the IETF policy name). */
  public String name() {
    return name;
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
    return algorithm;
  }

  /** Units per window (the quota); for concurrency, requests in flight. */
  public long limit() {
    return limit;
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
    return windowMillis;
  }

  /** The window as written ({@code 15m}); {@code null} for concurrency. */
  public String windowText() {
    return windowText;
  }

  /** Whether the request's cost fitted this limit (for a shadow limit: would have). */
  public boolean fits() {
    return fits;
  }

  /** Whether the limit is in shadow mode: counted and reported here, never refusing, not in headers. */
  public boolean shadow() {
    return shadow;
  }

  @Override
  public String toString() {
    return name + "{" + remaining + "/" + limit + (windowText == null ? "" : " per " + windowText)
        + ", reset " + resetAtMillis + (fits ? "" : ", retry in " + retryAfterMillis + "ms") + (shadow ? ", shadow" : "") + "}";
  }
}
