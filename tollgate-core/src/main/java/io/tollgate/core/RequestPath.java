package io.tollgate.core;

/**
 * How a request's path is read before anything matches it, in every front door (the gateway, its
 * status endpoint, the admin's explain and reset): the spelling a client chose must not decide
 * which limits apply, because the upstream (nginx, Tomcat, Spring) serves {@code /api/./private},
 * {@code /api//private} and {@code /api/%70rivate} as {@code /api/private}.
 *
 * <p>{@link #normalize} makes the path the upstream receives: percent-encoded unreserved characters
 * decoded (other escapes kept, their hex digits upper-cased), repeated slashes merged, dot segments
 * removed (RFC 3986 5.2.4); a {@code ..} that would climb above the root is refused, and an encoded
 * slash or backslash is refused, kept or decoded as {@link EncodedSlash} says. {@link #forMatching}
 * then drops each segment's {@code ;parameters}, which Tomcat and Jetty ignore when they map a path
 * ({@code /api;x=1/private} is their {@code /api/private}): routes, limits and the {@code path} key
 * part see that form. {@link #of} gives both forms from one pass over a path that needs no change
 * (nearly every request's), which is what a front door calls. A path that needs no change is
 * returned as it is. Immutable and thread-safe.
 */
public final class RequestPath {

  /** What an encoded slash or backslash ({@code %2F}, {@code %5C}) in a path does. */
  public enum EncodedSlash {
    /** Refused with 400 (the default): servers disagree on whether it separates segments. */
    REJECT,
    /** Forwarded untouched and matched as part of its segment. */
    KEEP,
    /** Turned into a separator before matching and forwarding. */
    DECODE
  }

  /** A path that cannot be served as written (answered with 400); the message says why. */
  public static final class InvalidPathException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidPathException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // hostile input is routine: no stack trace to build per refusal
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final String normalized;
  private final String forMatching;

  private RequestPath(String normalized, String forMatching) {
    this.normalized = normalized;
    this.forMatching = forMatching;
  }

  /**
   * {@code path} read as every front door reads it: {@link #normalize} and {@link #forMatching}.
   *
   * @param path the request's path, without its query string
   * @throws InvalidPathException as {@link #normalize} does
   */
  public static RequestPath of(String path, EncodedSlash encodedSlash) {
    int plain = plain(path);
    if (plain == PLAIN) {
      return new RequestPath(path, path);
    }
    String normalized = plain == WITH_PARAMETERS ? path : normalize(path, encodedSlash);
    return new RequestPath(normalized, forMatching(normalized));
  }

  /** The path the upstream receives: {@link #normalize}d; the very string given when nothing changed. */
  public String normalized() {
    return normalized;
  }

  /** The path routes and limits match: {@link #forMatching} of {@link #normalized()}. */
  public String forMatching() {
    return forMatching;
  }

  /**
   * The path as the upstream should receive it.
   *
   * @param path the request's path, without its query string
   * @throws InvalidPathException when it is not absolute, has a malformed escape, climbs above the
   *     root, has a dot segment with parameters ({@code ..;x}), or an encoded slash that
   *     {@code encodedSlash} refuses
   */
  public static String normalize(String path, EncodedSlash encodedSlash) {
    if (plain(path) != REWRITE) {
      return path;
    }
    if (path.isEmpty() || path.charAt(0) != '/') {
      throw new InvalidPathException("the path must start with '/'");
    }
    String normalized = removeDotSegments(decode(path, encodedSlash));
    return normalized.equals(path) ? path : normalized;
  }

  /** {@code normalized} without each segment's {@code ;parameters}: the form routes and limits match. */
  public static String forMatching(String normalized) {
    int semi = normalized.indexOf(';');
    if (semi < 0) {
      return normalized;
    }
    StringBuilder b = new StringBuilder(normalized.length());
    int i = 0;
    while (semi >= 0) {
      b.append(normalized, i, semi);
      int slash = normalized.indexOf('/', semi);
      i = slash < 0 ? normalized.length() : slash;
      semi = normalized.indexOf(';', i);
    }
    return b.append(normalized, i, normalized.length()).toString();
  }

  private static final int PLAIN = 0;
  private static final int WITH_PARAMETERS = 1;
  private static final int REWRITE = 2;
  /** The characters below 64 the pass stops at: '%', '.', '/' and ';'. */
  private static final long STOPS = 1L << '%' | 1L << '.' | 1L << '/' | 1L << ';';

