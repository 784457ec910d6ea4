package io.tollgate.core;

/** How a limit counts. See docs/policy-file.md for the exact semantics of each. */
public enum Algorithm {
  /** Windows aligned to the epoch; the count resets at the end of each window. */
  FIXED_WINDOW("fixed-window"),
  /** The weighted sliding-window counter: the previous window's count, weighted by its overlap. */
  SLIDING_WINDOW("sliding-window"),
  /** GCRA: {@code burst} units at once, refilled at {@code limit} per {@code window}. */
  TOKEN_BUCKET("token-bucket"),
  /** At most {@code concurrency} requests in flight. */
  CONCURRENCY("concurrency");

  private final String text;

  Algorithm(String text) {
    this.text = text;
  }

  /** The name used in the policy file. */
  public String text() {
    return text;
  }

  /** The algorithm named {@code text} in the policy file, or {@code null}. */
  public static Algorithm fromText(String text) {
    for (Algorithm a : values()) {
      if (a.text.equals(text)) {
        return a;
      }
    }
    return null;
  }
}
