package io.tollgate.gateway;

import java.util.Locale;

/** The little JSON the gateway writes itself. */
final class Json {

  private Json() {}

  /** Appends {@code s} as a JSON string, quoted and escaped. */
  static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
