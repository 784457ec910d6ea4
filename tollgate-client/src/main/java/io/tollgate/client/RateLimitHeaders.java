package io.tollgate.client;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a server's limit from a response, in every dialect seen in the wild, into one
 * {@link ServerLimit}:
 * <ul>
 *   <li>{@code Retry-After}: delta seconds or an HTTP date;
 *   <li>{@code X-RateLimit-Limit}, {@code -Remaining}, {@code -Reset}: the reset as epoch seconds,
 *       epoch milliseconds or delta seconds, told apart by size; {@code X-RateLimit-ResetTime} (a
 *       date); {@code X-Ratelimit-Retry-After} (epoch seconds);
 *   <li>{@code RateLimit-Limit}, {@code -Remaining}, {@code -Reset} (early IETF drafts, Kong): delta seconds;
 *   <li>the IETF structured fields (draft -08 and later): {@code RateLimit: "name";r=R;t=T;pk=:…:} and
 *       {@code RateLimit-Policy: "name";q=Q;w=W;qu="…";pk=:…:}; of several policies, the one with the
 *       fewest units remaining.
 * </ul>
 * A server's epoch times are moved onto this client's clock by the skew its {@code Date} header
 * shows, when that is 2 s or more (Date counts whole seconds). Where dialects overlap, the IETF
 * fields win, then the early drafts, then X-RateLimit; but a reset given both as a delta and as an
 * epoch time that agree is taken from the epoch time, which is finer.
 * A malformed value is ignored, never thrown: the rest of the response is still read.
 */
public final class RateLimitHeaders {

  /** Epoch seconds from here on are taken as instants, smaller values as delta seconds (2001-09-09). */
  private static final long EPOCH_SECONDS_FROM = 1_000_000_000L;
  /** Epoch milliseconds from here on (2001-09-09 in ms). */
  private static final long EPOCH_MILLIS_FROM = 1_000_000_000_000L;
  /**
   * A skew smaller than this is taken as none: Date counts whole seconds, so its truncation alone
   * reads as up to a second of skew, and correcting by it would make every wait up to a second long.
   */
  private static final long SKEW_IGNORED_BELOW_MILLIS = 2_000;

  private RateLimitHeaders() {}

  /** What {@code headers} say of the limit, read at {@code now} (this client's clock). */
  public static ServerLimit read(HttpHeaders headers, Instant now) {
    Instant serverNow = date(headers.firstValue("Date")).orElse(now);
    long skew = now.toEpochMilli() - serverNow.toEpochMilli();
    long skewMillis = Math.abs(skew) < SKEW_IGNORED_BELOW_MILLIS ? 0 : skew;

    OptionalLong limit = number(headers, "X-RateLimit-Limit");
    OptionalLong remaining = number(headers, "X-RateLimit-Remaining");
    Instant resetAt = number(headers, "X-RateLimit-Reset").stream().mapToObj(v -> reset(v, now, skewMillis))
        .findFirst().orElse(null);
    if (resetAt == null) {
      resetAt = date(headers.firstValue("X-RateLimit-ResetTime")).map(t -> t.plusMillis(skewMillis)).orElse(null);
    }
    Duration retryAfter = retryAfter(headers.firstValue("Retry-After"), now, skewMillis).orElse(null);
    if (retryAfter == null) {
      OptionalLong epoch = number(headers, "X-Ratelimit-Retry-After");
      if (epoch.isPresent() && epoch.getAsLong() >= EPOCH_SECONDS_FROM) {
        retryAfter = nonNegative(Duration.between(now, reset(epoch.getAsLong(), now, skewMillis)));
      }
    }

    OptionalLong draftLimit = number(headers, "RateLimit-Limit");
    OptionalLong draftRemaining = number(headers, "RateLimit-Remaining");
    OptionalLong draftReset = number(headers, "RateLimit-Reset");
    if (draftLimit.isPresent()) {
      limit = draftLimit;
    }
    if (draftRemaining.isPresent()) {
      remaining = draftRemaining;
    }
    if (draftReset.isPresent() && draftReset.getAsLong() >= 0) {
      resetAt = finer(resetAt, now, draftReset.getAsLong());
    }

    String policy = null;
    String partitionKey = null;
    Duration window = null;
    String quotaUnit = null;
    Item current = tightest(StructuredFields.list(joined(headers, "RateLimit")));
    if (current != null) {
      policy = current.name;
      OptionalLong r = current.integer("r");
      OptionalLong t = current.integer("t");
      if (r.isPresent()) {
        remaining = r;
      }
      if (t.isPresent() && t.getAsLong() >= 0) {
        resetAt = finer(resetAt, now, t.getAsLong());
      }
      partitionKey = current.byteSequence("pk");
    }
    for (Item p : StructuredFields.list(joined(headers, "RateLimit-Policy"))) {
      if (current != null && !p.name.equals(current.name)) {
        continue;
      }
      if (policy == null) {
        policy = p.name;
      }
      OptionalLong q = p.integer("q");
      if (q.isPresent()) {
        limit = q;
      }
      OptionalLong w = p.integer("w");
      if (w.isPresent() && w.getAsLong() > 0) {
        window = Duration.ofSeconds(w.getAsLong());
      }
      quotaUnit = p.string("qu");
      if (partitionKey == null) {
        partitionKey = p.byteSequence("pk");
      }
      break;
    }
    return new ServerLimit(limit, remaining, resetAt, retryAfter, policy, partitionKey, window, quotaUnit);
  }

