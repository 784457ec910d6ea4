package io.tollgate.core.internal;

/**
 * A request path cut into its segments without copying: the boundaries of each segment within the
 * path string. Empty segments ({@code //}) and a trailing slash are skipped. The path is cut only
 * when a pattern needs its segments: most route patterns are a literal prefix and match on the
 * string itself ({@link #clean()}). One instance is reused per thread; not thread-safe.
 */
public final class Segments {

  private String path = "";
  private int[] starts = new int[16];
  private int[] ends = new int[16];
  private int count;
  private boolean split;
  private byte clean; // 0 unknown, 1 clean, 2 not

  /** Takes {@code path} (no query string), replacing what this held; cut later, when needed. */
  public Segments reset(String path) {
    if (this.path != path) {
      this.path = path;
    }
    split = false;
    clean = 0;
    return this;
  }

  /**
   * Whether the path starts with '/' and has no empty segment, so that a literal prefix can be
   * matched on the string as it is.
   */
  public boolean clean() {
    if (clean == 0) {
      clean = !path.isEmpty() && path.charAt(0) == '/' && path.indexOf("//") < 0 ? (byte) 1 : (byte) 2;
    }
    return clean == 1;
  }

  private void split() {
    split = true;
    count = 0;
    int n = path.length();
    int start = 0;
    while (start < n) {
      int slash = path.indexOf('/', start); // an intrinsic: faster than a loop over charAt
      int end = slash < 0 ? n : slash;
      if (end > start) {
        if (count == starts.length) {
          starts = java.util.Arrays.copyOf(starts, count * 2);
          ends = java.util.Arrays.copyOf(ends, count * 2);
        }
        starts[count] = start;
        ends[count] = end;
        count++;
      }
      start = end + 1;
    }
  }

  public int count() {
    if (!split) {
      split();
    }
    return count;
  }

  public String path() {
    return path;
  }

  /** Start of segment {@code segment}; {@link #count()} has been called. */
  public int start(int segment) {
    return starts[segment];
  }

  /** End of segment {@code segment}; {@link #count()} has been called. */
  public int end(int segment) {
    return ends[segment];
  }

  /** Whether segment {@code i} is exactly {@code text}; {@link #count()} has been called. */
  public boolean segmentEquals(int i, String text) {
    int off = starts[i];
    int len = ends[i] - off;
    if (len != text.length()) {
      return false;
    }
    for (int k = 0; k < len; k++) { // short literals: a plain loop beats regionMatches' set-up
      if (path.charAt(off + k) != text.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Segment {@code i} as a new string. */
  public String segment(int i) {
    count();
    return path.substring(starts[i], ends[i]);
  }
}
