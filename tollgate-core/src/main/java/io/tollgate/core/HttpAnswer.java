package io.tollgate.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an HTTP front door answers for a request it does not let through, in one place for all of
 * them (the gateway, the check endpoint, the servlet filter): a refusal with the refusal block's
 * status, headers and body, a denied caller's 403, a request that cannot be read, and the status
 * endpoint's view. Each door only writes it out its own way. Immutable.
 *
 * @param status the HTTP status
 * @param contentType the body's media type
 * @param headers the header fields, in order (name, value)
 * @param body the body, UTF-8
 */
public record HttpAnswer(int status, String contentType, List<Map.Entry<String, String>> headers, String body) {

  private static final String JSON = "application/json; charset=utf-8";
  private static final String FORBIDDEN = "{\"error\":\"forbidden\",\"status\":403}";

  public HttpAnswer {
    headers = List.copyOf(headers);
  }

  /**
   * A refused or banned request: the refusal's status (or {@code status} when not 0), its content
   * type, the rate-limit header sets and the body, with times counted from {@code nowMillis}.
   */
  public static HttpAnswer refused(Decision d, long nowMillis, int status) {
    Refusal r = d.refusal();
    List<Map.Entry<String, String>> headers = new ArrayList<>(6);
    ResponseFields.headers(d, nowMillis, (name, value) -> headers.add(Map.entry(name, value)));
    return new HttpAnswer(status == 0 ? r.status() : status, r.contentType() == null ? JSON : r.contentType(), headers,
        ResponseFields.body(d, nowMillis));
  }

  /** A caller on the deny list: 403, or {@code status} when given (not 0). */
  public static HttpAnswer denied(int status) {
    return new HttpAnswer(status == 0 ? 403 : status, JSON, List.of(), FORBIDDEN);
  }

  /**
   * A request that will not be read: {@code {"error":"bad request","reason":…,"status":…}} with
   * {@code status} (400, or the 401/403 nginx's auth_request needs).
   */
  public static HttpAnswer badRequest(String reason, int status) {
    return new HttpAnswer(status, JSON, List.of(), badRequestBody(reason, status));
  }

  /** The body of {@link #badRequest}. */
  public static String badRequestBody(String reason, int status) {
    StringBuilder b = new StringBuilder("{\"error\":\"bad request\",\"reason\":");
    jsonString(b, reason);
    return b.append(",\"status\":").append(status).append('}').toString();
  }

  /**
   * The status endpoint's answer to {@code request}: the caller's own counters, one entry per limit
   * and route ({@code limiter.status}), in JSON, or XML for {@code ?format=xml} or an
   * {@code Accept: application/xml}. Counts nothing.
   */
  public static HttpAnswer statusView(RateLimiter limiter, RequestInfo request) {
    String accept = request.header("accept");
    boolean xml = "xml".equals(request.queryParam("format")) || accept != null && accept.contains("application/xml");
    List<LimitStatus> entries = limiter.status(request);
    return xml ? new HttpAnswer(200, "application/xml; charset=utf-8", List.of(), statusXml(entries))
        : new HttpAnswer(200, JSON, List.of(), statusJson(entries));
  }

  static String statusJson(List<LimitStatus> entries) {
    StringBuilder b = new StringBuilder("{\"ratelimits\":[");
    for (int i = 0; i < entries.size(); i++) {
      LimitStatus s = entries.get(i);
      long reset = ResponseFields.resetEpochSeconds(s);
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"name\":");
      jsonString(b, s.name());
      b.append(",\"pattern\":");
      jsonString(b, s.pattern());
      b.append(",\"limit\":").append(s.limit()).append(",\"remaining\":").append(s.remaining())
          .append(",\"reset\":").append(reset).append(",\"reset_time\":");
      jsonString(b, ResponseFields.resetTime(reset));
      b.append(",\"window\":");
      jsonString(b, s.windowText() == null ? "" : s.windowText());
      b.append('}');
    }
    return b.append("]}").toString();
  }

  static String statusXml(List<LimitStatus> entries) {
    StringBuilder b = new StringBuilder("<ratelimits version=\"0.1\" total=\"").append(entries.size()).append("\">");
    for (LimitStatus s : entries) {
      long reset = ResponseFields.resetEpochSeconds(s);
      b.append("<ratelimit name=\"").append(attr(s.name())).append("\" pattern=\"").append(attr(s.pattern()))
          .append("\" limit=\"").append(s.limit()).append("\" remaining=\"").append(s.remaining())
          .append("\" reset=\"").append(reset).append("\" reset_time=\"").append(ResponseFields.resetTime(reset))
          .append("\"/>");
    }
    return b.append("</ratelimits>").toString();
  }

  private static String attr(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** Appends {@code s} as a JSON string, quoted and escaped. */
  public static void jsonString(StringBuilder out, String s) {
    out.append('"');
    ResponseFields.appendJsonEscaped(out, s);
    out.append('"');
  }
}
