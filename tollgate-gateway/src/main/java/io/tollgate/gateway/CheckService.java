package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.tollgate.core.Clock;
import io.tollgate.core.Decision;
import io.tollgate.core.RequestPath;
import io.tollgate.core.ResponseFields;

/**
 * The HTTP check: any request on its port asks whether the ORIGINAL request may pass, for nginx's
 * auth_request, Traefik's ForwardAuth and Envoy's ext_authz (HTTP). The original's method and URI
 * are read from the first of {@code X-Forwarded-Method}/{@code X-Forwarded-Uri} (Traefik, whose
 * {@code X-Forwarded-Host} is the original's Host),
 * {@code X-Original-Method}/{@code X-Original-URI} (nginx configs), or the check request's own (Envoy
 * forwards them); every other header is the original's. Then the gateway's steps: the caller's
 * address, the path normalised, deny, ban, allow, routes, limits, all-or-nothing.
 *
 * <p>Allowed: 200, empty body, the rate-limit header sets. Refused or banned: {@code denyStatus}
 * with the refusal's headers and body; with the default 429 the refusal's own status (509, say)
 * and a ban's are kept. Denied: 403 (or {@code denyStatus} when it is not 429). A request that
 * cannot be read (a bad path, an identity sent twice): 400, or {@code denyStatus} when that is 401 or
 * 403, since nginx makes a 500 of any other status. Nothing is settled: the check never sees the
 * upstream's answer (the server refuses a policy with a concurrency limit beside a check).
 */
final class CheckService implements HttpService {

  private final Deciding deciding;
  private final Clock clock;
  private final int denyStatus;

  CheckService(Deciding deciding, int denyStatus) {
    this.deciding = deciding;
    this.clock = deciding.admission().clock();
    this.denyStatus = denyStatus;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
    RequestHeaders headers = req.headers();
    String method = first(headers, "x-forwarded-method", "x-original-method");
    String uri = first(headers, "x-forwarded-uri", "x-original-uri");
    HttpMethod m = method == null ? headers.method() : HttpMethod.tryParse(method.trim().toUpperCase(java.util.Locale.ROOT));
    if (m == null || m == HttpMethod.UNKNOWN) {
      return unreadable("the original method '" + method + "' is not an HTTP method");
    }
    String full = uri == null ? headers.path() : uri.trim();
    if (full.startsWith("http://") || full.startsWith("https://")) { // an absolute URI: its path and query
      int slash = full.indexOf('/', full.indexOf("//") + 2);
      full = slash < 0 ? "/" : full.substring(slash);
    }
    int q = full.indexOf('?');
    String raw = q < 0 ? full : full.substring(0, q);
    RequestPath path;
    try {
      path = deciding.admission().path(raw);
    } catch (RequestPath.InvalidPathException e) {
      return unreadable(e.getMessage());
    }
    com.linecorp.armeria.common.RequestHeadersBuilder b = headers.toBuilder().method(m)
        .path(path.normalized() + (q < 0 ? "" : full.substring(q)));
    String host = headers.get("x-forwarded-host");
    if (host != null && !host.isBlank()) {
      b.authority(host.trim()).set(HttpHeaderNames.HOST, host.trim()); // the original's Host, as Traefik tells it
    }
    ArmeriaRequestInfo info = deciding.info(ctx, b.build(), path, q < 0 ? null : full.substring(q + 1));
    String why = deciding.admission().unreadable(info);
    if (why != null) {
      return unreadable(why);
    }
    return deciding.decide(ctx, info, false, this::answer);
  }

  private HttpResponse answer(Decision d) {
    long now = clock.epochMillis();
    switch (d.outcome()) {
      case DENIED:
        return Answers.denied(denyStatus == 429 ? 0 : denyStatus);
      case REFUSED:
      case BANNED:
        return Answers.refused(d, now, denyStatus == 429 ? 0 : denyStatus);
      default:
        ResponseHeadersBuilder b = ResponseHeaders.builder(HttpStatus.OK).contentLength(0);
        if (d.reported() != null) {
          ResponseFields.headers(d, now, b::set);
        }
        return HttpResponse.of(b.build());
    }
  }

  private HttpResponse unreadable(String why) {
    return denyStatus == 401 || denyStatus == 403
        ? HttpResponse.of(HttpStatus.valueOf(denyStatus), com.linecorp.armeria.common.MediaType.JSON_UTF_8,
            io.tollgate.core.HttpAnswer.badRequestBody(why, denyStatus))
        : Answers.badRequest(why);
  }

  private static String first(RequestHeaders headers, String name, String otherwise) {
    String v = headers.get(name);
    return v != null ? v : headers.get(otherwise);
  }
}
