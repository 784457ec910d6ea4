package io.tollgate.gateway;

import io.tollgate.core.ResponseFields;

/** The little JSON the gateway writes itself. */
final class Json {

  private Json() {}

  /** The body of a 400 the gateway makes: {@code {"error":"bad request","reason":…,"status":400}}. */
  static String badRequest(String reason) {
    return io.tollgate.core.HttpAnswer.badRequestBody(reason, 400);
  }

  /** Appends {@code s} as a JSON string, quoted and escaped. */
  static void string(StringBuilder out, String s) {
    out.append('"');
    ResponseFields.appendJsonEscaped(out, s);
    out.append('"');
  }
}
