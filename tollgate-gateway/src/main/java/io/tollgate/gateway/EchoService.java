package io.tollgate.gateway;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AsciiString;
import java.util.Map;

/**
 * The built-in upstream {@code echo}: answers 200 with a JSON description of the request it got
 * (method, path, query, headers), so a policy can be tried with no API behind it.
 */
final class EchoService implements HttpService {

  /** The echo reads whole bodies to count them: larger ones get 413, not the heap. */
  private static final long MAX_BODY = 16L * 1024 * 1024;

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    ctx.setMaxRequestLength(MAX_BODY);
    return HttpResponse.of(req.aggregate().thenApply(EchoService::describe));
  }

  private static HttpResponse describe(AggregatedHttpRequest req) {
    StringBuilder json = new StringBuilder(256);
    String full = req.path();
    int q = full.indexOf('?');
    json.append("{\"method\":");
    Json.string(json, req.method().name());
    json.append(",\"path\":");
    Json.string(json, q < 0 ? full : full.substring(0, q));
    json.append(",\"query\":");
    Json.string(json, q < 0 ? "" : full.substring(q + 1));
    json.append(",\"headers\":{");
    boolean first = true;
    for (Map.Entry<AsciiString, String> h : req.headers()) {
      if (h.getKey().charAt(0) == ':') {
        continue;
      }
      if (!first) {
        json.append(',');
      }
      first = false;
      Json.string(json, h.getKey().toString());
      json.append(':');
      Json.string(json, h.getValue());
    }
    json.append("},\"bodyBytes\":").append(req.content().length()).append("}\n");
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, json.toString());
  }
}
