package io.tollgate.core;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * What a response says about a decision, as docs/http-behaviour.md specifies: the rate-limit header
 * sets, and the refusal body with its placeholders filled in. For the gateway, and for any HTTP
 * server that embeds the engine. Stateless and thread-safe.
 */
public final class ResponseFields {

  /** {@code Sun, 04 Mar 2012 00:02:00 +0000}. */
  private static final DateTimeFormatter RESET_TIME =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ResponseFields() {}

  /**
   * Writes the headers of the decision's header sets to {@code out} (name, value), describing the
   * reported limit; {@code Retry-After} only on a refusal or ban. Nothing when no enforced limit
   * applied. Times are whole seconds; a delta is rounded up, and is at least 1 on a refusal.
   *
   * @param nowMillis the time the response is sent, epoch milliseconds (deltas count from it)
   */
  public static void headers(Decision decision, long nowMillis, BiConsumer<String, String> out) {
    LimitStatus reported = decision.reported();
    Refusal refusal = decision.refusal();
    if (reported == null || refusal == null || refusal.headers() == null) {
      return;
    }
    boolean refused = decision.outcome() == Decision.Outcome.REFUSED || decision.outcome() == Decision.Outcome.BANNED;
    long resetEpochSeconds = resetEpochSeconds(reported);
    long resetDelta = Math.max(refused ? 1 : 0, ceilDiv(reported.resetAtMillis() - nowMillis, 1000));
    for (HeaderSet set : refusal.headers()) {
      switch (set) {
        case X_RATELIMIT:
          out.accept("X-RateLimit-Limit", Long.toString(reported.limit()));
          out.accept("X-RateLimit-Remaining", Long.toString(reported.remaining()));
          out.accept("X-RateLimit-Reset", Long.toString(resetEpochSeconds));
          break;
        case X_RATELIMIT_RESET_TIME:
          out.accept("X-RateLimit-ResetTime", resetTime(resetEpochSeconds));
          break;
        case X_RATELIMIT_RETRY_AFTER:
          out.accept("X-Ratelimit-Retry-After", Long.toString(resetEpochSeconds));
          break;
        case RETRY_AFTER:
          if (refused) {
            out.accept("Retry-After", Long.toString(retryAfterSeconds(reported)));
          }
          break;
        case RATELIMIT:
          out.accept("RateLimit-Policy", policies(decision));
          out.accept("RateLimit", "\"" + reported.name() + "\";r=" + reported.remaining() + ";t=" + resetDelta);
          break;
        default: // RATELIMIT_LEGACY
          out.accept("RateLimit-Limit", Long.toString(reported.limit()));
          out.accept("RateLimit-Remaining", Long.toString(reported.remaining()));
          out.accept("RateLimit-Reset", Long.toString(resetDelta));
          break;
      }
    }
  }

  /**
   * The body for a refused or banned decision: the refusal block's template with {@code ${limit}},
   * {@code ${remaining}}, {@code ${reset}}, {@code ${reset-time}}, {@code ${retry-after}},
   * {@code ${retry-after-ms}}, {@code ${window}}, {@code ${window-ms}}, {@code ${policy}} and
   * {@code ${status}} filled in, JSON-safe. An unknown placeholder is left as written.
   */
  public static String body(Decision decision, long nowMillis) {
    Refusal refusal = decision.refusal();
    LimitStatus reported = decision.reported();
    if (refusal == null || refusal.body() == null || reported == null) {
      return "";
    }
    String template = refusal.body();
    StringBuilder out = new StringBuilder(template.length() + 32);
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf("${", i);
      int close = open < 0 ? -1 : template.indexOf('}', open + 2);
      if (open < 0 || close < 0) {
        out.append(template, i, template.length());
        break;
      }
      out.append(template, i, open);
      String value = placeholder(template.substring(open + 2, close), decision, reported, nowMillis);
      if (value == null) {
        out.append(template, open, close + 1);
      } else {
        appendJsonEscaped(out, value);
      }
      i = close + 1;
    }
    return out.toString();
  }

  /** Whole seconds until a retry can succeed: rounded up, at least 1. */
  public static long retryAfterSeconds(LimitStatus reported) {
    long wait = Math.max(reported.retryAfterMillis(), 0);
    return Math.max(1, ceilDiv(wait, 1000));
  }

  /** The IETF date of {@code epochSeconds}: {@code Sun, 04 Mar 2012 00:02:00 +0000}. */
  public static String resetTime(long epochSeconds) {
    return RESET_TIME.format(Instant.ofEpochSecond(epochSeconds));
  }

  /**
   * The last RateLimit-Policy value made, with the limits it describes. The value depends only on
   * which limits applied (the same {@link Limit} objects while the policy is loaded), so most
   * responses reuse it. One immutable pair, so racing threads at worst rebuild it.
   */
  private static volatile PolicyValue lastPolicy = new PolicyValue(new Limit[0], "");

  private static String policies(Decision decision) {
    Limit[] limits = decision.appliedLimits();
    PolicyValue last = lastPolicy;
    if (sameLimits(last.limits, limits)) {
      return last.value;
    }
    StringBuilder b = new StringBuilder();
    for (Limit l : limits) {
      if (l.mode() == Mode.SHADOW) {
        continue;
      }
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append('"').append(l.name()).append("\";q=").append(l.limit());
      if (l.algorithm() == Algorithm.CONCURRENCY) {
        b.append(";qu=\"concurrent-requests\"");
      } else {
        b.append(";w=").append(ceilDiv(l.window().toMillis(), 1000));
      }
    }
    String value = b.toString();
    lastPolicy = new PolicyValue(limits, value);
    return value;
  }

  private static boolean sameLimits(Limit[] a, Limit[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  private static final class PolicyValue {
    final Limit[] limits;
    final String value;

    PolicyValue(Limit[] limits, String value) {
      this.limits = limits;
      this.value = value;
    }
  }

  private static String placeholder(String name, Decision decision, LimitStatus reported, long nowMillis) {
    long reset = resetEpochSeconds(reported);
    switch (name) {
      case "limit":
        return Long.toString(reported.limit());
      case "remaining":
        return Long.toString(reported.remaining());
      case "reset":
        return Long.toString(reset);
      case "reset-time":
        return resetTime(reset);
      case "retry-after":
        return Long.toString(retryAfterSeconds(reported));
      case "retry-after-ms":
        return Long.toString(Math.max(1, reported.retryAfterMillis()));
      case "window":
        return reported.windowText() == null ? "" : reported.windowText();
      case "window-ms":
        return Long.toString(reported.windowMillis());
      case "policy":
        return reported.name();
      case "status":
        Integer status = decision.refusal().status();
        return status == null ? "" : status.toString();
      default:
        return null;
    }
  }

  /** When the limit resets, in whole epoch seconds (rounded up): what every reset field reports. */
  public static long resetEpochSeconds(LimitStatus status) {
    return ceilDiv(status.resetAtMillis(), 1000);
  }

  /** Appends {@code value} escaped for the inside of a JSON string (no quotes added). */
  public static void appendJsonEscaped(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