  /**
   * The reset a delta of {@code seconds} says, unless an epoch reset already read says the same
   * more finely: a delta is rounded up to whole seconds (up to a second late), an epoch reset at a
   * window's whole-second end is exact. Consistent: the epoch reset lies within the second before
   * {@code now + seconds}.
   */
  private static Instant finer(Instant epochReset, Instant now, long seconds) {
    Instant delta = now.plusSeconds(seconds);
    if (epochReset != null && !epochReset.isAfter(delta) && epochReset.isAfter(delta.minusSeconds(1))) {
      return epochReset;
    }
    return delta;
  }

  /** The policy item with the fewest units remaining, or {@code null}. */
  private static Item tightest(List<Item> items) {
    Item best = null;
    for (Item i : items) {
      OptionalLong r = i.integer("r");
      if (best == null || (r.isPresent() && (best.integer("r").isEmpty() || r.getAsLong() < best.integer("r").getAsLong()))) {
        best = i;
      }
    }
    return best;
  }

  private static Instant reset(long value, Instant now, long skewMillis) {
    if (value >= EPOCH_MILLIS_FROM) {
      return Instant.ofEpochMilli(value).plusMillis(skewMillis);
    }
    if (value >= EPOCH_SECONDS_FROM) {
      return Instant.ofEpochSecond(value).plusMillis(skewMillis);
    }
    return now.plusSeconds(Math.max(0, value));
  }

