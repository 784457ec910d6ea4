package io.tollgate.core.internal;

import java.util.List;

/** A set of HTTP statuses written as {@code 304} or {@code 5xx}, as a bit set. Immutable. */
public final class StatusClasses {

  private static final StatusClasses NONE = new StatusClasses(new long[10]);

  private final long[] bits; // statuses 0..639

  private StatusClasses(long[] bits) {
    this.bits = bits;
  }

  public static StatusClasses none() {
    return NONE;
  }

  /**
   * Parses statuses such as {@code 304} and classes such as {@code 5xx}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static StatusClasses parse(List<String> entries) {
    long[] bits = new long[10];
    for (String e : entries) {
      String s = e.trim().toLowerCase(java.util.Locale.ROOT);
      if (s.length() == 3 && s.endsWith("xx") && s.charAt(0) >= '1' && s.charAt(0) <= '5') {
        int base = (s.charAt(0) - '0') * 100;
        for (int st = base; st < base + 100; st++) {
          bits[st >> 6] |= 1L << st;
        }
      } else if (s.length() == 3 && s.chars().allMatch(Character::isDigit) && s.charAt(0) >= '1' && s.charAt(0) <= '5') {
        int st = Integer.parseInt(s);
        bits[st >> 6] |= 1L << st;
      } else {
        throw new IllegalArgumentException("bad status '" + e + "' (write a status such as 304, or a class such as 5xx)");
      }
    }
    return new StatusClasses(bits);
  }

  public boolean contains(int status) {
    return status >= 0 && status < 640 && (bits[status >> 6] & (1L << status)) != 0;
  }

  public boolean isEmpty() {
    for (long b : bits) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