  /**
   * {@code PLAIN} when {@code path} is its own normal and matching form (absolute, no escape,
   * backslash, empty segment, segment starting with '.' or ';parameters'), {@code WITH_PARAMETERS}
   * when only parameters keep it from being so, {@code REWRITE} when {@link #normalize} has to
   * rebuild it. Nearly every request's path is plain, so this is one pass with a shift and a test
   * for most characters, and it looks at the previous character only at a '/' or a '.'.
   */
  private static int plain(String path) {
    int n = path.length();
    if (n == 0 || path.charAt(0) != '/') {
      return REWRITE;
    }
    int found = PLAIN;
    for (int i = 1; i < n; i++) {
      char c = path.charAt(i);
      if (c <= ';' && (STOPS >>> c & 1) != 0 || c == '\\') {
        if (c == ';') {
          found = WITH_PARAMETERS;
        } else if (c == '%' || c == '\\' || path.charAt(i - 1) == '/') {
          return REWRITE;
        }
      }
    }
    return found;
  }

  /** Decodes unreserved escapes, upper-cases the others' hex digits, applies {@code encodedSlash}. */
  private static String decode(String path, EncodedSlash encodedSlash) {
    int n = path.length();
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        slash(b, "\\", encodedSlash);
        continue;
      }
      if (c != '%') {
        b.append(c);
        continue;
      }
      int hi = i + 2 < n ? Character.digit(path.charAt(i + 1), 16) : -1;
      int lo = hi < 0 ? -1 : Character.digit(path.charAt(i + 2), 16);
      if (lo < 0) {
        throw new InvalidPathException("malformed percent-encoding at character " + (i + 1) + " of the path");
      }
      int v = hi << 4 | lo;
      if (v == '/' || v == '\\') {
        slash(b, v == '/' ? "%2F" : "%5C", encodedSlash);
      } else if (unreserved(v)) {
        b.append((char) v);
      } else {
        b.append('%').append(HEX[hi]).append(HEX[lo]);
      }
      i += 2;
    }
    return b.toString();
  }

  private static void slash(StringBuilder b, String kept, EncodedSlash encodedSlash) {
    switch (encodedSlash) {
      case KEEP:
        b.append(kept);
        break;
      case DECODE:
        b.append('/');
        break;
      default:
        throw new InvalidPathException("an encoded slash or backslash (%2F, %5C) in the path is refused "
            + "(paths: {encoded-slash: reject})");
    }
  }

  private static boolean unreserved(int c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
        || c == '~';
  }

  /** RFC 3986 5.2.4 on an absolute path, with empty segments merged; a trailing slash is kept. */
  private static String removeDotSegments(String path) {
    int n = path.length();
    StringBuilder out = new StringBuilder(n);
    java.util.ArrayDeque<Integer> kept = new java.util.ArrayDeque<>(); // where each kept segment starts in out
    boolean trailingSlash = false;
    int i = 1;
    while (i < n) {
      int slash = path.indexOf('/', i);
      int end = slash < 0 ? n : slash;
      int kind = end > i ? dots(path, i, end) : 1; // an empty segment ("//") goes as "." does
      if (kind == 2) {
        if (kept.isEmpty()) {
          throw new InvalidPathException("the path climbs above the root ('..')");
        }
        out.setLength(kept.pop());
      } else if (kind == 0) {
        kept.push(out.length());
        out.append('/').append(path, i, end);
      }
      trailingSlash = kind != 0 || slash >= 0;
      i = end + 1;
    }
    if (out.length() == 0 || trailingSlash) {
      out.append('/');
    }
    return out.toString();
  }

  /** 1 for {@code .}, 2 for {@code ..}, 0 for any other segment; a dot segment with parameters is refused. */
  private static int dots(String path, int start, int end) {
    int semi = path.indexOf(';', start);
    int nameEnd = semi < 0 || semi > end ? end : semi;
    int len = nameEnd - start;
    boolean dot = len == 1 && path.charAt(start) == '.';
    boolean dotDot = len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.';
    if ((dot || dotDot) && nameEnd < end) {
      throw new InvalidPathException("a dot segment with parameters ('" + path.substring(start, end) + "')");
    }
    return dot ? 1 : dotDot ? 2 : 0;
  }
}
