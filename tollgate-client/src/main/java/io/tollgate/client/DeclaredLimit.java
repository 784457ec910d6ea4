package io.tollgate.client;

import java.time.Duration;

/**
 * A limit a caller declares for an API that sends no headers: {@code count} requests (1 to
 * 1,000,000) per {@code window}.
 */
final class DeclaredLimit {

  private final long count;
  private final Duration window;

  private DeclaredLimit(long count, Duration window) {
    this.count = count;
    this.window = window;
  }

  /** {@code "60/1m"}, {@code "5/1s"}, {@code "1/5m"}, {@code "500/500ms"}. */
  static DeclaredLimit parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    try {
      if (slash < 1) {
        throw new NumberFormatException();
      }
      long count = Long.parseLong(t.substring(0, slash).trim());
      Duration window = duration(t.substring(slash + 1).trim());
      if (count < 1 || count > 1_000_000 || window.isZero() || window.isNegative()) {
        throw new NumberFormatException();
      }
      return new DeclaredLimit(count, window);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a declared limit is a count per duration, such as 60/1m, 5/1s or 1/5m (was '"
          + text + "')", e);
    }
  }

  /** The policy file's duration syntax (core's {@code Durations}, which the client must not depend on). */
  private static Duration duration(String d) {
    int unit = 0;
    while (unit < d.length() && Character.isDigit(d.charAt(unit))) {
      unit++;
    }
    long n = Long.parseLong(d.substring(0, unit));
    switch (d.substring(unit)) {
      case "ms":
        return Duration.ofMillis(n);
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      case "d":
        return Duration.ofDays(n);
      default:
        throw new NumberFormatException();
    }
  }

  long count() {
    return count;
  }

  Duration window() {
    return window;
  }
}
