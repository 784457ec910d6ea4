package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.SimpleDecoratingHttpService;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The first step of a request's path: no request smuggling through a body framed two ways.
 *
 * <p>A request carrying both Content-Length and Transfer-Encoding is the classic smuggling vector: a
 * proxy in front that trusts Content-Length and a server that trusts Transfer-Encoding disagree on
 * where the body ends, and the rest is read as a second request. The HTTP/1 decoder frames such a
 * body by Transfer-Encoding alone and drops the Content-Length (RFC 9112 6.3), and Armeria removes
 * both headers before any service sees them, so what can be known here is only "this HTTP/1 body
 * came chunked". RFC 9112 then requires closing the connection after the response; this step does,
 * and refuses with 400 every request that arrives behind it on that connection (pipelined bytes
 * already read, which is where a smuggled request would be), so none of them is counted or forwarded.
 */
final class ChunkedRequestGuard extends SimpleDecoratingHttpService {

  /** HTTP/1 connections (by client address and port) that are closing after a chunked request. */
  private final Set<InetSocketAddress> closing = ConcurrentHashMap.newKeySet();

  ChunkedRequestGuard(HttpService next) {
    super(next);
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
    if (ctx.sessionProtocol().isMultiplex()) { // HTTP/2 frames bodies itself
      return unwrap().serve(ctx, req);
    }
    InetSocketAddress peer = ctx.remoteAddress();
    if (!closing.isEmpty() && closing.contains(peer)) {
      ctx.initiateConnectionShutdown();
      return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.JSON_UTF_8,
          "{\"error\":\"request behind a chunked request on one connection\",\"status\":400}");
    }
    if (req.headers().contentLength() < 0 && !req.isEmpty()) { // a body without Content-Length: chunked
      closing.add(peer);
      ctx.initiateConnectionShutdown().whenComplete((ignored, error) -> closing.remove(peer));
    }
    return unwrap().serve(ctx, req);
  }
}
