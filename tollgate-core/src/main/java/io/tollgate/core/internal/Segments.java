package io.tollgate.core.internal;

/**
 * A request path cut into its segments without copying: the boundaries of each segment within the
 * path string. Empty segments ({@code //}) and a trailing slash are skipped. The path is cut only
 * when a pattern needs its segments: most route patterns are a literal prefix and match on the
 * string itself ({@link #clean}). The path is passed to each call rather than kept: this object
 * lives as long as its thread, and storing each request's new path in it would cost a GC write
 * barrier per decision. One instance is reused per thread; not thread-safe.
 */
public final class Segments {

  private int[] starts = new int[16];
  private int[] ends = new int[16];
  private int count;
  private boolean split;
  private byte clean; // 0 unknown, 1 clean, 2 not

  /** Forgets the previous path; the next call cuts or checks the new one. */
  public Segments reset() {
    split = false;
    clean = 0;
    return this;
  }

  /**
   * Whether {@code path} starts with '/' and has no empty segment, so that a literal prefix can be
   * matched on the string as it is.
   */
  public boolean clean(String path) {
    if (clean == 0) {
      clean = !path.isEmpty() && path.charAt(0) == '/' && path.indexOf("//") < 0 ? (byte) 1 : (byte) 2;
    }
    return clean == 1;
  }

  private void split(String path) {
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

  /** The number of segments of {@code path}, the path given since the last {@link #reset()}. */
  public int count(String path) {
    if (!split) {
      split(path);
    }
    return count;
  }

  /** Start of segment {@code segment}; {@link #count} has been called. */
  public int start(int segment) {
    return starts[segment];
  }

  /** End of segment {@code segment}; {@link #count} has been called. */
  public int end(int segment) {
    return ends[segment];
  }

  /** Whether segment {@code i} of {@code path} is exactly {@code text}; {@link #count} has been called. */
  public boolean segmentEquals(String path, int i, String text) {
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
}
