package io.tollgate.config.envoy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One descriptor of a domain's tree: a {@code key}, an optional {@code value} (with {@code *} a
 * wildcard, anywhere and several times), the {@code rate_limit} that applies when a request's
 * descriptor ends here, and the descriptors below. Immutable once the configuration is read.
 */
public final class RlsRule {

  private final String key;
  private final String value; // null: key only
  private final RlsLimit limit; // null: none here
  private final boolean shadowMode;
  private final String path; // domain.key_value.key, as envoyproxy/ratelimit names it in its stats
  final Map<String, RlsRule> exact = new LinkedHashMap<>(); // key_value -> rule
  final List<RlsRule> wildcards = new ArrayList<>(); // values with '*', in file order
  final Map<String, RlsRule> keyOnly = new LinkedHashMap<>(); // key -> rule
  final List<RlsRule> inFileOrder = new ArrayList<>(); // every rule below, as the file lists them

  RlsRule(String key, String value, RlsLimit limit, boolean shadowMode, String path) {
    this.key = key;
    this.value = value;
    this.limit = limit;
    this.shadowMode = shadowMode;
    this.path = path;
  }

  public String key() {
    return key;
  }

  /** The value; {@code null} for a key-only rule. */
  public String value() {
    return value;
  }

  /** The limit that applies when a descriptor ends at this rule; {@code null} when there is none. */
  public RlsLimit limit() {
    return limit;
  }

  /** Counts, and reports OK even when over. */
  public boolean shadowMode() {
    return shadowMode;
  }

  /** The descriptor path, {@code domain.key_value.key}: the rule's name in metrics when it has none of its own. */
  public String path() {
    return path;
  }

  boolean isWildcard() {
    return value != null && value.indexOf('*') >= 0;
  }

  /** The rule below this one (or the domain's top level) that entry {@code key}={@code value} goes to, or {@code null}. */
  RlsRule child(String key, String value) {
    RlsRule r = exact.get(key + "_" + value);
    if (r != null) {
      return r;
    }
    for (RlsRule w : wildcards) {
      if (w.key.equals(key) && glob(w.value, value)) {
        return w;
      }
    }
    return keyOnly.get(key);
  }

  /** Whether {@code text} matches {@code pattern}, where each {@code *} stands for any run of characters. */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return path + (limit == null ? "" : limit.unlimited() ? " unlimited" : " " + limit.requestsPerUnit() + "/"
        + limit.unit().name().toLowerCase(java.util.Locale.ROOT)) + (shadowMode ? " (shadow)" : "");
  }
}
