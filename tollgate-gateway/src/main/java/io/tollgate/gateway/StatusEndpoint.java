package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.ResponseFields;
import java.util.List;

/**
 * {@code GET <status-endpoint>}: the caller's own counters, one entry per limit and route, in JSON,
 * or XML for {@code Accept: application/xml} or {@code ?format=xml}. Counts nothing, refuses nothing.
 */
final class StatusEndpoint {

  private final String path;
  private final RateLimiter limiter;

  StatusEndpoint(String path, RateLimiter limiter) {
    this.path = path;
    this.limiter = limiter;
  }

  String path() {
    return path;
  }

  HttpResponse serve(ArmeriaRequestInfo info, RequestHeaders headers) {
    List<LimitStatus> entries = limiter.status(info);
    String accept = headers.get(HttpHeaderNames.ACCEPT);
    boolean xml = "xml".equals(info.queryParam("format")) || accept != null && accept.contains("application/xml");
    return xml
        ? HttpResponse.of(HttpStatus.OK, MediaType.XML_UTF_8, xml(entries))
        : HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, json(entries));
  }

  static String json(List<LimitStatus> entries) {
    StringBuilder b = new StringBuilder("{\"ratelimits\":[");
    for (int i = 0; i < entries.size(); i++) {
      LimitStatus s = entries.get(i);
      long reset = ResponseFields.resetEpochSeconds(s);
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"name\":");
      Json.string(b, s.name());
      b.append(",\"pattern\":");
      Json.string(b, s.pattern());
      b.append(",\"limit\":").append(s.limit()).append(",\"remaining\":").append(s.remaining())
          .append(",\"reset\":").append(reset).append(",\"reset_time\":");
      Json.string(b, ResponseFields.resetTime(reset));
      b.append(",\"window\":");
      Json.string(b, s.windowText() == null ? "" : s.windowText());
      b.append('}');
    }
    return b.append("]}").toString();
  }

  static String xml(List<LimitStatus> entries) {
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
}
