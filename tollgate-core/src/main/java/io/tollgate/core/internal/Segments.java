package io.tollgate.core.internal;

/**
 * A request path cut into its segments without copying: the boundaries of each segment within the
 * path string. Empty segments ({@code //}) and a trailing slash are skipped. One instance is reused
 * per thread; not thread-safe.
 */
public final class Segments {

  private String path = "";
  private int[] starts = new int[16];
  private int[] ends = new int[16];
  private int count;

  /** Cuts {@code path} (no query string) into segments, replacing what this held. */
  public Segments reset(String path) {
    this.path = path;
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
    return this;
  }

  public int count() {
    return count;
  }

  public String path() {
    return path;
  }

  public int start(int segment) {
    return starts[segment];
  }

  public int end(int segment) {
    return ends[segment];
  }

  /** Whether segment {@code i} is exactly {@code text}. */
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
    return path.substring(starts[i], ends[i]);
  }
}
