package io.tollgate.config.internal;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} replaced from the environment before the text is
 * parsed, for names of upper-case letters, digits and underscores: lower-case placeholders such as
 * {@code ${limit}} belong to refusal body templates and are left alone. An unset name without a
 * default is an error at its position.
 */
public final class EnvSubstitution {

  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(:-([^}]*))?}");

  private EnvSubstitution() {}

  public static String substitute(String text, Map<String, String> env, Nodes errors) {
    String[] lines = text.split("\n", -1);
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < lines.length; i++) {
      Matcher m = ENV.matcher(lines[i]);
      StringBuilder line = new StringBuilder();
      while (m.find()) {
        String value = env.get(m.group(1));
        if (value == null) {
          value = m.group(3);
        }
        if (value == null) {
          errors.error(i + 1, m.start() + 1, "environment variable '" + m.group(1)
              + "' is not set (set it, or write ${" + m.group(1) + ":-default})");
          value = "";
        }
        m.appendReplacement(line, Matcher.quoteReplacement(value));
      }
      m.appendTail(line);
      out.append(line);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }
}
