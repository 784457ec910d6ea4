package io.tollgate.gateway;

import io.tollgate.core.ResponseFields;

/** The little JSON the gateway writes itself. */
final class Json {

  private Json() {}

  /** Appends {@code s} as a JSON string, quoted and escaped. */
  static void string(StringBuilder out, String s) {
    out.append('"');
    ResponseFields.appendJsonEscaped(out, s);
    out.append('"');
  }
}
