package io.tollgate.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The automatic blacklist: a caller refused {@code after} times within {@code within} is banned for
 * {@code duration}, during which every request gets {@code status} and {@code body} and nothing is
 * counted. Immutable and thread-safe.
 */
public final class Ban {

  /** The default ban body. */
  public static final String DEFAULT_BODY = "{\"error\":\"banned\",\"until\":${reset}}";

  private final List<List<KeyPart>> key;
  private final long after;
  private final Duration within;
  private final String withinText;
  private final Duration duration;
  private final String durationText;
  private final int status;
  private final String contentType;
  private final String body;

  /**
   * @param key who is banned: fallback chains, as a limit's key
   * @param after refusals that trigger the ban, > 0
   * @param within the window in which they are counted, as written ({@code 1m})
   * @param duration how long the ban lasts, as written ({@code 1h})
   * @param status 400..599
   */
  public Ban(List<List<KeyPart>> key, long after, String within, String duration, int status, String contentType, String body) {
    this.key = List.copyOf(key);
    Limit.requirePositive("after", after);
    this.after = after;
    this.within = Limit.checkWindow(Durations.parse(within));
    this.withinText = within;
    this.duration = Limit.checkWindow(Durations.parse(duration));
    this.durationText = duration;
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be in 400..599 (was " + status + ")");
    }
    this.status = status;
    this.contentType = Objects.requireNonNull(contentType, "contentType");
    this.body = Objects.requireNonNull(body, "body");
  }

  public List<List<KeyPart>> key() {
    return key;
  }

  public long after() {
    return after;
  }

  public Duration within() {
    return within;
  }

  public String withinText() {
    return withinText;
  }

  /** How long a ban lasts. */
  public Duration duration() {
    return duration;
  }

  public String durationText() {
    return durationText;
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  public String body() {
    return body;
  }
}
