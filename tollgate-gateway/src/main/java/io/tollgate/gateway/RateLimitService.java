package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import io.tollgate.core.Clock;
import io.tollgate.core.Decision;
import io.tollgate.core.HttpAnswer;
import io.tollgate.core.RequestPath;
import io.tollgate.core.ResponseFields;

/**
 * The limits step of a request's path (docs/design.md): resolve the caller, decide, then refuse with
 * the refusal block, or pass on to the upstream with the rate-limit headers added and settle the
 * decision once the response is complete or the client has gone.
 */
final class RateLimitService extends SimpleDecoratingHttpService {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RateLimitService.class);

  private final Deciding deciding;
  private final Clock clock;
  private final UpstreamListener listener; // null: none
  private final AccessLogger accessLog; // null: off

  RateLimitService(HttpService upstream, Deciding deciding, UpstreamListener listener, AccessLogger accessLog) {
    super(upstream);
    this.deciding = deciding;
    this.clock = deciding.admission().clock();
    this.listener = listener;
    this.accessLog = accessLog;
  }

  /** The upstream this step guards (kept by the gateway when a reload leaves it unchanged). */
  HttpService upstream() {
    return (HttpService) unwrap();
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest received) throws Exception {
    RequestHeaders headers = received.headers();
    String full = headers.path();
    int q = full.indexOf('?');
    String raw = q < 0 ? full : full.substring(0, q);
    RequestPath read;
    try {
      read = deciding.admission().path(raw);
    } catch (RequestPath.InvalidPathException e) {
      return Answers.badRequest(e.getMessage());
    }
    String path = read.normalized();
    if (path != raw) { // the upstream gets the path that was matched, never the spelling
      headers = headers.toBuilder().path(q < 0 ? path : path + full.substring(q)).build();
    }
    HttpRequest req = path != raw ? received.withHeaders(headers) : received;
    ArmeriaRequestInfo info = deciding.info(ctx, headers, read, q < 0 ? null : full.substring(q + 1));
    String unreadable = deciding.admission().unreadable(info);
    if (unreadable != null) {
      return Answers.badRequest(unreadable);
    }
    boolean status = deciding.admission().isStatusView(info);
    return deciding.decide(ctx, info, status, d -> respond(ctx, req, info, status, d));
  }

  /** The decision's answer: refused here, the status view, or on to the upstream (the status endpoint is never counted). */
  private HttpResponse respond(ServiceRequestContext ctx, HttpRequest req, ArmeriaRequestInfo info, boolean status,
      Decision d) throws Exception {
    if (accessLog != null) {
      long decided = System.nanoTime();
      boolean passedOn = !status && d.allowed();
      ctx.log().whenComplete().thenAccept(log -> accessLog.log(entry(info, d, status, log, decided, passedOn)));
    }
    HttpAnswer answer = deciding.admission().answer(d, info, status);
    if (answer != null) { // refused, denied, or the status view
      return Answers.of(answer);
    }
    if (listener != null) {
      long start = System.nanoTime();
      ctx.log().whenComplete().thenAccept(log -> {
        settle(d, log);
        listener.answered(d.route(), log.responseCause() != null ? 0 : log.responseHeaders().status().code(),
            Boolean.TRUE.equals(ctx.attr(ProxyService.MADE_HERE)), System.nanoTime() - start);
      });
    } else if (d.appliedCount() > 0) {
      ctx.log().whenComplete().thenAccept(log -> settle(d, log));
    }
    if (d.reported() != null) {
      // Written into the response when it goes out (Armeria merges a context's additional headers
      // into the final response headers), which costs less than a stage that rewrites the response
      // stream. Deltas (RateLimit t=, RateLimit-Reset) count from now, so after a slow upstream they
      // are late by its latency: a caller waits that much longer, never less.
      ctx.mutateAdditionalResponseHeaders(h -> ResponseFields.headers(d, clock.epochMillis(), h::set));
    }
    return unwrap().serve(ctx, req);
  }

  private AccessLogger.Entry entry(ArmeriaRequestInfo info, Decision d, boolean statusView, RequestLog log,
      long decided, boolean passedOn) {
    long end = System.nanoTime();
    int code = log.responseCause() != null || !log.isAvailable(com.linecorp.armeria.common.logging.RequestLogProperty.RESPONSE_HEADERS)
        ? 0 : log.responseHeaders().status().code();
    String decision;
    switch (d.outcome()) {
      case ALLOWED:
        decision = statusView ? "status" : d.appliedCount() == 0 ? "unlimited" : "allowed";
        break;
      default:
        decision = d.outcome().name().toLowerCase(java.util.Locale.ROOT);
        break;
    }
    io.tollgate.core.LimitStatus reported = d.reported();
    return new AccessLogger.Entry(clock.epochMillis(), info.clientIp(), info.method(), info.path(), code, d.route(),
        decision, reported == null ? null : reported.name(), reported == null ? -1 : reported.remaining(),
        (end - log.requestStartTimeNanos()) / 1e6, passedOn ? (end - decided) / 1e6 : -1);
  }

  /**
   * Gives back what the response does not count and releases concurrency slots, exactly once. It
   * runs in a callback nobody waits on: a failure is logged here, or it would go unseen.
   */
  private static void settle(Decision d, RequestLog log) {
    if (d.appliedCount() == 0) {
      return;
    }
    try {
      if (log.responseCause() != null) { // the client went away, or the response broke half way
        d.abort();
      } else {
        d.settle(log.responseHeaders().status().code());
      }
    } catch (RuntimeException e) {
      LOG.warn("settling the decision of route {} failed; its units or slots may stay taken", d.route(), e);
    }
  }
}
