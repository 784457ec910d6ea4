package io.tollgate.gateway;

import io.tollgate.core.ResponseFields;

/** The little JSON the gateway writes itself. */
final class Json {

  private Json() {}

  /** The body of a 400 the gateway makes: {@code {"error":"bad request","reason":…,"status":400}}. */
  static String badRequest(String reason) {
    return badRequest(reason, 400);
  }

  /** {@link #badRequest(String)} answered with {@code status} (the check endpoint's 401 or 403 for nginx). */
  static String badRequest(String reason, int status) {
    StringBuilder b = new StringBuilder("{\"error\":\"bad request\",\"reason\":");
    string(b, reason);
    return b.append(",\"status\":").append(status).append('}').toString();
  }

  /** Appends {@code s} as a JSON string, quoted and escaped. */
  static void string(StringBuilder out, String s) {
    out.append('"');
    ResponseFields.appendJsonEscaped(out, s);
    out.append('"');
  }
}
