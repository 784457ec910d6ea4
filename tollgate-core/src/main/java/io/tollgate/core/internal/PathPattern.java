package io.tollgate.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A compiled route or path pattern, {@code [METHOD[,METHOD...] ]PATH}. The path is matched segment by
 * segment: {@code *} is one segment, {@code **} any number (zero included), {@code {name}} one segment
 * captured as {@code name}. Trailing slashes do not matter; the path is case-sensitive, the method not.
 *
 * <p>Matching works on a request path and its segments ({@link Segments}, cut once) and allocates
 * nothing. Immutable and thread-safe.
 */
public final class PathPattern {

  private static final byte LITERAL = 0;
  private static final byte ONE = 1;
  private static final byte ANY = 2;
  private static final byte CAPTURE = 3;

  private final String text;
  private final Set<String> methods;
  private final boolean anyMethod;
  private final byte[] types;
  private final String[] values;
  private final List<String> captureNames;
  /** For patterns of literal segments, optionally ending in {@code **}: "/a/b", matched on the string. */
  private final String prefix;
  private final boolean trailingAny;

  private PathPattern(String text, Set<String> methods, byte[] types, String[] values, List<String> captureNames) {
    this.text = text;
    this.methods = methods;
    this.anyMethod = methods.isEmpty();
    this.types = types;
    this.values = values;
    this.captureNames = captureNames;
    int literals = 0;
    while (literals < types.length && types[literals] == LITERAL) {
      literals++;
    }
    boolean prefixShape = literals == types.length || (literals == types.length - 1 && types[literals] == ANY);
    this.trailingAny = prefixShape && literals < types.length;
    this.prefix = prefixShape ? prefixOf(values, literals) : null;
  }

  private static String prefixOf(String[] values, int literals) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < literals; i++) {
      b.append('/').append(values[i]);
    }
    return b.toString();
  }

  /**
   * Compiles {@code text}.
   *
   * @throws IllegalArgumentException saying what is wrong with the pattern
   */
  public static PathPattern parse(String text) {
    String s = text.trim();
    Set<String> methods = Set.of();
    int space = s.indexOf(' ');
    if (space >= 0) {
      methods = Methods.parseList(s.substring(0, space).split(","), text);
      s = s.substring(space + 1).trim();
    }
    if (s.isEmpty() || (s.charAt(0) != '/' && s.charAt(0) != '*')) {
      throw new IllegalArgumentException("pattern '" + text + "' must have a path starting with '/' (e.g. /v1/items/**)");
    }
    List<Byte> types = new ArrayList<>();
    List<String> values = new ArrayList<>();
    List<String> captures = new ArrayList<>();
    for (String seg : s.split("/")) {
      if (seg.isEmpty()) {
        continue;
      }
      if (seg.equals("**")) {
        types.add(ANY);
        values.add(null);
      } else if (seg.equals("*")) {
        types.add(ONE);
        values.add(null);
      } else if (seg.startsWith("{") && seg.endsWith("}")) {
        String name = seg.substring(1, seg.length() - 1);
        if (name.isEmpty() || name.indexOf('{') >= 0 || name.indexOf('}') >= 0) {
          throw new IllegalArgumentException("pattern '" + text + "': bad parameter '" + seg + "' (write {name})");
        }
        if (captures.contains(name)) {
          throw new IllegalArgumentException("pattern '" + text + "': parameter '" + name + "' appears twice");
        }
        types.add(CAPTURE);
        values.add(name);
        captures.add(name);
      } else if (seg.indexOf('{') >= 0 || seg.indexOf('}') >= 0 || seg.indexOf('*') >= 0) {
        throw new IllegalArgumentException("pattern '" + text + "': segment '" + seg
            + "' mixes text with a wildcard (a segment is literal text, *, ** or {name})");
      } else {
        types.add(LITERAL);
        values.add(seg);
      }
    }
    byte[] t = new byte[types.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = types.get(i);
    }
    return new PathPattern(text, methods, t, values.toArray(new String[0]), List.copyOf(captures));
  }

  /** The methods this pattern is limited to (upper case); empty for any method. */
  public Set<String> methods() {
    return methods;
  }

  /** The names of the {@code {name}} parameters, in order. */
  public List<String> captureNames() {
    return captureNames;
  }

  /** Whether the method is allowed by this pattern. */
  public boolean matchesMethod(String method) {
    return anyMethod || Methods.contains(methods, method);
  }

  /**
   * Whether the request matches; on a match, the segment index of capture {@code k} is written to
   * {@code captures[k]}.
   */
  public boolean matches(String method, String path, Segments segments, int[] captures) {
    if (!matchesMethod(method)) {
      return false;
    }
    if (prefix != null && segments.clean(path)) {
      return matchesPrefix(path);
    }
    return match(0, path, segments, 0, captures);
  }

  /** Segment by segment, never by prefix: what {@link #matches} must always agree with. */
  boolean matchesBySegments(String method, String path, Segments segments, int[] captures) {
    return matchesMethod(method) && match(0, path, segments, 0, captures);
  }

  /** The same answer as {@link #match} for a prefix-shaped pattern and a clean path, without cutting it. */
  private boolean matchesPrefix(String path) {
    int n = prefix.length();
    if (!path.startsWith(prefix)) {
      return false;
    }
    if (path.length() == n) {
      return true;
    }
    if (path.charAt(n) != '/') {
      return false;
    }
    return trailingAny || path.length() == n + 1;
  }

  private boolean match(int p, String path, Segments segs, int s, int[] captures) {
    int count = segs.count(path);
    while (p < types.length) {
      switch (types[p]) {
        case ANY:
          if (p == types.length - 1) {
            return true;
          }
          for (int k = s; k <= count; k++) {
            if (match(p + 1, path, segs, k, captures)) {
              return true;
            }
          }
          return false;
        case LITERAL:
          if (s >= count || !segs.segmentEquals(path, s, values[p])) {
            return false;
          }
          break;
        case CAPTURE:
          if (s >= count) {
            return false;
          }
          captures[captureNames.indexOf(values[p])] = s;
          break;
        default: // ONE
          if (s >= count) {
            return false;
          }
      }
      p++;
      s++;
    }
    return s == count;
  }

  @Override
  public String toString() {
    return text;
  }

  /** HTTP method names and the words {@code reads} and {@code writes}. */
  public static final class Methods {
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private Methods() {}

    /** Expands {@code reads}/{@code writes}, upper-cases the rest. */
    public static Set<String> parseList(String[] words, String context) {
      Set<String> out = new TreeSet<>();
      for (String w : words) {
        String m = w.trim();
        if (m.equalsIgnoreCase("reads")) {
          out.addAll(READS);
        } else if (m.equalsIgnoreCase("writes")) {
          out.addAll(WRITES);
        } else if (m.isEmpty() || !m.chars().allMatch(c -> Character.isLetter(c) || c == '-' || c == '_')) {
          throw new IllegalArgumentException("bad method '" + m + "' in '" + context + "'");
        } else {
          out.add(m.toUpperCase(Locale.ROOT));
        }
      }
      return Set.copyOf(out);
    }

    /** Whether {@code method} (any case) is in {@code upperCaseMethods}. */
    public static boolean contains(Set<String> upperCaseMethods, String method) {
      if (upperCaseMethods.contains(method)) {
        return true;
      }
      for (String m : upperCaseMethods) {
        if (m.equalsIgnoreCase(method)) {
          return true;
        }
      }
      return false;
    }
  }
}
