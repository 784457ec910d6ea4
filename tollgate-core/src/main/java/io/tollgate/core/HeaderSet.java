package io.tollgate.core;

/** The response header sets a refusal block can name; see docs/http-behaviour.md. */
public enum HeaderSet {
  X_RATELIMIT("x-ratelimit"),
  X_RATELIMIT_RESET_TIME("x-ratelimit-reset-time"),
  X_RATELIMIT_RETRY_AFTER("x-ratelimit-retry-after"),
  RETRY_AFTER("retry-after"),
  RATELIMIT("ratelimit"),
  RATELIMIT_LEGACY("ratelimit-legacy");

  private final String text;

  HeaderSet(String text) {
    this.text = text;
  }

  /** The name used in the policy file. */
  public String text() {
    return text;
  }

  /** The header set named {@code text} in the policy file, or {@code null}. */
  public static HeaderSet fromText(String text) {
    for (HeaderSet h : values()) {
      if (h.text.equals(text)) {
        return h;
      }
    }
    return null;
  }
}