  private static Optional<Duration> retryAfter(Optional<String> value, Instant now, long skewMillis) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.get().trim();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException e) {
      return date(value).map(t -> nonNegative(Duration.between(now, t.plusMillis(skewMillis))));
    }
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Optional<Instant> date(Optional<String> value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.get().trim();
    try {
      return Optional.of(ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(Instant.parse(v));
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }

  private static OptionalLong number(HttpHeaders headers, String name) {
    Optional<String> v = headers.firstValue(name);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    String s = v.get().trim();
    int comma = s.indexOf(','); // "100, 100;w=60" (some servers append policies): the first number
    if (comma > 0) {
      s = s.substring(0, comma).trim();
    }
    try {
      return OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static String joined(HttpHeaders headers, String name) {
    return String.join(",", headers.allValues(name));
  }

  /** One member of an IETF list: the policy's name and its parameters. */
  static final class Item {
    final String name;
    final Map<String, Object> params;

    Item(String name, Map<String, Object> params) {
      this.name = name;
      this.params = params;
    }

    OptionalLong integer(String key) {
      Object v = params.get(key);
      return v instanceof Long ? OptionalLong.of((Long) v) : OptionalLong.empty();
    }

    String string(String key) {
      Object v = params.get(key);
      return v instanceof String ? (String) v : null;
    }

    String byteSequence(String key) {
      Object v = params.get(key);
      return v instanceof ByteSequence ? ((ByteSequence) v).base64 : null;
    }
  }

  /** A structured-field byte sequence, kept as the base64 text it was sent as. */
  static final class ByteSequence {
    final String base64;

    ByteSequence(String base64) {
      this.base64 = base64;
    }
  }

  /**
   * The part of RFC 8941 (structured fields) the IETF rate-limit fields use: a list of items, each a
   * string or token with parameters whose values are integers, strings, tokens, byte sequences or
   * booleans. Anything else makes the whole field unreadable (an empty list), never an exception.
   */
  static final class StructuredFields {
    private final String s;
    private int i;

    private StructuredFields(String s) {
      this.s = s;
    }

    static List<Item> list(String field) {
      if (field == null || field.isBlank()) {
        return List.of();
      }
      try {
        return new StructuredFields(field).parseList();
      } catch (RuntimeException e) { // malformed: ignored, never thrown
        return List.of();
      }
    }

    private List<Item> parseList() {
      List<Item> out = new ArrayList<>();
      skipSpaces();
      while (i < s.length()) {
        Object name = bareItem();
        Map<String, Object> params = new LinkedHashMap<>();
        while (i < s.length() && s.charAt(i) == ';') {
          i++;
          skipSpaces();
          String key = key();
          Object value = Boolean.TRUE;
          if (i < s.length() && s.charAt(i) == '=') {
            i++;
            value = bareItem();
          }
          params.put(key, value);
        }
        if (name instanceof String) {
          out.add(new Item((String) name, params));
        }
        skipSpaces();
        if (i < s.length()) {
          expect(',');
          skipSpaces();
        }
      }
      return out;
    }

    private Object bareItem() {
      if (i >= s.length()) {
        throw new IllegalArgumentException("item expected");
      }
      char c = s.charAt(i);
      if (c == '"') {
        return string();
      }
      if (c == ':') {
        int end = s.indexOf(':', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated byte sequence");
        }
        String b64 = s.substring(i + 1, end);
        i = end + 1;
        return new ByteSequence(b64);
      }
      if (c == '?') {
        i += 2;
        return s.charAt(i - 1) == '1';
      }
      if (c == '-' || Character.isDigit(c)) {
        int start = i++;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
          i++;
        }
        String n = s.substring(start, i);
        if (n.contains(".")) {
          return Double.parseDouble(n);
        }
        return Long.parseLong(n);
      }
      if (Character.isLetter(c) || c == '*') {
        int start = i++;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "!#$%&'*+-.^_`|~:/".indexOf(s.charAt(i)) >= 0)) {
          i++;
        }
        return s.substring(start, i); // a token: names a policy as well as a string does
      }
      throw new IllegalArgumentException("unexpected '" + c + "'");
    }

    private String string() {
      StringBuilder b = new StringBuilder();
      i++;
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '\\') {
          if (i >= s.length()) {
            break;
          }
          b.append(s.charAt(i++));
        } else if (c == '"') {
          return b.toString();
        } else {
          b.append(c);
        }
      }
      throw new IllegalArgumentException("unterminated string");
    }

    private String key() {
      int start = i;
      while (i < s.length() && (Character.isLowerCase(s.charAt(i)) || Character.isDigit(s.charAt(i))
          || "_-.*".indexOf(s.charAt(i)) >= 0)) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("parameter key expected");
      }
      return s.substring(start, i);
    }

    private void expect(char c) {
      if (i >= s.length() || s.charAt(i) != c) {
        throw new IllegalArgumentException("'" + c + "' expected");
      }
      i++;
    }

    private void skipSpaces() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }
  }
}
