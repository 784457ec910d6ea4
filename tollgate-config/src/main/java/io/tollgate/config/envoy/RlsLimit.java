package io.tollgate.config.envoy;

import io.tollgate.core.Algorithm;
import java.time.Duration;
import java.util.List;

/**
 * A descriptor's {@code rate_limit} in envoyproxy/ratelimit's configuration, with Tollgate's
 * extensions ({@code algorithm}, {@code burst}).
 *
 * @param requestsPerUnit the quota per unit; 0 refuses every request (a block list)
 * @param unit the window; {@code null} when {@code unlimited}
 * @param unlimited counts nothing, refuses nothing
 * @param name the rule's name ({@code null} for none): what {@code replaces} of other rules names
 * @param replaces names of rules this one replaces when both apply to one request
 * @param algorithm fixed-window (envoyproxy/ratelimit's only one), sliding-window or token-bucket
 * @param burst token-bucket only: the bucket's size; 0 for {@code requestsPerUnit}
 */
public record RlsLimit(long requestsPerUnit, Unit unit, boolean unlimited, String name, List<String> replaces,
    Algorithm algorithm, long burst) {

  public RlsLimit {
    replaces = List.copyOf(replaces);
  }

  /** The units envoyproxy/ratelimit counts in, as fixed windows aligned to the epoch. */
  public enum Unit {
    SECOND(Duration.ofSeconds(1)),
    MINUTE(Duration.ofMinutes(1)),
    HOUR(Duration.ofHours(1)),
    DAY(Duration.ofDays(1)),
    WEEK(Duration.ofDays(7)),
    MONTH(Duration.ofDays(30)),
    YEAR(Duration.ofDays(365));

    private final Duration window;

    Unit(Duration window) {
      this.window = window;
    }

    /** The window's length: a month is 30 days and a year 365, as envoyproxy/ratelimit counts them. */
    public Duration window() {
      return window;
    }
  }
}
