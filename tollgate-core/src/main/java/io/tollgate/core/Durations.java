package io.tollgate.core;

import java.time.Duration;

/** The policy file's durations: an integer and a unit, one of {@code ms s m h d} ({@code 500ms}, {@code 15m}). */
public final class Durations {

  private Durations() {}

  /**
   * Parses {@code text} such as {@code 15m}.
   *
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("duration must not be empty (write e.g. 500ms, 1s, 15m, 1h, 1d)");
    }
    int i = 0;
    while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      i++;
    }
    String unit = text.substring(i);
    if (i == 0 || i > 15 || !unit.chars().allMatch(Character::isLetter)) {
      throw new IllegalArgumentException(
          "bad duration '" + text + "' (write an integer and a unit: 500ms, 1s, 15m, 1h, 1d)");
    }
    long n = Long.parseLong(text.substring(0, i));
    switch (unit) {
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
        throw new IllegalArgumentException("bad duration '" + text + "': unknown unit '" + unit
            + "' (use ms, s, m, h or d)");
    }
  }

  /** The shortest exact text for {@code d}: 60 seconds is {@code 1m}, 1500 ms is {@code 1500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000L == 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms != 0 && ms % 3_600_000L == 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms != 0 && ms % 60_000L == 0) {
      return ms / 60_000L + "m";
    }
    if (ms != 0 && ms % 1000L == 0) {
      return ms / 1000L + "s";
    }
    return ms + "ms";
  }
}
