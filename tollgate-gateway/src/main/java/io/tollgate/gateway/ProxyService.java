package io.tollgate.gateway;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.time.Duration;

/**
 * Forwards a request to the upstream and streams the response back (Armeria's client streams both
 * bodies and drops hop-by-hop headers). Sets X-Forwarded-For/-Proto/-Host. An upstream that cannot
 * be reached gives 502, one that does not answer within the timeout 504, a body that grows past
 * {@code max-request-body} while it streams 413, each with a short JSON body.
 */
final class ProxyService implements HttpService {

  private final WebClient upstream;

  /**
   * @param clients the gateway's own client factory: it outlives the server's drain on shutdown,
   *     where Armeria's default factory closes at once in its own JVM shutdown hook
   */
  ProxyService(String upstreamUri, Duration timeout, ClientFactory clients) {
    this.upstream = WebClient.builder(http1(upstreamUri)).factory(clients).responseTimeout(timeout).maxResponseLength(0).build();
  }

  /**
   * Speaks HTTP/1.1 to an {@code http://} upstream (as nginx does) instead of Armeria's default of
   * probing for cleartext HTTP/2 first; {@code h2c://} asks for HTTP/2 explicitly.
   */
  static String http1(String upstreamUri) {
    return upstreamUri.startsWith("http://") ? "h1c://" + upstreamUri.substring("http://".length()) : upstreamUri;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    RequestHeadersBuilder h = req.headers().toBuilder();
    String peer = ctx.remoteAddress().getAddress().getHostAddress();
    String forwarded = req.headers().get(HttpHeaderNames.X_FORWARDED_FOR);
    h.set(HttpHeaderNames.X_FORWARDED_FOR, forwarded == null ? peer : forwarded + ", " + peer);
    h.set(HttpHeaderNames.X_FORWARDED_PROTO, ctx.sessionProtocol().isTls() ? "https" : "http");
    String host = req.headers().authority();
    if (host != null) {
      h.set(HttpHeaderNames.X_FORWARDED_HOST, host);
    }
    h.remove(HttpHeaderNames.AUTHORITY);
    h.remove(HttpHeaderNames.HOST);
    return upstream.execute(req.withHeaders(h.build())).recover(cause -> failure(ctx, cause));
  }

  /** Set on a request whose 502 or 504 the gateway made (the upstream failed or was late). */
  static final io.netty.util.AttributeKey<Boolean> MADE_HERE =
      io.netty.util.AttributeKey.valueOf(ProxyService.class, "MADE_HERE");

  private static HttpResponse failure(ServiceRequestContext ctx, Throwable cause) {
    ctx.setAttr(MADE_HERE, Boolean.TRUE);
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ContentTooLargeException) { // a streamed body went past max-request-body on its way
        return HttpResponse.of(HttpStatus.REQUEST_ENTITY_TOO_LARGE, MediaType.JSON_UTF_8,
            "{\"error\":\"request body too large\",\"status\":413}");
      }
    }
    Throwable c = cause;
    while (c.getCause() != null && !(c instanceof ResponseTimeoutException)) {
      c = c.getCause();
    }
    if (cause instanceof ResponseTimeoutException || c instanceof ResponseTimeoutException) {
      return HttpResponse.of(HttpStatus.GATEWAY_TIMEOUT, MediaType.JSON_UTF_8,
          "{\"error\":\"upstream timeout\",\"status\":504}");
    }
    String reason = cause instanceof UnprocessedRequestException ? "upstream unreachable" : "upstream failed";
    return HttpResponse.of(HttpStatus.BAD_GATEWAY, MediaType.JSON_UTF_8, "{\"error\":\"" + reason + "\",\"status\":502}");
  }
}
